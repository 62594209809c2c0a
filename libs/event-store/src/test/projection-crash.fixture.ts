/**
 * Child process for the subscription crash test: a projection that writes a
 * row per event and is killed half-way through its first batch.
 */
import { EventStore, openDatabase, query, StoreSubscription } from '../index';

async function main(): Promise<void> {
  const [databaseUrl, name] = process.argv.slice(2);
  if (!databaseUrl || !name) throw new Error('usage: projection-crash.fixture <db> <name>');
  const orm = await openDatabase({ url: databaseUrl });
  const subscription = new StoreSubscription({
    name,
    databaseUrl,
    em: orm.em,
    store: new EventStore(),
    mode: 'transactional',
    batchSize: 100,
    handle: async (events, tx) => {
      for (const [i, event] of events.entries()) {
        await query(tx, 'INSERT INTO projected (event_id) VALUES (?)', [event.metadata.eventId]);
        if (i === Math.floor(events.length / 2)) process.kill(process.pid, 'SIGKILL');
      }
    },
  });
  await subscription.start();
}

void main();
