import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@siteops/runtime';
import { createTestDatabase, testServers, uniqueName, type TestDatabase } from '@siteops/testing';
import { banner, startPlatform, type Platform } from './platform';

/** The all-in-one process `npm start` runs, against real Postgres, NATS and Redis. */
describe('startPlatform', () => {
  let db: TestDatabase;
  let dataDir: string;
  let platform: Platform | undefined;
  const prefix = uniqueName('platform');

  beforeAll(async () => {
    db = await createTestDatabase('platform');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'siteops-platform-'));
  });

  afterAll(async () => {
    await platform?.close();
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const config = () =>
    loadConfig({
      DATABASE_URL: db.url,
      NATS_URL: testServers.natsUrl,
      REDIS_URL: testServers.redisUrl,
      SITEOPS_NATS_PREFIX: prefix,
      SITEOPS_REDIS_PREFIX: prefix,
      SITEOPS_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
    });

  it('serves the API with every app behind it, and the admin created on first start can use it', async () => {
    platform = await startPlatform(config());
    expect(platform.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const ready = await fetch(`${platform.url}/readyz`);
    expect(ready.status).toBe(200);

    const keyFile = path.join(dataDir, 'admin-api-key');
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    const adminKey = fs.readFileSync(keyFile, 'utf8').trim();
    expect(platform.newAdminKey).toBe(adminKey);
    const auth = { authorization: `Bearer ${adminKey}` };
    // Usable the moment the start returns: the gateway has the key the start just issued.
    expect((await fetch(`${platform.url}/v1/whoami`, { headers: auth })).status).toBe(200);

    // A write goes gateway → hierarchy (NATS) → event store → projector → gateway read model.
    const created = await fetch(`${platform.url}/v1/organizations`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'library' }),
    });
    expect(created.status).toBe(201);
    const org = (await created.json()) as { id: string; position: string };
    const read = await fetch(`${platform.url}/v1/organizations/${org.id}`, {
      headers: { ...auth, 'x-consistent-read': org.position },
    });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id: org.id, name: 'library' });
  }, 60_000);

  it('shows the admin key only on the start that created it, and its file on later starts', async () => {
    await platform?.close();
    platform = await startPlatform(config());
    expect(platform.newAdminKey).toBeUndefined();

    const first = banner(config(), 'http://127.0.0.1:9999', 'siteops_k_secret');
    expect(first).toContain('http://127.0.0.1:9999/v1');
    expect(first).toContain('siteops_k_secret');
    const later = banner(config(), 'http://127.0.0.1:9999');
    expect(later).not.toContain('siteops_');
    expect(later).toContain(path.join(dataDir, 'admin-api-key'));
  }, 60_000);
});
