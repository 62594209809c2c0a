import { randomUUID } from 'node:crypto';
import { connectNats } from '@siteops/messaging';
import { eventually, freePort, testServers } from '@siteops/testing';
import { identityFixture, type IdentityFixture } from './test/identity.fixture';

describe('identity service run on its own', () => {
  let f: IdentityFixture;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    f = await identityFixture('id_standalone', { port });
  });

  afterAll(async () => {
    await f.cleanup();
  });

  it('serves its health routes, relays its events to JetStream, and stops everything on close', async () => {
    const { running } = await f.start(1, true);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { 'identity:postgres': { ok: true }, 'identity:nats': { ok: true } } });

    await f.send('RegisterUser', { userId: randomUUID(), email: 'relayed@example.org', name: 'Relayed' });

    const nc = await connectNats({ url: testServers.natsUrl, name: 'relay-check' });
    try {
      const jsm = await nc.jetstreamManager();
      // The bootstrap's three events (platform, admin, admin key) and the new user.
      await eventually(async () => (await jsm.streams.info(f.names.eventStream)).state.messages === 4, { message: 'four relayed events' });
    } finally {
      await nc.close();
    }

    await Promise.all(running.map((r) => r.close()));
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    await expect(f.send('RegisterUser', { userId: randomUUID(), email: 'late@example.org', name: 'Late' })).rejects.toMatchObject({ code: 'unavailable' });
  });
});
