import { DomainError, type CommandMetadata, type Decider, type WriteResult } from '@siteops/contracts';
import { Position, type AppendContext, type AppendResult, type EntityManager, type EventStore } from '@siteops/event-store';

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
