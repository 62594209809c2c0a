/**
 * Child process for the consumer crash test: an idempotent consumer whose
 * effects commit in PostgreSQL, killed (SIGKILL) right after the effect of
 * its Nth event committed and before that event was acknowledged, with more
 * of the batch still in flight.
 */
import { natsNames } from '@siteops/contracts';
import { openDatabase, PostgresIdempotencyGuard, query } from '@siteops/event-store';
import { connect } from 'nats';
import { startEventConsumer } from '../event.consumer';
import { idempotent } from '../idempotent.handler';

async function main(): Promise<void> {
  const [databaseUrl, natsUrl, prefix, durable, killAfterText] = process.argv.slice(2);
  if (!databaseUrl || !natsUrl || !prefix || !durable || !killAfterText) throw new Error('usage: consumer-crash.fixture <db> <nats> <prefix> <durable> <n>');
  const killAfter = Number(killAfterText);
  const orm = await openDatabase({ url: databaseUrl });
  const nc = await connect({ servers: natsUrl });
  const guard = new PostgresIdempotencyGuard(orm.em);
  let handled = 0;
  const effect = idempotent(guard, durable, async (event, tx) => {
    await query(tx, 'INSERT INTO effects (event_id) VALUES (?)', [event.metadata.eventId]);
  });
  await startEventConsumer({
    js: nc.jetstream(),
    names: natsNames(prefix),
    durable,
    batchSize: 16,
    ackWaitMs: 1000,
    backoffMs: [1000],
    handle: async (event, msg) => {
      await effect(event, msg);
      handled += 1;
      if (handled === killAfter) process.kill(process.pid, 'SIGKILL');
    },
  });
}

void main();
