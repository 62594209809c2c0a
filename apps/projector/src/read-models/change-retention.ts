import { query, type EntityManager } from '@siteops/event-store';

/** How much of `rm_changes` the projector keeps. */
export interface ChangeRetention {
  /** Rows younger than this stay (by `rm_changes.at`). */
  keepSeconds: number;
  /** The newest this many rows stay, however old. At least 1. */
  keepRows: number;
  /** At most one prune per this period (a page that is due prunes; an idle projector adds no rows). */
  everyMs: number;
  /** At most this many seqs are deleted per prune, so a long-neglected feed is worked off in steps. */
  maxRowsPerPrune: number;
}

/**
 * Gateways read the feed every 250 ms and look for a skipped seq again for
 * 30 s, so ten minutes is far beyond any healthy gateway's lag; one that
 * stalls for longer falls behind the recorded horizon and reloads everything,
 * which costs it a snapshot, never a change. The row floor keeps a burst
 * (a busy minute can name more rows than ten quiet hours) followable too.
 */
export const DEFAULT_CHANGE_RETENTION: ChangeRetention = {
  keepSeconds: 600,
  keepRows: 10_000,
  everyMs: 60_000,
  maxRowsPerPrune: 50_000,
};

export interface PruneResult {
  /** Rows deleted. */
  deleted: number;
  /** `rm_changes_horizon.pruned_through` after the prune. */
  prunedThrough: string;
  /** The prune stopped at `maxRowsPerPrune`: more rows are due. */
  more: boolean;
}

/**
 * Deletes the `rm_changes` rows outside the retention and records the highest
 * deleted seq as the horizon, inside `tx`, which must hold the read-model
 * writer lock: then no writer of the feed is in flight, so no row below the
 * bound can still appear after the delete.
 *
 * 1. The bound is the seq before the `keepRows`-th newest row (nothing when
 *    there are fewer rows), capped at `maxRowsPerPrune` seqs above the oldest.
 * 2. It is lowered to just below the first row young enough to keep, looking
 *    only at rows under the bound (a primary-key range scan).
 * 3. One DELETE by that bound, and the horizon moved in the same statement.
 */
export async function pruneChanges(tx: EntityManager, retention: ChangeRetention): Promise<PruneResult | undefined> {
  const keepRows = Math.max(1, Math.floor(retention.keepRows));
  const maxRows = Math.max(1, Math.floor(retention.maxRowsPerPrune));
  // 1.
  const { rows: ends } = await query<{ newest_kept: string | null; oldest: string | null }>(
    tx,
    `SELECT (SELECT seq FROM rm_changes ORDER BY seq DESC OFFSET ? LIMIT 1)::text AS newest_kept,
            (SELECT min(seq) FROM rm_changes)::text AS oldest`,
    [keepRows - 1],
  );
  const { newest_kept: newestKept, oldest } = ends[0] ?? { newest_kept: null, oldest: null };
  if (newestKept === null || oldest === null) return undefined;
  const byCount = BigInt(newestKept) - 1n;
  const byBatch = BigInt(oldest) + BigInt(maxRows) - 1n;
  const capped = byBatch < byCount;
  const bound = capped ? byBatch : byCount;
  // 2.
  const { rows: young } = await query<{ seq: string | null }>(
    tx,
    `SELECT min(seq)::text AS seq FROM rm_changes
      WHERE seq BETWEEN ?::bigint AND ?::bigint AND at >= now() - make_interval(secs => ?)`,
    [oldest, bound.toString(), retention.keepSeconds],
  );
  const firstYoung = young[0]?.seq ?? null;
  const through = firstYoung === null ? bound : BigInt(firstYoung) - 1n;
  if (through < BigInt(oldest)) return undefined;
  // 3.
  const { rows } = await query<{ pruned_through: string; deleted: number }>(
    tx,
    `WITH pruned AS (DELETE FROM rm_changes WHERE seq <= ?::bigint RETURNING seq)
     UPDATE rm_changes_horizon SET pruned_through = greatest(pruned_through, (SELECT max(seq) FROM pruned))
     RETURNING pruned_through::text AS pruned_through, (SELECT count(*) FROM pruned)::int AS deleted`,
    [through.toString()],
  );
  const result = rows[0];
  if (!result) throw new Error('rm_changes_horizon has no row');
  return { deleted: result.deleted, prunedThrough: result.pruned_through, more: capped && firstYoung === null };
}

/** The recorded horizon: every `rm_changes` row up to it has been deleted. */
export async function changesPrunedThrough(em: EntityManager): Promise<string> {
  const { rows } = await query<{ pruned_through: string }>(em, 'SELECT pruned_through::text AS pruned_through FROM rm_changes_horizon');
  return rows[0]?.pruned_through ?? '0';
}
