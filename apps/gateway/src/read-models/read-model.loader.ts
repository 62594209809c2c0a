import type { Knex } from '@mikro-orm/knex';
import { READ_MODELS_CHECKPOINT } from '@siteops/contracts';
import {
  knexOf,
  Position,
  query,
  type EntityManager,
  type QueryResult,
} from '@siteops/event-store';
import type {
  ApiKeyRow,
  GrantRow,
  OrganizationRow,
  ProjectRow,
  SiteRow,
  UserRow,
} from '@siteops/read-models';

/*
 * The SQL side of the read-model cache. Timestamps are selected as ISO-8601
 * text in SQL (the MikroORM connection hands timestamptz back as Postgres
 * text, not as Date), so the rows below are the library's row types with
 * strings in place of dates.
 */

type IsoTimes<T, K extends keyof T> = Omit<T, K> & {
  [P in K]: null extends T[P] ? string | null : string;
};

export type UserRecord = IsoTimes<UserRow, 'created_at'>;
export type ApiKeyRecord = IsoTimes<ApiKeyRow, 'created_at' | 'expires_at' | 'revoked_at'>;
export type OrganizationRecord = IsoTimes<OrganizationRow, 'created_at' | 'updated_at'>;
export type ProjectRecord = IsoTimes<ProjectRow, 'created_at' | 'updated_at'>;
export type SiteRecord = IsoTimes<SiteRow, 'created_at' | 'updated_at'>;
export type GrantRecord = IsoTimes<GrantRow, 'granted_at'>;

const iso = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const SELECT = {
  user: `SELECT id, email, email_key, name, platform_admin, ${iso('created_at')} AS created_at, version FROM rm_users`,
  apiKey: `SELECT id, user_id, name, secret_sha256, ${iso('expires_at')} AS expires_at, scope, ${iso('created_at')} AS created_at,
                  ${iso('revoked_at')} AS revoked_at FROM rm_api_keys`,
  organization: `SELECT id, name, name_key, created_by, ${iso('created_at')} AS created_at, ${iso('updated_at')} AS updated_at, version
                   FROM rm_organizations`,
  project: `SELECT id, organization_id, name, name_key, description, ${iso('created_at')} AS created_at, ${iso('updated_at')} AS updated_at,
                   version FROM rm_projects`,
  site: `SELECT id, organization_id, project_id, name, environment, auto_deploy, compose_revision, compose_hash,
                ${iso('created_at')} AS created_at, ${iso('updated_at')} AS updated_at, version FROM rm_sites`,
  grant: `SELECT resource_level, resource_id, user_id, role, organization_id, project_id, site_id, ${iso('granted_at')} AS granted_at
            FROM rm_grants`,
} as const;

export interface RowSet {
  users: UserRecord[];
  apiKeys: ApiKeyRecord[];
  organizations: OrganizationRecord[];
  projects: ProjectRecord[];
  sites: SiteRecord[];
  grants: GrantRecord[];
}

export interface Snapshot {
  rows: RowSet;
  /** Highest rm_changes.seq in the snapshot (or the pruned horizon, if higher): following continues after it. */
  seq: bigint;
  /** The projector's checkpoint in the same snapshot. */
  position: Position;
}

function positionOf(token: string | null | undefined): Position {
  return (token ? Position.parse(token) : undefined) ?? Position.start;
}

/**
 * The feed and reload statements run on every refresh: planned once per
 * connection (`QueryOptions.prepare`); their text varies only by kind.
 */
const PREPARED = { prepare: true } as const;

const CHECKPOINT = `(SELECT tx_id::text || '.' || global_position::text FROM event_checkpoints WHERE name = ?)`;
/** Every `rm_changes` row up to this seq has been deleted by the projector's retention. */
const PRUNED_THROUGH = '(SELECT pruned_through FROM rm_changes_horizon)';

/**
 * Everything, in one REPEATABLE READ snapshot, with the feed position and
 * checkpoint of that snapshot. A knex transaction rather than
 * `em.transactional()`: MikroORM's transaction context is an
 * AsyncLocalStorage, and running one switches on async hooks for the whole
 * process, which costs the hot read path about a fifth of its throughput.
 */
export async function loadSnapshot(em: EntityManager): Promise<Snapshot> {
  return knexOf(em).transaction(
    async (trx) => {
      const all = async <T>(sql: string, bindings: readonly unknown[] = []): Promise<T[]> =>
        (await trx.raw<QueryResult<T>>(sql, bindings as Knex.RawBinding[])).rows;
      const [head] = await all<{ seq: string; position: string | null }>(
        // The snapshot reflects every change up to the horizon, deleted rows included.
        `SELECT greatest(coalesce(max(seq), 0), ${PRUNED_THROUGH})::text AS seq, ${CHECKPOINT} AS position FROM rm_changes`,
        [READ_MODELS_CHECKPOINT],
      );
      const rows: RowSet = {
        users: await all<UserRecord>(SELECT.user),
        apiKeys: await all<ApiKeyRecord>(SELECT.apiKey),
        organizations: await all<OrganizationRecord>(SELECT.organization),
        projects: await all<ProjectRecord>(SELECT.project),
        sites: await all<SiteRecord>(SELECT.site),
        grants: await all<GrantRecord>(SELECT.grant),
      };
      return { rows, seq: BigInt(head?.seq ?? '0'), position: positionOf(head?.position) };
    },
    { isolationLevel: 'repeatable read', readOnly: true },
  );
}

export interface Change {
  seq: bigint;
  /** A `ChangeKind`, or something newer than this gateway knows (logged and skipped). */
  kind: string;
  id: string;
}

export interface ChangeBatch {
  changes: Change[];
  /** The checkpoint committed with the newest change seen (same statement, same snapshot). */
  position: Position;
  /** Highest seq the projector's retention has deleted (same snapshot): anything unseen at or below it is gone. */
  prunedThrough: bigint;
  /** The rows the changes name, as they are in that snapshot; a named row that is absent has been deleted. */
  rows: RowSet;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_SQL = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** Ids named by the feed, per kind. Malformed ids are dropped (they name no row). */
export interface ChangedIds {
  users: string[];
  apiKeys: string[];
  organizations: string[];
  projects: string[];
  sites: string[];
  grants: { resourceId: string; userId: string }[];
}

/** The rows of one kind that the batch names (ids that are no UUID name no row). */
const namedRows = (select: string, kind: string, column = 'id', uuid = true) =>
  `coalesce((SELECT json_agg(r) FROM (${select} WHERE ${column} IN (
     SELECT ${uuid ? 'id::uuid' : 'id'} FROM batch WHERE kind = '${kind}'${uuid ? ` AND id ~* '^${UUID_SQL}$'` : ''})) r), '[]'::json)`;

const FEED = `
  WITH batch AS (
    SELECT seq, kind, id FROM rm_changes
     WHERE seq > ? OR seq IN (SELECT jsonb_array_elements_text(?::jsonb)::bigint)
     ORDER BY seq LIMIT ?
  )
  SELECT coalesce((SELECT json_agg(json_build_object('seq', seq::text, 'kind', kind, 'id', id) ORDER BY seq) FROM batch),
                  '[]'::json) AS changes,
         ${CHECKPOINT} AS position,
         ${PRUNED_THROUGH}::text AS pruned_through,
         ${namedRows(SELECT.user, 'user')} AS users,
         ${namedRows(SELECT.apiKey, 'apiKey', 'id', false)} AS api_keys,
         ${namedRows(SELECT.organization, 'organization')} AS organizations,
         ${namedRows(SELECT.project, 'project')} AS projects,
         ${namedRows(SELECT.site, 'site')} AS sites,
         coalesce((SELECT json_agg(r) FROM (${SELECT.grant} WHERE (resource_id, user_id) IN (
           SELECT split_part(id, ':', 1)::uuid, split_part(id, ':', 2)::uuid FROM batch
            WHERE kind = 'grant' AND id ~* '^${UUID_SQL}:${UUID_SQL}$')) r), '[]'::json) AS grants`;

/**
 * The feed after `afterSeq` (plus the `retry` seqs still missing below it),
 * the checkpoint, the pruned horizon and the rows the changes name, in one
 * statement: all come from one snapshot, so every change the checkpoint
 * covers is in the batch (unless the batch is full or was pruned: seq at or
 * below the horizon), and a refresh costs one round trip, which every
 * write's answer waits on.
 */
export async function readFeed(
  em: EntityManager,
  afterSeq: bigint,
  retry: readonly bigint[],
  limit: number,
): Promise<ChangeBatch> {
  const { rows } = await query<{
    changes: { seq: string; kind: string; id: string }[];
    position: string | null;
    pruned_through: string | null;
    users: UserRecord[];
    api_keys: ApiKeyRecord[];
    organizations: OrganizationRecord[];
    projects: ProjectRecord[];
    sites: SiteRecord[];
    grants: GrantRecord[];
  }>(
    em.fork(),
    FEED,
    [afterSeq.toString(), JSON.stringify(retry.map(String)), limit, READ_MODELS_CHECKPOINT],
    PREPARED,
  );
  const row = rows[0];
  return {
    changes: (row?.changes ?? []).map((c) => ({ seq: BigInt(c.seq), kind: c.kind, id: c.id })),
    position: positionOf(row?.position),
    prunedThrough: BigInt(row?.pruned_through ?? '0'),
    rows: {
      users: row?.users ?? [],
      apiKeys: row?.api_keys ?? [],
      organizations: row?.organizations ?? [],
      projects: row?.projects ?? [],
      sites: row?.sites ?? [],
      grants: row?.grants ?? [],
    },
  };
}

/** A grant change id `<resourceId>:<userId>`, or undefined when it is not one. */
export function parseGrantId(id: string): { resourceId: string; userId: string } | undefined {
  const [resourceId, userId, extra] = id.split(':');
  return resourceId !== undefined &&
    userId !== undefined &&
    extra === undefined &&
    isUuid(resourceId) &&
    isUuid(userId)
    ? { resourceId, userId }
    : undefined;
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** One key and its user, for a key the cache does not know yet (issued moments ago on another instance). */
export async function loadApiKeyWithUser(
  em: EntityManager,
  keyId: string,
): Promise<{ key: ApiKeyRecord; user: UserRecord } | undefined> {
  const fork = em.fork();
  const key = (await query<ApiKeyRecord>(fork, `${SELECT.apiKey} WHERE id = ?`, [keyId])).rows[0];
  if (!key) return undefined;
  const user = (await query<UserRecord>(fork, `${SELECT.user} WHERE id = ?`, [key.user_id]))
    .rows[0];
  return user ? { key, user } : undefined;
}

/** The compose document of one site revision (documents are not kept in memory). */
export async function loadComposeDocument(
  em: EntityManager,
  siteId: string,
  revision: number,
): Promise<string | undefined> {
  const { rows } = await query<{ document: string }>(
    em.fork(),
    'SELECT document FROM rm_site_compose WHERE site_id = ? AND revision = ?',
    [siteId, revision],
  );
  return rows[0]?.document;
}
