import type { ChangeKind, Event, RecordedEvent, SiteopsEvent } from '@siteops/contracts';
import { query, type EntityManager, type QueryResult } from '@siteops/event-store';
import type { ChangeSet } from './change-set';

/** A stored event of the platform's union, as the store hands it back (typed by its `type`). */
export type Recorded<E extends SiteopsEvent> = E extends Event<infer T, infer D> ? RecordedEvent<T, D> : never;
export type RecordedSiteopsEvent = Recorded<SiteopsEvent>;

/**
 * What one event handler gets: the page's transaction, and the change feed
 * to name every row it touched. During a rebuild there is no feed (one
 * `reset` row replaces it), so `changed` is then a no-op.
 */
export class ProjectionContext {
  constructor(
    readonly tx: EntityManager,
    private readonly changes: ChangeSet | undefined,
  ) {}

  /**
   * Runs a statement of the page. Every one is prepared (planned once per
   * connection, `QueryOptions.prepare`): handlers build their SQL from fixed
   * fragments only (tables and columns of a level), never from values.
   */
  sql<TRow = Record<string, unknown>>(text: string, bindings: readonly unknown[] = []): Promise<QueryResult<TRow>> {
    return query<TRow>(this.tx, text, bindings, { prepare: true });
  }

  changed(kind: ChangeKind, id: string): void {
    this.changes?.add(kind, id);
  }
}

/** The `rm_changes` id of a grant row. */
export function grantChangeId(resourceId: string, userId: string): string {
  return `${resourceId}:${userId}`;
}
