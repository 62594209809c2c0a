import type { Level, Role } from '@siteops/contracts';
import { startGateway, type GatewayFixture } from '../test/gateway.fixture';

type Who =
  'owner' | 'developer' | 'viewer' | 'projectDeveloper' | 'siteViewer' | 'nobody' | 'scopedOwner';
const EVERYONE: Who[] = [
  'owner',
  'developer',
  'viewer',
  'projectDeveloper',
  'siteViewer',
  'nobody',
  'scopedOwner',
];

interface Row {
  what: string;
  method: string;
  path: (ids: Ids) => string;
  body?: (who: Who) => unknown;
  expect: Record<Who, number>;
}

interface Ids {
  acme: string;
  web: string;
  api: string;
  prod: string;
  staging: string;
}

/**
 * A representative slice of SPEC §3's table through the real HTTP stack: 404
 * when the caller cannot see the target, 403 when they can but lack the role,
 * 2xx (or the service's own answer) otherwise. The full table runs later
 * against the whole platform.
 */
const ROWS: Row[] = [
  {
    what: 'read an organization',
    method: 'GET',
    path: (i) => `/v1/organizations/${i.acme}`,
    expect: {
      owner: 200,
      developer: 200,
      viewer: 200,
      projectDeveloper: 403,
      siteViewer: 403,
      nobody: 404,
      scopedOwner: 403,
    },
  },
  {
    what: 'rename an organization',
    method: 'PATCH',
    path: (i) => `/v1/organizations/${i.acme}`,
    body: () => ({ name: 'acme' }),
    expect: {
      owner: 200,
      developer: 200,
      viewer: 403,
      projectDeveloper: 403,
      siteViewer: 403,
      nobody: 404,
      scopedOwner: 403,
    },
  },
  {
    // Allowed callers reach the hierarchy service, which refuses a parent with children (409).
    what: 'delete an organization',
    method: 'DELETE',
    path: (i) => `/v1/organizations/${i.acme}`,
    expect: {
      owner: 409,
      developer: 403,
      viewer: 403,
      projectDeveloper: 403,
      siteViewer: 403,
      nobody: 404,
      scopedOwner: 403,
    },
  },
  {
    what: 'create a project',
    method: 'POST',
    path: (i) => `/v1/organizations/${i.acme}/projects`,
    body: (who) => ({ name: `p-${who}` }),
    expect: {
      owner: 201,
      developer: 201,
      viewer: 403,
      projectDeveloper: 403,
      siteViewer: 403,
      nobody: 404,
      scopedOwner: 403,
    },
  },
  {
    what: 'read a project',
    method: 'GET',
    path: (i) => `/v1/projects/${i.web}`,
    expect: {
      owner: 200,
      developer: 200,
      viewer: 200,
      projectDeveloper: 200,
      siteViewer: 403,
      nobody: 404,
      scopedOwner: 200,
    },
  },
  {
    what: 'read a sibling project',
    method: 'GET',
    path: (i) => `/v1/projects/${i.api}`,
    expect: {
      owner: 200,
      developer: 200,
      viewer: 200,
      projectDeveloper: 404,
      siteViewer: 404,
      nobody: 404,
      scopedOwner: 404,
    },
  },
  {
    what: 'update a project',
    method: 'PATCH',
    path: (i) => `/v1/projects/${i.web}`,
    body: () => ({ description: 'the web site' }),
    expect: {
      owner: 200,
      developer: 200,
      viewer: 403,
      projectDeveloper: 200,
      siteViewer: 403,
      nobody: 404,
      scopedOwner: 403,
    },
  },
  {
    what: 'read a site',
    method: 'GET',
    path: (i) => `/v1/sites/${i.prod}`,
    expect: {
      owner: 200,
      developer: 200,
      viewer: 200,
      projectDeveloper: 200,
      siteViewer: 200,
      nobody: 404,
      scopedOwner: 200,
    },
  },
  {
    what: 'read a sibling site',
    method: 'GET',
    path: (i) => `/v1/sites/${i.staging}`,
    expect: {
      owner: 200,
      developer: 200,
      viewer: 200,
      projectDeveloper: 200,
      siteViewer: 404,
      nobody: 404,
      scopedOwner: 200,
    },
  },
  {
    what: 'revise a compose document',
    method: 'PUT',
    path: (i) => `/v1/sites/${i.staging}/compose`,
    body: () => ({ compose: 'services:\n  web:\n    image: nginx:1.27\n' }),
    expect: {
      owner: 200,
      developer: 200,
      viewer: 403,
      projectDeveloper: 200,
      siteViewer: 404,
      nobody: 404,
      scopedOwner: 403,
    },
  },
  {
    what: 'list organization members',
    method: 'GET',
    path: (i) => `/v1/organizations/${i.acme}/members`,
    expect: {
      owner: 200,
      developer: 200,
      viewer: 200,
      projectDeveloper: 403,
      siteViewer: 403,
      nobody: 404,
      scopedOwner: 403,
    },
  },
  {
    what: 'list site members',
    method: 'GET',
    path: (i) => `/v1/sites/${i.prod}/members`,
    expect: {
      owner: 200,
      developer: 200,
      viewer: 200,
      projectDeveloper: 200,
      siteViewer: 200,
      nobody: 404,
      scopedOwner: 200,
    },
  },
  {
    what: 'grant a role on a site',
    method: 'PUT',
    path: (i) => `/v1/sites/${i.prod}/members/target%40example.com`,
    body: () => ({ role: 'viewer' }),
    expect: {
      owner: 200,
      developer: 403,
      viewer: 403,
      projectDeveloper: 403,
      siteViewer: 403,
      nobody: 404,
      scopedOwner: 403,
    },
  },
  {
    what: 'create an organization',
    method: 'POST',
    path: () => '/v1/organizations',
    body: (who) => ({ name: `org-${who}` }),
    expect: {
      owner: 201,
      developer: 201,
      viewer: 201,
      projectDeveloper: 201,
      siteViewer: 201,
      nobody: 201,
      scopedOwner: 403,
    },
  },
];

describe('RBAC through the HTTP stack (real Postgres, NATS, Redis)', () => {
  let gw: GatewayFixture;
  let ids: Ids;
  const keys = {} as Record<Who, string>;

  beforeAll(async () => {
    gw = await startGateway('gw_rbac');
    const acme = await gw.seed.organization('acme');
    const web = await gw.seed.project(acme, 'web');
    const api = await gw.seed.project(acme, 'api');
    ids = {
      acme,
      web,
      api,
      prod: await gw.seed.site(acme, web, 'prod'),
      staging: await gw.seed.site(acme, web, 'staging'),
    };
    await gw.seed.user('target@example.com');
    const grants: [Who, Level, string, Role][] = [
      ['owner', 'organization', acme, 'owner'],
      ['developer', 'organization', acme, 'developer'],
      ['viewer', 'organization', acme, 'viewer'],
      ['projectDeveloper', 'project', web, 'developer'],
      ['siteViewer', 'site', ids.prod, 'viewer'],
    ];
    for (const who of EVERYONE) {
      const user = await gw.seed.user(`${who.toLowerCase()}@example.com`);
      keys[who] = user.key;
      const grant = grants.find(([w]) => w === who);
      if (grant) await gw.seed.grant(grant[1], grant[2], user.id, grant[3]);
      if (who === 'scopedOwner') {
        await gw.seed.grant('organization', acme, user.id, 'owner');
        keys[who] = (
          await gw.seed.apiKey(user.id, {
            scope: { path: 'acme/web', level: 'project', resourceId: web, maxRole: 'viewer' },
          })
        ).key;
      }
    }
    await gw.settle();
  });
  afterAll(async () => {
    await gw.close();
  });

  describe.each(ROWS)('$what ($method)', (row) => {
    it.each(EVERYONE)('as %s', async (who) => {
      const body = row.body?.(who);
      const res = await gw.request(row.method, row.path(ids), {
        key: keys[who],
        ...(body === undefined ? {} : { body }),
      });
      expect({
        who,
        status: res.status,
        body: res.status >= 400 ? res.body : undefined,
      }).toMatchObject({ who, status: row.expect[who] });
      if (res.status >= 400)
        expect(res.headers.get('content-type')).toContain('application/problem+json');
    });
  });

  it('lists an organization to a member whose only role is on a site, and only the path down to it', async () => {
    const member = await gw.seed.user('lister@example.com');
    await gw.seed.grant('site', ids.prod, member.id, 'viewer');
    await gw.settle();
    const names = async (path: string) =>
      (
        (await gw.request('GET', path, { key: member.key })).body as { items: { name: string }[] }
      ).items.map((item) => item.name);
    expect(await names('/v1/organizations')).toEqual(['acme']);
    expect(await names(`/v1/organizations/${ids.acme}/projects`)).toEqual(['web']);
    expect(await names(`/v1/projects/${ids.web}/sites`)).toEqual(['prod']);
    expect(
      (await gw.request('GET', `/v1/projects/${ids.api}/sites`, { key: member.key })).status,
    ).toBe(404);
  });

  it('lists nothing to a user without roles until they create an organization', async () => {
    const newcomer = await gw.seed.user('newcomer@example.com');
    await gw.settle();
    expect((await gw.request('GET', '/v1/organizations', { key: newcomer.key })).body).toEqual({
      items: [],
      nextCursor: null,
    });
    expect(
      (
        await gw.request('POST', '/v1/organizations', {
          key: newcomer.key,
          body: { name: 'Newco' },
        })
      ).status,
    ).toBe(201);
    expect(
      (await gw.request('GET', '/v1/organizations', { key: newcomer.key })).body,
    ).toMatchObject({ items: [{ name: 'Newco' }] });
  });

  it('resolves only what the caller can see', async () => {
    expect(
      (await gw.request('GET', '/v1/resolve?path=ACME%2Fweb%2Fprod', { key: keys.siteViewer }))
        .body,
    ).toEqual({
      level: 'site',
      organization: { id: ids.acme, name: 'acme' },
      project: { id: ids.web, name: 'web' },
      site: { id: ids.prod, name: 'prod' },
    });
    expect(
      (await gw.request('GET', '/v1/resolve?path=acme%2Fweb%2Fstaging', { key: keys.siteViewer }))
        .status,
    ).toBe(404);
    expect((await gw.request('GET', '/v1/resolve?path=acme', { key: keys.nobody })).status).toBe(
      404,
    );
  });
});
