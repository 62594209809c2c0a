import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { RecordedEvent } from '@siteops/contracts';
import { EventStore, eventStoreMigrations, migrate, openDatabase, PostgresIdempotencyGuard, query } from '@siteops/event-store';
import { createTestDatabase, eventually, runFixture, testServers, uniqueName, type TestDatabase } from '@siteops/testing';
import { startEventConsumer, type EventConsumer } from './event.consumer';
import { idempotent } from './idempotent.handler';
import { ensureEventStream } from './jetstream.setup';
import { publishRecordedEvent } from './event-message.codec';
import { natsFixture, type NatsFixture } from './test/nats.fixture';

describe('a consumer that crashes mid-batch (real JetStream + PostgreSQL)', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let nats: NatsFixture;
  let consumer: EventConsumer | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('consumer_crash');
    orm = await openDatabase({ url: db.url, migrations: eventStoreMigrations });
    await migrate(orm);
    await query(orm.em.fork(), 'CREATE TABLE effects (event_id uuid NOT NULL)');
    nats = await natsFixture('consumer_crash');
    await ensureEventStream(nats.jsm, nats.names);
  });

  afterAll(async () => {
    await consumer?.stop();
    await nats.cleanup();
    await orm.close(true);
    await db.drop();
  });

  it('applies every event exactly once in effect after a restart', async () => {
    // 1. Store 60 events and publish them as the relay does.
    const store = new EventStore();
    const events: RecordedEvent[] = [];
    for (let i = 0; i < 60; i++) {
      const result = await store.append(orm.em.fork(), `item-${randomUUID()}`, 'no_stream', [{ type: 'ItemAdded', data: { i } }], {
        correlationId: 'c',
        causationId: 'c',
        actor: 'test',
      });
      events.push(...result.events);
    }
    for (const event of events) await publishRecordedEvent(nats.js, nats.names, event);

    // 2. The first consumer dies after 25 committed effects, the 25th unacknowledged.
    const durable = uniqueName('effects');
    const ended = await runFixture(path.join(__dirname, 'test/consumer-crash.fixture.ts'), [
      db.url,
      testServers.natsUrl,
      nats.names.prefix,
      durable,
      '25',
    ]);
    expect(ended).toBe('SIGKILL');
    const count = async () => Number((await query<{ n: string }>(orm.em.fork(), 'SELECT count(*) AS n FROM effects')).rows[0]?.n);
    expect(await count()).toBe(25);

    // 3. A restarted consumer on the same durable finishes the work.
    const duplicates: string[] = [];
    const guard = new PostgresIdempotencyGuard(orm.em);
    consumer = await startEventConsumer({
      js: nats.js,
      names: nats.names,
      durable,
      ackWaitMs: 1000,
      backoffMs: [1000],
      handle: idempotent(
        guard,
        durable,
        async (event, tx) => {
          await query(tx, 'INSERT INTO effects (event_id) VALUES (?)', [event.metadata.eventId]);
        },
        { onDuplicate: (event) => duplicates.push(event.metadata.eventId) },
      ),
    });
    await eventually(
      async () => {
        const info = await nats.jsm.consumers.info(nats.names.eventStream, durable);
        return info.num_pending === 0 && info.num_ack_pending === 0 && (await count()) === 60;
      },
      { timeoutMs: 20_000, message: 'all 60 events handled and acknowledged' },
    );
    const { rows } = await query<{ event_id: string }>(orm.em.fork(), 'SELECT event_id FROM effects');
    expect(rows.map((r) => r.event_id).sort()).toEqual(events.map((e) => e.metadata.eventId).sort());
    // The event whose effect committed before the crash came back and was recognised.
    expect(duplicates.length).toBeGreaterThanOrEqual(1);
  });
});
