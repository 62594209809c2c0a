import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError, type CommandMetadata, type Decider, type WriteResult } from '@siteops/contracts';
import { query, transaction, type EntityManager } from './database';
import { ConcurrencyError, type AppendContext, type AppendResult, type EventStore } from './event-store';
import { Position } from './position';

// What every command-handling service does around its deciders: load a
// stream into the decider's state, append with the right expected version
// and context, reply with where the write landed, and run it all in a
// transaction that is re-run when it loses an append race.

/** A stream folded through its decider, with what a write needs to know about it. */
export interface Loaded<TState> {
  readonly state: TState;
  /** Stream version; 0 when the stream has no events. */
  readonly version: number;
  /** Position of the stream's last event; undefined for an empty stream. */
  readonly position: string | undefined;
}

/** Reads one stream and folds it with the decider's `evolve`. */
export async function loadAggregate<TCommand, TEvent, TState>(
  em: EntityManager,
  store: EventStore,
  streamId: string,
  decider: Decider<TCommand, TEvent, TState>,
): Promise<Loaded<TState>> {
  const events = await store.readStream(em, streamId);
  // The store returns untyped events; a stream only ever holds the events its
  // decider emitted (writes go through it), so they are of its union.
  const state = events.reduce((s, e) => decider.evolve(s, e as TEvent), decider.initialState());
  const last = events[events.length - 1];
  return { state, version: last?.streamVersion ?? 0, position: last?.position };
}

/** The expected version to append at after reading a stream at `version`. */
export function expectedFrom(version: number): number | 'no_stream' {
  return version === 0 ? 'no_stream' : version;
}

/** Events carry who asked (actor), the request chain (correlation) and the command that caused them. */
export function appendContext(metadata: CommandMetadata): AppendContext {
  return { correlationId: metadata.correlationId, causationId: metadata.commandId, actor: metadata.actor };
}

/**
 * The reply of a write: the target stream's new version, and the position
 * of the last event the command stored (a reader that reached it has seen
 * the whole command, e.g. every deletion of a cascade).
 */
export function written(id: string, target: AppendResult, all: readonly AppendResult[] = [target]): WriteResult {
  const position = all
    .map((r) => Position.parse(r.position))
    .reduce<Position | undefined>((latest, p) => (p && (!latest || p.isAfter(latest)) ? p : latest), undefined);
  return { id, version: target.version, position: position?.toString() ?? target.position };
}

/** The reply of a command that changed nothing: where the stream already is. */
export async function unchanged(em: EntityManager, store: EventStore, id: string, loaded: Loaded<unknown>): Promise<WriteResult> {
  const position = loaded.position ?? (await store.headPosition(em)).toString();
  return { id, version: loaded.version, position };
}

/** A command that names a version (REST `If-Match`) is refused when the stream is elsewhere. */
export function checkPrecondition(streamId: string, expectedVersion: number | undefined, actual: number): void {
  if (expectedVersion !== undefined && expectedVersion !== actual) {
    throw new DomainError('precondition_failed', `${streamId} is at version ${actual}, not ${expectedVersion}`);
  }
}

/**
 * Serialises the commands on one stream for the rest of the transaction.
 * Busy streams (the members of an organization) then queue instead of
 * racing to append and retrying; the optimistic version check on append
 * stays the guarantee.
 */
export async function lockStream(em: EntityManager, streamId: string): Promise<void> {
  await query(em, 'SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [streamId]);
}

/** How often a command is re-run after losing a race before the caller hears `concurrency_conflict`. */
const ATTEMPTS = 5;

/** What a service makes of one failure of its command's transaction. */
export interface CommandRunnerOptions {
  /**
   * Asked before the retry rule about every failure but the caller's stale
   * `If-Match`: a `DomainError` to answer with at once (a unique index of
   * the service's own tables caught two commands claiming one name),
   * `'retry'` for a lost race the store cannot see (a deadlock between the
   * service's row locks), or undefined to leave the failure to the runner.
   */
  readFailure?: (error: unknown) => DomainError | 'retry' | undefined;
  /** The detail of the final `concurrency_conflict`; by default it names the stream that kept changing. */
  conflictDetail?: string;
}

export interface RunOptions {
  /** The stream the command targets… */
  stream?: string;
  /** …and the version the caller expects it at (REST `If-Match`). */
  expectedVersion?: number | undefined;
}

/**
 * Runs the write side of one command: a fresh transaction that reads the
 * streams it needs, decides, updates the service's write-side tables and
 * appends.
 *
 * Losing an append race means another command changed a stream between our
 * read and our append. When the caller named the version it expected, that
 * is its `precondition_failed` (412); otherwise the work is re-run on the new
 * state a few times (with a short jittered pause, so racing replicas spread
 * out) and then reported as `concurrency_conflict` (409).
 */
export class CommandRunner {
  constructor(
    private readonly em: EntityManager,
    readonly store: EventStore,
    private readonly options: CommandRunnerOptions = {},
  ) {}

  async run<T>(work: (tx: EntityManager) => Promise<T>, options: RunOptions = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await transaction(this.em, work);
      } catch (error) {
        // (A stream that is where the caller expected but was written by a younger
        // transaction is no stale If-Match: that conflict is re-run like any race.)
        if (
          error instanceof ConcurrencyError &&
          !error.olderTransaction &&
          options.expectedVersion !== undefined &&
          error.streamId === options.stream
        ) {
          throw new DomainError('precondition_failed', `${error.streamId} changed since version ${options.expectedVersion}`);
        }
        const reading = this.options.readFailure?.(error);
        if (reading instanceof DomainError) throw reading;
        if (!(error instanceof ConcurrencyError || reading === 'retry')) throw error;
        if (attempt >= ATTEMPTS) throw new DomainError('concurrency_conflict', this.conflictDetail(error));
        await sleep(Math.random() * 10 * attempt);
      }
    }
  }

  private conflictDetail(error: unknown): string {
    if (this.options.conflictDetail !== undefined) return this.options.conflictDetail;
    const what = error instanceof ConcurrencyError ? error.streamId : 'The resource';
    return `${what} kept changing while the command ran; try again`;
  }
}
