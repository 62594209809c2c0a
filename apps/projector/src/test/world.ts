import { createHash } from 'node:crypto';
import {
  streams,
  type ApiKeyScope,
  type EventOfType,
  type Level,
  type NewEvent,
  type Role,
  type SiteopsEvent,
  type SiteopsEventType,
} from '@siteops/contracts';
import type { EntityManager, EventStore } from '@siteops/event-store';
import type { SeededRandom } from '@siteops/testing';

export function newEvent<T extends SiteopsEventType>(
  type: T,
  data: EventOfType<SiteopsEvent, T>['data'],
  at: string,
  actor: string,
): NewEvent<T, EventOfType<SiteopsEvent, T>['data']> {
  return { type, data, metadata: { at, actor } };
}

interface UserModel { id: string; email: string; name: string; platformAdmin: boolean; createdAt: string; version: number }
interface KeyModel {
  id: string; userId: string; name: string; secretSha256: string; expiresAt: string | null;
  scope: ApiKeyScope | null; createdAt: string; revokedAt: string | null;
}
interface OrgModel { id: string; name: string; createdBy: string; createdAt: string; updatedAt: string; version: number }
interface ProjectModel {
  id: string; organizationId: string; name: string; description: string;
  createdAt: string; updatedAt: string; version: number;
}
interface ComposeModel { revision: number; hash: string; document: string; createdAt: string; createdBy: string }
interface SiteModel {
  id: string; organizationId: string; projectId: string; name: string; environment: string; autoDeploy: boolean;
  createdAt: string; updatedAt: string; version: number; composes: ComposeModel[];
}
interface GrantModel {
  level: Level; resourceId: string; userId: string; role: Role;
  organizationId: string; projectId: string | null; siteId: string | null; grantedAt: string;
}

type Append = { streamId: string; events: NewEvent[] };

const ROLES: readonly Role[] = ['viewer', 'developer', 'owner'];

/**
 * A model of what the identity and hierarchy services would append, and of
 * the read models those events must produce. Appends go through the real
 * store with expected versions, one transaction per command, children
 * deleted before parents — as the services do.
 *
 * Worlds with different `lane`s share nothing, so several can append
 * concurrently (commits then interleave out of position order) while their
 * combined expectation stays exact.
 */
export class World {
  readonly users = new Map<string, UserModel>();
  readonly keys = new Map<string, KeyModel>();
  readonly orgs = new Map<string, OrgModel>();
  readonly projects = new Map<string, ProjectModel>();
  readonly sites = new Map<string, SiteModel>();
  readonly grants = new Map<string, GrantModel>();
  private readonly versions = new Map<string, number>();
  private clock: number;
  private counter = 0;
  eventCount = 0;

  constructor(
    private readonly store: EventStore,
    private readonly em: () => EntityManager,
    private readonly rng: SeededRandom,
    readonly lane = 0,
  ) {
    this.clock = Date.UTC(2026, 0, 1) + lane * 1_000_000_000;
  }

  private tick(): string {
    this.clock += 1000 + this.rng.int(1000);
    return new Date(this.clock).toISOString();
  }

  private label(kind: string): string {
    this.counter += 1;
    return `${kind}${this.lane}x${this.counter}`;
  }

  /** One command's events, appended in one transaction in the given order. */
  private async append(actor: string, requests: Append[]): Promise<void> {
    await this.em().transactional(async (tx) => {
      for (const { streamId, events } of requests) {
        const current = this.versions.get(streamId) ?? 0;
        await this.store.append(tx, streamId, current === 0 ? 'no_stream' : current, events, {
          correlationId: 'test',
          causationId: 'test',
          actor,
        });
      }
    });
    for (const { streamId, events } of requests) {
      this.versions.set(streamId, (this.versions.get(streamId) ?? 0) + events.length);
      this.eventCount += events.length;
    }
  }

  private version(streamId: string): number {
    return this.versions.get(streamId) ?? 0;
  }

  async registerUser(platformAdmin = false): Promise<string> {
    const id = this.rng.uuid();
    const label = this.label('user');
    const at = this.tick();
    const email = `${label}@Example.org`;
    await this.append('system:identity', [
      { streamId: streams.user(id), events: [newEvent('UserRegistered', { userId: id, email, name: `User ${label}`, platformAdmin }, at, 'system:identity')] },
    ]);
    this.users.set(id, { id, email, name: `User ${label}`, platformAdmin, createdAt: at, version: 1 });
    return id;
  }

  async issueKey(userId: string, scope: ApiKeyScope | null = null): Promise<string> {
    const id = this.label('key').replace(/[^a-z0-9]/g, '') + this.rng.int(1_000_000).toString(36).padStart(4, '0');
    const at = this.tick();
    const secretSha256 = createHash('sha256').update(id).digest('hex');
    const expiresAt = this.rng.next() < 0.5 ? null : new Date(this.clock + 86_400_000).toISOString();
    await this.append(userId, [
      {
        streamId: streams.apiKey(id),
        events: [newEvent('ApiKeyIssued', { keyId: id, userId, name: `key ${id}`, secretSha256, expiresAt, scope }, at, userId)],
      },
    ]);
    this.keys.set(id, { id, userId, name: `key ${id}`, secretSha256, expiresAt, scope, createdAt: at, revokedAt: null });
    return id;
  }

  async revokeKey(keyId: string): Promise<void> {
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`no key ${keyId}`);
    const at = this.tick();
    await this.append(key.userId, [
      { streamId: streams.apiKey(keyId), events: [newEvent('ApiKeyRevoked', { keyId, userId: key.userId }, at, key.userId)] },
    ]);
    key.revokedAt ??= at;
  }

  /** As the hierarchy service does: the organization and its founding owner in one transaction. */
  async createOrganization(ownerId: string): Promise<string> {
    const id = this.rng.uuid();
    const name = `Org ${this.label('o')}`;
    const at = this.tick();
    await this.append(ownerId, [
      { streamId: streams.organization(id), events: [newEvent('OrganizationCreated', { organizationId: id, name, createdBy: ownerId }, at, ownerId)] },
      this.grantEvents('organization', id, ownerId, 'owner', at, ownerId),
    ]);
    this.orgs.set(id, { id, name, createdBy: ownerId, createdAt: at, updatedAt: at, version: 1 });
    this.grants.set(`${id}:${ownerId}`, {
      level: 'organization', resourceId: id, userId: ownerId, role: 'owner', organizationId: id, projectId: null, siteId: null, grantedAt: at,
    });
    return id;
  }

  async renameOrganization(orgId: string, actor: string): Promise<void> {
    const org = this.require(this.orgs, orgId);
    const name = `Org ${this.label('renamed')}`;
    const at = this.tick();
    await this.append(actor, [
      { streamId: streams.organization(orgId), events: [newEvent('OrganizationRenamed', { organizationId: orgId, name, previousName: org.name }, at, actor)] },
    ]);
    Object.assign(org, { name, updatedAt: at, version: org.version + 1 });
  }

  async createProject(orgId: string, actor: string): Promise<string> {
    const id = this.rng.uuid();
    const name = `Project ${this.label('p')}`;
    const description = this.rng.next() < 0.5 ? '' : `About ${name}`;
    const at = this.tick();
    await this.append(actor, [
      { streamId: streams.project(id), events: [newEvent('ProjectCreated', { projectId: id, organizationId: orgId, name, description }, at, actor)] },
    ]);
    this.projects.set(id, { id, organizationId: orgId, name, description, createdAt: at, updatedAt: at, version: 1 });
    return id;
  }

  async updateProject(projectId: string, actor: string): Promise<void> {
    const project = this.require(this.projects, projectId);
    const name = this.rng.next() < 0.5 ? project.name : `Project ${this.label('pr')}`;
    const description = `Now ${this.label('d')}`;
    const at = this.tick();
    await this.append(actor, [
      {
        streamId: streams.project(projectId),
        events: [newEvent('ProjectUpdated', { projectId, organizationId: project.organizationId, name, description }, at, actor)],
      },
    ]);
    Object.assign(project, { name, description, updatedAt: at, version: project.version + 1 });
  }

  /** SiteCreated and its first compose revision, in one append (as CreateSite does). */
  async createSite(projectId: string, actor: string): Promise<string> {
    const project = this.require(this.projects, projectId);
    const id = this.rng.uuid();
    const name = this.label('site').toLowerCase();
    const environment = this.rng.next() < 0.5 ? name : 'production';
    const autoDeploy = this.rng.next() < 0.3;
    const at = this.tick();
    const compose = composeDocument(name, 1);
    const data = { siteId: id, projectId, organizationId: project.organizationId, name, environment, autoDeploy };
    await this.append(actor, [
      {
        streamId: streams.site(id),
        events: [
          newEvent('SiteCreated', data, at, actor),
          newEvent('SiteComposeRevised', { siteId: id, revision: 1, compose, hash: sha256(compose) }, at, actor),
        ],
      },
    ]);
    this.sites.set(id, {
      id, organizationId: project.organizationId, projectId, name, environment, autoDeploy,
      createdAt: at, updatedAt: at, version: 2,
      composes: [{ revision: 1, hash: sha256(compose), document: compose, createdAt: at, createdBy: actor }],
    });
    return id;
  }

  async updateSite(siteId: string, actor: string): Promise<void> {
    const site = this.require(this.sites, siteId);
    const name = this.rng.next() < 0.3 ? this.label('renamed').toLowerCase() : site.name;
    const environment = this.rng.maybePick(['production', 'staging', name]) ?? name;
    const autoDeploy = !site.autoDeploy;
    const at = this.tick();
    const data = { siteId, projectId: site.projectId, organizationId: site.organizationId, name, environment, autoDeploy };
    await this.append(actor, [{ streamId: streams.site(siteId), events: [newEvent('SiteUpdated', data, at, actor)] }]);
    Object.assign(site, { name, environment, autoDeploy, updatedAt: at, version: site.version + 1 });
  }

  async reviseCompose(siteId: string, actor: string): Promise<void> {
    const site = this.require(this.sites, siteId);
    const revision = site.composes.length + 1;
    const compose = composeDocument(site.name, revision);
    const at = this.tick();
    await this.append(actor, [
      { streamId: streams.site(siteId), events: [newEvent('SiteComposeRevised', { siteId, revision, compose, hash: sha256(compose) }, at, actor)] },
    ]);
    site.composes.push({ revision, hash: sha256(compose), document: compose, createdAt: at, createdBy: actor });
    Object.assign(site, { updatedAt: at, version: site.version + 1 });
  }

  private grantEvents(level: Level, id: string, userId: string, role: Role, at: string, actor: string): Append {
    const previous = this.grants.get(`${id}:${userId}`)?.role ?? null;
    return {
      streamId: streams.members(level, id),
      events: [newEvent('MemberRoleGranted', { resource: { level, id }, userId, role, previousRole: previous }, at, actor)],
    };
  }

  async grant(level: Level, id: string, userId: string, role: Role, actor: string): Promise<void> {
    const path = this.pathOf(level, id);
    const at = this.tick();
    await this.append(actor, [this.grantEvents(level, id, userId, role, at, actor)]);
    this.grants.set(`${id}:${userId}`, { level, resourceId: id, userId, role, ...path, grantedAt: at });
  }

  async revoke(key: string, actor: string): Promise<void> {
    const grant = this.require(this.grants, key);
    const at = this.tick();
    await this.append(actor, [
      {
        streamId: streams.members(grant.level, grant.resourceId),
        events: [newEvent('MemberRoleRevoked', { resource: { level: grant.level, id: grant.resourceId }, userId: grant.userId, previousRole: grant.role }, at, actor)],
      },
    ]);
    this.grants.delete(key);
  }

  async deleteSite(siteId: string, actor: string): Promise<void> {
    const at = this.tick();
    await this.append(actor, [this.siteDeletion(siteId, at, actor)]);
    this.forget('site', siteId);
  }

  /** A cascade: one deletion event per child, children first, in one transaction. */
  async deleteProject(projectId: string, actor: string): Promise<void> {
    const project = this.require(this.projects, projectId);
    const at = this.tick();
    const sites = [...this.sites.values()].filter((s) => s.projectId === projectId);
    await this.append(actor, [
      ...sites.map((s) => this.siteDeletion(s.id, at, actor)),
      {
        streamId: streams.project(projectId),
        events: [newEvent('ProjectDeleted', { projectId, organizationId: project.organizationId, name: project.name }, at, actor)],
      },
    ]);
    for (const s of sites) this.forget('site', s.id);
    this.forget('project', projectId);
  }

  async deleteOrganization(orgId: string, actor: string): Promise<void> {
    const org = this.require(this.orgs, orgId);
    const at = this.tick();
    const projects = [...this.projects.values()].filter((p) => p.organizationId === orgId);
    const requests: Append[] = [];
    for (const p of projects) {
      for (const s of this.sites.values()) if (s.projectId === p.id) requests.push(this.siteDeletion(s.id, at, actor));
      requests.push({
        streamId: streams.project(p.id),
        events: [newEvent('ProjectDeleted', { projectId: p.id, organizationId: orgId, name: p.name }, at, actor)],
      });
    }
    requests.push({
      streamId: streams.organization(orgId),
      events: [newEvent('OrganizationDeleted', { organizationId: orgId, name: org.name }, at, actor)],
    });
    await this.append(actor, requests);
    for (const s of [...this.sites.values()]) if (s.organizationId === orgId) this.forget('site', s.id);
    for (const p of projects) this.forget('project', p.id);
    this.forget('organization', orgId);
  }

  /** An event of a type these read models ignore (secrets come later), to prove it changes nothing. */
  async setSecret(level: Level, id: string, actor: string): Promise<void> {
    const path = this.pathOf(level, id);
    const name = `SECRET_${this.counter}`;
    const at = this.tick();
    const sealed = { dataKeyId: 'dk', iv: 'aXY=', ciphertext: 'Y3Q=', authTag: 'dGFn' };
    await this.append(actor, [
      {
        streamId: streams.secret(level, id, name),
        events: [newEvent('SecretValueSet', { scope: { level, id }, organizationId: path.organizationId, name, version: 1, sealed, restoredFrom: null }, at, actor)],
      },
    ]);
  }

  private siteDeletion(siteId: string, at: string, actor: string): Append {
    const site = this.require(this.sites, siteId);
    return {
      streamId: streams.site(siteId),
      events: [newEvent('SiteDeleted', { siteId, projectId: site.projectId, organizationId: site.organizationId, name: site.name, purgeVolumes: false }, at, actor)],
    };
  }

  private forget(level: Level, id: string): void {
    if (level === 'site') this.sites.delete(id);
    if (level === 'project') this.projects.delete(id);
    if (level === 'organization') this.orgs.delete(id);
    for (const [key, g] of this.grants) {
      const under = level === 'site' ? g.siteId === id : level === 'project' ? g.projectId === id : g.organizationId === id;
      if (under) this.grants.delete(key);
    }
  }

  pathOf(level: Level, id: string): { organizationId: string; projectId: string | null; siteId: string | null } {
    if (level === 'organization') return { organizationId: this.require(this.orgs, id).id, projectId: null, siteId: null };
    if (level === 'project') return { organizationId: this.require(this.projects, id).organizationId, projectId: id, siteId: null };
    const site = this.require(this.sites, id);
    return { organizationId: site.organizationId, projectId: site.projectId, siteId: id };
  }

  private require<T>(map: Map<string, T>, id: string): T {
    const value = map.get(id);
    if (!value) throw new Error(`world has no ${id}`);
    return value;
  }

  /** What the rm_* tables must hold, in the shape `dumpReadModels` returns. */
  expected(): Record<string, Record<string, unknown>[]> {
    return {
      rm_users: [...this.users.values()].map((u) => ({
        id: u.id, email: u.email, email_key: u.email.toLowerCase(), name: u.name,
        platform_admin: u.platformAdmin, created_at: u.createdAt, version: u.version,
      })),
      rm_api_keys: [...this.keys.values()].map((k) => ({
        id: k.id, user_id: k.userId, name: k.name, secret_sha256: k.secretSha256, expires_at: k.expiresAt,
        scope: k.scope, created_at: k.createdAt, revoked_at: k.revokedAt,
      })),
      rm_organizations: [...this.orgs.values()].map((o) => ({
        id: o.id, name: o.name, name_key: o.name.toLowerCase(), created_by: o.createdBy,
        created_at: o.createdAt, updated_at: o.updatedAt, version: o.version,
      })),
      rm_projects: [...this.projects.values()].map((p) => ({
        id: p.id, organization_id: p.organizationId, name: p.name, name_key: p.name.toLowerCase(),
        description: p.description, created_at: p.createdAt, updated_at: p.updatedAt, version: p.version,
      })),
      rm_sites: [...this.sites.values()].map((s) => {
        const latest = s.composes[s.composes.length - 1];
        return {
          id: s.id, organization_id: s.organizationId, project_id: s.projectId, name: s.name,
          environment: s.environment, auto_deploy: s.autoDeploy,
          compose_revision: latest?.revision ?? 0, compose_hash: latest?.hash ?? '',
          created_at: s.createdAt, updated_at: s.updatedAt, version: s.version,
        };
      }),
      rm_site_compose: [...this.sites.values()].flatMap((s) =>
        s.composes.map((c) => ({
          site_id: s.id, revision: c.revision, hash: c.hash, document: c.document,
          created_at: c.createdAt, created_by: c.createdBy,
        })),
      ),
      rm_grants: [...this.grants.values()].map((g) => ({
        resource_level: g.level, resource_id: g.resourceId, user_id: g.userId, role: g.role,
        organization_id: g.organizationId, project_id: g.projectId, site_id: g.siteId, granted_at: g.grantedAt,
      })),
    };
  }

  /** One random command, weighted roughly as a busy installation issues them. */
  async randomStep(): Promise<void> {
    const rng = this.rng;
    const users = [...this.users.keys()];
    const actor = rng.maybePick(users);
    if (!actor || (users.length < 12 && rng.next() < 0.05)) {
      await this.registerUser(users.length === 0);
      return;
    }
    const orgs = [...this.orgs.keys()];
    const projects = [...this.projects.keys()];
    const sites = [...this.sites.keys()];
    const roll = rng.next();
    const org = rng.maybePick(orgs);
    const project = rng.maybePick(projects);
    const site = rng.maybePick(sites);
    if (roll < 0.06 || !org) {
      await (org && orgs.length >= 6 ? this.renameOrganization(org, actor) : this.createOrganization(actor));
    } else if (roll < 0.1) {
      await this.renameOrganization(org, actor);
    } else if (roll < 0.18 || !project) {
      await this.createProject(org, actor);
    } else if (roll < 0.24) {
      await this.updateProject(project, actor);
    } else if (roll < 0.33 || !site) {
      await this.createSite(project, actor);
    } else if (roll < 0.39) {
      await this.updateSite(site, actor);
    } else if (roll < 0.5) {
      await this.reviseCompose(site, actor);
    } else if (roll < 0.64) {
      const level = rng.maybePick(['organization', 'project', 'site'] as const) ?? 'site';
      const target = level === 'organization' ? org : level === 'project' ? project : site;
      await this.grant(level, target, rng.maybePick(users) ?? actor, rng.maybePick(ROLES) ?? 'viewer', actor);
    } else if (roll < 0.7) {
      const grant = rng.maybePick([...this.grants.keys()]);
      await (grant ? this.revoke(grant, actor) : this.registerUser());
    } else if (roll < 0.78) {
      const scoped = rng.next() < 0.4;
      await this.issueKey(actor, scoped ? { path: 'ORG/PROJECT', level: 'project', resourceId: project, maxRole: 'developer' } : null);
    } else if (roll < 0.82) {
      const key = rng.maybePick([...this.keys.values()].filter((k) => !k.revokedAt).map((k) => k.id));
      await (key ? this.revokeKey(key) : this.issueKey(actor));
    } else if (roll < 0.85) {
      await this.setSecret('site', site, actor);
    } else if (roll < 0.89) {
      await this.deleteSite(site, actor);
    } else if (roll < 0.91) {
      await this.deleteProject(project, actor);
    } else if (roll < 0.92) {
      await (orgs.length > 3 ? this.deleteOrganization(org, actor) : this.createOrganization(actor));
    } else {
      const level = rng.maybePick(['project', 'site'] as const) ?? 'site';
      await this.grant(level, level === 'project' ? project : site, rng.maybePick(users) ?? actor, rng.maybePick(ROLES) ?? 'viewer', actor);
    }
  }
}

/** Sort each table's rows by its canonical key, so two dumps compare row for row. */
export function sortTables(tables: Record<string, Record<string, unknown>[]>): Record<string, Record<string, unknown>[]> {
  const keyOf = (row: Record<string, unknown>) =>
    'revision' in row && 'site_id' in row
      ? `${String(row['site_id'])}:${String(row['revision']).padStart(8, '0')}`
      : 'resource_id' in row
        ? `${String(row['resource_id'])}:${String(row['user_id'])}`
        : String(row['id']);
  return Object.fromEntries(
    Object.entries(tables).map(([table, rows]) => [table, [...rows].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0))]),
  );
}

/** Merges the expectations of several disjoint worlds. */
export function expectedOf(worlds: readonly World[]): Record<string, Record<string, unknown>[]> {
  const merged: Record<string, Record<string, unknown>[]> = {};
  for (const world of worlds) {
    for (const [table, rows] of Object.entries(world.expected())) merged[table] = [...(merged[table] ?? []), ...rows];
  }
  return sortTables(merged);
}

function composeDocument(name: string, revision: number): string {
  return `services:\n  web:\n    image: nginx:1.27\n    environment:\n      SITE: ${name}\n      REVISION: "${revision}"\n`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
