import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createTestDatabase, eventually, type TestDatabase, runFixture } from '@siteops/testing';
import path from 'node:path';
import { migrate, openDatabase, query, type EntityManager } from './database';
import { EventStore } from './event-store';
import { eventStoreMigrations } from './event-store.migrations';
import { StoreSubscription } from './subscription';

const ctx = { correlationId: 'c', causationId: 'c', actor: 'test' };

describe('StoreSubscription', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  const store = new EventStore();
  const running: StoreSubscription[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('subscription');
    orm = await openDatabase({ url: db.url, migrations: eventStoreMigrations });
    await migrate(orm);
    await query(orm.em.fork(), 'CREATE TABLE projected (event_id uuid NOT NULL, by text)');
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
    await query(orm.em.fork(), 'DELETE FROM projected');
    await query(orm.em.fork(), 'DELETE FROM events');
  });

  afterAll(async () => {
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

  it('is woken by the commit of an append, in a transaction or not, long before it would poll', async () => {
    const name = `wake-${randomUUID()}`;
    const subscription = project(name, 'a', undefined, 600_000);
    await eventually(() => subscription.isLeader);
    const [first] = await appendEvents(1);
    await eventually(async () => (await projectedIds()).includes(first!), { message: 'the first event' });

    // Appended inside a caller's transaction (and a savepoint in it): the wake-up waits for the outer commit.
    const inTransaction = await orm.em.fork().transactional(async (tx: EntityManager) => {
      const appended = await tx.transactional((inner: EntityManager) =>
        store.append(inner, `item-${randomUUID()}`, 'no_stream', [{ type: 'ItemAdded', data: {} }], ctx),
      );
      return appended.events[0]!.metadata.eventId;
    });
    await eventually(async () => (await projectedIds()).includes(inTransaction), { timeoutMs: 30_000, message: 'the transaction’s event' });

    // Appended on its own (autocommit).
    const [alone] = await appendEvents(1);
    await eventually(async () => (await projectedIds()).includes(alone!), { timeoutMs: 30_000, message: 'the lone append' });
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
