import { ApiClient } from './support/api';
import { startAppProcess, startPlatformProcess, type AppProcess, type PlatformProcess } from '@siteops/testing';

interface Created {
  id: string;
  position: string;
}

/**
 * A second gateway in its own process beside the all-in-one platform, on the
 * same servers: what an operator scaling out the API does. SPEC §3: a revoked
 * key is refused within 5 seconds on every gateway instance.
 */
describe('two gateways', () => {
  let platform: PlatformProcess;
  let second: AppProcess;

  beforeAll(async () => {
    platform = await startPlatformProcess('scale_out');
    second = await startAppProcess(platform, 'gateway');
  }, 180_000);

  afterAll(async () => {
    await second.stop();
    await platform.stop();
  });

  it('serve the same data: a write through one is read through the other', async () => {
    const a = new ApiClient(platform.url, platform.adminKey);
    const b = new ApiClient(second.url, platform.adminKey);
    const org = await b.ok<Created>('POST', '/v1/organizations', { name: 'scale-out-library' });
    const read = await a.get<{ name: string }>(`/v1/organizations/${org.id}`, { headers: { 'x-consistent-read': org.position } });
    expect(read.status).toBe(200);
    expect(read.body.name).toBe('scale-out-library');
  });

  it('refuse a key revoked through the other within 5 seconds', async () => {
    const admin = new ApiClient(platform.url, platform.adminKey);
    const user = await admin.ok<Created>('POST', '/v1/users', { email: 'scale@example.edu', name: 'Scale' });
    const issued = await admin.ok<Created & { key: string }>('POST', `/v1/users/${user.id}/api-keys`, { name: 'laptop' });
    const onSecond = new ApiClient(second.url, issued.key);
    const accepted = await onSecond.get('/v1/whoami', { headers: { 'x-consistent-read': issued.position } });
    expect(accepted.status).toBe(200);

    const revokedAt = Date.now();
    await admin.ok('DELETE', `/v1/api-keys/${issued.id}`);
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < 10_000) {
      status = (await onSecond.get('/v1/whoami')).status;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const refusedAfterMs = Date.now() - revokedAt;
    expect(status).toBe(401);
    expect(refusedAfterMs).toBeLessThanOrEqual(5_000);
    // …and it stays refused on both.
    expect((await onSecond.get('/v1/whoami')).status).toBe(401);
    expect((await new ApiClient(platform.url, issued.key).get('/v1/whoami')).status).toBe(401);
  });
});
