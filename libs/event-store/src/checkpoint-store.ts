import { query, type EntityManager } from './database';
import { Position } from './position';

/**
 * Named read cursors. Saving is compare-and-set: a writer that lost its
 * leadership (or raced another) learns it instead of moving a cursor back.
 */
export class CheckpointStore {
  async load(em: EntityManager, name: string): Promise<Position | undefined> {
    const { rows } = await query<{ tx_id: string; global_position: string }>(
      em,
      'SELECT tx_id::text AS tx_id, global_position FROM event_checkpoints WHERE name = ?',
      [name],
    );
    const row = rows[0];
    return row ? Position.of(row.tx_id, row.global_position) : undefined;
  }

  /** Moves `name` from `expected` (undefined = never saved) to `next`; false when it was elsewhere. */
  async compareAndSet(em: EntityManager, name: string, expected: Position | undefined, next: Position): Promise<boolean> {
    const result = expected
      ? await query(
          em,
          `UPDATE event_checkpoints SET tx_id = ?::xid8, global_position = ?, updated_at = now()
            WHERE name = ? AND tx_id = ?::xid8 AND global_position = ?`,
          [next.txId.toString(), next.globalPosition.toString(), name, expected.txId.toString(), expected.globalPosition.toString()],
          { prepare: true },
        )
      : await query(
          em,
          `INSERT INTO event_checkpoints (name, tx_id, global_position) VALUES (?, ?::xid8, ?)
           ON CONFLICT (name) DO NOTHING`,
          [name, next.txId.toString(), next.globalPosition.toString()],
        );
    return result.rowCount === 1;
  }

  /** Forgets a cursor (a projection rebuild starts again from the beginning). */
  async reset(em: EntityManager, name: string): Promise<void> {
    await query(em, 'DELETE FROM event_checkpoints WHERE name = ?', [name]);
  }
}
