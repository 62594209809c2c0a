import type { PathGrant, PathScope, Principal, ResourcePath } from '@siteops/auth';
import {
  nameKey,
  type ApiKeyDto,
  type Level,
  type OrganizationDto,
  type ProjectDto,
  type Role,
  type SiteDto,
  type UserDto,
} from '@siteops/contracts';
import { etagOf } from '../http/if-match';
import { sortByKey, type SortKey } from '../http/pagination';
import type {
  ApiKeyRecord,
  ChangedIds,
  GrantRecord,
  OrganizationRecord,
  ProjectRecord,
  RowSet,
  SiteRecord,
  UserRecord,
} from './read-model.loader';

/*
 * The gateway's in-memory copy of the read models (ARCHITECTURE.md "Read
 * path"). Rows are turned into entries once, when they are loaded, with the
 * DTO and the RBAC path prebuilt: a request then costs map lookups, not
 * allocations or SQL.
 */

export interface UserEntry {
  readonly id: string;
  readonly email: string;
  readonly emailKey: string;
  readonly name: string;
  readonly platformAdmin: boolean;
  readonly version: number;
  readonly dto: UserDto;
}

export interface ApiKeyScope {
  readonly path: string;
  readonly level: Level;
  readonly resourceId: string;
  readonly maxRole: Role;
}

export interface ApiKeyEntry {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly secretSha256: string;
  /** Epoch ms, or null when the key never expires. */
  readonly expiresAtMs: number | null;
  readonly revoked: boolean;
  readonly scope: ApiKeyScope | null;
  readonly createdAt: string;
  readonly dto: ApiKeyDto;
}

interface NodeEntry {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  /** Where the resource sits, as libs/auth wants it. */
  readonly path: ResourcePath;
  /** `"<version>"`, ready for the ETag header. */
  readonly etag: string;
}

export interface OrganizationEntry extends NodeEntry {
  readonly level: 'organization';
  readonly nameKey: string;
  readonly dto: OrganizationDto;
}

export interface ProjectEntry extends NodeEntry {
  readonly level: 'project';
  readonly organizationId: string;
  readonly nameKey: string;
  readonly dto: ProjectDto;
}

export interface SiteEntry extends NodeEntry {
  readonly level: 'site';
  readonly organizationId: string;
  readonly projectId: string;
  readonly dto: SiteDto;
}

export type TreeEntry = OrganizationEntry | ProjectEntry | SiteEntry;

/** A role granted directly on one resource. */
export interface GrantEntry {
  readonly level: Level;
  readonly resourceId: string;
  readonly userId: string;
  readonly role: Role;
  readonly path: ResourcePath;
}

const NO_GRANTS: readonly PathGrant[] = Object.freeze([]);

/** A path no resource has: the scope of a key whose resource is gone matches nothing. */
function nowhere(resourceId: string): ResourcePath {
  return { organizationId: `gone:${resourceId}` };
}

export const organizationKey = (o: OrganizationEntry): SortKey => [o.nameKey, o.id];
export const projectKey = (p: ProjectEntry): SortKey => [p.nameKey, p.id];
export const siteKey = (s: SiteEntry): SortKey => [s.name, s.id];
export const userKey = (u: UserEntry): SortKey => [u.emailKey, u.id];
export const apiKeyKey = (k: ApiKeyEntry): SortKey => [k.createdAt, k.id];

export class ReadModelState {
  private readonly users = new Map<string, UserEntry>();
  private readonly userIdByEmail = new Map<string, string>();
  private readonly apiKeys = new Map<string, ApiKeyEntry>();
  private readonly apiKeyIdsByUser = new Map<string, Set<string>>();
  private readonly organizations = new Map<string, OrganizationEntry>();
  private readonly organizationIdByName = new Map<string, string>();
  private readonly projects = new Map<string, ProjectEntry>();
  private readonly projectIdsByOrganization = new Map<string, Set<string>>();
  private readonly sites = new Map<string, SiteEntry>();
  private readonly siteIdsByProject = new Map<string, Set<string>>();
  private readonly grants = new Map<string, GrantEntry>();
  private readonly grantsByUser = new Map<string, Map<string, GrantEntry>>();
  private readonly grantsByResource = new Map<string, Map<string, GrantEntry>>();
  /** Per user, the grants as libs/auth takes them; rebuilt when that user's grants change. */
  private readonly pathGrantsByUser = new Map<string, readonly PathGrant[]>();
  private sortedOrganizationsMemo: OrganizationEntry[] | undefined;
  /** Bumped by every change: principals built before it may be out of date. */
  private generation = 0;
  private readonly principals = new WeakMap<
    ApiKeyEntry,
    { generation: number; user: UserEntry; principal: Principal }
  >();
  private sortedUsersMemo: UserEntry[] | undefined;

  clear(): void {
    for (const map of [
      this.users,
      this.userIdByEmail,
      this.apiKeys,
      this.apiKeyIdsByUser,
      this.organizations,
      this.organizationIdByName,
      this.projects,
      this.projectIdsByOrganization,
      this.sites,
      this.siteIdsByProject,
      this.grants,
      this.grantsByUser,
      this.grantsByResource,
      this.pathGrantsByUser,
    ]) {
      map.clear();
    }
    this.sortedOrganizationsMemo = undefined;
    this.sortedUsersMemo = undefined;
    this.generation++;
  }

  /** Replaces everything: at start, and after a `reset` in the feed. */
  load(rows: RowSet): void {
    this.clear();
    this.putAll(rows);
  }

  /** Applies reloaded rows: a named row is replaced when present, deleted when absent. */
  reload(ids: ChangedIds, rows: RowSet): void {
    const present = (list: readonly { id: string }[]) => new Set(list.map((r) => r.id));
    const deleteAbsent = (
      named: readonly string[],
      found: Set<string>,
      remove: (id: string) => void,
    ) => {
      for (const id of named) if (!found.has(id)) remove(id);
    };
    deleteAbsent(ids.users, present(rows.users), (id) => {
      this.deleteUser(id);
    });
    deleteAbsent(ids.apiKeys, present(rows.apiKeys), (id) => {
      this.deleteApiKey(id);
    });
    deleteAbsent(ids.organizations, present(rows.organizations), (id) => {
      this.deleteOrganization(id);
    });
    deleteAbsent(ids.projects, present(rows.projects), (id) => {
      this.deleteProject(id);
    });
    deleteAbsent(ids.sites, present(rows.sites), (id) => {
      this.deleteSite(id);
    });
    const grantsFound = new Set(rows.grants.map((g) => grantId(g.resource_id, g.user_id)));
    for (const g of ids.grants)
      if (!grantsFound.has(grantId(g.resourceId, g.userId)))
        this.deleteGrant(g.resourceId, g.userId);
    this.putAll(rows);
  }

  private putAll(rows: RowSet): void {
    for (const row of rows.organizations) this.putOrganization(row);
    for (const row of rows.projects) this.putProject(row);
    for (const row of rows.sites) this.putSite(row);
    for (const row of rows.users) this.putUser(row);
    for (const row of rows.apiKeys) this.putApiKey(row);
    for (const row of rows.grants) this.putGrant(row);
  }

  get counts(): Record<string, number> {
    return {
      users: this.users.size,
      apiKeys: this.apiKeys.size,
      organizations: this.organizations.size,
      projects: this.projects.size,
      sites: this.sites.size,
      grants: this.grants.size,
    };
  }

  // ---- users -------------------------------------------------------------

  putUser(row: UserRecord): void {
    this.generation++;
    this.deleteUser(row.id);
    const entry: UserEntry = {
      id: row.id,
      email: row.email,
      emailKey: row.email_key,
      name: row.name,
      platformAdmin: row.platform_admin,
      version: row.version,
      dto: {
        id: row.id,
        email: row.email,
        name: row.name,
        platformAdmin: row.platform_admin,
        createdAt: row.created_at,
      },
    };
    this.users.set(row.id, entry);
    this.userIdByEmail.set(row.email_key, row.id);
    this.sortedUsersMemo = undefined;
  }

  deleteUser(id: string): void {
    this.generation++;
    const old = this.users.get(id);
    if (!old) return;
    this.users.delete(id);
    if (this.userIdByEmail.get(old.emailKey) === id) this.userIdByEmail.delete(old.emailKey);
    this.sortedUsersMemo = undefined;
  }

  user(id: string): UserEntry | undefined {
    return this.users.get(id);
  }

  /** Emails match case-insensitively, as the identity service keys them. */
  userByEmail(email: string): UserEntry | undefined {
    const id = this.userIdByEmail.get(nameKey(email.trim()));
    return id === undefined ? undefined : this.users.get(id);
  }

  sortedUsers(): readonly UserEntry[] {
    this.sortedUsersMemo ??= sortByKey(this.users.values(), userKey);
    return this.sortedUsersMemo;
  }

  // ---- API keys ----------------------------------------------------------

  putApiKey(row: ApiKeyRecord): void {
    this.generation++;
    this.deleteApiKey(row.id);
    const scope = row.scope ? { path: row.scope.path, maxRole: row.scope.maxRole } : null;
    const entry: ApiKeyEntry = {
      id: row.id,
      userId: row.user_id,
      name: row.name,
      secretSha256: row.secret_sha256,
      expiresAtMs: row.expires_at ? Date.parse(row.expires_at) : null,
      revoked: row.revoked_at !== null,
      scope: row.scope,
      createdAt: row.created_at,
      dto: {
        id: row.id,
        name: row.name,
        userId: row.user_id,
        expiresAt: row.expires_at,
        scope,
        createdAt: row.created_at,
        revokedAt: row.revoked_at,
      },
    };
    this.apiKeys.set(row.id, entry);
    addToIndex(this.apiKeyIdsByUser, row.user_id, row.id);
  }

  deleteApiKey(id: string): void {
    this.generation++;
    const old = this.apiKeys.get(id);
    if (!old) return;
    this.apiKeys.delete(id);
    removeFromIndex(this.apiKeyIdsByUser, old.userId, id);
  }

  apiKey(id: string): ApiKeyEntry | undefined {
    return this.apiKeys.get(id);
  }

  apiKeysOf(userId: string): ApiKeyEntry[] {
    return sortByKey(entriesOf(this.apiKeyIdsByUser.get(userId), this.apiKeys), apiKeyKey);
  }

  // ---- tree --------------------------------------------------------------

  putOrganization(row: OrganizationRecord): void {
    this.generation++;
    this.deleteOrganization(row.id);
    const entry: OrganizationEntry = {
      level: 'organization',
      id: row.id,
      name: row.name,
      nameKey: row.name_key,
      version: row.version,
      path: { organizationId: row.id },
      etag: etagOf(row.version),
      dto: {
        id: row.id,
        name: row.name,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        version: row.version,
      },
    };
    this.organizations.set(row.id, entry);
    this.organizationIdByName.set(row.name_key, row.id);
    this.sortedOrganizationsMemo = undefined;
  }

  deleteOrganization(id: string): void {
    this.generation++;
    const old = this.organizations.get(id);
    if (!old) return;
    this.organizations.delete(id);
    if (this.organizationIdByName.get(old.nameKey) === id)
      this.organizationIdByName.delete(old.nameKey);
    this.sortedOrganizationsMemo = undefined;
  }

  putProject(row: ProjectRecord): void {
    this.generation++;
    this.deleteProject(row.id);
    const entry: ProjectEntry = {
      level: 'project',
      id: row.id,
      organizationId: row.organization_id,
      name: row.name,
      nameKey: row.name_key,
      version: row.version,
      path: { organizationId: row.organization_id, projectId: row.id },
      etag: etagOf(row.version),
      dto: {
        id: row.id,
        organizationId: row.organization_id,
        name: row.name,
        description: row.description,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        version: row.version,
      },
    };
    this.projects.set(row.id, entry);
    addToIndex(this.projectIdsByOrganization, row.organization_id, row.id);
  }

  deleteProject(id: string): void {
    this.generation++;
    const old = this.projects.get(id);
    if (!old) return;
    this.projects.delete(id);
    removeFromIndex(this.projectIdsByOrganization, old.organizationId, id);
  }

  putSite(row: SiteRecord): void {
    this.generation++;
    this.deleteSite(row.id);
    const entry: SiteEntry = {
      level: 'site',
      id: row.id,
      organizationId: row.organization_id,
      projectId: row.project_id,
      name: row.name,
      version: row.version,
      path: { organizationId: row.organization_id, projectId: row.project_id, siteId: row.id },
      etag: etagOf(row.version),
      dto: {
        id: row.id,
        organizationId: row.organization_id,
        projectId: row.project_id,
        name: row.name,
        environment: row.environment,
        autoDeploy: row.auto_deploy,
        compose: { revision: row.compose_revision, hash: row.compose_hash },
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        version: row.version,
      },
    };
    this.sites.set(row.id, entry);
    addToIndex(this.siteIdsByProject, row.project_id, row.id);
  }

  deleteSite(id: string): void {
    this.generation++;
    const old = this.sites.get(id);
    if (!old) return;
    this.sites.delete(id);
    removeFromIndex(this.siteIdsByProject, old.projectId, id);
  }

  organization(id: string): OrganizationEntry | undefined {
    return this.organizations.get(id);
  }

  project(id: string): ProjectEntry | undefined {
    return this.projects.get(id);
  }

  site(id: string): SiteEntry | undefined {
    return this.sites.get(id);
  }

  node(level: Level, id: string): TreeEntry | undefined {
    switch (level) {
      case 'organization':
        return this.organizations.get(id);
      case 'project':
        return this.projects.get(id);
      case 'site':
        return this.sites.get(id);
    }
  }

  /** Organization names are unique platform-wide, case-insensitively. */
  organizationByName(name: string): OrganizationEntry | undefined {
    const id = this.organizationIdByName.get(nameKey(name));
    return id === undefined ? undefined : this.organizations.get(id);
  }

  /** Project names are unique within their organization, case-insensitively. */
  projectByName(organizationId: string, name: string): ProjectEntry | undefined {
    const key = nameKey(name);
    return entriesOf(this.projectIdsByOrganization.get(organizationId), this.projects).find(
      (p) => p.nameKey === key,
    );
  }

  /** Site names are slugs, matched exactly. */
  siteByName(projectId: string, name: string): SiteEntry | undefined {
    return entriesOf(this.siteIdsByProject.get(projectId), this.sites).find((s) => s.name === name);
  }

  sortedOrganizations(): readonly OrganizationEntry[] {
    this.sortedOrganizationsMemo ??= sortByKey(this.organizations.values(), organizationKey);
    return this.sortedOrganizationsMemo;
  }

  sortedProjectsOf(organizationId: string): ProjectEntry[] {
    return sortByKey(
      entriesOf(this.projectIdsByOrganization.get(organizationId), this.projects),
      projectKey,
    );
  }

  sortedSitesOf(projectId: string): SiteEntry[] {
    return sortByKey(entriesOf(this.siteIdsByProject.get(projectId), this.sites), siteKey);
  }

  /** The resource and its ancestors, root first. */
  lineage(node: TreeEntry): TreeEntry[] {
    const chain: TreeEntry[] = [];
    const org = this.organizations.get(node.path.organizationId);
    if (org) chain.push(org);
    const projectId = node.path.projectId;
    const project = projectId === undefined ? undefined : this.projects.get(projectId);
    if (project && node.level !== 'organization') chain.push(project);
    if (node.level === 'site') chain.push(node);
    return chain;
  }

  // ---- grants ------------------------------------------------------------

  putGrant(row: GrantRecord): void {
    this.generation++;
    this.deleteGrant(row.resource_id, row.user_id);
    const path: ResourcePath = { organizationId: row.organization_id };
    if (row.project_id !== null) path.projectId = row.project_id;
    if (row.site_id !== null) path.siteId = row.site_id;
    const entry: GrantEntry = {
      level: row.resource_level,
      resourceId: row.resource_id,
      userId: row.user_id,
      role: row.role,
      path,
    };
    this.grants.set(grantId(row.resource_id, row.user_id), entry);
    nested(this.grantsByUser, row.user_id).set(row.resource_id, entry);
    nested(this.grantsByResource, row.resource_id).set(row.user_id, entry);
    this.rebuildPathGrants(row.user_id);
  }

  deleteGrant(resourceId: string, userId: string): void {
    this.generation++;
    const key = grantId(resourceId, userId);
    if (!this.grants.delete(key)) return;
    removeNested(this.grantsByUser, userId, resourceId);
    removeNested(this.grantsByResource, resourceId, userId);
    this.rebuildPathGrants(userId);
  }

  /** Direct grants on one resource. */
  grantsOn(resourceId: string): readonly GrantEntry[] {
    const byUser = this.grantsByResource.get(resourceId);
    return byUser ? [...byUser.values()] : [];
  }

  /** Every grant a user holds, for libs/auth. */
  pathGrantsOf(userId: string): readonly PathGrant[] {
    return this.pathGrantsByUser.get(userId) ?? NO_GRANTS;
  }

  private rebuildPathGrants(userId: string): void {
    const grants = this.grantsByUser.get(userId);
    if (!grants || grants.size === 0) this.pathGrantsByUser.delete(userId);
    else
      this.pathGrantsByUser.set(
        userId,
        Object.freeze([...grants.values()].map((g) => ({ path: g.path, role: g.role }))),
      );
  }

  // ---- principals --------------------------------------------------------

  /** The key's scope as a path, looked up now: a renamed or moved resource keeps its ids. */
  scopeOf(key: ApiKeyEntry): PathScope | null {
    if (!key.scope) return null;
    const node = this.node(key.scope.level, key.scope.resourceId);
    return { path: node ? node.path : nowhere(key.scope.resourceId), maxRole: key.scope.maxRole };
  }

  /** Built once per key and state generation: most requests reuse it. */
  principalOf(user: UserEntry, key: ApiKeyEntry): Principal {
    const memo = this.principals.get(key);
    if (memo && memo.generation === this.generation && memo.user === user) return memo.principal;
    const principal: Principal = {
      platformAdmin: user.platformAdmin,
      grants: this.pathGrantsOf(user.id),
      scope: this.scopeOf(key),
    };
    this.principals.set(key, { generation: this.generation, user, principal });
    return principal;
  }
}

/** The `rm_changes` id of a grant. */
export function grantId(resourceId: string, userId: string): string {
  return `${resourceId}:${userId}`;
}

function addToIndex(index: Map<string, Set<string>>, key: string, id: string): void {
  let set = index.get(key);
  if (!set) {
    set = new Set();
    index.set(key, set);
  }
  set.add(id);
}

function removeFromIndex(index: Map<string, Set<string>>, key: string, id: string): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(id);
  if (set.size === 0) index.delete(key);
}

function nested<V>(index: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let inner = index.get(key);
  if (!inner) {
    inner = new Map();
    index.set(key, inner);
  }
  return inner;
}

function removeNested<V>(index: Map<string, Map<string, V>>, key: string, innerKey: string): void {
  const inner = index.get(key);
  if (!inner) return;
  inner.delete(innerKey);
  if (inner.size === 0) index.delete(key);
}

function entriesOf<V>(ids: Set<string> | undefined, map: Map<string, V>): V[] {
  const out: V[] = [];
  if (!ids) return out;
  for (const id of ids) {
    const entry = map.get(id);
    if (entry !== undefined) out.push(entry);
  }
  return out;
}
