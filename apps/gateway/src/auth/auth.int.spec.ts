import { loadConfig, HealthRegistry } from '@siteops/runtime';
import { eventually } from '@siteops/testing';
import { app } from '../gateway.app';
import { request, startGateway, type GatewayFixture } from '../test/gateway.fixture';
import type { SeededUser } from '../test/read-model.seeder';

describe('authentication (real Postgres, NATS, Redis)', () => {
  let gw: GatewayFixture;
  let alice: SeededUser;

  beforeAll(async () => {
    gw = await startGateway('gw_auth');
    alice = await gw.seed.user('alice@example.com');
    await gw.settle();
  });
  afterAll(async () => {
    await gw.close();
  });

  const whoami = (key?: string, headers: Record<string, string> = {}) =>
    gw.request('GET', '/v1/whoami', { ...(key === undefined ? {} : { key }), headers });

  it('accepts a valid key and says who is calling', async () => {
    const res = await whoami(alice.key);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user: { id: alice.id, email: 'alice@example.com', name: 'alice' },
      apiKey: { id: alice.keyId, name: 'test', expiresAt: null, scope: null },
      platformAdmin: false,
    });
  });

  it.each([
    ['no Authorization header', undefined, {}],
    ['another scheme', undefined, { authorization: 'Basic YWxpY2U6eA==' }],
    ['a malformed key', 'siteops_short_x', {}],
    ['an unknown key id', `siteops_zzzzzzzzzzzzzzzz_${'a'.repeat(43)}`, {}],
  ])('refuses %s with 401 problem and WWW-Authenticate', async (_what, key, headers) => {
    const res = await whoami(key, { 'x-forwarded-for': '10.0.0.1', ...headers });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.body).toMatchObject({
      status: 401,
      code: 'unauthenticated',
      type: 'urn:siteops:problem:unauthenticated',
    });
  });

  it('refuses the right key id with a wrong secret, without echoing the key', async () => {
    const wrong = `${alice.key.slice(0, -4)}AAAA`;
    const res = await whoami(wrong, { 'x-forwarded-for': '10.0.0.2' });
    expect(res.status).toBe(401);
    expect(res.text).not.toContain(wrong);
    expect(res.text).not.toContain(wrong.slice(-43));
    expect((res.body as { detail: string }).detail).toBe('The API key is not valid');
  });

  it('refuses an expired key', async () => {
    const expired = await gw.seed.apiKey(alice.id, { expiresAt: '2020-01-01T00:00:00Z' });
    const res = await whoami(expired.key, { 'x-forwarded-for': '10.0.0.3' });
    expect(res.status).toBe(401);
    expect((res.body as { detail: string }).detail).toBe('The API key has expired');
  });

  it('refuses a revoked key within 5 s of the projector recording it, with no wake-up message', async () => {
    const key = await gw.seed.apiKey(alice.id);
    expect((await whoami(key.key)).status).toBe(200);
    const started = Date.now();
    // The change is only in rm_changes: the gateway must find it by polling.
    await gw.seed.revokeApiKey(key.keyId, { publish: false });
    await eventually(
      async () => (await whoami(key.key, { 'x-forwarded-for': '10.0.0.4' })).status === 401,
      {
        timeoutMs: 5_000,
        intervalMs: 50,
        message: 'revoked key refused',
      },
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await whoami(key.key, { 'x-forwarded-for': '10.0.0.4' })).body).toMatchObject({
      detail: 'The API key has been revoked',
    });
  });

  it('sees a revocation on every instance, including one on a reused connection', async () => {
    const replica = await gw.startReplica();
    const key = await gw.seed.apiKey(alice.id);
    expect((await request(replica.url, 'GET', '/v1/whoami', { key: key.key })).status).toBe(200);
    await gw.seed.revokeApiKey(key.keyId);
    await eventually(
      async () =>
        (
          await request(replica.url, 'GET', '/v1/whoami', {
            key: key.key,
            headers: { 'x-forwarded-for': '10.0.0.5' },
          })
        ).status === 401,
      {
        timeoutMs: 5_000,
        intervalMs: 50,
      },
    );
    await eventually(
      async () => (await whoami(key.key, { 'x-forwarded-for': '10.0.0.5' })).status === 401,
      { timeoutMs: 5_000, intervalMs: 50 },
    );
  });

  it('knows a key issued a moment ago that the feed has not brought yet (Postgres fallback)', async () => {
    const key = await gw.seed.silentApiKey(alice.id);
    expect((await whoami(key.key)).status).toBe(200);
  });

  it('throttles failed authentications per client address: 429 with Retry-After, other addresses unaffected', async () => {
    const bad = `siteops_zzzzzzzzzzzzzzzz_${'b'.repeat(43)}`;
    const from = { 'x-forwarded-for': '192.0.2.77' };
    // The window is a fixed minute: do not start the count just before it turns.
    const msLeft = 60_000 - (Date.now() % 60_000);
    if (msLeft < 5_000) await new Promise((resolve) => setTimeout(resolve, msLeft + 100));
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await whoami(bad, from)).status);
    expect(statuses.slice(0, 20)).toEqual(Array<number>(20).fill(401));
    const limited = await whoami(bad, from);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 'rate_limited', status: 429 });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Guessing cannot go on: even a valid key is refused from that address for the rest of the window.
    expect((await whoami(alice.key, from)).status).toBe(429);
    expect((await whoami(alice.key, { 'x-forwarded-for': '192.0.2.78' })).status).toBe(200);
  });

  it('keeps serving when Redis is down (failed authentications are then not throttled)', async () => {
    const config = loadConfig({
      DATABASE_URL: gw.config.databaseUrl,
      NATS_URL: gw.config.natsUrl,
      REDIS_URL: 'redis://127.0.0.1:1',
      SITEOPS_NATS_PREFIX: gw.config.natsPrefix,
      SITEOPS_REDIS_PREFIX: gw.config.redisPrefix,
      PORT: '0',
      LOG_LEVEL: 'silent',
    });
    const noRedis = await app.start(config, { standalone: false, health: new HealthRegistry() });
    try {
      expect((await request(noRedis.url, 'GET', '/v1/whoami', { key: alice.key })).status).toBe(
        200,
      );
      const bad = `siteops_zzzzzzzzzzzzzzzz_${'c'.repeat(43)}`;
      const statuses = new Set<number>();
      for (let i = 0; i < 25; i++)
        statuses.add((await request(noRedis.url, 'GET', '/v1/whoami', { key: bad })).status);
      expect([...statuses]).toEqual([401]);
    } finally {
      await noRedis.close();
    }
  });
});
