import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { AckPolicy, connect, type JetStreamManager, type NatsConnection } from 'nats';
import { Client } from 'pg';
import { createTestDatabase, eventually, testServers, uniqueName, type TestDatabase, runFixture } from '@siteops/testing';
import path from 'node:path';
import type { RecordedEvent } from '@siteops/contracts';
import { migrate, openDatabase, query } from './database';
import { EventStore } from './event-store';
import { eventStoreMigrations } from './event-store.migrations';
import { CheckpointStore } from './checkpoint-store';
import { PostgresIdempotencyGuard } from './idempotency-guard';
import { EventRelay } from './relay';
import { createEventStream } from './test/relay-fixtures';

const ctx = { correlationId: 'c', causationId: 'c', actor: 'test' };

describe('EventRelay (PostgreSQL → JetStream)', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const store = new EventStore();
  const streamsToDelete: string[] = [];
  const relays: EventRelay[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('relay');
    orm = await openDatabase({ url: db.url, migrations: eventStoreMigrations });
    await migrate(orm);
    await query(orm.em.fork(), 'CREATE TABLE effects (event_id uuid NOT NULL)');
    nc = await connect({ servers: testServers.natsUrl });
    jsm = await nc.jetstreamManager();
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    // Each test relays its own events from the start of a fresh checkpoint name.
    await query(orm.em.fork(), 'DELETE FROM events');
    await query(orm.em.fork(), 'DELETE FROM event_checkpoints');
  });

  afterAll(async () => {
    for (const name of streamsToDelete) await jsm.streams.delete(name).catch(() => undefined);
    await nc.drain();
    await orm.close(true);
    await db.drop();
  });

  async function newPrefix(duplicateWindowMs = 120_000): Promise<{ prefix: string; stream: string }> {
    const prefix = uniqueName('relay');
    const stream = await createEventStream(jsm, prefix, duplicateWindowMs);
    streamsToDelete.push(stream);
    return { prefix, stream };
  }

  function startRelay(prefix: string, pollIntervalMs = 50): EventRelay {
    const relay = new EventRelay({ databaseUrl: db.url, em: orm.em, store, js: nc.jetstream(), natsPrefix: prefix, pollIntervalMs });
    relays.push(relay);
    void relay.start();
    return relay;
  }

  async function appendEvents(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const result = await store.append(orm.em.fork(), `thing-${randomUUID()}`, 'no_stream', [{ type: 'ThingHappened', data: { i } }], ctx);
      ids.push(result.events[0]!.metadata.eventId);
    }
    return ids;
  }

  /** Everything in the JetStream stream, in stream order. */
  async function readStream(stream: string): Promise<{ event: RecordedEvent; msgId: string | undefined; subject: string }[]> {
    const info = await jsm.streams.info(stream);
    const total = info.state.messages;
    if (total === 0) return [];
    const consumer = await nc.jetstream().consumers.get(stream);
    const out: { event: RecordedEvent; msgId: string | undefined; subject: string }[] = [];
    while (out.length < total) {
      const batch = await consumer.fetch({ max_messages: total - out.length, expires: 2000 });
      for await (const m of batch) {
        out.push({ event: m.json<RecordedEvent>(), msgId: m.headers?.get('Nats-Msg-Id'), subject: m.subject });
      }
    }
    return out;
  }

  async function headCovered(relay: EventRelay): Promise<boolean> {
    const head = await store.headPosition(orm.em.fork());
    return relay.cursor?.covers(head) ?? false;
  }

  it('publishes every event with Nats-Msg-Id = eventId on a per-category subject', async () => {
    const { prefix, stream } = await newPrefix();
    const ids = await appendEvents(5);
    const relay = startRelay(prefix);
    await eventually(() => headCovered(relay), { message: 'relay to catch up' });
    const messages = await readStream(stream);
    expect(messages.map((m) => m.event.metadata.eventId)).toEqual(ids);
    expect(messages.every((m) => m.msgId === m.event.metadata.eventId)).toBe(true);
    expect(messages[0]!.subject).toBe(`${prefix}.events.thing.ThingHappened`);
    expect(messages[0]!.event.position).toMatch(/^\d+\.\d+$/);
  });

  it('never skips a late-committing transaction, and reads it as soon as it commits, woken or not', async () => {
    const { prefix, stream } = await newPrefix();
    // Polling would take ten minutes: the appends wake the relay, and the held-back read is retried by itself.
    const relay = startRelay(prefix, 600_000);
    await eventually(() => relay.cursor !== undefined || relays.length > 0);

    const slow = new Client({ connectionString: db.url });
    await slow.connect();
    try {
      await slow.query('BEGIN');
      const slowId = randomUUID();
      await slow.query(
        `INSERT INTO events (event_id, stream_id, stream_version, type, data, metadata) VALUES ($1, $2, 1, 'ThingHappened', '{}', $3)`,
        [slowId, `thing-${randomUUID()}`, JSON.stringify({ eventId: slowId })],
      );
      const fastIds = await appendEvents(3);
      // The open transaction holds the horizon: nothing may pass it.
      await new Promise((r) => setTimeout(r, 300));
      expect((await jsm.streams.info(stream)).state.messages).toBe(0);

      await slow.query('COMMIT');
      await eventually(async () => (await jsm.streams.info(stream)).state.messages === 4, { message: '4 relayed events' });
      const messages = await readStream(stream);
      expect(messages.map((m) => m.event.metadata.eventId)).toEqual([slowId, ...fastIds]);
    } finally {
      await slow.end();
    }
  });

  it('killed between publish and checkpoint: after restart JetStream holds each event once', async () => {
    const { prefix, stream } = await newPrefix();
    const ids = await appendEvents(40);
    const ended = await runFixture(path.join(__dirname, 'test/relay-crash.fixture.ts'), [db.url, testServers.natsUrl, prefix]);
    expect(ended).toBe('SIGKILL');
    expect((await jsm.streams.info(stream)).state.messages).toBe(40);
    expect(await new CheckpointStore().load(orm.em.fork(), 'relay')).toBeUndefined();

    const relay = startRelay(prefix);
    await eventually(() => headCovered(relay), { message: 'restarted relay to catch up' });
    const messages = await readStream(stream);
    expect(messages.map((m) => m.event.metadata.eventId)).toEqual(ids);
  });

  it('beyond the duplicate window the idempotent consumer still applies each event once', async () => {
    const { prefix, stream } = await newPrefix(100);
    const ids = await appendEvents(25);
    expect(await runFixture(path.join(__dirname, 'test/relay-crash.fixture.ts'), [db.url, testServers.natsUrl, prefix])).toBe('SIGKILL');
    await new Promise((r) => setTimeout(r, 300)); // outlive the 100 ms window
    const relay = startRelay(prefix);
    await eventually(() => headCovered(relay), { message: 'restarted relay to catch up' });
    // The wire carried every event twice…
    expect((await jsm.streams.info(stream)).state.messages).toBe(50);

    // …and a consumer guarded by global position applies each once.
    const durable = uniqueName('effects');
    await jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit });
    const consumer = await nc.jetstream().consumers.get(stream, durable);
    const guard = new PostgresIdempotencyGuard(orm.em);
    let delivered = 0;
    while (delivered < 50) {
      const batch = await consumer.fetch({ max_messages: 50 - delivered, expires: 2000 });
      for await (const m of batch) {
        const event = m.json<RecordedEvent>();
        await guard.runOnce(durable, event.globalPosition, (tx) =>
          query(tx, 'INSERT INTO effects (event_id) VALUES (?)', [event.metadata.eventId]).then(() => undefined),
        );
        m.ack();
        delivered++;
      }
    }
    const { rows } = await query<{ event_id: string }>(orm.em.fork(), 'SELECT event_id FROM effects');
    expect(rows.map((r) => r.event_id).sort()).toEqual([...ids].sort());
  });
});
