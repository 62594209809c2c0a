import { ApiClient, type ApiResponse } from './support/api';
import { startPlatformProcess, type PlatformProcess } from '@siteops/testing';

/*
 * SPEC §3 end to end, against the whole platform: every action that exists
 * today × every kind of caller (no role; owner, developer or viewer granted on
 * the organization, the project or one site; platform admin; scoped keys) ×
 * every target of the action's level in a small tree:
 *
 *     O ─┬─ P  ─┬─ S1   (grants at "project" are on P, at "site" on S1)
 *        │      └─ S2
 *        └─ P2 ─── S3
 *
 * The expected status comes from the oracle below, written from SPEC §3 (and
 * docs/api.md where the spec leaves a choice), never from libs/auth.
 */

type Role = 'owner' | 'developer' | 'viewer';
type Level = 'organization' | 'project' | 'site';
type Node = 'O' | 'P' | 'P2' | 'S1' | 'S2' | 'S3';

const RANK: Record<Role, number> = { viewer: 1, developer: 2, owner: 3 };
const PARENT: Record<Node, Node | null> = { O: null, P: 'O', P2: 'O', S1: 'P', S2: 'P', S3: 'P2' };
const LEVEL_OF: Record<Node, Level> = {
  O: 'organization',
  P: 'project',
  P2: 'project',
  S1: 'site',
  S2: 'site',
  S3: 'site',
};
/** Where a role is granted at each level, and which nodes an action on each level is tried on. */
const GRANTED_ON: Record<Level, Node> = { organization: 'O', project: 'P', site: 'S1' };
const TARGETS: Record<Level, readonly Node[]> = {
  organization: ['O'],
  project: ['P', 'P2'],
  site: ['S1', 'S2', 'S3'],
};
const SEGMENT: Record<Level, string> = {
  organization: 'organizations',
  project: 'projects',
  site: 'sites',
};
const COMPOSE = 'services:\n  web:\n    image: nginx:1.27\n';

// ---------------------------------------------------------------------------
// Callers
// ---------------------------------------------------------------------------

interface Principal {
  readonly name: string;
  readonly admin: boolean;
  readonly grant?: { readonly node: Node; readonly role: Role };
  /** The API key the caller acts with is scoped (SPEC §3: `{ path, maxRole }`). */
  readonly scope?: { readonly node: Node; readonly maxRole: Role };
}

const ROLES: readonly Role[] = ['owner', 'developer', 'viewer'];
const LEVELS: readonly Level[] = ['organization', 'project', 'site'];

const PRINCIPALS: readonly Principal[] = [
  { name: 'no role', admin: false },
  ...ROLES.flatMap((role) =>
    LEVELS.map((level) => ({
      name: `${role}@${level}`,
      admin: false,
      grant: { node: GRANTED_ON[level], role },
    })),
  ),
  { name: 'platform admin', admin: true },
  {
    name: 'owner@organization, key O/P ≤viewer',
    admin: false,
    grant: { node: 'O', role: 'owner' },
    scope: { node: 'P', maxRole: 'viewer' },
  },
  {
    name: 'developer@project, key O/P/S1 ≤owner',
    admin: false,
    grant: { node: 'P', role: 'developer' },
    scope: { node: 'S1', maxRole: 'owner' },
  },
  {
    name: 'platform admin, key O/P2 ≤developer',
    admin: true,
    scope: { node: 'P2', maxRole: 'developer' },
  },
];

// ---------------------------------------------------------------------------
// The oracle (SPEC §3)
// ---------------------------------------------------------------------------

function isAncestorOrSelf(ancestor: Node, node: Node): boolean {
  for (let n: Node | null = node; n !== null; n = PARENT[n]) if (n === ancestor) return true;
  return false;
}

interface Access {
  /** May the caller know the node exists? */
  readonly visible: boolean;
  /** The effective role; null when the node is visible by name only. */
  readonly role: Role | null;
}

/** What the caller's user may do, ignoring the key: roles flow down, grants below show ancestors by name. */
function userAccess(p: Principal, node: Node): Access {
  if (p.admin) return { visible: true, role: 'owner' };
  if (!p.grant) return { visible: false, role: null };
  if (isAncestorOrSelf(p.grant.node, node)) return { visible: true, role: p.grant.role };
  return { visible: isAncestorOrSelf(node, p.grant.node), role: null };
}

/** A key scope can only narrow: nothing outside its subtree (ancestors by name), a role capped at maxRole. */
function access(p: Principal, node: Node): Access {
  if (!p.scope) return userAccess(p, node);
  if (!isAncestorOrSelf(p.scope.node, node)) {
    return isAncestorOrSelf(node, p.scope.node)
      ? { visible: userAccess(p, p.scope.node).visible, role: null }
      : { visible: false, role: null };
  }
  const { visible, role } = userAccess(p, node);
  if (role === null) return { visible, role };
  return { visible, role: RANK[role] <= RANK[p.scope.maxRole] ? role : p.scope.maxRole };
}

/**
 * What an action needs:
 * - a role: that effective role on the target (404 if invisible, 403 if too low);
 * - `visible`: only to know the target exists (listing its children, resolving its name —
 *   docs/api.md: "Listing the children of a resource needs only that it is visible");
 * - `anyone`: any valid key; `unscoped`: any valid unscoped key (creating an organization,
 *   a key wider than a scoped one); `admin`: a platform admin with an unscoped key.
 */
type Need = Role | 'visible' | 'anyone' | 'unscoped' | 'admin';

function expectedStatus(row: Row, p: Principal, node: Node | undefined): number {
  switch (row.need) {
    case 'anyone':
      return row.ok;
    case 'unscoped':
      return p.scope ? 403 : row.ok;
    case 'admin':
      return p.admin && !p.scope ? row.ok : (row.refused ?? 403);
    default: {
      if (node === undefined) throw new Error(`${row.action}: a ${row.need} row needs a target`);
      const a = access(p, node);
      if (!a.visible) return 404;
      if (row.need === 'visible') return row.ok;
      return a.role !== null && RANK[a.role] >= RANK[row.need] ? row.ok : 403;
    }
  }
}

// ---------------------------------------------------------------------------
// The table: one row per action
// ---------------------------------------------------------------------------

interface Req {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
}

/** What one case acts on. */
interface Scene {
  readonly world: World;
  readonly node: Node | undefined;
  /** The target's id (empty for platform rows). */
  readonly id: string;
  readonly who: Identity;
  /** Unique per case, for names that must not collide. */
  readonly n: number;
  /** What `prepare` made for the case (a key id). */
  readonly prepared: string;
}

interface Row {
  readonly action: string;
  readonly level: Level | 'platform';
  readonly need: Need;
  readonly ok: 200 | 201;
  /** The refusal for `admin` rows when it is not a 403 (someone else's key: 404, docs/api.md). */
  readonly refused?: 404;
  /** Destroys or renames the target: each case runs on a tree of its own. */
  readonly fresh?: true;
  /** Deletes the target: when allowed, the admin must no longer find it. */
  readonly removes?: true;
  /** Done with the admin key before the call; returns what the call needs and the write's position. */
  readonly prepare?: (s: Scene) => Promise<{ prepared: string; position: string }>;
  readonly call: (s: Scene) => Req;
}

const at = (s: Scene) => `/v1/${SEGMENT[LEVEL_OF[s.node ?? 'O']]}/${s.id}`;
const get = (path: string): Req => ({ method: 'GET', path });
const post = (path: string, body: unknown): Req => ({ method: 'POST', path, body });
const put = (path: string, body: unknown): Req => ({ method: 'PUT', path, body });
const patch = (path: string, body: unknown): Req => ({ method: 'PATCH', path, body });
const del = (path: string): Req => ({ method: 'DELETE', path });

function row(
  level: Row['level'],
  action: string,
  need: Need,
  ok: Row['ok'],
  call: Row['call'],
  options: Partial<Pick<Row, 'refused' | 'fresh' | 'removes' | 'prepare'>> = {},
): Row {
  return { level, action, need, ok, call, ...options };
}

/** Each case runs on a tree of its own: the action destroys or renames its target. */
const FRESH = { fresh: true } as const;
const REMOVES = { fresh: true, removes: true } as const;
/** "revoke a role" first has the admin grant the caller's victim a role on the target. */
const VICTIM = {
  prepare: async (s: Scene) => {
    const granted = await admin.ok<Written>('PUT', `${at(s)}/members/${s.who.victimId}`, {
      role: 'viewer',
    });
    return { prepared: s.who.victimId, position: granted.position };
  },
};
const resolve = (s: Scene) =>
  get(`/v1/resolve?path=${encodeURIComponent(pathOf(s.world, s.node ?? 'O'))}`);
const services = (n: number) => `${COMPOSE}    labels:\n      case: "${String(n)}"\n`;

// prettier-ignore
const TABLE: readonly Row[] = [
  // level          action                                    need         ok   request
  row('organization', 'read',                                'viewer',    200, (s) => get(at(s))),
  row('organization', 'rename',                              'developer', 200, (s) => patch(at(s), { name: `rbac-renamed-${s.n}` }), FRESH),
  row('organization', 'delete (cascade)',                    'owner',     200, (s) => del(`${at(s)}?cascade=true`), REMOVES),
  row('organization', 'create a project',                    'developer', 201, (s) => post(`${at(s)}/projects`, { name: `project-${s.n}` })),
  row('organization', 'list its projects',                   'visible',   200, (s) => get(`${at(s)}/projects`)),
  row('organization', 'list members',                        'viewer',    200, (s) => get(`${at(s)}/members`)),
  row('organization', 'grant a role',                        'owner',     200, (s) => put(`${at(s)}/members/${ids.grantee}`, { role: 'viewer' })),
  row('organization', 'revoke a role',                       'owner',     200, (s) => del(`${at(s)}/members/${s.prepared}`), VICTIM),
  row('organization', 'resolve its path',                    'visible',   200, resolve),

  row('project',      'read',                                'viewer',    200, (s) => get(at(s))),
  row('project',      'update',                              'developer', 200, (s) => patch(at(s), { description: `case ${s.n}` })),
  row('project',      'delete (cascade)',                    'owner',     200, (s) => del(`${at(s)}?cascade=true`), REMOVES),
  row('project',      'create a site',                       'developer', 201, (s) => post(`${at(s)}/sites`, { name: `site-${s.n}`, compose: COMPOSE })),
  row('project',      'list its sites',                      'visible',   200, (s) => get(`${at(s)}/sites`)),
  row('project',      'list members',                        'viewer',    200, (s) => get(`${at(s)}/members`)),
  row('project',      'grant a role',                        'owner',     200, (s) => put(`${at(s)}/members/${ids.grantee}`, { role: 'viewer' })),
  row('project',      'revoke a role',                       'owner',     200, (s) => del(`${at(s)}/members/${s.prepared}`), VICTIM),
  row('project',      'resolve its path',                    'visible',   200, resolve),

  row('site',         'read',                                'viewer',    200, (s) => get(at(s))),
  row('site',         'update',                              'developer', 200, (s) => patch(at(s), { environment: `env-${s.n}` })),
  row('site',         'revise the compose document',         'developer', 200, (s) => put(`${at(s)}/compose`, { compose: services(s.n) })),
  row('site',         'delete',                              'owner',     200, (s) => del(at(s)), REMOVES),
  row('site',         'list members',                        'viewer',    200, (s) => get(`${at(s)}/members`)),
  row('site',         'grant a role',                        'owner',     200, (s) => put(`${at(s)}/members/${ids.grantee}`, { role: 'viewer' })),
  row('site',         'revoke a role',                       'owner',     200, (s) => del(`${at(s)}/members/${s.prepared}`), VICTIM),
  row('site',         'resolve its path',                    'visible',   200, resolve),

  row('platform',     'whoami',                              'anyone',    200, () => get('/v1/whoami')),
  row('platform',     'list organizations',                  'anyone',    200, () => get('/v1/organizations')),
  row('platform',     'create an organization',              'unscoped',  201, (s) => post('/v1/organizations', { name: `rbac-new-${s.n}` })),
  row('platform',     'issue yourself an unscoped key',      'unscoped',  201, (s) => post('/v1/api-keys', { name: `own-${s.n}` })),
  row('platform',     'list your keys',                      'anyone',    200, () => get('/v1/api-keys')),
  // A scoped key may revoke itself and keys inside its scope, not the user's wider keys (docs/api.md).
  row('platform',     'revoke another (unscoped) key of yours', 'unscoped', 200, (s) => del(`/v1/api-keys/${s.prepared}`),
      { prepare: (s) => issueKey(s.who.userId, `spare-${s.n}`) }),
  row('platform',     'register a user',                     'admin',     201, (s) => post('/v1/users', { email: `registered-${s.n}@rbac.example.com`, name: 'Registered' })),
  row('platform',     'list users',                          'admin',     200, () => get('/v1/users')),
  row('platform',     'issue a key for another user',        'admin',     201, (s) => post(`/v1/users/${ids.bystander}/api-keys`, { name: `for-bystander-${s.n}` })),
  row('platform',     "list another user's keys",            'admin',     200, () => get(`/v1/api-keys?userId=${ids.bystander}`)),
  // Someone else's key is not yours to know about: 404 (docs/api.md).
  row('platform',     "revoke another user's key",           'admin',     200, (s) => del(`/v1/api-keys/${s.prepared}`),
      { refused: 404, prepare: (s) => issueKey(ids.bystander, `bystander-${s.n}`) }),
];

// ---------------------------------------------------------------------------
// Fixtures: users, keys and trees, all made through the API with the admin key
// ---------------------------------------------------------------------------

interface Written {
  readonly id: string;
  readonly position: string;
}

interface Identity {
  readonly userId: string;
  /** An unscoped key of the user. */
  readonly mainKey: string;
  /** A user whose grants this caller's "revoke a role" cases remove. */
  readonly victimId: string;
}

interface World {
  readonly ids: Record<Node, string>;
  readonly names: Record<Node, string>;
  /** The key each scoped principal acts with in this tree. */
  readonly scopedKeys: Map<string, string>;
  /** A position covering the whole tree and its grants. */
  position: string;
}

let platform: PlatformProcess;
let admin: ApiClient;
const ids = { adminUser: '', grantee: '', bystander: '' };
const identities = new Map<string, Identity>();
let shared: World;
let serial = 0;
const nextSerial = () => ++serial;

function pathOf(world: World, node: Node): string {
  const names: string[] = [];
  for (let n: Node | null = node; n !== null; n = PARENT[n]) names.unshift(world.names[n]);
  return names.join('/');
}

async function createUser(label: string): Promise<string> {
  const n = nextSerial();
  const user = await admin.ok<Written>('POST', '/v1/users', {
    email: `${label}-${n}@rbac.example.com`,
    name: label,
  });
  return user.id;
}

async function issueKey(
  userId: string,
  name: string,
  extra: Record<string, unknown> = {},
): Promise<{ prepared: string; position: string; key: string }> {
  const issued = await admin.ok<Written & { key: string }>('POST', `/v1/users/${userId}/api-keys`, {
    name,
    ...extra,
  });
  return { prepared: issued.id, position: issued.position, key: issued.key };
}

async function buildWorld(): Promise<World> {
  const tag = nextSerial();
  const create = (path: string, body: unknown) => admin.ok<Written>('POST', path, body);
  const names: Record<Node, string> = {
    O: `rbac-tree-${tag}`,
    P: 'web',
    P2: 'api',
    S1: 'prod',
    S2: 'staging',
    S3: 'prod',
  };
  const org = await create('/v1/organizations', { name: names.O });
  const [p, p2] = await Promise.all([
    create(`/v1/organizations/${org.id}/projects`, { name: names.P }),
    create(`/v1/organizations/${org.id}/projects`, { name: names.P2 }),
  ]);
  const [s1, s2, s3] = await Promise.all([
    create(`/v1/projects/${p.id}/sites`, { name: names.S1, compose: COMPOSE }),
    create(`/v1/projects/${p.id}/sites`, { name: names.S2, compose: COMPOSE }),
    create(`/v1/projects/${p2.id}/sites`, { name: names.S3, compose: COMPOSE }),
  ]);
  return {
    ids: { O: org.id, P: p.id, P2: p2.id, S1: s1.id, S2: s2.id, S3: s3.id },
    names,
    scopedKeys: new Map(),
    position: s3.position,
  };
}

/** Gives the principal its grant in the tree and, if it acts with a scoped key, issues that key. */
async function enrol(world: World, p: Principal): Promise<string | undefined> {
  const who = identityOf(p);
  let position: string | undefined;
  if (p.grant) {
    const level = LEVEL_OF[p.grant.node];
    const path = `/v1/${SEGMENT[level]}/${world.ids[p.grant.node]}/members/${who.userId}`;
    position = (await admin.ok<Written>('PUT', path, { role: p.grant.role })).position;
  }
  if (p.scope) {
    const issued = await issueKey(who.userId, `scoped-${nextSerial()}`, {
      scope: { path: pathOf(world, p.scope.node), maxRole: p.scope.maxRole },
    });
    world.scopedKeys.set(p.name, issued.key);
    position = issued.position;
  }
  return position;
}

function identityOf(p: Principal): Identity {
  const who = identities.get(p.admin ? 'admin' : p.name);
  if (!who) throw new Error(`no identity for ${p.name}`);
  return who;
}

function keyIn(world: World, p: Principal): string {
  if (!p.scope) return identityOf(p).mainKey;
  const key = world.scopedKeys.get(p.name);
  if (key === undefined) throw new Error(`${p.name} has no key in this tree`);
  return key;
}

/** Runs `fn` over `items` with at most `width` at a time, results in order. */
async function pooled<T, R>(
  items: readonly T[],
  width: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

/** A mismatch shows the answer in full; a match only its status, so the diff stays readable. */
function outcome(response: ApiResponse, expected: number): number | string {
  const problems: string[] = [];
  if (response.status !== expected) problems.push(JSON.stringify(response.body).slice(0, 300));
  if (response.status >= 400) {
    const code = (response.body as { code?: unknown } | undefined)?.code;
    const wanted = { 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found' }[response.status];
    if (!response.contentType.includes('application/problem+json'))
      problems.push(`content-type ${response.contentType}`);
    if (wanted !== undefined && code !== wanted) problems.push(`code ${String(code)}`);
  }
  if (response.headers.get('x-consistency') === 'stale') problems.push('X-Consistency: stale');
  return problems.length === 0 ? response.status : `${response.status} ${problems.join('; ')}`;
}

const casesRun = { total: 0 };

// ---------------------------------------------------------------------------

describe('RBAC end to end (SPEC §3): action × role × level of the grant', () => {
  beforeAll(async () => {
    platform = await startPlatformProcess('e2e_rbac');
    admin = new ApiClient(platform.url, platform.adminKey);
    const me = await admin.ok<{ user: { id: string } }>('GET', '/v1/whoami');
    ids.adminUser = me.user.id;
    [ids.grantee, ids.bystander] = await Promise.all([
      createUser('grantee'),
      createUser('bystander'),
    ]);
    const adminVictim = await createUser('victim-of-admin');
    identities.set('admin', {
      userId: ids.adminUser,
      mainKey: platform.adminKey,
      victimId: adminVictim,
    });
    await Promise.all(
      PRINCIPALS.filter((p) => !p.admin).map(async (p) => {
        const [userId, victimId] = await Promise.all([createUser('caller'), createUser('victim')]);
        const { key } = await issueKey(userId, 'main');
        identities.set(p.name, { userId, mainKey: key, victimId });
      }),
    );
    shared = await buildWorld();
    await Promise.all(PRINCIPALS.map((p) => enrol(shared, p)));
    // Every write above has been answered; one more gives a position that covers them all.
    shared.position = (
      await admin.ok<Written>('POST', '/v1/users', {
        email: `barrier-${nextSerial()}@rbac.example.com`,
        name: 'barrier',
      })
    ).position;
  }, 120_000);

  afterAll(async () => {
    await platform.stop();
  }, 30_000);

  it('lists exactly what each caller may see, and nothing beside it', async () => {
    const expected: Record<string, unknown> = {};
    const actual: Record<string, unknown> = {};
    const headers = { 'x-consistent-read': shared.position };
    const listed = async (client: ApiClient, path: string, among: readonly Node[]) => {
      const response = await client.get<{ items: { id: string }[] }>(`${path}?limit=500`, {
        headers,
      });
      if (response.status !== 200) return response.status;
      const found = new Set(response.body.items.map((item) => item.id));
      return among.filter((node) => found.has(shared.ids[node]));
    };
    await Promise.all(
      PRINCIPALS.map(async (p) => {
        const client = admin.as(keyIn(shared, p));
        const visible = (nodes: readonly Node[]) => nodes.filter((node) => access(p, node).visible);
        const list = (parent: Node, children: readonly Node[]) =>
          access(p, parent).visible ? visible(children) : 404;
        expected[p.name] = {
          organizations: visible(['O']),
          'projects of O': list('O', ['P', 'P2']),
          'sites of P': list('P', ['S1', 'S2']),
          'sites of P2': list('P2', ['S3']),
        };
        actual[p.name] = {
          organizations: await listed(client, '/v1/organizations', ['O']),
          'projects of O': await listed(client, `/v1/organizations/${shared.ids.O}/projects`, [
            'P',
            'P2',
          ]),
          'sites of P': await listed(client, `/v1/projects/${shared.ids.P}/sites`, ['S1', 'S2']),
          'sites of P2': await listed(client, `/v1/projects/${shared.ids.P2}/sites`, ['S3']),
        };
      }),
    );
    expect(actual).toEqual(expected);
  }, 30_000);

  describe.each(
    TABLE.map((row) => [`${row.level}: ${row.action} (needs ${row.need})`, row] as const),
  )('%s', (_title, row) => {
    it('answers every caller on every target as SPEC §3 says', async () => {
      const nodes: readonly (Node | undefined)[] =
        row.level === 'platform' ? [undefined] : TARGETS[row.level];
      const expected: Record<string, number | string> = {};
      const actual: Record<string, number | string> = {};

      const runCase = async (
        p: Principal,
        node: Node | undefined,
        world: World,
        position: string,
      ) => {
        const label = node === undefined ? p.name : `${p.name} → ${node}`;
        const want = expectedStatus(row, p, node);
        expected[label] = want;
        const base = {
          world,
          node,
          id: node === undefined ? '' : world.ids[node],
          who: identityOf(p),
          n: nextSerial(),
          prepared: '',
        };
        const prep = await row.prepare?.(base);
        const scene: Scene = prep ? { ...base, prepared: prep.prepared } : base;
        const req = row.call(scene);
        const response = await admin.as(keyIn(world, p)).request(req.method, req.path, req.body, {
          headers: { 'x-consistent-read': prep?.position ?? position },
        });
        let answer = outcome(response, want);
        if (row.removes && response.status === row.ok) {
          const written = (response.body as { position?: string }).position ?? position;
          const after = await admin.get(at(scene), { headers: { 'x-consistent-read': written } });
          if (after.status !== 404) answer = `${String(answer)}; still readable (${after.status})`;
        }
        actual[label] = answer;
      };

      if (row.fresh) {
        // Each caller gets a tree of its own and tries the targets one after the other.
        // Targets of one level are disjoint subtrees: removing one leaves everything the
        // next one's answer depends on (had the caller's grant or key scope been inside the
        // removed subtree, it gave no access to the next target in the first place).
        await pooled(PRINCIPALS, 7, async (p) => {
          const world = await buildWorld();
          const position = (await enrol(world, p)) ?? world.position;
          for (const node of nodes) await runCase(p, node, world, position);
        });
      } else {
        const cases = PRINCIPALS.flatMap((p) => nodes.map((node) => ({ p, node })));
        await pooled(cases, 16, ({ p, node }) => runCase(p, node, shared, shared.position));
      }
      casesRun.total += Object.keys(actual).length;
      expect(actual).toEqual(expected);
    }, 90_000);
  });

  describe('a key scope narrows what its user may do', () => {
    // Written out by hand (not through the oracle), as a check on the oracle too:
    // the user owns O; the key is scoped to O/P with at most viewer.
    const scopedOwner = 'owner@organization, key O/P ≤viewer';

    it('reads inside the scope, is refused writes there, sees ancestors by name only and nothing beside', async () => {
      const p = PRINCIPALS.find((principal) => principal.name === scopedOwner)!;
      const scoped = admin.as(keyIn(shared, p));
      const unscoped = admin.as(identityOf(p).mainKey);
      const { O, P, P2, S1, S2, S3 } = shared.ids;
      const n = nextSerial();
      // prettier-ignore
      const probes: [string, Req, number, number][] = [
        // what                                      request                                                                  scoped unscoped
        ['read the project',                        get(`/v1/projects/${P}`),                                                  200, 200],
        ['read a site below it',                    get(`/v1/sites/${S1}`),                                                    200, 200],
        ['list its members',                        get(`/v1/projects/${P}/members`),                                          200, 200],
        ['list its sites',                          get(`/v1/projects/${P}/sites`),                                            200, 200],
        ['update the project',                      patch(`/v1/projects/${P}`, { description: `scoped ${n}` }),                403, 200],
        ['revise a compose below it',               put(`/v1/sites/${S2}/compose`, { compose: services(n) }),                  403, 200],
        ['create a site in it',                     post(`/v1/projects/${P}/sites`, { name: `scoped-${n}`, compose: COMPOSE }), 403, 201],
        ['grant a role on it',                      put(`/v1/projects/${P}/members/${ids.grantee}`, { role: 'viewer' }),       403, 200],
        ['read the organization (an ancestor)',     get(`/v1/organizations/${O}`),                                             403, 200],
        ['list the projects of the organization',   get(`/v1/organizations/${O}/projects`),                                    200, 200],
        ['read the sibling project',                get(`/v1/projects/${P2}`),                                                 404, 200],
        ['read a site of the sibling project',      get(`/v1/sites/${S3}`),                                                    404, 200],
        ['create an organization',                  post('/v1/organizations', { name: `rbac-scoped-${n}` }),                   403, 201],
      ];
      const answers = await Promise.all(
        probes.map(async ([what, req, whenScoped, whenUnscoped]) => {
          const [a, b] = await Promise.all([
            scoped.request(req.method, req.path, req.body, {
              headers: { 'x-consistent-read': shared.position },
            }),
            unscoped.request(req.method, req.path, req.body, {
              headers: { 'x-consistent-read': shared.position },
            }),
          ]);
          return {
            what,
            expected: { scoped: whenScoped, unscoped: whenUnscoped },
            actual: { scoped: outcome(a, whenScoped), unscoped: outcome(b, whenUnscoped) },
          };
        }),
      );
      expect(answers.map((x) => ({ what: x.what, ...x.actual }))).toEqual(
        answers.map((x) => ({ what: x.what, ...x.expected })),
      );

      const listed = await scoped.get<{ items: { id: string }[] }>(
        `/v1/organizations/${O}/projects`,
      );
      expect(listed.body.items.map((item) => item.id)).toEqual([P]);
      const me = await scoped.get<{ apiKey: { scope: unknown }; platformAdmin: boolean }>(
        '/v1/whoami',
      );
      expect(me.body.apiKey.scope).toEqual({ path: `${shared.names.O}/web`, maxRole: 'viewer' });
    });

    it('lets a scoped key issue only keys no wider than itself', async () => {
      const p = PRINCIPALS.find((principal) => principal.name === scopedOwner)!;
      const scoped = admin.as(keyIn(shared, p));
      const issue = (scope: { path: string; maxRole: Role } | undefined) =>
        scoped.post('/v1/api-keys', {
          name: `from-scoped-${nextSerial()}`,
          ...(scope ? { scope } : {}),
        });
      const site = pathOf(shared, 'S1');
      const statuses = {
        narrower: (await issue({ path: site, maxRole: 'viewer' })).status,
        'higher role': (await issue({ path: site, maxRole: 'developer' })).status,
        'outside the scope': (await issue({ path: pathOf(shared, 'P2'), maxRole: 'viewer' }))
          .status,
        'the whole organization': (await issue({ path: pathOf(shared, 'O'), maxRole: 'viewer' }))
          .status,
        unscoped: (await issue(undefined)).status,
      };
      expect(statuses).toEqual({
        narrower: 201,
        'higher role': 403,
        'outside the scope': 403,
        'the whole organization': 403,
        unscoped: 403,
      });
    });
  });

  describe('key lifetime', () => {
    async function userWithKey(label: string, extra: Record<string, unknown> = {}) {
      const userId = await createUser(label);
      await admin.ok('PUT', `/v1/organizations/${shared.ids.O}/members/${userId}`, {
        role: 'viewer',
      });
      const issued = await issueKey(userId, label, extra);
      return { userId, keyId: issued.prepared, key: issued.key, position: issued.position };
    }

    it('refuses a revoked key (401) within 5 s', async () => {
      const { keyId, key, position } = await userWithKey('revoked');
      const client = admin.as(key);
      const read = () =>
        client.get(`/v1/organizations/${shared.ids.O}`, {
          headers: { 'x-consistent-read': position },
        });
      expect((await read()).status).toBe(200);

      const started = Date.now();
      const revoked = await admin.request<{ revokedAt: string | null }>(
        'DELETE',
        `/v1/api-keys/${keyId}`,
      );
      expect(revoked.status).toBe(200);
      expect(revoked.body.revokedAt).not.toBeNull();
      let refused: ApiResponse | undefined;
      while (Date.now() - started <= 6_000) {
        const response = await read();
        if (response.status !== 200) {
          refused = response;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const elapsed = Date.now() - started;
      expect(refused && outcome(refused, 401)).toBe(401);
      expect(elapsed).toBeLessThanOrEqual(5_000);
      // And it stays refused, on every route.
      expect((await client.get('/v1/whoami')).status).toBe(401);
    });

    it('refuses an expired key (401) once its expiry has passed, not before', async () => {
      const expiresAt = Date.now() + 4_000;
      const { key, position } = await userWithKey('expiring', {
        expiresAt: new Date(expiresAt).toISOString(),
      });
      const client = admin.as(key);
      const read = () =>
        client.get(`/v1/organizations/${shared.ids.O}`, {
          headers: { 'x-consistent-read': position },
        });
      const me = await client.get<{ apiKey: { expiresAt: string } }>('/v1/whoami', {
        headers: { 'x-consistent-read': position },
      });
      expect(me.status).toBe(200);
      expect(Date.parse(me.body.apiKey.expiresAt)).toBe(expiresAt);
      while (Date.now() < expiresAt - 500) {
        const response = await read();
        if (Date.now() < expiresAt) expect(response.status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await new Promise((resolve) => setTimeout(resolve, expiresAt - Date.now() + 100));
      const refused = await read();
      expect(outcome(refused, 401)).toBe(401);
      expect((await client.get('/v1/whoami')).status).toBe(401);
    });

    it('will not issue a key that has already expired (400)', async () => {
      const response = await admin.post(`/v1/users/${ids.bystander}/api-keys`, {
        name: 'stillborn',
        expiresAt: new Date(Date.now() - 1_000).toISOString(),
      });
      expect(response.status).toBe(400);
    });
  });

  it(`ran the whole table (${String(TABLE.length)} actions)`, () => {
    const perPrincipal = TABLE.reduce(
      (sum, row) => sum + (row.level === 'platform' ? 1 : TARGETS[row.level].length),
      0,
    );
    expect(casesRun.total).toBe(perPrincipal * PRINCIPALS.length);
  });
});
