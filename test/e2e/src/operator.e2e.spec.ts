import { ApiClient } from './support/api';
import { startPlatformProcess, type PlatformProcess } from '@siteops/testing';

interface Created {
  id: string;
  position: string;
}

interface Problem {
  status: number;
  code: string;
  errors?: { field: string; message: string }[];
}

/**
 * What an operator of an intranet installation meets first: the admin's
 * address is SPEC §3's default written out, users have addresses on a
 * host name without dots, and scripts send a JSON content type on every
 * request, body or not.
 */
describe('an intranet installation', () => {
  let platform: PlatformProcess;
  let admin: ApiClient;

  beforeAll(async () => {
    platform = await startPlatformProcess('operator', { SITEOPS_ADMIN_EMAIL: 'admin@localhost' });
    admin = new ApiClient(platform.url, platform.adminKey);
  }, 180_000);

  afterAll(async () => {
    await platform.stop();
  });

  it('boots with SITEOPS_ADMIN_EMAIL=admin@localhost set explicitly, and that is the admin', async () => {
    const whoami = await admin.ok<{ user: { email: string }; platformAdmin: boolean }>('GET', '/v1/whoami');
    expect(whoami).toMatchObject({ user: { email: 'admin@localhost' }, platformAdmin: true });
  });

  it.each(['ops@localhost', 'ops@intranet', 'a@b.example'])('registers %p', async (email) => {
    const response = await admin.post<Created & { email: string }>('/v1/users', { email, name: 'Ops' });
    expect(response.status).toBe(201);
    expect(response.body.email).toBe(email);
  });

  it.each(['no-at-sign', 'a@', '@b'])('refuses %p with a 400 naming email', async (email) => {
    const response = await admin.post<Problem>('/v1/users', { email, name: 'Ops' });
    expect(response.status).toBe(400);
    expect(response.contentType).toContain('application/problem+json');
    expect(response.body.errors?.map((e) => e.field)).toEqual(['email']);
  });

  it('accepts a bodiless DELETE with a JSON content type, as it does without one', async () => {
    const json = { headers: { 'content-type': 'application/json' } };
    const first = await admin.ok<Created>('POST', '/v1/organizations', { name: 'Bodiless One' });
    const second = await admin.ok<Created>('POST', '/v1/organizations', { name: 'Bodiless Two' });

    expect((await admin.delete(`/v1/organizations/${first.id}`, json)).status).toBe(200);
    expect((await admin.delete(`/v1/organizations/${second.id}`)).status).toBe(200);
    // A body of whitespace is no body either.
    const third = await admin.ok<Created>('POST', '/v1/organizations', { name: 'Bodiless Three' });
    expect((await admin.request('DELETE', `/v1/organizations/${third.id}`, undefined, { ...json, rawBody: ' \n' })).status).toBe(200);
  });

  it('answers an empty body where one is needed by the fields it lacks, content type or not', async () => {
    for (const headers of [{ 'content-type': 'application/json' }, {}] as Record<string, string>[]) {
      const response = await admin.request<Problem>('POST', '/v1/organizations', undefined, { headers, rawBody: '' });
      expect(response.status).toBe(400);
      expect(response.body.errors?.map((e) => e.field)).toEqual(['name']);
    }
  });

  it('still refuses a body that is not JSON', async () => {
    const response = await admin.request<Problem>('POST', '/v1/organizations', undefined, {
      headers: { 'content-type': 'application/json' },
      rawBody: '{"name": ',
    });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('validation_failed');
  });
});
