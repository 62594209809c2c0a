/**
 * Child process for the relay crash test: relays one page, then dies with
 * SIGKILL after JetStream acked the publishes and before the checkpoint is
 * saved — the window rule 4 is about.
 */
import { connect } from 'nats';
import { EventRelay, EventStore, openDatabase } from '../index';

async function main(): Promise<void> {
  const [databaseUrl, natsUrl, prefix] = process.argv.slice(2);
  if (!databaseUrl || !natsUrl || !prefix) throw new Error('usage: relay-crash.fixture <db> <nats> <prefix>');
  const orm = await openDatabase({ url: databaseUrl });
  const nc = await connect({ servers: natsUrl });
  const relay = new EventRelay({
    databaseUrl,
    em: orm.em,
    store: new EventStore(),
    js: nc.jetstream(),
    natsPrefix: prefix,
    batchSize: 10_000,
    beforeCheckpoint: () => {
      process.kill(process.pid, 'SIGKILL');
      return new Promise(() => undefined);
    },
  });
  await relay.start();
}

void main();
