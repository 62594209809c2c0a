import { generateApiKey } from '@siteops/auth';
import { READ_MODELS_CHECKPOINT, type Level, type NatsNames, type Role } from '@siteops/contracts';
import type { Knex } from '@mikro-orm/knex';
import { knexOf, Position, type EntityManager, type QueryResult } from '@siteops/event-store';
import { createHash, randomUUID } from 'node:crypto';
import type { NatsConnection } from 'nats';

export interface SeededUser {
  id: string;
  email: string;
  /** A working unscoped API key of the user. */
  key: string;
  keyId: string;
}

export interface SeededKey {
  key: string;
  keyId: string;
}

export interface CommitOptions {
  /** Send the projector's NATS wake-up (default); false leaves the gateway to its poll. */
  publish?: boolean;
}

const AT = '2026-01-01T00:00:00.000Z';

/** Runs one statement (in the commit's transaction when given one). */
export type Sql = <T = unknown>(sql: string, params?: readonly unknown[]) => Promise<T[]>;

function sqlOf(runner: Knex | Knex.Transaction): Sql {
  return async <T>(sql: string, params: readonly unknown[] = []) =>
    (await runner.raw<QueryResult<T>>(sql, params as Knex.RawBinding[])).rows;
}

/**
 * Writes the rm_* tables as the projector does: rows, then `rm_changes`
 * naming them and the checkpoint, in one transaction, then the
 * `projectionChanged` wake-up. Positions grow by one per commit.
 */
export class ReadModelSeeder {
  private counter = 0;

  constructor(
    private readonly em: EntityManager,
    private readonly nc: NatsConnection,
    private readonly names: NatsNames,
  ) {}

  /** The position of the last commit. */
  lastPosition(): string {
    return Position.of(BigInt(this.counter), BigInt(this.counter)).toString();
  }

  /** The position the next commit will have (for tests that wait on a future position). */
  nextPosition(): string {
    return Position.of(BigInt(this.counter + 1), BigInt(this.counter + 1)).toString();
  }

  /** Plain statements outside any commit. */
  get sql(): Sql {
    return sqlOf(knexOf(this.em));
  }

  /**
   * Runs `write` and records the changes and a new checkpoint in the same
   * transaction; returns the position. (A knex transaction: MikroORM's would
   * switch on async hooks for the process, gateway included.)
   */
  async commit(
    write: (tx: Sql) => Promise<void>,
    changes: readonly (readonly [string, string])[],
    options: CommitOptions = {},
  ): Promise<string> {
    this.counter += 1;
    const position = Position.of(BigInt(this.counter), BigInt(this.counter));
    const seq = await knexOf(this.em).transaction(async (trx) => {
      const tx = sqlOf(trx);
      await write(tx);
      if (changes.length > 0) {
        await tx(
          'INSERT INTO rm_changes (kind, id) SELECT c->>0, c->>1 FROM jsonb_array_elements(?::jsonb) AS c',
          [JSON.stringify(changes)],
        );
      }
      await tx(
        `INSERT INTO event_checkpoints (name, tx_id, global_position) VALUES (?, ?::xid8, ?)
         ON CONFLICT (name) DO UPDATE SET tx_id = excluded.tx_id, global_position = excluded.global_position`,
        [READ_MODELS_CHECKPOINT, position.txId.toString(), position.globalPosition.toString()],
      );
      const rows = await tx<{ seq: string }>(
        'SELECT coalesce(max(seq), 0)::text AS seq FROM rm_changes',
      );
      return rows[0]?.seq ?? '0';
    });
    if (options.publish ?? true)
      this.nc.publish(
        this.names.projectionChanged,
        JSON.stringify({ seq, position: position.toString() }),
      );
    return position.toString();
  }

  async user(
    email: string,
    options: { platformAdmin?: boolean; name?: string } = {},
  ): Promise<SeededUser> {
    const id = randomUUID();
    const key = generateApiKey();
    await this.commit(
      async (tx) => {
        await tx(
          `INSERT INTO rm_users (id, email, email_key, name, platform_admin, created_at, version) VALUES (?, ?, lower(?), ?, ?, ?, 1)`,
          [
            id,
            email,
            email,
            options.name ?? email.split('@')[0] ?? email,
            options.platformAdmin ?? false,
            AT,
          ],
        );
        await this.insertKey(tx, id, key.keyId, key.secretSha256, {});
      },
      [
        ['user', id],
        ['apiKey', key.keyId],
      ],
    );
    return { id, email, key: key.key, keyId: key.keyId };
  }

  async apiKey(
    userId: string,
    options: {
      expiresAt?: string;
      scope?: { path: string; level: Level; resourceId: string; maxRole: Role };
      commit?: CommitOptions;
    } = {},
  ): Promise<SeededKey> {
    const key = generateApiKey();
    await this.commit(
      (tx) => this.insertKey(tx, userId, key.keyId, key.secretSha256, options),
      [['apiKey', key.keyId]],
      options.commit,
    );
    return { key: key.key, keyId: key.keyId };
  }

  /** Inserts a key row without naming it in the feed (only the database fallback can find it). */
  async silentApiKey(userId: string): Promise<SeededKey> {
    const key = generateApiKey();
    await this.insertKey(this.sql, userId, key.keyId, key.secretSha256, {});
    return { key: key.key, keyId: key.keyId };
  }

  async insertKey(
    tx: Sql,
    userId: string,
    keyId: string,
    secretSha256: string,
    options: { expiresAt?: string; scope?: object; name?: string },
  ): Promise<void> {
    await tx(
      `INSERT INTO rm_api_keys (id, user_id, name, secret_sha256, expires_at, scope, created_at) VALUES (?, ?, ?, ?, ?, ?::jsonb, ?)`,
      [
        keyId,
        userId,
        options.name ?? 'test',
        secretSha256,
        options.expiresAt ?? null,
        options.scope ? JSON.stringify(options.scope) : null,
        AT,
      ],
    );
  }

  async revokeApiKey(keyId: string, options: CommitOptions = {}): Promise<string> {
    return this.commit(
      async (tx) => {
        await tx('UPDATE rm_api_keys SET revoked_at = now() WHERE id = ?', [keyId]);
      },
      [['apiKey', keyId]],
      options,
    );
  }

  async organization(name: string, id: string = randomUUID(), createdBy = 'seed'): Promise<string> {
    await this.commit(
      async (tx) => {
        await tx(
          `INSERT INTO rm_organizations (id, name, name_key, created_by, created_at, updated_at, version) VALUES (?, ?, lower(?), ?, ?, ?, 1)`,
          [id, name, name, createdBy, AT, AT],
        );
      },
      [['organization', id]],
    );
    return id;
  }

  async project(
    organizationId: string,
    name: string,
    id: string = randomUUID(),
    description = '',
  ): Promise<string> {
    await this.commit(
      async (tx) => {
        await tx(
          `INSERT INTO rm_projects (id, organization_id, name, name_key, description, created_at, updated_at, version)
           VALUES (?, ?, ?, lower(?), ?, ?, ?, 1)`,
          [id, organizationId, name, name, description, AT, AT],
        );
      },
      [['project', id]],
    );
    return id;
  }

  async site(
    organizationId: string,
    projectId: string,
    name: string,
    options: { id?: string; compose?: string; environment?: string; autoDeploy?: boolean } = {},
  ): Promise<string> {
    const id = options.id ?? randomUUID();
    const compose = options.compose ?? 'services:\n  web:\n    image: nginx\n';
    const hash = createHash('sha256').update(compose).digest('hex');
    await this.commit(
      async (tx) => {
        await tx(
          `INSERT INTO rm_sites (id, organization_id, project_id, name, environment, auto_deploy, compose_revision, compose_hash,
                                 created_at, updated_at, version)
           VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, 1)`,
          [
            id,
            organizationId,
            projectId,
            name,
            options.environment ?? name,
            options.autoDeploy ?? false,
            hash,
            AT,
            AT,
          ],
        );
        await tx(
          `INSERT INTO rm_site_compose (site_id, revision, hash, document, created_at, created_by) VALUES (?, 1, ?, ?, ?, 'seed')`,
          [id, hash, compose, AT],
        );
      },
      [['site', id]],
    );
    return id;
  }

  /** A direct grant; the path columns are filled from the resource row, as the projector does. */
  async grant(
    level: Level,
    resourceId: string,
    userId: string,
    role: Role,
    options: CommitOptions = {},
  ): Promise<string> {
    const source = {
      organization: {
        table: 'rm_organizations',
        org: 'r.id',
        project: 'NULL::uuid',
        site: 'NULL::uuid',
      },
      project: {
        table: 'rm_projects',
        org: 'r.organization_id',
        project: 'r.id',
        site: 'NULL::uuid',
      },
      site: { table: 'rm_sites', org: 'r.organization_id', project: 'r.project_id', site: 'r.id' },
    }[level];
    return this.commit(
      async (tx) => {
        await tx(
          `INSERT INTO rm_grants (resource_level, resource_id, user_id, role, organization_id, project_id, site_id, granted_at)
           SELECT ?, r.id, ?::uuid, ?, ${source.org}, ${source.project}, ${source.site}, ? FROM ${source.table} r WHERE r.id = ?::uuid
           ON CONFLICT (resource_id, user_id) DO UPDATE SET role = excluded.role`,
          [level, userId, role, AT, resourceId],
        );
      },
      [['grant', `${resourceId}:${userId}`]],
      options,
    );
  }

  async revokeGrant(resourceId: string, userId: string): Promise<string> {
    return this.commit(
      async (tx) => {
        await tx('DELETE FROM rm_grants WHERE resource_id = ? AND user_id = ?', [
          resourceId,
          userId,
        ]);
      },
      [['grant', `${resourceId}:${userId}`]],
    );
  }
}
