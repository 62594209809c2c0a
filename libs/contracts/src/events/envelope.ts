/**
 * Every event carries this metadata (SPEC §8). `actor` is a user id, or
 * `system:<service>` for events a service emits on its own.
 */
export interface EventMetadata {
  readonly eventId: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly actor: string;
  readonly at: string;
}

/** An event as the domain sees it: plain readonly data. */
export interface Event<TType extends string = string, TData = unknown> {
  readonly type: TType;
  readonly data: TData;
  readonly metadata: EventMetadata;
}

/** An event before it is stored: metadata is added when it is appended. */
export interface NewEvent<TType extends string = string, TData = unknown> {
  readonly type: TType;
  readonly data: TData;
  readonly metadata?: Partial<EventMetadata>;
}

/**
 * An event as read back from the store or the bus. `position` is the opaque
 * read-cursor token (ARCHITECTURE.md, event-store rule 3).
 */
export interface RecordedEvent<TType extends string = string, TData = unknown> extends Event<TType, TData> {
  readonly streamId: string;
  readonly streamVersion: number;
  readonly globalPosition: string;
  readonly position: string;
  readonly recordedAt: string;
}

/** Picks one member of an event union by its type. */
export type EventOfType<TUnion extends Event, TType extends TUnion['type']> = Extract<TUnion, { type: TType }>;

export type NewEventOf<TUnion extends Event> = TUnion extends Event<infer T, infer D> ? NewEvent<T, D> : never;
