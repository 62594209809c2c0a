import type { Principal } from '@siteops/auth';
import type { Level, Role } from '@siteops/contracts';
import { randomUUID } from 'node:crypto';
import type { Caller } from '../auth/caller';
import { ReadModelState, type ApiKeyEntry, type UserEntry } from '../read-models/read-model.state';

const AT = '2026-01-01T00:00:00.000Z';

/** Builds a `ReadModelState` from rows the way the loader returns them, for pure specs. */
export class StateBuilder {
  readonly state = new ReadModelState();

  user(email: string, platformAdmin = false): UserEntry {
    const id = randomUUID();
    this.state.putUser({
      id,
      email,
      email_key: email.toLowerCase(),
      name: email,
      platform_admin: platformAdmin,
      created_at: AT,
      version: 1,
    });
    const user = this.state.user(id);
    if (!user) throw new Error('user not stored');
    return user;
  }

  key(
    user: UserEntry,
    scope?: { path: string; level: Level; resourceId: string; maxRole: Role },
    expiresAt?: string,
  ): ApiKeyEntry {
    const id = randomUUID().replace(/-/g, '').slice(0, 16);
    this.state.putApiKey({
      id,
      user_id: user.id,
      name: 'k',
      secret_sha256: '0'.repeat(64),
      expires_at: expiresAt ?? null,
      scope: scope ?? null,
      created_at: AT,
      revoked_at: null,
    });
    const key = this.state.apiKey(id);
    if (!key) throw new Error('key not stored');
    return key;
  }

  org(name: string): string {
    const id = randomUUID();
    this.state.putOrganization({
      id,
      name,
      name_key: name.toLowerCase(),
      created_by: 'x',
      created_at: AT,
      updated_at: AT,
      version: 1,
    });
    return id;
  }

  project(organizationId: string, name: string): string {
    const id = randomUUID();
    this.state.putProject({
      id,
      organization_id: organizationId,
      name,
      name_key: name.toLowerCase(),
      description: '',
      created_at: AT,
      updated_at: AT,
      version: 1,
    });
    return id;
  }

  site(projectId: string, name: string): string {
    const project = this.state.project(projectId);
    if (!project) throw new Error('no such project');
    const id = randomUUID();
    this.state.putSite({
      id,
      organization_id: project.organizationId,
      project_id: projectId,
      name,
      environment: name,
      auto_deploy: false,
      compose_revision: 1,
      compose_hash: 'h',
      created_at: AT,
      updated_at: AT,
      version: 1,
    });
    return id;
  }

  grant(level: Level, resourceId: string, user: UserEntry, role: Role): void {
    const node = this.state.node(level, resourceId);
    if (!node) throw new Error('no such resource');
    this.state.putGrant({
      resource_level: level,
      resource_id: resourceId,
      user_id: user.id,
      role,
      organization_id: node.path.organizationId,
      project_id: node.path.projectId ?? null,
      site_id: node.path.siteId ?? null,
      granted_at: AT,
    });
  }

  caller(user: UserEntry, key: ApiKeyEntry = this.key(user)): Caller {
    return { user, key, principal: this.state.principalOf(user, key) };
  }

  principal(user: UserEntry, key?: ApiKeyEntry): Principal {
    return this.caller(user, key).principal;
  }
}
