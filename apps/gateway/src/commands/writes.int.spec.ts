import { hashSecret, parseApiKey } from '@siteops/auth';
import { DomainError, type ProblemDto } from '@siteops/contracts';
import { startGateway, type GatewayFixture, type HttpResult } from '../test/gateway.fixture';
import type { SeededUser } from '../test/read-model.seeder';

interface Written {
  id: string;
  version: number;
  position: string;
  [field: string]: unknown;
}

const body = (res: HttpResult): Written => res.body as Written;

describe('writes: commands over NATS, then the fresh resource (real Postgres, NATS, Redis)', () => {
  let gw: GatewayFixture;
  let admin: SeededUser;
  let dev: SeededUser;

  beforeAll(async () => {
    gw = await startGateway('gw_writes');
    admin = await gw.seed.user('admin@example.com', { platformAdmin: true });
    dev = await gw.seed.user('dev@example.com');
    await gw.seed.user('Carol@Example.com');
    await gw.settle();
  });
  afterAll(async () => {
    await gw.close();
  });

  describe('organizations, projects and sites', () => {
    let orgId: string;

    it('creates an organization: 201, the resource as now projected, ETag, X-Position, Location; the caller becomes owner', async () => {
      const res = await gw.request('POST', '/v1/organizations', {
        key: dev.key,
        body: { name: 'Acme' },
      });
      expect(res.status).toBe(201);
      const org = body(res);
      orgId = org.id;
      expect(org).toMatchObject({ name: 'Acme', version: 1 });
      expect(org.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(res.headers.get('etag')).toBe('"1"');
      expect(res.headers.get('x-position')).toBe(org.position);
      expect(res.headers.get('location')).toBe(`/v1/organizations/${orgId}`);
      expect(res.headers.get('x-consistency')).toBeNull();
      const sent = gw.services.sent('CreateOrganization').at(-1);
      expect(sent).toMatchObject({ actor: dev.id, data: { organizationId: orgId, name: 'Acme' } });
      expect(orgId).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      // The next read on this instance sees it, and the caller may manage it.
      expect(
        body(await gw.request('GET', `/v1/organizations/${orgId}`, { key: dev.key })).name,
      ).toBe('Acme');
      const members = (
        await gw.request('GET', `/v1/organizations/${orgId}/members`, { key: dev.key })
      ).body as { items: { userId: string; role: string }[] };
      expect(members.items).toEqual([
        {
          userId: dev.id,
          email: 'dev@example.com',
          role: 'owner',
          source: { level: 'organization', id: orgId },
          inherited: false,
        },
      ]);
    });

    it('answers a write this instance has not applied within 5 s anyway, marked X-Consistency: stale', async () => {
      gw.services.replyWithPositionNext('999999999.1');
      const started = Date.now();
      const res = await gw.request('POST', '/v1/organizations', {
        key: dev.key,
        body: { name: 'Slowpoke' },
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
      expect(res.status).toBe(201);
      expect(res.headers.get('x-consistency')).toBe('stale');
      expect(res.headers.get('x-position')).toBe('999999999.1');
      expect(body(res)).toMatchObject({ name: 'Slowpoke', version: 1, position: '999999999.1' });
    }, 15_000);

    it('maps the service’s answers to statuses: already_exists → 409', async () => {
      const res = await gw.request('POST', '/v1/organizations', {
        key: dev.key,
        body: { name: 'ACME' },
      });
      expect(res.status).toBe(409);
      expect(res.body as ProblemDto).toMatchObject({ code: 'already_exists' });
    });

    it('turns If-Match into expectedVersion: stale → 412, current → 200 with the new version', async () => {
      const stale = await gw.request('PATCH', `/v1/organizations/${orgId}`, {
        key: dev.key,
        body: { name: 'Acme Inc' },
        headers: { 'if-match': '"7"' },
      });
      expect(stale.status).toBe(412);
      expect((stale.body as ProblemDto).code).toBe('precondition_failed');
      expect(gw.services.sent('RenameOrganization').at(-1)?.data).toMatchObject({
        expectedVersion: 7,
      });
      const ok = await gw.request('PATCH', `/v1/organizations/${orgId}`, {
        key: dev.key,
        body: { name: 'Acme Inc' },
        headers: { 'if-match': '"1"' },
      });
      expect(ok.status).toBe(200);
      expect(body(ok)).toMatchObject({ name: 'Acme Inc', version: 2 });
      expect(ok.headers.get('etag')).toBe('"2"');
      const bare = await gw.request('PATCH', `/v1/organizations/${orgId}`, {
        key: dev.key,
        body: { name: 'Acme' },
        headers: { 'if-match': '2' },
      });
      expect(body(bare)).toMatchObject({ name: 'Acme', version: 3 });
      const none = await gw.request('PATCH', `/v1/organizations/${orgId}`, {
        key: dev.key,
        body: { name: 'Acme' },
      });
      expect(none.status).toBe(200);
      expect(gw.services.sent('RenameOrganization').at(-1)?.data).not.toHaveProperty(
        'expectedVersion',
      );
    });

    it('creates projects and sites under it, and revises compose', async () => {
      const project = await gw.request('POST', `/v1/organizations/${orgId}/projects`, {
        key: dev.key,
        body: { name: 'Web', description: 'site' },
      });
      expect(project.status).toBe(201);
      const projectId = body(project).id;
      expect(body(project)).toMatchObject({
        organizationId: orgId,
        name: 'Web',
        description: 'site',
        version: 1,
      });
      const compose = 'services:\n  web:\n    image: nginx\n';
      const site = await gw.request('POST', `/v1/projects/${projectId}/sites`, {
        key: dev.key,
        body: { name: 'prod', compose },
      });
      expect(site.status).toBe(201);
      const siteId = body(site).id;
      expect(body(site)).toMatchObject({
        projectId,
        organizationId: orgId,
        name: 'prod',
        environment: 'prod',
        autoDeploy: false,
        compose: { revision: 1 },
      });
      expect(gw.services.sent('CreateSite').at(-1)?.data).toMatchObject({
        siteId,
        projectId,
        name: 'prod',
        compose,
      });
      const read = (await gw.request('GET', `/v1/sites/${siteId}`, { key: dev.key })).body as {
        compose: { document: string };
      };
      expect(read.compose.document).toBe(compose);
      const revised = await gw.request('PUT', `/v1/sites/${siteId}/compose`, {
        key: dev.key,
        body: { compose: 'services: {}\n' },
        headers: { 'if-match': '"1"' },
      });
      expect(revised.status).toBe(200);
      expect(body(revised)).toMatchObject({
        version: 2,
        compose: { revision: 2, document: 'services: {}\n' },
      });
      const patched = await gw.request('PATCH', `/v1/sites/${siteId}`, {
        key: dev.key,
        body: { autoDeploy: true },
      });
      expect(body(patched)).toMatchObject({ autoDeploy: true, version: 3 });
      const sites = (await gw.request('GET', `/v1/projects/${projectId}/sites`, { key: dev.key }))
        .body as { items: { name: string }[] };
      expect(sites.items.map((s) => s.name)).toEqual(['prod']);
    });

    it('refuses to delete a parent with children (409) unless cascading, and reports what went', async () => {
      const refused = await gw.request('DELETE', `/v1/organizations/${orgId}`, { key: dev.key });
      expect(refused.status).toBe(409);
      expect((refused.body as ProblemDto).code).toBe('has_children');
      const deleted = await gw.request('DELETE', `/v1/organizations/${orgId}?cascade=true`, {
        key: dev.key,
      });
      expect(deleted.status).toBe(200);
      const result = deleted.body as { id: string; deleted: { level: string }[]; position: string };
      expect(result.id).toBe(orgId);
      expect(result.deleted.map((d) => d.level)).toEqual(['site', 'project', 'organization']);
      expect(deleted.headers.get('x-position')).toBe(result.position);
      expect((await gw.request('GET', `/v1/organizations/${orgId}`, { key: dev.key })).status).toBe(
        404,
      );
    });

    it('passes purgeVolumes on site deletes', async () => {
      const org = body(
        await gw.request('POST', '/v1/organizations', { key: dev.key, body: { name: 'Purge' } }),
      ).id;
      const project = body(
        await gw.request('POST', `/v1/organizations/${org}/projects`, {
          key: dev.key,
          body: { name: 'p' },
        }),
      ).id;
      const site = body(
        await gw.request('POST', `/v1/projects/${project}/sites`, {
          key: dev.key,
          body: { name: 's', compose: 'services: {}' },
        }),
      ).id;
      const res = await gw.request('DELETE', `/v1/sites/${site}?purgeVolumes=true`, {
        key: dev.key,
      });
      expect(res.status).toBe(200);
      expect(body(res)).toMatchObject({ id: site, deleted: [{ level: 'site', id: site }] });
      expect(gw.services.sent('DeleteSite').at(-1)?.data).toMatchObject({
        siteId: site,
        purgeVolumes: true,
      });
    });
  });

  describe('members', () => {
    let orgId: string;
    let projectId: string;

    beforeAll(async () => {
      orgId = body(
        await gw.request('POST', '/v1/organizations', {
          key: dev.key,
          body: { name: 'Members Co' },
        }),
      ).id;
      projectId = body(
        await gw.request('POST', `/v1/organizations/${orgId}/projects`, {
          key: dev.key,
          body: { name: 'p' },
        }),
      ).id;
    });

    it('grants by URL-encoded email (case-insensitive) and lists direct and inherited grants with their source', async () => {
      const res = await gw.request(
        'PUT',
        `/v1/projects/${projectId}/members/${encodeURIComponent('carol@example.COM')}`,
        {
          key: dev.key,
          body: { role: 'developer' },
        },
      );
      expect(res.status).toBe(200);
      const carol = gw.services.sent('GrantRole').at(-1)?.data as { userId: string };
      expect(body(res)).toMatchObject({
        userId: carol.userId,
        email: 'Carol@Example.com',
        role: 'developer',
        inherited: false,
      });
      const list = (await gw.request('GET', `/v1/projects/${projectId}/members`, { key: dev.key }))
        .body as { items: unknown[] };
      expect(list.items).toEqual([
        {
          userId: carol.userId,
          email: 'Carol@Example.com',
          role: 'developer',
          source: { level: 'project', id: projectId },
          inherited: false,
        },
        {
          userId: dev.id,
          email: 'dev@example.com',
          role: 'owner',
          source: { level: 'organization', id: orgId },
          inherited: true,
        },
      ]);
    });

    it('answers an unknown email with 404 and a segment that is neither id nor email with 400', async () => {
      const unknown = await gw.request(
        'PUT',
        `/v1/projects/${projectId}/members/nobody%40example.com`,
        { key: dev.key, body: { role: 'viewer' } },
      );
      expect(unknown.status).toBe(404);
      expect((unknown.body as ProblemDto).detail).toBe('No user with that email');
      expect(
        (
          await gw.request('PUT', `/v1/projects/${projectId}/members/carol`, {
            key: dev.key,
            body: { role: 'viewer' },
          })
        ).status,
      ).toBe(400);
    });

    it('revokes by user id, and refuses to remove the last owner (409)', async () => {
      const carol = gw.services.sent('GrantRole').at(-1)?.data as { userId: string };
      const revoked = await gw.request(
        'DELETE',
        `/v1/projects/${projectId}/members/${carol.userId}`,
        { key: dev.key },
      );
      expect(revoked.status).toBe(200);
      expect(body(revoked)).toMatchObject({
        userId: carol.userId,
        resource: { level: 'project', id: projectId },
      });
      const last = await gw.request('DELETE', `/v1/organizations/${orgId}/members/${dev.id}`, {
        key: dev.key,
      });
      expect(last.status).toBe(409);
      expect((last.body as ProblemDto).code).toBe('last_owner');
    });
  });

  describe('API keys and users', () => {
    it('issues a key shown once: only its hash goes to the identity service, and it works at once', async () => {
      const res = await gw.request('POST', '/v1/api-keys', {
        key: dev.key,
        body: { name: 'ci', expiresAt: '2099-01-01T00:00:00+01:00' },
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const created = res.body as {
        id: string;
        key: string;
        expiresAt: string;
        scope: null;
        name: string;
      };
      expect(created).toMatchObject({
        name: 'ci',
        expiresAt: '2098-12-31T23:00:00.000Z',
        scope: null,
      });
      const parsed = parseApiKey(created.key);
      expect(parsed?.keyId).toBe(created.id);
      const sent = gw.services.sent('IssueApiKey').at(-1);
      expect(sent?.data).toMatchObject({
        keyId: created.id,
        userId: dev.id,
        secretSha256: hashSecret(parsed?.secret ?? ''),
      });
      expect(JSON.stringify(sent?.data)).not.toContain(parsed?.secret);
      expect(
        (
          (await gw.request('GET', '/v1/whoami', { key: created.key })).body as {
            user: { id: string };
          }
        ).user.id,
      ).toBe(dev.id);
      const list = (await gw.request('GET', '/v1/api-keys', { key: dev.key })).body as {
        items: { id: string; revokedAt: string | null }[];
      };
      expect(list.items.map((k) => k.id)).toContain(created.id);
      expect(JSON.stringify(list)).not.toContain(parsed?.secret);
    });

    it('resolves a scope path at issue time, and a scoped key can neither create organizations nor issue wider keys', async () => {
      const org = body(
        await gw.request('POST', '/v1/organizations', {
          key: dev.key,
          body: { name: 'Scoped Co' },
        }),
      ).id;
      const project = body(
        await gw.request('POST', `/v1/organizations/${org}/projects`, {
          key: dev.key,
          body: { name: 'App' },
        }),
      ).id;
      const res = await gw.request('POST', '/v1/api-keys', {
        key: dev.key,
        body: { name: 'deploy', scope: { path: 'scoped co/app', maxRole: 'developer' } },
      });
      expect(res.status).toBe(201);
      expect(body(res)).toMatchObject({ scope: { path: 'Scoped Co/App', maxRole: 'developer' } });
      expect(gw.services.sent('IssueApiKey').at(-1)?.data).toMatchObject({
        scope: { level: 'project', resourceId: project, maxRole: 'developer' },
      });
      const scopedKey = (res.body as { key: string }).key;
      expect(
        (await gw.request('POST', '/v1/organizations', { key: scopedKey, body: { name: 'Nope' } }))
          .status,
      ).toBe(403);
      expect(
        (await gw.request('POST', '/v1/api-keys', { key: scopedKey, body: { name: 'wide' } }))
          .status,
      ).toBe(403);
      expect(
        (
          await gw.request('POST', '/v1/api-keys', {
            key: scopedKey,
            body: { name: 'narrow', scope: { path: 'Scoped Co/App', maxRole: 'viewer' } },
          })
        ).status,
      ).toBe(201);
      expect(
        (
          await gw.request('POST', '/v1/api-keys', {
            key: dev.key,
            body: { name: 'x', scope: { path: 'Nowhere', maxRole: 'viewer' } },
          })
        ).status,
      ).toBe(404);
    });

    it('revokes a key: 200, the key no longer works, again is harmless; someone else’s key is 404', async () => {
      const created = (
        await gw.request('POST', '/v1/api-keys', { key: dev.key, body: { name: 'temp' } })
      ).body as { id: string; key: string };
      const eve = await gw.seed.user('eve@example.com');
      await gw.settle();
      expect(
        (await gw.request('DELETE', `/v1/api-keys/${created.id}`, { key: eve.key })).status,
      ).toBe(404);
      const res = await gw.request('DELETE', `/v1/api-keys/${created.id}`, { key: dev.key });
      expect(res.status).toBe(200);
      expect((res.body as { revokedAt: string | null }).revokedAt).not.toBeNull();
      expect((await gw.request('GET', '/v1/whoami', { key: created.key })).status).toBe(401);
      // Revoking again changes nothing and succeeds, as the identity service answers it.
      const again = await gw.request('DELETE', `/v1/api-keys/${created.id}`, { key: dev.key });
      expect(again.status).toBe(200);
      expect(again.headers.get('x-consistency')).toBeNull();
    });

    it('lets only platform admins register users and issue keys for them', async () => {
      expect(
        (
          await gw.request('POST', '/v1/users', {
            key: dev.key,
            body: { email: 'x@example.com', name: 'X' },
          })
        ).status,
      ).toBe(403);
      expect((await gw.request('GET', '/v1/users', { key: dev.key })).status).toBe(403);
      const res = await gw.request('POST', '/v1/users', {
        key: admin.key,
        body: { email: 'dana@example.com', name: 'Dana' },
      });
      expect(res.status).toBe(201);
      const dana = body(res);
      expect(dana).toMatchObject({ email: 'dana@example.com', name: 'Dana', platformAdmin: false });
      expect(
        (
          await gw.request('POST', '/v1/users', {
            key: admin.key,
            body: { email: 'DANA@example.com', name: 'Dup' },
          })
        ).status,
      ).toBe(409);
      const users = (await gw.request('GET', '/v1/users?limit=2', { key: admin.key })).body as {
        items: { email: string }[];
      };
      expect(users.items.map((u) => u.email)).toEqual(['admin@example.com', 'Carol@Example.com']);
      const issued = await gw.request('POST', `/v1/users/${dana.id}/api-keys`, {
        key: admin.key,
        body: { name: 'first' },
      });
      expect(issued.status).toBe(201);
      const danaKey = (issued.body as { key: string }).key;
      expect(
        (
          (await gw.request('GET', '/v1/whoami', { key: danaKey })).body as {
            user: { email: string };
          }
        ).user.email,
      ).toBe('dana@example.com');
      expect(
        (await gw.request('GET', `/v1/api-keys?userId=${dana.id}`, { key: admin.key })).status,
      ).toBe(200);
      expect(
        (await gw.request('GET', `/v1/api-keys?userId=${dana.id}`, { key: dev.key })).status,
      ).toBe(403);
    });
  });

  describe('when a service fails', () => {
    it('answers 503 when no service answers the command', async () => {
      await gw.services.stop();
      try {
        const res = await gw.request('POST', '/v1/organizations', {
          key: dev.key,
          body: { name: 'Later' },
        });
        expect(res.status).toBe(503);
        expect(res.body as ProblemDto).toMatchObject({
          code: 'unavailable',
          detail: expect.stringContaining('hierarchy') as unknown,
        });
      } finally {
        gw.services.start(gw.nc, gw.names);
        // The subscriptions count once the server has them.
        await gw.nc.flush();
      }
    });

    it('answers 500 with a generic detail for an internal error of a service', async () => {
      gw.services.failNext(
        'CreateOrganization',
        new DomainError('internal', 'The CreateOrganization command failed unexpectedly'),
      );
      const res = await gw.request('POST', '/v1/organizations', {
        key: dev.key,
        body: { name: 'Broken' },
      });
      expect(res.status).toBe(500);
      expect((res.body as ProblemDto).code).toBe('internal');
    });

    it('passes a service’s field errors through', async () => {
      gw.services.failNext(
        'CreateOrganization',
        new DomainError('validation_failed', 'Invalid CreateOrganization command', [
          { field: 'name', message: 'reserved' },
        ]),
      );
      const res = await gw.request('POST', '/v1/organizations', {
        key: dev.key,
        body: { name: 'Reserved' },
      });
      expect(res.status).toBe(400);
      expect((res.body as ProblemDto).errors).toEqual([{ field: 'name', message: 'reserved' }]);
    });
  });
});
