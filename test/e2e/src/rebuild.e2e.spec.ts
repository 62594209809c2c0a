import { READ_MODELS_CHECKPOINT } from '@siteops/contracts';
// From inside, only what checks the outcome: the canonical hash of the
// read-model tables (as the projector's rebuild computes it) and the
// database connection it runs on (opened as every service opens it).
import { openDatabase } from '@siteops/event-store';
import { hashReadModels } from '@siteops/read-models';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { eventually } from '@siteops/testing';
import { ApiClient, type ApiResponse } from './support/api';
import { repoRoot, startPlatformProcess, type PlatformProcess } from '@siteops/testing';
import { SeededRandom, runConcurrently, seedFrom } from '@siteops/testing';

/*
 * SPEC §2: the projections are rebuilt deterministically from the event
 * store, and "rebuilding from scratch must give byte-identical results". A
 * randomized workload of accepted commands goes through the REST API of the
 * real platform; once the projector has caught up, the live read-model tables
 * are hashed, the projector's own `rebuild --verify` command replays every
 * event from position 0 into emptied tables, and the hash must not change.
 * `REBUILD_SEED=<n>` replays the workload's choices.
 */

const SEED = seedFrom('REBUILD_SEED', 'rebuild.e2e');
/** Commands the platform must accept (2xx); rejected ones come on top. */
const ACCEPTED_COMMANDS = 5_000;
const MAX_ATTEMPTS = 9_000;
const CONCURRENCY = 16;
/** Users that act with keys of their own (the rest only receive grants and keys). */
const ACTING_USERS = 6;

type Role = 'viewer' | 'developer' | 'owner';
type Level = 'organization' | 'project' | 'site';
const ROLES: readonly Role[] = ['viewer', 'developer', 'owner'];
const SCOPE_PATHS: Readonly<Record<Level, string>> = {
  organization: 'organizations',
  project: 'projects',
  site: 'sites',
};

interface User {
  id: string;
  email: string;
}

interface Actor {
  userId: string;
  client: ApiClient;
}

/** A resource as this spec last saw it: its version for If-Match and the position of its last write. */
interface Resource {
  level: Level;
  id: string;
  name: string;
  version: number;
  position: string;
  organizationId: string;
  projectId?: string;
}

interface Written {
  id: string;
  version: number;
  position: string;
  key?: string;
}

interface Tally {
  accepted: number;
  rejected: Map<number, number>;
}

/**
 * A model of what the platform holds, enough to issue mostly valid commands:
 * each task picks its targets when it is created (from the seeded PRNG) and
 * updates the model from the answer. Commands the domain must reject are
 * mixed in on purpose (duplicate names, stale If-Match, deleting a parent
 * without cascade, removing the last owner, invalid compose).
 */
class Workload {
  accepted = 0;
  attempts = 0;
  readonly tallies = new Map<string, Tally>();

  private readonly users: User[] = [];
  private readonly actors: Actor[] = [];
  private readonly keys: { id: string; userId: string }[] = [];
  private readonly revoked: string[] = [];
  private readonly resources = new Map<string, Resource>();
  /** Direct grants: `<resourceId>` → userId → role. */
  private readonly grants = new Map<string, Map<string, Role>>();
  /** Resources a task in flight is changing: others leave them alone. */
  private readonly busy = new Set<string>();
  private counter = 0;

  constructor(
    private readonly random: SeededRandom,
    private readonly admin: ApiClient,
    private readonly adminId: string,
  ) {}

  get size(): Record<Level | 'users' | 'grants', number> {
    const count = (level: Level) =>
      [...this.resources.values()].filter((r) => r.level === level).length;
    let grants = 0;
    for (const members of this.grants.values()) grants += members.size;
    return {
      users: this.users.length,
      organization: count('organization'),
      project: count('project'),
      site: count('site'),
      grants,
    };
  }

  /** The next task, or undefined once enough commands were accepted. */
  next(): (() => Promise<void>) | undefined {
    if (this.accepted >= ACCEPTED_COMMANDS || this.attempts >= MAX_ATTEMPTS) return undefined;
    this.attempts++;
    const n = this.size;
    const op = this.random.weighted({
      createUser: n.users < 12 ? 30 : n.users < 60 ? 3 : 0.5,
      issueKey: n.users > 0 ? 4 : 0,
      revokeKey: this.keys.length > 0 ? 3 : 0,
      createOrganization: n.organization < 8 ? 20 : n.organization < 25 ? 4 : 0.5,
      renameOrganization: n.organization > 0 ? 5 : 0,
      deleteOrganization: n.organization > 20 ? 2 : n.organization > 3 ? 0.4 : 0,
      createProject: n.organization > 0 ? (n.project < n.organization * 4 ? 10 : 2) : 0,
      updateProject: n.project > 0 ? 7 : 0,
      deleteProject: n.project > 50 ? 3 : n.project > 5 ? 0.8 : 0,
      createSite: n.project > 0 ? (n.site < n.project * 3 ? 10 : 2) : 0,
      updateSite: n.site > 0 ? 7 : 0,
      reviseCompose: n.site > 0 ? 12 : 0,
      deleteSite: n.site > 80 ? 4 : n.site > 5 ? 1 : 0,
      grantRole: n.users > 0 && this.resources.size > 0 ? 14 : 0,
      revokeRole: n.grants > 0 ? 6 : 0,
    });
    return this.build(op);
  }

  private build(op: string): () => Promise<void> {
    switch (op) {
      case 'createUser':
        return () => this.createUser();
      case 'issueKey':
        return () => this.issueKey();
      case 'revokeKey':
        return this.revokeKey();
      case 'createOrganization':
        return () => this.createOrganization();
      case 'renameOrganization':
        return this.onResource('organization', (org) => this.renameOrganization(org));
      case 'deleteOrganization':
        return this.onResource('organization', (org) => this.deleteResource(org));
      case 'createProject':
        return this.onResource('organization', (org) => this.createProject(org), false);
      case 'updateProject':
        return this.onResource('project', (project) => this.updateProject(project));
      case 'deleteProject':
        return this.onResource('project', (project) => this.deleteResource(project));
      case 'createSite':
        return this.onResource('project', (project) => this.createSite(project), false);
      case 'updateSite':
        return this.onResource('site', (site) => this.updateSite(site));
      case 'reviseCompose':
        return this.onResource('site', (site) => this.reviseCompose(site));
      case 'deleteSite':
        return this.onResource('site', (site) => this.deleteResource(site));
      case 'grantRole':
        return this.onResource(
          this.random.pick(['organization', 'project', 'site'] as const),
          (r) => this.grantRole(r),
          false,
        );
      case 'revokeRole':
        return this.revokeRole();
      default:
        throw new Error(`unknown operation ${op}`);
    }
  }

  /**
   * Picks a resource of a level nobody is changing (a creation of children
   * does not claim its parent) and runs `work` on it; with none free it
   * creates an organization instead.
   */
  private onResource(
    level: Level,
    work: (r: Resource) => Promise<void>,
    claim = true,
  ): () => Promise<void> {
    const free = [...this.resources.values()].filter(
      (r) => r.level === level && !this.busy.has(r.id),
    );
    if (free.length === 0) return () => this.createOrganization();
    const target = this.random.pick(free);
    if (claim) this.busy.add(target.id);
    return async () => {
      try {
        await work(target);
      } finally {
        if (claim) this.busy.delete(target.id);
      }
    };
  }

  // -- commands ---------------------------------------------------------------

  private async createUser(): Promise<void> {
    const n = ++this.counter;
    const duplicate = this.users.length > 0 && this.random.chance(0.04);
    const email = duplicate
      ? this.random.pick(this.users).email.toUpperCase()
      : `user${n}@example.com`;
    const name = this.random.pick([
      'Ada Lovelace',
      'Zoë Ångström',
      '李小龙',
      `User ${n}`,
      "O'Brien",
    ]);
    const res = await this.command<Written>('createUser', this.admin, 'POST', '/v1/users', {
      email,
      name,
    });
    if (!res) return;
    await this.visible(this.admin, res.position);
    const user = { id: res.id, email };
    this.users.push(user);
    if (this.actors.length < ACTING_USERS) {
      const key = await this.command<Written>(
        'issueKey',
        this.admin,
        'POST',
        `/v1/users/${user.id}/api-keys`,
        { name: 'acting' },
      );
      if (!key?.key) return;
      const client = this.admin.as(key.key);
      await this.visible(client, key.position);
      this.actors.push({ userId: user.id, client });
    }
  }

  private async issueKey(): Promise<void> {
    const self = this.actors.length > 0 && this.random.chance(0.3);
    const orgs = [...this.resources.values()].filter((r) => r.level === 'organization');
    const body: Record<string, unknown> = { name: `key ${++this.counter}` };
    if (this.random.chance(0.3))
      body['expiresAt'] = new Date(
        Date.UTC(2030 + this.random.int(50), this.random.int(12), 1),
      ).toISOString();
    if (orgs.length > 0 && this.random.chance(0.25))
      body['scope'] = { path: this.random.pick(orgs).name, maxRole: this.random.pick(ROLES) };
    if (self) {
      const actor = this.random.pick(this.actors);
      const res = await this.command<Written>(
        'issueKey',
        actor.client,
        'POST',
        '/v1/api-keys',
        body,
      );
      if (res) this.keys.push({ id: res.id, userId: actor.userId });
    } else {
      const user = this.random.pick(this.users);
      const res = await this.command<Written>(
        'issueKey',
        this.admin,
        'POST',
        `/v1/users/${user.id}/api-keys`,
        body,
      );
      if (res) this.keys.push({ id: res.id, userId: user.id });
    }
  }

  private revokeKey(): () => Promise<void> {
    // Now and then one already revoked: the domain refuses it.
    const again = this.revoked.length > 0 && this.random.chance(0.05);
    const index = this.random.int(this.keys.length);
    const key = again ? undefined : this.keys.splice(index, 1)[0];
    const id = key?.id ?? this.random.pick(this.revoked);
    const owner = key && this.actors.find((a) => a.userId === key.userId);
    const client = owner && this.random.chance(0.5) ? owner.client : this.admin;
    return async () => {
      const res = await this.command<Written>('revokeKey', client, 'DELETE', `/v1/api-keys/${id}`);
      if (res) this.revoked.push(id);
    };
  }

  private async createOrganization(): Promise<void> {
    const actor = this.actorFor();
    const existing = [...this.resources.values()].filter((r) => r.level === 'organization');
    const duplicate = existing.length > 0 && this.random.chance(0.05);
    const name = duplicate ? this.random.pick(existing).name.toLowerCase() : this.orgName();
    const res = await this.command<Written>(
      'createOrganization',
      actor.client,
      'POST',
      '/v1/organizations',
      { name },
    );
    if (!res) return;
    const org: Resource = {
      level: 'organization',
      id: res.id,
      name,
      version: res.version,
      position: res.position,
      organizationId: res.id,
    };
    this.resources.set(org.id, org);
    this.grants.set(org.id, new Map([[actor.userId, 'owner']]));
  }

  private async renameOrganization(org: Resource): Promise<void> {
    const name = this.random.chance(0.05) ? this.otherName(org) : this.orgName();
    const res = await this.command<Written>(
      'renameOrganization',
      this.ownerClient(org),
      'PATCH',
      `/v1/organizations/${org.id}`,
      { name },
      this.preconditions(org),
    );
    if (res) this.written(org, res, { name });
  }

  private async createProject(org: Resource): Promise<void> {
    const siblings = this.children(org.id);
    const duplicate = siblings.length > 0 && this.random.chance(0.05);
    const name = duplicate
      ? this.random.pick(siblings).name
      : this.random.pick(['Repository', 'Web Site', 'API', 'Docs', 'Staging.Tools', 'data_lake']) +
        ` ${++this.counter}`;
    const body: Record<string, unknown> = { name };
    if (this.random.chance(0.5))
      body['description'] = this.random.pick([
        '',
        'The institutional repository',
        'Ünïcödé → ✓',
        'x'.repeat(1_000),
      ]);
    const res = await this.command<Written>(
      'createProject',
      this.memberClient(org),
      'POST',
      `/v1/organizations/${org.id}/projects`,
      body,
      this.consistent(org),
    );
    if (!res) return;
    this.resources.set(res.id, {
      level: 'project',
      id: res.id,
      name,
      version: res.version,
      position: res.position,
      organizationId: org.id,
    });
  }

  private async updateProject(project: Resource): Promise<void> {
    const body: Record<string, unknown> = {};
    if (this.random.chance(0.5))
      body['name'] = this.random.chance(0.05)
        ? this.otherName(project)
        : `Project ${++this.counter}`;
    if (this.random.chance(0.6) || body['name'] === undefined)
      body['description'] = `revision ${++this.counter}`;
    const res = await this.command<Written>(
      'updateProject',
      this.memberClient(project),
      'PATCH',
      `/v1/projects/${project.id}`,
      body,
      this.preconditions(project),
    );
    if (res)
      this.written(project, res, typeof body['name'] === 'string' ? { name: body['name'] } : {});
  }

  private async createSite(project: Resource): Promise<void> {
    const siblings = this.children(project.id);
    const duplicate = siblings.length > 0 && this.random.chance(0.04);
    const name = duplicate
      ? this.random.pick(siblings).name
      : `${this.random.pick(['production', 'staging', 'dev', 'qa', 'preview'])}-${++this.counter}`;
    const body: Record<string, unknown> = {
      name,
      compose: this.random.chance(0.04) ? 'services: [' : this.compose(),
    };
    if (this.random.chance(0.4))
      body['environment'] = this.random.pick(['production', 'staging', 'test']);
    if (this.random.chance(0.3)) body['autoDeploy'] = this.random.chance(0.5);
    const res = await this.command<Written>(
      'createSite',
      this.memberClient(project),
      'POST',
      `/v1/projects/${project.id}/sites`,
      body,
      this.consistent(project),
    );
    if (!res) return;
    this.resources.set(res.id, {
      level: 'site',
      id: res.id,
      name,
      version: res.version,
      position: res.position,
      organizationId: project.organizationId,
      projectId: project.id,
    });
  }

  private async updateSite(site: Resource): Promise<void> {
    const body: Record<string, unknown> = {};
    if (this.random.chance(0.3))
      body['name'] = this.random.chance(0.05) ? this.otherName(site) : `site-${++this.counter}`;
    if (this.random.chance(0.5))
      body['environment'] = this.random.pick(['production', 'staging', 'test', 'dev']);
    if (this.random.chance(0.5) || Object.keys(body).length === 0)
      body['autoDeploy'] = this.random.chance(0.5);
    const res = await this.command<Written>(
      'updateSite',
      this.memberClient(site),
      'PATCH',
      `/v1/sites/${site.id}`,
      body,
      this.preconditions(site),
    );
    if (res)
      this.written(site, res, typeof body['name'] === 'string' ? { name: body['name'] } : {});
  }

  private async reviseCompose(site: Resource): Promise<void> {
    const compose = this.random.chance(0.04) ? 'services:\n  web: [unclosed' : this.compose();
    const res = await this.command<Written>(
      'reviseCompose',
      this.memberClient(site),
      'PUT',
      `/v1/sites/${site.id}/compose`,
      { compose },
      this.preconditions(site),
    );
    if (res) this.written(site, res, {});
  }

  /** Deletes with cascade, mostly; a parent with children and no cascade is refused. */
  private async deleteResource(target: Resource): Promise<void> {
    const cascade = target.level !== 'site' && this.random.chance(0.85);
    const query = target.level === 'site' ? '' : `?cascade=${cascade}`;
    const res = await this.command<Written>(
      `delete${target.level === 'organization' ? 'Organization' : target.level === 'project' ? 'Project' : 'Site'}`,
      this.ownerClient(target),
      'DELETE',
      `/v1/${SCOPE_PATHS[target.level]}/${target.id}${query}`,
      undefined,
      this.preconditions(target),
    );
    if (!res) return;
    for (const r of [...this.resources.values()]) {
      if (
        r.id === target.id ||
        r.projectId === target.id ||
        (target.level === 'organization' && r.organizationId === target.id)
      ) {
        this.resources.delete(r.id);
        this.grants.delete(r.id);
      }
    }
  }

  private async grantRole(resource: Resource): Promise<void> {
    const user = this.random.pick(this.users);
    const role = this.random.pick(ROLES);
    const segment = this.random.chance(0.2) ? encodeURIComponent(user.email) : user.id;
    const res = await this.command<Written>(
      'grantRole',
      this.ownerClient(resource),
      'PUT',
      `/v1/${SCOPE_PATHS[resource.level]}/${resource.id}/members/${segment}`,
      { role },
      this.consistent(resource),
    );
    if (!res || !this.resources.has(resource.id)) return;
    const members = this.grants.get(resource.id) ?? new Map<string, Role>();
    members.set(user.id, role);
    this.grants.set(resource.id, members);
  }

  private revokeRole(): () => Promise<void> {
    const grants = [...this.grants.entries()].flatMap(([resourceId, members]) =>
      [...members.keys()].map((userId) => ({ resourceId, userId })),
    );
    const { resourceId, userId } = this.random.pick(grants);
    const resource = this.resources.get(resourceId);
    if (!resource) return () => this.createOrganization();
    return async () => {
      // The last owner of an organization stays: that one is refused (409).
      const res = await this.command<Written>(
        'revokeRole',
        this.ownerClient(resource),
        'DELETE',
        `/v1/${SCOPE_PATHS[resource.level]}/${resource.id}/members/${userId}`,
        undefined,
        this.consistent(resource),
      );
      if (res) this.grants.get(resourceId)?.delete(userId);
    };
  }

  // -- helpers ----------------------------------------------------------------

  /**
   * Sends one command. A 2xx counts as accepted; a 4xx is a rejection (tallied
   * by status); anything else fails the spec.
   */
  private async command<T extends Partial<Written>>(
    op: string,
    client: ApiClient,
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T | undefined> {
    const res: ApiResponse<T> = await client.request<T>(method, url, body, { headers });
    const tally = this.tallies.get(op) ?? { accepted: 0, rejected: new Map<number, number>() };
    this.tallies.set(op, tally);
    if (res.status >= 200 && res.status < 300) {
      this.accepted++;
      tally.accepted++;
      return res.body;
    }
    if (res.status >= 400 && res.status < 500) {
      tally.rejected.set(res.status, (tally.rejected.get(res.status) ?? 0) + 1);
      return undefined;
    }
    throw new Error(`${op}: ${method} ${url} answered ${res.status}: ${JSON.stringify(res.body)}`);
  }

  /** Waits until the gateway serves reads that include `position` (read-your-writes). */
  private async visible(client: ApiClient, position: string | undefined): Promise<void> {
    if (position === undefined) return;
    const res = await client.get('/v1/whoami', { headers: { 'x-consistent-read': position } });
    if (res.status !== 200 || res.headers.get('x-consistency') === 'stale') {
      throw new Error(`the gateway did not reach position ${position}: ${res.status}`);
    }
  }

  /** Read-your-writes on the target: the command sees the target's last accepted write. */
  private consistent(target: Resource): Record<string, string> {
    return { 'x-consistent-read': target.position };
  }

  /** `consistent`, plus If-Match with the version this spec knows (sometimes a stale one: 412). */
  private preconditions(target: Resource): Record<string, string> {
    const headers = this.consistent(target);
    if (this.random.chance(0.05)) headers['if-match'] = `"${target.version + 3}"`;
    else if (this.random.chance(0.5)) headers['if-match'] = `"${target.version}"`;
    return headers;
  }

  private written(target: Resource, res: Written, changes: { name?: string }): void {
    target.version = res.version;
    target.position = res.position;
    if (changes.name !== undefined) target.name = changes.name;
  }

  private children(parentId: string): Resource[] {
    return [...this.resources.values()].filter(
      (r) =>
        (r.level === 'project' ? r.organizationId : r.projectId) === parentId && r.id !== parentId,
    );
  }

  /** A name a sibling (or, for organizations, any other one) already has: 409. */
  private otherName(target: Resource): string {
    const others = [...this.resources.values()].filter(
      (r) =>
        r.level === target.level &&
        r.id !== target.id &&
        (target.level === 'organization' ||
          (target.level === 'project'
            ? r.organizationId === target.organizationId
            : r.projectId === target.projectId)),
    );
    return others.length > 0 ? this.random.pick(others).name : target.name;
  }

  private orgName(): string {
    const n = ++this.counter;
    return this.random.pick([
      `Org ${n}`,
      `University of Somewhere ${n}`,
      `acme.${n}`,
      `Team_${n}-ops`,
      `${n}`.padEnd(100, 'x'),
    ]);
  }

  private compose(): string {
    const n = ++this.counter;
    const services = this.random.between(1, 3);
    let text = 'services:\n';
    for (let i = 0; i < services; i++) {
      text += `  svc${i}:\n    image: registry.example/app${i}:${n}\n`;
      if (this.random.chance(0.5)) text += `    environment:\n      REVISION: "${n}"\n`;
      if (this.random.chance(0.3)) text += '    ports:\n      - "8080:80"\n';
    }
    return text;
  }

  /** Mostly the platform admin; sometimes an acting user (who then owns what they create). */
  private actorFor(): Actor {
    if (this.actors.length > 0 && this.random.chance(0.3)) return this.random.pick(this.actors);
    return { userId: this.adminId, client: this.admin };
  }

  /** An acting user with a direct grant in the target's organization, else the admin. */
  private memberClient(target: Resource): ApiClient {
    if (this.random.chance(0.7)) return this.admin;
    const members = this.grants.get(target.organizationId);
    const actors = this.actors.filter((a) => members?.has(a.userId));
    return actors.length > 0 ? this.random.pick(actors).client : this.admin;
  }

  /** An acting owner of the target's organization when there is one (sometimes), else the admin. */
  private ownerClient(target: Resource): ApiClient {
    if (this.random.chance(0.7)) return this.admin;
    const members = this.grants.get(target.organizationId);
    const owners = this.actors.filter((a) => members?.get(a.userId) === 'owner');
    return owners.length > 0 ? this.random.pick(owners).client : this.admin;
  }
}

interface RebuildRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the projector's rebuild command as an operator would, against the platform's database. */
function runRebuild(env: NodeJS.ProcessEnv, args: string[]): Promise<RebuildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        path.join(repoRoot, 'apps/projector/src/main.ts'),
        'rebuild',
        ...args,
      ],
      {
        cwd: repoRoot,
        // As the platform's own processes are started (startPlatformProcess in @siteops/testing).
        env: { ...env, SWC_NODE_PROJECT: path.join(repoRoot, 'tsconfig.base.json') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Equal hashes only prove the projection is reproducible; a projection that
 * is wrong the same way twice passes them. So the tables are also checked
 * against the store itself: every resource whose stream has not ended in a
 * deletion is there, at its stream version, and nothing else is.
 */
async function projectionDefects(db: Client): Promise<string[]> {
  const checks: Record<string, string> = {
    'resources of the store missing from, or left over in, the read models': `
      WITH last AS (
        SELECT DISTINCT ON (stream_id) stream_id, stream_version, type
          FROM events WHERE stream_id ~ '^(organization|project|site|user)-'
         ORDER BY stream_id, stream_version DESC
      ), live AS (
        SELECT stream_id, stream_version FROM last WHERE type NOT LIKE '%Deleted'
      ), projected AS (
        SELECT 'organization-' || id AS stream_id, version FROM rm_organizations
        UNION ALL SELECT 'project-' || id, version FROM rm_projects
        UNION ALL SELECT 'site-' || id, version FROM rm_sites
        UNION ALL SELECT 'user-' || id, version FROM rm_users
      )
      SELECT coalesce(l.stream_id, p.stream_id) || ' store v' || coalesce(l.stream_version::text, '-') || ' read model v' || coalesce(p.version::text, '-') AS defect
        FROM live l FULL JOIN projected p ON p.stream_id = l.stream_id
       WHERE l.stream_version IS DISTINCT FROM p.version`,
    'rows whose parent is gone': `
      SELECT 'project ' || id FROM rm_projects WHERE organization_id NOT IN (SELECT id FROM rm_organizations)
      UNION ALL SELECT 'site ' || id FROM rm_sites WHERE project_id NOT IN (SELECT id FROM rm_projects)
      UNION ALL SELECT 'compose ' || site_id || '@' || revision FROM rm_site_compose WHERE site_id NOT IN (SELECT id FROM rm_sites)
      UNION ALL SELECT 'grant ' || resource_id || ':' || user_id FROM rm_grants
       WHERE resource_id NOT IN (SELECT id FROM rm_organizations UNION ALL SELECT id FROM rm_projects UNION ALL SELECT id FROM rm_sites)
          OR user_id NOT IN (SELECT id FROM rm_users)
      UNION ALL SELECT 'api key ' || id FROM rm_api_keys WHERE user_id NOT IN (SELECT id FROM rm_users)`,
  };
  const defects: string[] = [];
  for (const [what, sql] of Object.entries(checks)) {
    const { rows } = await db.query<Record<string, string>>(sql);
    for (const row of rows) defects.push(`${what}: ${Object.values(row).join(' ')}`);
  }
  return defects;
}

describe('rebuilding the read models after a randomized workload', () => {
  let platform: PlatformProcess | undefined;
  let orm: Awaited<ReturnType<typeof openDatabase>> | undefined;
  let pg: Client | undefined;

  beforeAll(async () => {
    platform = await startPlatformProcess('rebuild');
    const url = platform.env['DATABASE_URL'];
    if (!url) throw new Error('the platform has no DATABASE_URL');
    orm = await openDatabase({ url, poolMax: 2, applicationName: 'rebuild.e2e' });
    pg = new Client({ connectionString: url });
    await pg.connect();
  }, 150_000);

  afterAll(async () => {
    await pg?.end();
    await orm?.close(true);
    await platform?.stop();
  }, 30_000);

  it(`reproduces the live tables byte for byte after ${ACCEPTED_COMMANDS} accepted commands (REBUILD_SEED=${SEED})`, async () => {
    const running = platform!;
    const db = pg!;
    const started = Date.now();
    const admin = new ApiClient(running.url, running.adminKey);
    const whoami = await admin.ok<{ user: { id: string } }>('GET', '/v1/whoami');

    // 1. The workload, through the REST API.
    const workload = new Workload(new SeededRandom(SEED), admin, whoami.user.id);
    await runConcurrently(CONCURRENCY, () => workload.next());
    const workloadSeconds = (Date.now() - started) / 1000;
    const summary = [...workload.tallies.entries()]
      .map(
        ([op, t]) =>
          `${op} ${t.accepted}${t.rejected.size > 0 ? ` (rejected ${[...t.rejected.entries()].map(([s, n]) => `${s}×${n}`).join(' ')})` : ''}`,
      )
      .join(', ');
    process.stdout.write(
      `rebuild.e2e: REBUILD_SEED=${SEED} ${workload.accepted} accepted of ${workload.attempts} commands in ${workloadSeconds.toFixed(1)} s: ${summary}; model ${JSON.stringify(workload.size)}\n`,
    );
    expect(workload.accepted).toBeGreaterThanOrEqual(ACCEPTED_COMMANDS);
    // Every kind of command was accepted, and some were refused by the domain.
    const kinds = [
      'createUser',
      'issueKey',
      'revokeKey',
      'createOrganization',
      'renameOrganization',
      'deleteOrganization',
      'createProject',
      'updateProject',
      'deleteProject',
      'createSite',
      'updateSite',
      'reviseCompose',
      'deleteSite',
      'grantRole',
      'revokeRole',
    ];
    expect(kinds.filter((op) => (workload.tallies.get(op)?.accepted ?? 0) === 0)).toEqual([]);
    const rejected = (status: number) =>
      [...workload.tallies.values()].reduce((sum, t) => sum + (t.rejected.get(status) ?? 0), 0);
    expect(rejected(409)).toBeGreaterThan(0);
    expect(rejected(412)).toBeGreaterThan(0);

    // 2. The projector catches up: a last write is readable, and its checkpoint is the head of the store.
    const last = await admin.ok<{ position: string }>('POST', '/v1/users', {
      email: `last-${SEED}@example.com`,
      name: 'Last',
    });
    const read = await admin.get('/v1/whoami', { headers: { 'x-consistent-read': last.position } });
    expect(read.status).toBe(200);
    expect(read.headers.get('x-consistency')).toBeNull();
    const head = async () => {
      const { rows } = await db.query<{
        head: string | null;
        checkpoint: string | null;
        events: string;
      }>(
        `SELECT (SELECT tx_id || '.' || global_position FROM events ORDER BY tx_id DESC, global_position DESC LIMIT 1) AS head,
                (SELECT tx_id || '.' || global_position FROM event_checkpoints WHERE name = $1) AS checkpoint,
                (SELECT count(*) FROM events)::text AS events`,
        [READ_MODELS_CHECKPOINT],
      );
      const row = rows[0];
      if (!row?.head) throw new Error('the event store is empty');
      return { head: row.head, checkpoint: row.checkpoint, events: Number(row.events) };
    };
    const caughtUp = await eventually(
      async () => {
        const h = await head();
        return h.checkpoint === h.head ? h : undefined;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 100,
        message: 'the read-model checkpoint to reach the head of the event store',
      },
    );

    // 3. The live tables.
    const live = await hashReadModels(orm!.em.fork());
    expect(live.rows['rm_organizations']).toBeGreaterThan(0);
    expect(live.rows['rm_sites']).toBeGreaterThan(0);
    expect(live.rows['rm_site_compose']).toBeGreaterThan(0);
    expect(live.rows['rm_grants']).toBeGreaterThan(0);
    expect(live.rows['rm_api_keys']).toBeGreaterThan(0);
    expect(await projectionDefects(db)).toEqual([]);
    const resets = async () =>
      Number(
        (
          await db.query<{ n: string }>(
            "SELECT count(*)::text AS n FROM rm_changes WHERE kind = 'reset'",
          )
        ).rows[0]?.n,
      );
    const resetsBefore = await resets();

    // 4. The projector's rebuild command: empty the tables, replay from position 0, verify.
    const rebuildStarted = Date.now();
    const rebuild = await runRebuild(running.env, ['--verify']);
    const rebuildSeconds = (Date.now() - rebuildStarted) / 1000;
    process.stdout.write(
      `rebuild.e2e: projector rebuild --verify took ${rebuildSeconds.toFixed(1)} s:\n${rebuild.stdout}${rebuild.stderr}`,
    );
    expect({ code: rebuild.code, stderr: rebuild.stderr }).toEqual({ code: 0, stderr: '' });
    expect(rebuild.stdout).toMatch(/^verify: OK/m);
    const replayed = Number(/(\d+) events replayed/.exec(rebuild.stdout)?.[1]);
    const hashBefore = /^hash before +([0-9a-f]{64})/m.exec(rebuild.stdout)?.[1];
    const hashAfter = /^hash after +([0-9a-f]{64})/m.exec(rebuild.stdout)?.[1];
    // Every event, from the first, went through the projection again; nothing arrived meanwhile.
    expect(replayed).toBe(caughtUp.events);
    expect(rebuild.stdout).not.toMatch(/^hash rebuilt/m);
    expect(hashBefore).toBe(live.hash);
    expect(hashAfter).toBe(live.hash);

    // 5. The committed, rebuilt tables, hashed from outside: identical to the live ones.
    expect(await resets()).toBe(resetsBefore + 1);
    expect((await head()).checkpoint).toBe(caughtUp.head);
    const rebuilt = await hashReadModels(orm!.em.fork());
    expect(rebuilt.rows).toEqual(live.rows);
    expect(rebuilt.hash).toBe(live.hash);
    expect(await projectionDefects(db)).toEqual([]);

    // 6. The platform serves from the rebuilt models.
    expect((await admin.get('/v1/organizations?limit=1')).status).toBe(200);
    process.stdout.write(
      `rebuild.e2e: ${caughtUp.events} events, ${JSON.stringify(live.rows)}, hash ${live.hash}; total ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  }, 420_000);
});
