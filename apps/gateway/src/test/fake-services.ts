import { DomainError, type CommandType, type NatsNames } from '@siteops/contracts';
import { serveCommands, type CommandServer } from '@siteops/messaging';
import { createHash } from 'node:crypto';
import type { NatsConnection } from 'nats';
import type { ReadModelSeeder, Sql } from './read-model.seeder';

export interface RecordedCommand {
  type: CommandType;
  data: unknown;
  actor: string;
  correlationId: string;
}

interface Versioned {
  version: number;
}

/**
 * The identity and hierarchy services as the gateway sees them over NATS,
 * played in the test: each command is recorded, checked the way the real
 * service checks it (existence, uniqueness, expected version, children, last
 * owner) and "projected" into the rm_* tables with a new checkpoint, as the
 * projector would, before the reply carries that position.
 */
export class FakeServices {
  readonly commands: RecordedCommand[] = [];
  private readonly failures = new Map<CommandType, DomainError>();
  private servers: CommandServer[] = [];

  private readonly sql: Sql;

  constructor(private readonly seeder: ReadModelSeeder) {
    this.sql = seeder.sql;
  }

  private positionOverride: string | undefined;

  /** The next CreateOrganization reply carries this position (one the projector will not reach). */
  replyWithPositionNext(position: string): void {
    this.positionOverride = position;
  }

  /** The next `type` command fails with `error` (as the service would answer it). */
  failNext(type: CommandType, error: DomainError): void {
    this.failures.set(type, error);
  }

  sent(type: CommandType): RecordedCommand[] {
    return this.commands.filter((c) => c.type === type);
  }

  start(nc: NatsConnection, names: NatsNames): void {
    const record = (
      type: CommandType,
      data: unknown,
      command: { metadata: { actor: string; correlationId: string } },
    ) => {
      this.commands.push({
        type,
        data,
        actor: command.metadata.actor,
        correlationId: command.metadata.correlationId,
      });
      const failure = this.failures.get(type);
      if (failure) {
        this.failures.delete(type);
        throw failure;
      }
    };
    this.servers = [
      serveCommands(nc, names, 'identity', {
        RegisterUser: async (data, command) => {
          record('RegisterUser', data, command);
          if (await this.row('SELECT id FROM rm_users WHERE email_key = lower(?)', [data.email])) {
            throw new DomainError(
              'already_exists',
              `A user with email ${data.email} already exists`,
            );
          }
          const position = await this.seeder.commit(
            (tx) =>
              tx(
                `INSERT INTO rm_users (id, email, email_key, name, platform_admin, created_at, version) VALUES (?, ?, lower(?), ?, ?, now(), 1)`,
                [data.userId, data.email, data.email, data.name, data.platformAdmin],
              ).then(() => undefined),
            [['user', data.userId]],
          );
          return { id: data.userId, version: 1, position };
        },
        IssueApiKey: async (data, command) => {
          record('IssueApiKey', data, command);
          const position = await this.seeder.commit(
            (tx) =>
              this.seeder.insertKey(tx, data.userId, data.keyId, data.secretSha256, {
                name: data.name,
                ...(data.expiresAt ? { expiresAt: data.expiresAt } : {}),
                ...(data.scope ? { scope: data.scope } : {}),
              }),
            [['apiKey', data.keyId]],
          );
          return { id: data.keyId, version: 1, position };
        },
        RevokeApiKey: async (data, command) => {
          record('RevokeApiKey', data, command);
          const key = await this.row<{ revoked: boolean }>(
            'SELECT revoked_at IS NOT NULL AS revoked FROM rm_api_keys WHERE id = ?',
            [data.keyId],
          );
          if (!key) throw new DomainError('not_found', `No API key ${data.keyId}`);
          // As the identity service does: revoking twice changes nothing and succeeds.
          if (key.revoked)
            return { id: data.keyId, version: 2, position: this.seeder.lastPosition() };
          const position = await this.seeder.revokeApiKey(data.keyId);
          return { id: data.keyId, version: 2, position };
        },
        GrantRole: async (data, command) => {
          record('GrantRole', data, command);
          const position = await this.seeder.grant(
            data.resource.level,
            data.resource.id,
            data.userId,
            data.role,
          );
          return { id: `${data.resource.id}:${data.userId}`, version: 1, position };
        },
        RevokeRole: async (data, command) => {
          record('RevokeRole', data, command);
          const grant = await this.row<{ role: string }>(
            'SELECT role FROM rm_grants WHERE resource_id = ? AND user_id = ?',
            [data.resource.id, data.userId],
          );
          if (!grant) throw new DomainError('not_found', 'That user has no role granted here');
          if (data.resource.level === 'organization' && grant.role === 'owner') {
            const owners = await this.row<{ n: number }>(
              "SELECT count(*)::int AS n FROM rm_grants WHERE resource_id = ? AND role = 'owner'",
              [data.resource.id],
            );
            if ((owners?.n ?? 0) <= 1)
              throw new DomainError(
                'last_owner',
                'The last owner of an organization cannot be removed',
              );
          }
          const position = await this.seeder.revokeGrant(data.resource.id, data.userId);
          return { id: `${data.resource.id}:${data.userId}`, version: 2, position };
        },
      }),
      serveCommands(nc, names, 'hierarchy', {
        CreateOrganization: async (data, command) => {
          record('CreateOrganization', data, command);
          if (
            await this.row('SELECT id FROM rm_organizations WHERE name_key = lower(?)', [data.name])
          ) {
            throw new DomainError(
              'already_exists',
              `An organization named ${data.name} already exists`,
            );
          }
          await this.seeder.organization(data.name, data.organizationId, command.metadata.actor);
          const position = await this.seeder.grant(
            'organization',
            data.organizationId,
            command.metadata.actor,
            'owner',
          );
          const override = this.positionOverride;
          this.positionOverride = undefined;
          return { id: data.organizationId, version: 1, position: override ?? position };
        },
        RenameOrganization: async (data, command) => {
          record('RenameOrganization', data, command);
          const version = await this.expect(
            'rm_organizations',
            data.organizationId,
            data.expectedVersion,
          );
          const position = await this.update(
            'rm_organizations',
            'organization',
            data.organizationId,
            { name: data.name, name_key: data.name.toLowerCase() },
          );
          return { id: data.organizationId, version: version + 1, position };
        },
        DeleteOrganization: async (data, command) => {
          record('DeleteOrganization', data, command);
          const version = await this.expect(
            'rm_organizations',
            data.organizationId,
            data.expectedVersion,
          );
          const projects = await this.ids('SELECT id FROM rm_projects WHERE organization_id = ?', [
            data.organizationId,
          ]);
          if (projects.length > 0 && !data.cascade)
            throw new DomainError(
              'has_children',
              'The organization still has projects; delete with cascade',
            );
          const sites = await this.ids('SELECT id FROM rm_sites WHERE organization_id = ?', [
            data.organizationId,
          ]);
          const position = await this.remove([
            ...sites.map((id) => ['site', id] as const),
            ...projects.map((id) => ['project', id] as const),
            ['organization', data.organizationId],
          ]);
          const deleted = [
            ...sites.map((id) => ({ level: 'site', id })),
            ...projects.map((id) => ({ level: 'project', id })),
            { level: 'organization', id: data.organizationId },
          ];
          return { id: data.organizationId, version: version + 1, position, deleted };
        },
        CreateProject: async (data, command) => {
          record('CreateProject', data, command);
          if (
            await this.row(
              'SELECT id FROM rm_projects WHERE organization_id = ? AND name_key = lower(?)',
              [data.organizationId, data.name],
            )
          ) {
            throw new DomainError(
              'already_exists',
              `A project named ${data.name} already exists in the organization`,
            );
          }
          await this.seeder.project(
            data.organizationId,
            data.name,
            data.projectId,
            data.description,
          );
          return {
            id: data.projectId,
            version: 1,
            position: await this.seeder.commit(() => Promise.resolve(), []),
          };
        },
        UpdateProject: async (data, command) => {
          record('UpdateProject', data, command);
          const version = await this.expect('rm_projects', data.projectId, data.expectedVersion);
          const position = await this.update('rm_projects', 'project', data.projectId, {
            ...(data.name === undefined
              ? {}
              : { name: data.name, name_key: data.name.toLowerCase() }),
            ...(data.description === undefined ? {} : { description: data.description }),
          });
          return { id: data.projectId, version: version + 1, position };
        },
        DeleteProject: async (data, command) => {
          record('DeleteProject', data, command);
          const version = await this.expect('rm_projects', data.projectId, data.expectedVersion);
          const sites = await this.ids('SELECT id FROM rm_sites WHERE project_id = ?', [
            data.projectId,
          ]);
          if (sites.length > 0 && !data.cascade)
            throw new DomainError(
              'has_children',
              'The project still has sites; delete with cascade',
            );
          const position = await this.remove([
            ...sites.map((id) => ['site', id] as const),
            ['project', data.projectId],
          ]);
          return {
            id: data.projectId,
            version: version + 1,
            position,
            deleted: [
              ...sites.map((id) => ({ level: 'site', id })),
              { level: 'project', id: data.projectId },
            ],
          };
        },
        CreateSite: async (data, command) => {
          record('CreateSite', data, command);
          const project = await this.row<{ organization_id: string }>(
            'SELECT organization_id FROM rm_projects WHERE id = ?',
            [data.projectId],
          );
          if (!project) throw new DomainError('not_found', 'No such project');
          await this.seeder.site(project.organization_id, data.projectId, data.name, {
            id: data.siteId,
            compose: data.compose,
            ...(data.environment ? { environment: data.environment } : {}),
            autoDeploy: data.autoDeploy,
          });
          return {
            id: data.siteId,
            version: 1,
            position: await this.seeder.commit(() => Promise.resolve(), []),
          };
        },
        UpdateSite: async (data, command) => {
          record('UpdateSite', data, command);
          const version = await this.expect('rm_sites', data.siteId, data.expectedVersion);
          const position = await this.update('rm_sites', 'site', data.siteId, {
            ...(data.name === undefined ? {} : { name: data.name }),
            ...(data.environment === undefined ? {} : { environment: data.environment }),
            ...(data.autoDeploy === undefined ? {} : { auto_deploy: data.autoDeploy }),
          });
          return { id: data.siteId, version: version + 1, position };
        },
        ReviseSiteCompose: async (data, command) => {
          record('ReviseSiteCompose', data, command);
          const version = await this.expect('rm_sites', data.siteId, data.expectedVersion);
          const current = await this.row<{ compose_revision: number }>(
            'SELECT compose_revision FROM rm_sites WHERE id = ?',
            [data.siteId],
          );
          const revision = (current?.compose_revision ?? 0) + 1;
          const hash = createHash('sha256').update(data.compose).digest('hex');
          const position = await this.seeder.commit(
            async (tx) => {
              await tx(
                `INSERT INTO rm_site_compose (site_id, revision, hash, document, created_at, created_by) VALUES (?, ?, ?, ?, now(), 'x')`,
                [data.siteId, revision, hash, data.compose],
              );
              await tx(
                'UPDATE rm_sites SET compose_revision = ?, compose_hash = ?, version = version + 1, updated_at = now() WHERE id = ?',
                [revision, hash, data.siteId],
              );
            },
            [['site', data.siteId]],
          );
          return { id: data.siteId, version: version + 1, position, revision };
        },
        DeleteSite: async (data, command) => {
          record('DeleteSite', data, command);
          const version = await this.expect('rm_sites', data.siteId, data.expectedVersion);
          const position = await this.remove([['site', data.siteId]]);
          return { id: data.siteId, version: version + 1, position };
        },
      }),
    ];
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.drain()));
  }

  private async row<T = { id: string }>(sql: string, params: unknown[]): Promise<T | undefined> {
    return (await this.sql<T>(sql, params))[0];
  }

  private async ids(sql: string, params: unknown[]): Promise<string[]> {
    return (await this.sql<{ id: string }>(sql, params)).map((r) => r.id);
  }

  /** The row's version, after the service's existence and If-Match checks. */
  private async expect(
    table: string,
    id: string,
    expectedVersion: number | undefined,
  ): Promise<number> {
    const row = await this.row<Versioned>(`SELECT version FROM ${table} WHERE id = ?`, [id]);
    if (!row) throw new DomainError('not_found', `No such resource ${id}`);
    if (expectedVersion !== undefined && expectedVersion !== row.version) {
      throw new DomainError(
        'precondition_failed',
        `Expected version ${expectedVersion}, the current version is ${row.version}`,
      );
    }
    return row.version;
  }

  private update(
    table: string,
    kind: string,
    id: string,
    set: Record<string, unknown>,
  ): Promise<string> {
    const columns = Object.keys(set);
    return this.seeder.commit(
      async (tx) => {
        await tx(
          `UPDATE ${table} SET ${[...columns.map((c) => `${c} = ?`), 'version = version + 1', 'updated_at = now()'].join(', ')} WHERE id = ?`,
          [...Object.values(set), id],
        );
      },
      [[kind, id]],
    );
  }

  private async remove(
    targets: readonly (readonly ['organization' | 'project' | 'site', string])[],
  ): Promise<string> {
    const table = {
      organization: 'rm_organizations',
      project: 'rm_projects',
      site: 'rm_sites',
    } as const;
    const grants = await this.sql<{ id: string }>(
      `SELECT resource_id || ':' || user_id AS id FROM rm_grants WHERE resource_id IN (SELECT jsonb_array_elements_text(?::jsonb)::uuid)`,
      [JSON.stringify(targets.map(([, id]) => id))],
    );
    return this.seeder.commit(
      async (tx) => {
        for (const [level, id] of targets) {
          await tx(`DELETE FROM ${table[level]} WHERE id = ?`, [id]);
          await tx('DELETE FROM rm_grants WHERE resource_id = ?', [id]);
        }
      },
      [
        ...targets.map(([level, id]) => [level, id] as const),
        ...grants.map((g) => ['grant', g.id] as const),
      ],
    );
  }
}
