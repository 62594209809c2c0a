import type { ChangeKind } from '@siteops/contracts';
import { query, type EntityManager } from '@siteops/event-store';

/** Written by every page: planned once per connection (`QueryOptions.prepare`). */
const PREPARED = { prepare: true } as const;

/**
 * The rows one page touched, each named once: a gateway reloads a named row
 * in its final state, so a row created and then renamed in the same page
 * needs one `rm_changes` entry, not two. First-touch order is kept.
 */
export class ChangeSet {
  private readonly entries = new Map<string, readonly [ChangeKind, string]>();

  add(kind: ChangeKind, id: string): void {
    const key = `${kind}\u0000${id}`;
    if (!this.entries.has(key)) this.entries.set(key, [kind, id]);
  }

  get size(): number {
    return this.entries.size;
  }

  list(): (readonly [ChangeKind, string])[] {
    return [...this.entries.values()];
  }
}

/**
 * Writes the page's feed in the page's transaction and returns the highest
 * `rm_changes.seq` after it, which is what the wake-up message announces.
 * A page that touched nothing still reports the current maximum, so a
 * gateway waiting on a position sees it reached.
 */
export async function writeChanges(tx: EntityManager, changes: ChangeSet): Promise<string> {
  if (changes.size === 0) return maxChangeSeq(tx);
  // One statement for the whole page; the ordinality keeps seq in touch order.
  // (The CTE's rows are not visible to the outer max of the table, hence both.)
  const { rows } = await query<{ seq: string }>(
    tx,
    `WITH added AS (
       INSERT INTO rm_changes (kind, id)
       SELECT c.value->>0, c.value->>1
         FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS c(value, ordinality)
        ORDER BY c.ordinality
       RETURNING seq
     )
     SELECT greatest((SELECT max(seq) FROM added), (SELECT max(seq) FROM rm_changes), 0)::text AS seq`,
    [JSON.stringify(changes.list())],
    PREPARED,
  );
  return rows[0]?.seq ?? '0';
}

export async function maxChangeSeq(em: EntityManager): Promise<string> {
  const { rows } = await query<{ seq: string }>(em, 'SELECT coalesce(max(seq), 0)::text AS seq FROM rm_changes', [], PREPARED);
  return rows[0]?.seq ?? '0';
}
