import { query, type EntityManager } from '@siteops/event-store';

/**
 * How long the oldest event the projection has not applied yet has been
 * waiting, in seconds (0 when caught up). It reads the shared checkpoint, so
 * a standby replica reports the leader's lag, and a projection that nobody
 * leads shows up as a growing lag as soon as anything is appended.
 */
export async function projectionLagSeconds(em: EntityManager, checkpoint: string): Promise<number> {
  const { rows } = await query<{ lag: number | string | null }>(
    em,
    `WITH cp AS (
       SELECT coalesce((SELECT tx_id FROM event_checkpoints WHERE name = ?), '0'::xid8) AS tx_id,
              coalesce((SELECT global_position FROM event_checkpoints WHERE name = ?), 0) AS global_position
     )
     SELECT extract(epoch FROM clock_timestamp() - e.recorded_at)::float8 AS lag
       FROM events e, cp
      WHERE (e.tx_id, e.global_position) > (cp.tx_id, cp.global_position)
        AND e.tx_id < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY e.tx_id, e.global_position
      LIMIT 1`,
    [checkpoint, checkpoint],
  );
  const lag = rows[0]?.lag;
  return lag === undefined || lag === null ? 0 : Math.max(0, Number(lag));
}

/** Readiness rule: ready unless the projection has fallen more than `maxLagSeconds` behind. */
export function lagProblem(lagSeconds: number, maxLagSeconds: number): string | undefined {
  if (lagSeconds <= maxLagSeconds) return undefined;
  return `read models are ${lagSeconds.toFixed(1)} s behind the event store (limit ${maxLagSeconds} s)`;
}
