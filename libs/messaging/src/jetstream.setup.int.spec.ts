import { AckPolicy, DeliverPolicy, StorageType, nanos } from 'nats';
import { publishRecordedEvent } from './event-message.codec';
import { ensureDurableConsumer, ensureEventStream } from './jetstream.setup';
import { natsFixture, recordedEvent, type NatsFixture } from './test/nats.fixture';

describe('JetStream setup', () => {
  let f: NatsFixture;

  beforeAll(async () => {
    f = await natsFixture('messaging_setup');
  });

  afterAll(async () => {
    await f.cleanup();
  });

  it('creates the event stream on file storage with a 2 minute duplicate window, and updates it in place', async () => {
    const created = await ensureEventStream(f.jsm, f.names);
    expect(created.config).toMatchObject({
      name: f.names.eventStream,
      subjects: [f.names.eventFilter()],
      storage: StorageType.File,
      duplicate_window: nanos(120_000),
    });
    await publishRecordedEvent(f.js, f.names, recordedEvent());

    const updated = await ensureEventStream(f.jsm, f.names, { duplicateWindowMs: 30_000, maxAgeMs: 60 * 60_000, maxMessages: 10_000 });

    expect(updated.config).toMatchObject({ duplicate_window: nanos(30_000), max_age: nanos(60 * 60_000), max_msgs: 10_000 });
    expect(updated.state.messages).toBe(1);
  });

  it('drops a republished event with the same id inside the duplicate window', async () => {
    await ensureEventStream(f.jsm, f.names);
    const event = recordedEvent();
    const before = (await f.jsm.streams.info(f.names.eventStream)).state.messages;

    const first = await publishRecordedEvent(f.js, f.names, event);
    const second = await publishRecordedEvent(f.js, f.names, event);

    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    expect((await f.jsm.streams.info(f.names.eventStream)).state.messages).toBe(before + 1);
  });

  it('creates a durable pull consumer with explicit acks, backoff and a filter, and updates changed settings', async () => {
    await ensureEventStream(f.jsm, f.names);
    const durable = f.names.consumer('deployer', 'config-changes');
    const filterSubjects = f.names.eventFilter('effective');

    const created = await ensureDurableConsumer(f.jsm, f.names, { durable, filterSubjects, maxDeliver: 5, backoffMs: [100, 1_000] });

    expect(created.config).toMatchObject({
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_deliver: 5,
      backoff: [nanos(100), nanos(1_000)],
      ack_wait: nanos(100),
      filter_subject: filterSubjects,
    });
    // A pull consumer: no push subject to deliver to.
    expect(created.config).not.toHaveProperty('deliver_subject');

    const updated = await ensureDurableConsumer(f.jsm, f.names, { durable, filterSubjects, maxDeliver: 8, backoffMs: [200, 1_000, 5_000] });

    expect(updated.config).toMatchObject({ max_deliver: 8, backoff: [nanos(200), nanos(1_000), nanos(5_000)] });
    expect((await f.jsm.consumers.info(f.names.eventStream, durable)).config.max_deliver).toBe(8);
  });

  it('refuses a max_deliver that leaves no room for the backoff steps', async () => {
    await expect(
      ensureDurableConsumer(f.jsm, f.names, { durable: f.names.consumer('projector', 'x'), maxDeliver: 2, backoffMs: [100, 200] }),
    ).rejects.toThrow('maxDeliver (2) must exceed the number of backoff steps (2)');
  });

  it('applies several filter subjects, or says the server cannot (NATS < 2.10) instead of consuming everything', async () => {
    await ensureEventStream(f.jsm, f.names);
    const durable = f.names.consumer('projector', 'tree');
    const filterSubjects = [f.names.eventFilter('organization'), f.names.eventFilter('project')];
    const [major = 0, minor = 0] = f.nc.info?.version.split('.').map(Number) ?? [];
    const supported = major > 2 || (major === 2 && minor >= 10);

    const attempt = ensureDurableConsumer(f.jsm, f.names, { durable, filterSubjects });

    if (supported) {
      await expect(attempt).resolves.toMatchObject({ config: { filter_subjects: filterSubjects } });
    } else {
      await expect(attempt).rejects.toThrow(/requires server 2\.10/);
      const names: string[] = [];
      for await (const c of f.jsm.consumers.list(f.names.eventStream)) names.push(c.name);
      expect(names).not.toContain(durable);
    }
  });
});
