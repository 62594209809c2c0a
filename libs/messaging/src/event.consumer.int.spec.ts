import type { RecordedEvent } from '@siteops/contracts';
import { eventually } from '@siteops/testing';
import { randomUUID } from 'node:crypto';
import { encodeRecordedEvent, eventSubject, publishRecordedEvent } from './event-message.codec';
import { startEventConsumer, type EventConsumer, type EventConsumerOptions } from './event.consumer';
import { idempotent } from './idempotent.handler';
import { ensureEventStream } from './jetstream.setup';
import type { MessagingLogger } from './messaging.logger';
import { InMemoryIdempotencyGuard, type MemoryTx } from './test/in-memory-idempotency.guard';
import { delay, natsFixture, recordedEvent, type NatsFixture } from './test/nats.fixture';

/** A handler that only remembers what it saw. */
const recordInto =
  <T>(list: T[], pick: (e: RecordedEvent) => T) =>
  (e: RecordedEvent): Promise<void> => {
    list.push(pick(e));
    return Promise.resolve();
  };

const quietLogger = (): MessagingLogger & { errors: string[] } => {
  const errors: string[] = [];
  return { errors, warn: () => undefined, error: (message) => errors.push(message) };
};

describe('event consumer', () => {
  let f: NatsFixture;
  const running: EventConsumer[] = [];
  let testNo = 0;
  let category = '';
  let durable = '';

  beforeAll(async () => {
    f = await natsFixture('messaging_consumer');
    await ensureEventStream(f.jsm, f.names);
  });

  beforeEach(() => {
    // Each test reads its own stream category through its own durable, so
    // events of earlier tests in the shared stream stay out of its way.
    testNo += 1;
    category = `cat${testNo}`;
    durable = f.names.consumer('projector', `test${testNo}`);
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((c) => c.stop()));
  });

  afterAll(async () => {
    await f.cleanup();
  });

  const event = (): RecordedEvent => recordedEvent({ streamId: `${category}-${randomUUID()}` });

  async function publish(events: RecordedEvent[]): Promise<void> {
    for (const e of events) await publishRecordedEvent(f.js, f.names, e);
  }

  async function start(options: Partial<EventConsumerOptions> & Pick<EventConsumerOptions, 'handle'>): Promise<EventConsumer> {
    const consumer = await startEventConsumer({
      js: f.js,
      names: f.names,
      durable,
      filter: f.names.eventFilter(category),
      logger: quietLogger(),
      idleWaitMs: 1_000,
      ...options,
    });
    running.push(consumer);
    return consumer;
  }

  async function settled(): Promise<void> {
    await eventually(
      async () => {
        const info = await f.jsm.consumers.info(f.names.eventStream, durable);
        return info.num_pending === 0 && info.num_ack_pending === 0;
      },
      { timeoutMs: 3_000, message: 'every message acknowledged' },
    );
  }

  it('hands every event, decoded, to the handler and acknowledges it', async () => {
    const seen: RecordedEvent[] = [];
    await start({ handle: recordInto(seen, (e) => e) });
    const events = [event(), event(), event()];

    await publish(events);

    await eventually(() => seen.length === 3, { timeoutMs: 3_000 });
    expect(seen).toEqual(events);
    await settled();
  });

  it('redelivers a failed event after the consumer backoff until the handler succeeds', async () => {
    const attempts: { delivery: number; at: number }[] = [];
    await start({
      backoffMs: [150, 300],
      maxDeliver: 5,
      handle: (_e, msg) => {
        attempts.push({ delivery: msg.info.deliveryCount, at: Date.now() });
        return attempts.length < 3 ? Promise.reject(new Error('database briefly down')) : Promise.resolve();
      },
    });

    await publish([event()]);

    await eventually(() => attempts.length === 3, { timeoutMs: 3_000 });
    expect(attempts.map((a) => a.delivery)).toEqual([1, 2, 3]);
    const [first, second, third] = attempts.map((a) => a.at);
    expect(second! - first!).toBeGreaterThanOrEqual(140);
    expect(third! - second!).toBeGreaterThanOrEqual(280);
    await settled();
    await delay(400);
    expect(attempts).toHaveLength(3);
  });

  it('moves on after the last allowed delivery and says so in the log', async () => {
    const logger = quietLogger();
    const handled: string[] = [];
    const poisoned = event();
    await start({
      logger,
      backoffMs: [50],
      maxDeliver: 2,
      handle: (e) => {
        if (e.metadata.eventId === poisoned.metadata.eventId) return Promise.reject(new Error('bug in handler'));
        handled.push(e.metadata.eventId);
        return Promise.resolve();
      },
    });
    const next = event();

    await publish([poisoned, next]);

    await eventually(() => handled.includes(next.metadata.eventId), { timeoutMs: 3_000 });
    await eventually(() => logger.errors.some((m) => m.includes('last delivery')), { timeoutMs: 3_000 });
  });

  it('splits the messages of one durable between two replicas, losing none', async () => {
    const byReplica: Record<'a' | 'b', string[]> = { a: [], b: [] };
    const replica = async (name: 'a' | 'b') => {
      const nc = await f.connectAgain();
      return start({
        js: nc.jetstream(),
        batchSize: 4,
        handle: async (e) => {
          byReplica[name].push(e.metadata.eventId);
          await delay(10);
        },
      });
    };
    await replica('a');
    await replica('b');
    const events = Array.from({ length: 40 }, event);

    await publish(events);

    await eventually(() => byReplica.a.length + byReplica.b.length >= 40, { timeoutMs: 4_000 });
    await settled();
    expect(byReplica.a.length).toBeGreaterThan(0);
    expect(byReplica.b.length).toBeGreaterThan(0);
    expect([...byReplica.a, ...byReplica.b].sort()).toEqual(events.map((e) => e.metadata.eventId).sort());
  });

  it('stop() waits for the running handler, and hands the rest to the next consumer at once', async () => {
    const events = Array.from({ length: 5 }, event);
    const handledByA: string[] = [];
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    // No backoff and a long ack wait: a message the stopped consumer kept
    // would reach the next one only after 30 s.
    const settings = { backoffMs: [], ackWaitMs: 30_000, batchSize: 10, idleWaitMs: 1_000 };
    const a = await start({
      ...settings,
      handle: async (e) => {
        await blocked;
        handledByA.push(e.metadata.eventId);
      },
    });
    await publish(events);
    await delay(300);

    let stopped = false;
    const stopping = a.stop().then(() => (stopped = true));
    // Longer than the pull request can stay open: only the handler holds stop() up now.
    await delay(1_300);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(handledByA).toEqual([events[0]?.metadata.eventId]);

    const handledByB: string[] = [];
    await start({ ...settings, handle: recordInto(handledByB, (e) => e.metadata.eventId) });

    await eventually(() => handledByB.length === 4, { timeoutMs: 1_500, message: 'the rest handled by the next consumer' });
    expect(handledByB).toEqual(events.slice(1).map((e) => e.metadata.eventId));
    await settled();
  });

  it('ends its loop when the connection is drained under it, instead of spinning or hanging', async () => {
    const nc = await f.connectAgain();
    const seen: string[] = [];
    const consumer = await start({ js: nc.jetstream(), handle: recordInto(seen, (e) => e.metadata.eventId) });
    await publish([event()]);
    await eventually(() => seen.length === 1, { timeoutMs: 3_000 });

    await nc.drain();

    const ended = await Promise.race([consumer.done.then(() => true), delay(2_500).then(() => false)]);
    expect(ended).toBe(true);
  });

  it('keeps slow handlers and waiting messages from being redelivered meanwhile', async () => {
    const deliveries: number[] = [];
    // Ack wait 300 ms; each message is held for 700 ms, the second one
    // waiting all through the first one's handler.
    await start({
      backoffMs: [300],
      maxDeliver: 3,
      batchSize: 2,
      handle: async (_e, msg) => {
        deliveries.push(msg.info.deliveryCount);
        await delay(700);
      },
    });

    await publish([event(), event()]);

    await eventually(() => deliveries.length === 2, { timeoutMs: 3_000 });
    await settled();
    expect(deliveries).toEqual([1, 1]);
  });

  it('drops a message that is not a recorded event and goes on with the next', async () => {
    const logger = quietLogger();
    const seen: string[] = [];
    await start({ logger, handle: recordInto(seen, (e) => e.metadata.eventId) });
    const good = event();

    await f.js.publish(eventSubject(f.names, { streamId: `${category}-x`, type: 'SiteUpdated' }), new TextEncoder().encode('{not json'));
    await publish([good]);

    await eventually(() => seen.length === 1, { timeoutMs: 3_000 });
    await settled();
    expect(seen).toEqual([good.metadata.eventId]);
    expect(logger.errors.join('\n')).toContain('dropping stream message');
  });

  it('applies an event published twice (no Nats-Msg-Id) once with the idempotent wrapper', async () => {
    const guard = new InMemoryIdempotencyGuard();
    let deliveries = 0;
    const effect = idempotent(guard, durable, async (e: RecordedEvent, tx: MemoryTx) => {
      deliveries += 1;
      tx.write(e.metadata.eventId);
      await Promise.resolve();
    });
    let calls = 0;
    await start({
      handle: async (e, msg) => {
        calls += 1;
        await effect(e, msg);
      },
    });
    const twice = event();
    const once = event();

    for (const e of [twice, twice, once]) await f.js.publish(eventSubject(f.names, e), encodeRecordedEvent(e));

    await eventually(() => calls === 3, { timeoutMs: 3_000 });
    await settled();
    expect(deliveries).toBe(2);
    expect(guard.committed).toEqual([twice.metadata.eventId, once.metadata.eventId]);
  });

  it('does not repeat the effect when an event is redelivered after it was applied', async () => {
    const guard = new InMemoryIdempotencyGuard();
    const effect = idempotent(guard, durable, (e: RecordedEvent, tx: MemoryTx) => {
      tx.write(e.metadata.eventId);
      return Promise.resolve();
    });
    const deliveries: number[] = [];
    await start({
      backoffMs: [50],
      maxDeliver: 3,
      handle: async (e, msg) => {
        deliveries.push(msg.info.deliveryCount);
        await effect(e, msg);
        // The effect committed but the process "dies" before the ack.
        if (msg.info.deliveryCount === 1) throw new Error('crashed before ack');
      },
    });
    const e = event();

    await publish([e]);

    await eventually(() => deliveries.length === 2, { timeoutMs: 3_000 });
    await settled();
    expect(deliveries).toEqual([1, 2]);
    expect(guard.committed).toEqual([e.metadata.eventId]);
  });
});
