import type { RecordedEvent } from '@siteops/contracts';
import type { JsMsg } from 'nats';
import type { EventHandler } from './event.consumer';

/**
 * Runs an effect at most once per (consumer, key), however often the event
 * that triggers it is delivered.
 *
 * Contract for implementations (the PostgreSQL one lives in libs/event-store):
 * - the effect and the record of `key` commit in ONE transaction, handed to the
 *   effect as `tx`; if the effect throws, neither is kept and the next delivery
 *   runs it again;
 * - a key already recorded for `consumer` returns `'duplicate'` without running
 *   the effect; two concurrent calls with one key run it once (the loser waits
 *   for the winner's transaction, e.g. on a unique index, and then sees the key);
 * - keys are compared for equality only. Never "key <= highest seen": global
 *   positions are not delivered in increasing order (ARCHITECTURE.md, event
 *   store rules 3 and 4), so an ordering check would drop events.
 */
export interface IdempotencyGuard<TTx> {
  runOnce(consumer: string, key: string, effect: (tx: TTx) => Promise<void>): Promise<'handled' | 'duplicate'>;
}

/** An event handler whose effect runs inside the guard's transaction. */
export type TransactionalEventHandler<TTx> = (event: RecordedEvent, tx: TTx, msg: JsMsg) => Promise<void>;

export interface IdempotentOptions {
  /** Told about each delivery that was already handled, e.g. for a metric. */
  onDuplicate?: (event: RecordedEvent) => void;
}

/**
 * Wraps a handler for `startEventConsumer` so redeliveries and republished
 * events do not repeat its effect. The key is the event's global position,
 * which identifies one stored event exactly (as its event id does).
 */
export function idempotent<TTx>(
  guard: IdempotencyGuard<TTx>,
  consumerName: string,
  handler: TransactionalEventHandler<TTx>,
  options: IdempotentOptions = {},
): EventHandler {
  return async (event, msg) => {
    const outcome = await guard.runOnce(consumerName, event.globalPosition, (tx) => handler(event, tx, msg));
    if (outcome === 'duplicate') options.onDuplicate?.(event);
  };
}
