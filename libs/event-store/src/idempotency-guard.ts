import { query, transaction, type EntityManager } from './database';

/**
 * Exactly-once effects on top of at-least-once delivery: the key of a
 * handled message and the handler's own writes commit in one transaction, so
 * a redelivery (after a crash, a relay restart, a nak) finds the key and does
 * nothing. Keys are matched exactly — never "below the last one seen", since
 * global positions do not arrive in increasing order.
 */
export class PostgresIdempotencyGuard {
  constructor(private readonly em: EntityManager) {}

  async runOnce(
    consumer: string,
    key: string,
    effect: (tx: EntityManager) => Promise<void>,
  ): Promise<'handled' | 'duplicate'> {
    return transaction(this.em, async (tx) => {
      const inserted = await query(
        tx,
        'INSERT INTO processed_events (consumer, key) VALUES (?, ?) ON CONFLICT DO NOTHING',
        [consumer, key],
      );
      if (inserted.rowCount !== 1) return 'duplicate';
      await effect(tx);
      return 'handled';
    });
  }
}
