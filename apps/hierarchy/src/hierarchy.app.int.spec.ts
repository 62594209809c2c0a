import { randomUUID } from 'node:crypto';
import { connectNats } from '@siteops/messaging';
import { eventually, freePort, testServers } from '@siteops/testing';
import { hierarchyFixture, type HierarchyFixture } from './test/hierarchy.fixture';

describe('hierarchy service run on its own', () => {
  let f: HierarchyFixture;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    f = await hierarchyFixture('hier_standalone', { standalone: true, port });
  });

  afterAll(async () => {
    await f.cleanup();
  });

  it('serves its health routes, relays its events to JetStream, and stops everything on close', async () => {
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { 'hierarchy:postgres': { ok: true }, 'hierarchy:nats': { ok: true } } });

    await f.send('CreateOrganization', { organizationId: randomUUID(), name: 'Relayed' });

    const nc = await connectNats({ url: testServers.natsUrl, name: 'relay-check' });
    try {
      const jsm = await nc.jetstreamManager();
      // The organization and its founding grant.
      await eventually(async () => (await jsm.streams.info(f.names.eventStream)).state.messages === 2, { message: 'two relayed events' });
    } finally {
      await nc.close();
    }

    await f.stop();
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    await expect(f.send('CreateOrganization', { organizationId: randomUUID(), name: 'After close' })).rejects.toMatchObject({ code: 'unavailable' });
  });
});
