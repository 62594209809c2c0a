import { type CommandMetadata, type Decider, type WriteResult } from '@siteops/contracts';
import { query, type AppendContext, type AppendResult, type EntityManager, type EventStore } from '@siteops/event-store';

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

/** The reply of a write: the stream's new version and the store position to wait on. */
export function written(id: string, result: AppendResult): WriteResult {
  return { id, version: result.version, position: result.position };
}

/** The reply of a command that changed nothing: where the stream already is. */
export async function unchanged(em: EntityManager, store: EventStore, id: string, loaded: Loaded<unknown>): Promise<WriteResult> {
  const position = loaded.position ?? (await store.headPosition(em)).toString();
  return { id, version: loaded.version, position };
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
