import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createTestDatabase, eventually, type TestDatabase, runFixture } from '@siteops/testing';
import path from 'node:path';
import { migrate, openDatabase, query, transaction, type EntityManager } from './database';
import { EventStore } from './event-store';
import { eventStoreMigrations } from './event-store.migrations';
import { StoreSubscription } from './subscription';

const ctx = { correlationId: 'c', causationId: 'c', actor: 'test' };

describe('StoreSubscription', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  /**
   * A second connection pool that this process does not know as the
   * subscriptions' database (another URL for it), so its appends reach
   * them only as a notification, as another process's do.
   */
  let other: MikroORM;
  const store = new EventStore();
  const running: StoreSubscription[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('subscription');
    orm = await openDatabase({ url: db.url, migrations: eventStoreMigrations });
    await migrate(orm);
    other = await openDatabase({ url: `${db.url}?application_name=siteops-other-writer` });
    await query(orm.em.fork(), 'CREATE TABLE projected (event_id uuid NOT NULL, by text)');
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
    await query(orm.em.fork(), 'DELETE FROM projected');
    await query(orm.em.fork(), 'DELETE FROM events');
  });

  afterAll(async () => {
    await other.close(true);
    await orm.close(true);
    await db.drop();
  });

  async function appendEvents(count: number): Promise<string[]> {
    const results = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        store.append(orm.em.fork(), `item-${randomUUID()}`, 'no_stream', [{ type: 'ItemAdded', data: { i } }], ctx),
      ),
    );
    return results.map((r) => r.events[0]!.metadata.eventId);
  }

  function project(name: string, by = 'a', handleHook?: () => void, pollIntervalMs = 50): StoreSubscription {
    const subscription = new StoreSubscription({
      name,
      databaseUrl: db.url,
      em: orm.em,
      store,
      mode: 'transactional',
      batchSize: 50,
      pollIntervalMs,
      handle: async (events, tx: EntityManager) => {
        handleHook?.();
        for (const e of events) await query(tx, 'INSERT INTO projected (event_id, by) VALUES (?, ?)', [e.metadata.eventId, by]);
      },
    });
    running.push(subscription);
    void subscription.start();
    return subscription;
  }

  async function projectedIds(): Promise<string[]> {
    const { rows } = await query<{ event_id: string }>(orm.em.fork(), 'SELECT event_id FROM projected');
    return rows.map((r) => r.event_id);
  }

  it('catches up, then follows new events live', async () => {
    const before = await appendEvents(120);
    const name = `p-${randomUUID()}`;
    project(name);
    await eventually(async () => (await projectedIds()).length === 120);
    const after = await appendEvents(5);
    await eventually(async () => (await projectedIds()).length === 125, { timeoutMs: 3000 });
    expect((await projectedIds()).sort()).toEqual([...before, ...after].sort());
  });

  /** Appends from a writer of this process (`orm`) or from one that is not (`other`), in a transaction or on its own. */
  async function appendOne(writer: MikroORM, inTransaction: boolean): Promise<string> {
    const append = (em: EntityManager) => store.append(em, `item-${randomUUID()}`, 'no_stream', [{ type: 'ItemAdded', data: {} }], ctx);
    // Inside a savepoint of a caller's transaction: the wake-up waits for the outer commit.
    const result = inTransaction
      ? await transaction(writer.em, (tx) => transaction(tx, append))
      : await append(writer.em.fork());
    return result.events[0]!.metadata.eventId;
  }

  it.each([
    ['in this process, which wakes it directly', () => orm],
    ['in another process, whose notification wakes it', () => other],
  ])('is woken by the commits of a writer %s, long before it would poll', async (_label, writer) => {
    const name = `wake-${randomUUID()}`;
    const subscription = project(name, 'a', undefined, 600_000);
    await eventually(() => subscription.isLeader);
    // Caught up and asleep: from here on only a wake-up (or the held-back retry) makes it read.
    const first = await appendOne(orm, false);
    await eventually(async () => (await projectedIds()).includes(first), { message: 'the first event' });

    for (const inTransaction of [true, false]) {
      const id = await appendOne(writer(), inTransaction);
      await eventually(async () => (await projectedIds()).includes(id), {
        timeoutMs: 30_000,
        message: inTransaction ? 'the event appended in a transaction' : 'the event appended on its own',
      });
    }
  });

  it('a projection killed mid-batch applies every event exactly once after restart', async () => {
    const ids = await appendEvents(150);
    const name = `crash-${randomUUID()}`;
    expect(await runFixture(path.join(__dirname, 'test/projection-crash.fixture.ts'), [db.url, name])).toBe('SIGKILL');
    // The half-written batch died with its transaction.
    expect(await projectedIds()).toEqual([]);

    project(name);
    await eventually(async () => (await projectedIds()).length >= 150);
    await new Promise((r) => setTimeout(r, 200));
    const projected = await projectedIds();
    expect(projected).toHaveLength(150);
    expect(projected.sort()).toEqual([...ids].sort());
  });

  it('runs one leader per name; a standby takes over when the leader stops, without double effects', async () => {
    const name = `leader-${randomUUID()}`;
    const first = project(name, 'first');
    await eventually(() => first.isLeader);
    const second = project(name, 'second');
    const ids = await appendEvents(30);
    await eventually(async () => (await projectedIds()).length === 30);
    expect(second.isLeader).toBe(false);

    await first.stop();
    const more = await appendEvents(30);
    await eventually(async () => (await projectedIds()).length === 60, { timeoutMs: 8000 });
    const { rows } = await query<{ by: string; n: string }>(orm.em.fork(), 'SELECT by, count(*) AS n FROM projected GROUP BY by');
    expect(Object.fromEntries(rows.map((r) => [r.by, Number(r.n)]))).toEqual({ first: 30, second: 30 });
    expect((await projectedIds()).sort()).toEqual([...ids, ...more].sort());
  });
});
