import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from '@mikro-orm/knex';
import { DomainError, type EventMetadata, type NewEvent, type RecordedEvent } from '@siteops/contracts';
import { CommitSignal } from './commit-signal';
import { knexOf, query, transaction, type EntityManager } from './database';
import { Position } from './position';
import { Upcasters } from './upcasting';

/**
 * What the writer expects the stream to be at: an exact version (0 = empty),
 * `no_stream`, `stream_exists`, or `any` (no check).
 */
export type ExpectedVersion = number | 'no_stream' | 'stream_exists' | 'any';

/**
 * Raised when a stream is not at the expected version, or is but was last
 * written by a younger transaction (`olderTransaction`: the append would be
 * read before the events it follows; re-run it in a new transaction). Never
 * a 500: the gateway maps it to 409/412.
 */
export class ConcurrencyError extends DomainError {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: number,
    readonly olderTransaction = false,
  ) {
    super(
      'concurrency_conflict',
      olderTransaction
        ? `Stream ${streamId} was written by a younger transaction while this one ran`
        : `Stream ${streamId} is at version ${actual}, expected ${String(expected)}`,
    );
    this.name = 'ConcurrencyError';
  }
}

function versionMatches(expected: ExpectedVersion, actual: number): boolean {
  return (
    expected === 'any' ||
    (expected === 'no_stream' && actual === 0) ||
    (expected === 'stream_exists' && actual > 0) ||
    expected === actual
  );
}

/** Who and why, stamped on every event of one append. */
export interface AppendContext {
  correlationId: string;
  causationId: string;
  actor: string;
}

export interface AppendRequest {
  streamId: string;
  expectedVersion: ExpectedVersion;
  events: readonly NewEvent[];
}

export interface AppendResult {
  streamId: string;
  /** The stream's version after the append. */
  version: number;
  /** Read-cursor token of the last appended event. */
  position: string;
  events: RecordedEvent[];
}

export interface ReadAllPage {
  events: RecordedEvent[];
  /** Cursor to continue from: the last event's position, or the `after` given when nothing was read. */
  cursor: Position;
}

export interface EventStoreOptions {
  upcasters?: Upcasters;
  /** Injected clock for `metadata.at`. */
  now?: () => Date;
  newId?: () => string;
}

interface EventRow {
  global_position: string;
  tx_id: string;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date | string;
}

const COLUMNS =
  'global_position, tx_id::text AS tx_id, event_id, stream_id, stream_version, type, data, metadata, recorded_at';

/** What an append reads back: the rest it knows already (and need not parse again). */
type AppendedRow = Pick<EventRow, 'global_position' | 'tx_id' | 'stream_version' | 'recorded_at'>;
const APPENDED_COLUMNS = 'global_position, tx_id::text AS tx_id, stream_version, recorded_at';

/** The statements every read and write runs, prepared once per connection (see `QueryOptions.prepare`). */
const PREPARED = { prepare: true } as const;

/**
 * The safe read order of rule 3. Qualified on purpose: a bare `tx_id` in
 * ORDER BY names the *output* column `tx_id::text AS tx_id` above, which
 * sorts transaction ids as text ('10000' < '9999') — out of step with the
 * numeric cursor in WHERE, so pages skip or repeat events once ids cross a
 * power of ten, and no index serves it (every page scanned and sorted the
 * whole table).
 */
const READ_ORDER = 'events.tx_id, events.global_position';
const READ_ORDER_DESC = 'events.tx_id DESC, events.global_position DESC';

const UNIQUE_VIOLATION = '23505';
/**
 * How often an `any` append that lost a race is retried. Each retry first
 * waits a few random milliseconds so that writers which collided do not
 * collide again in lockstep; n writers on one stream need at most n - 1.
 */
const ANY_RETRIES = 50;
const ANY_RETRY_JITTER_MS = 5;

/**
 * The PostgreSQL event store. Every call takes the entity manager to run on:
 * pass one inside `transaction(em, ...)` to join that transaction (a
 * projection and its checkpoint, a write-side index and its events).
 */
export class EventStore {
  private readonly upcasters: Upcasters;
  private readonly now: () => Date;
  private readonly newId: () => string;
  /** One per database this store writes to (in practice one). */
  private readonly signals = new WeakMap<Knex, CommitSignal>();

  constructor(options: EventStoreOptions = {}) {
    this.upcasters = options.upcasters ?? new Upcasters();
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
  }

  /** Appends to one stream with optimistic concurrency. */
  async append(
    em: EntityManager,
    streamId: string,
    expectedVersion: ExpectedVersion,
    events: readonly NewEvent[],
    context: AppendContext,
  ): Promise<AppendResult> {
    const [result] = await this.appendMany(em, [{ streamId, expectedVersion, events }], context);
    if (!result) throw new Error('appendMany returned no result');
    return result;
  }

  /**
   * Appends to several streams atomically: either every stream is at its
   * expected version and all events are stored, or nothing is.
   */
  async appendMany(em: EntityManager, requests: readonly AppendRequest[], context: AppendContext): Promise<AppendResult[]> {
    if (requests.length === 0) return [];
    const tx = em.getTransactionContext<Knex.Transaction>();
    const run = (on: EntityManager) => Promise.all(requests.map((r) => this.appendOne(on, r, context)));
    // A single stream needs no explicit transaction: one INSERT ... SELECT is atomic.
    const results =
      tx !== undefined || requests.length === 1
        ? await this.retryAny(requests, tx !== undefined, () => run(em))
        : await this.retryAny(requests, false, () => transaction(em, run));
    // Readers are woken once the events are committed: now, or when the caller's transaction ends.
    if (results.some((r) => r.events.length > 0)) {
      const signal = this.signalOf(em);
      if (tx === undefined) signal.raise();
      else signal.afterCommitOf(tx);
    }
    return results;
  }

  /** Events of one stream in version order, from `fromVersion` (exclusive). */
  async readStream(
    em: EntityManager,
    streamId: string,
    options: { fromVersion?: number; maxCount?: number } = {},
  ): Promise<RecordedEvent[]> {
    const { rows } = await query<EventRow>(
      em,
      `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND stream_version > ? ORDER BY stream_version LIMIT ?`,
      [streamId, options.fromVersion ?? 0, options.maxCount ?? 1_000_000],
      PREPARED,
    );
    return rows.map((row) => this.toRecorded(row));
  }

  /** The current version of a stream; 0 when it has no events. */
  async streamVersion(em: EntityManager, streamId: string): Promise<number> {
    const { rows } = await query<{ version: number | null }>(
      em,
      'SELECT max(stream_version) AS version FROM events WHERE stream_id = ?',
      [streamId],
      PREPARED,
    );
    return rows[0]?.version ?? 0;
  }

  /**
   * Every event after `after`, in the safe global order of ARCHITECTURE.md
   * rule 3:
   * 1. only rows written by transactions older than every running one
   *    (`tx_id < pg_snapshot_xmin(pg_current_snapshot())`), so a transaction
   *    that took an earlier position but commits late is read later, not skipped;
   * 2. ordered by (tx_id, global_position), continued by that same pair.
   */
  async readAll(em: EntityManager, after: Position, limit: number): Promise<ReadAllPage> {
    const { rows } = await query<EventRow>(
      em,
      `SELECT ${COLUMNS} FROM events
        WHERE (tx_id, global_position) > (?::xid8, ?::bigint)
          AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY ${READ_ORDER}
        LIMIT ?`,
      [after.txId.toString(), after.globalPosition.toString(), limit],
      PREPARED,
    );
    const events = rows.map((row) => this.toRecorded(row));
    const last = rows[rows.length - 1];
    return { events, cursor: last ? Position.of(last.tx_id, last.global_position) : after };
  }

  /**
   * The position of the newest event committed now, whether or not a reader
   * may pass it yet: unlike `headPosition`, not held back by transactions
   * still running anywhere on the server (other databases included). A reader
   * that covers it has seen everything committed before this call.
   */
  async lastCommittedPosition(em: EntityManager): Promise<Position> {
    const { rows } = await query<{ tx_id: string; global_position: string }>(
      em,
      `SELECT tx_id::text AS tx_id, global_position FROM events ORDER BY ${READ_ORDER_DESC} LIMIT 1`,
      [],
      PREPARED,
    );
    const row = rows[0];
    return row ? Position.of(row.tx_id, row.global_position) : Position.start;
  }

  /** The cursor a reader reaches once it has read everything committed now. */
  async headPosition(em: EntityManager): Promise<Position> {
    const { rows } = await query<{ tx_id: string; global_position: string }>(
      em,
      `SELECT tx_id::text AS tx_id, global_position FROM events
        WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY ${READ_ORDER_DESC} LIMIT 1`,
      [],
      PREPARED,
    );
    const row = rows[0];
    return row ? Position.of(row.tx_id, row.global_position) : Position.start;
  }

  private async appendOne(em: EntityManager, request: AppendRequest, context: AppendContext): Promise<AppendResult> {
    const { streamId, expectedVersion, events } = request;
    if (events.length === 0) {
      const version = await this.streamVersion(em, streamId);
      this.check(streamId, expectedVersion, version);
      return { streamId, version, position: (await this.headPosition(em)).toString(), events: [] };
    }
    const at = this.now().toISOString();
    const payload = events.map((event) => ({
      type: event.type,
      data: event.data,
      metadata: {
        eventId: event.metadata?.eventId ?? this.newId(),
        correlationId: event.metadata?.correlationId ?? context.correlationId,
        causationId: event.metadata?.causationId ?? context.causationId,
        actor: event.metadata?.actor ?? context.actor,
        at: event.metadata?.at ?? at,
      },
    }));
    // Steps, in one statement:
    // 1. read the stream's last event: its version and its transaction id (one index probe);
    // 2. insert the batch numbered from it, only if it matches the expectation
    //    and this transaction is not older than that last event's (see below);
    // 3. a concurrent writer that got there first trips the unique
    //    (stream_id, stream_version) index, which we report as a conflict.
    //
    // Why step 2 compares transaction ids: readers order by (tx_id, position)
    // (rule 3), and a transaction takes its id at its first write or row lock,
    // not at commit. A READ COMMITTED transaction that locked something early
    // can read, and follow, events that a younger transaction committed while
    // it waited; its events would then be read before the ones they follow in
    // their own stream (a cascade's SiteDeleted before the SiteCreated it
    // deleted, leaving the site in every projection). Refused as a conflict,
    // the command is retried in a new transaction, whose id is younger.
    let rows: AppendedRow[];
    try {
      ({ rows } = await query<AppendedRow>(
        em,
        `WITH last AS (
           SELECT stream_version, tx_id FROM events WHERE stream_id = ? ORDER BY stream_version DESC LIMIT 1
         ), current AS (
           SELECT coalesce((SELECT stream_version FROM last), 0) AS version, (SELECT tx_id FROM last) AS last_tx
         ), input AS (
           SELECT e.value, e.ordinality FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS e(value, ordinality)
         )
         INSERT INTO events (event_id, stream_id, stream_version, type, data, metadata)
         SELECT (input.value->'metadata'->>'eventId')::uuid, ?, current.version + input.ordinality,
                input.value->>'type', input.value->'data', input.value->'metadata'
           FROM current, input
          WHERE ${expectationSql(expectedVersion)}
            AND (current.last_tx IS NULL OR current.last_tx <= pg_current_xact_id())
          ORDER BY input.ordinality
         RETURNING ${APPENDED_COLUMNS}`,
        [streamId, JSON.stringify(payload), streamId, ...expectationBindings(expectedVersion)],
        PREPARED,
      ));
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new ConcurrencyError(streamId, expectedVersion, await this.versionOutside(em, streamId));
      }
      throw error;
    }
    if (rows.length === 0) {
      // Nothing inserted: the version did not match, or it did and the guard of step 2 refused.
      const actual = await this.streamVersion(em, streamId);
      throw new ConcurrencyError(streamId, expectedVersion, actual, versionMatches(expectedVersion, actual));
    }
    rows.sort((a, b) => a.stream_version - b.stream_version);
    // The events as given and stamped, where the store put them (the rest of the row is what was sent).
    const recorded = rows.map((row, i): RecordedEvent => {
      const event = payload[i];
      if (!event) throw new Error('append stored more events than it was given');
      return {
        type: event.type,
        data: event.data,
        metadata: event.metadata,
        streamId,
        streamVersion: row.stream_version,
        globalPosition: row.global_position,
        position: Position.of(row.tx_id, row.global_position).toString(),
        recordedAt: new Date(row.recorded_at).toISOString(),
      };
    });
    const last = recorded[recorded.length - 1];
    if (!last) throw new Error('append stored no events');
    return { streamId, version: last.streamVersion, position: last.position, events: recorded };
  }

  private signalOf(em: EntityManager): CommitSignal {
    const knex = knexOf(em);
    let signal = this.signals.get(knex);
    if (!signal) {
      const url = em.config.get('clientUrl');
      signal = new CommitSignal(knex, typeof url === 'string' ? url : undefined);
      this.signals.set(knex, signal);
    }
    return signal;
  }

  private check(streamId: string, expected: ExpectedVersion, actual: number): void {
    if (!versionMatches(expected, actual)) throw new ConcurrencyError(streamId, expected, actual);
  }

  /**
   * After a unique violation the transaction is aborted, so the actual version
   * is read outside it (best effort: it only feeds the error message).
   */
  private async versionOutside(em: EntityManager, streamId: string): Promise<number> {
    if (em.getTransactionContext()) return -1;
    return this.streamVersion(em, streamId);
  }

  /** `any` appends never conflict for the caller: a lost race is retried (outside caller transactions). */
  private async retryAny<T>(requests: readonly AppendRequest[], inTransaction: boolean, attempt: () => Promise<T>): Promise<T> {
    const retriable = !inTransaction && requests.every((r) => r.expectedVersion === 'any');
    for (let i = 0; ; i++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(retriable && error instanceof ConcurrencyError && i < ANY_RETRIES)) throw error;
        await sleep(Math.random() * ANY_RETRY_JITTER_MS);
      }
    }
  }

  private toRecorded(row: EventRow, upcast = true): RecordedEvent {
    const stored = { type: row.type, data: row.data, metadata: row.metadata };
    const event = upcast ? this.upcasters.apply(stored) : stored;
    return {
      type: event.type,
      data: event.data,
      metadata: row.metadata,
      streamId: row.stream_id,
      streamVersion: row.stream_version,
      globalPosition: row.global_position,
      position: Position.of(row.tx_id, row.global_position).toString(),
      recordedAt: new Date(row.recorded_at).toISOString(),
    };
  }
}

function expectationSql(expected: ExpectedVersion): string {
  if (expected === 'any') return 'true';
  if (expected === 'no_stream') return 'current.version = 0';
  if (expected === 'stream_exists') return 'current.version > 0';
  return 'current.version = ?';
}

function expectationBindings(expected: ExpectedVersion): unknown[] {
  return typeof expected === 'number' ? [expected] : [];
}
