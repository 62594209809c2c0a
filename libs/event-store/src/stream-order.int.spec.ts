import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { NewEvent } from '@siteops/contracts';
import { createTestDatabase, type TestDatabase } from '@siteops/testing';
import { migrate, openDatabase, query, type EntityManager } from './database';
import { ConcurrencyError, EventStore } from './event-store';
import { eventStoreMigrations } from './event-store.migrations';
import { Position } from './position';

const ctx = { correlationId: 'corr-1', causationId: 'cause-1', actor: 'user-1' };
const ev = (type: string): NewEvent => ({ type, data: {} });

/**
 * Readers of all events order by (tx_id, global_position) (ARCHITECTURE.md
 * rule 3), and a transaction id is taken at the transaction's first write
 * (a row lock counts), not at commit. A READ COMMITTED transaction that
 * locked something early, then waited and read what a younger transaction
 * committed meanwhile, would append events that are read *before* the events
 * they follow in their own stream: a cascade that deletes a site created
 * while it waited put SiteDeleted ahead of SiteCreated, and the projection
 * kept the deleted site forever (found by test/e2e/src/rebuild.e2e.spec.ts).
 */
describe('EventStore: a stream is read in version order (PostgreSQL)', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  const store = new EventStore();

  beforeAll(async () => {
    db = await createTestDatabase('event_store_order');
    orm = await openDatabase({ url: db.url, migrations: eventStoreMigrations, poolMax: 10 });
    await migrate(orm);
  });

  afterAll(async () => {
    await orm.close(true);
    await db.drop();
  });

  /** Takes a transaction id now (as a row lock would), then waits for `go` before appending. */
  async function olderTransactionAppendingLate(
    stream: string,
    go: Promise<void>,
    onXid: () => void,
  ): Promise<unknown> {
    return orm.em.fork().transactional(async (tx: EntityManager) => {
      await query(tx, 'SELECT pg_current_xact_id()');
      onXid();
      await go;
      return store.append(tx, stream, 1, [ev('Deleted')], ctx);
    });
  }

  it('refuses an append from a transaction older than the stream’s last event, as a conflict', async () => {
    const stream = `site-${randomUUID()}`;
    let release!: () => void;
    const go = new Promise<void>((resolve) => (release = resolve));
    let xidTaken!: () => void;
    const older = new Promise<void>((resolve) => (xidTaken = resolve));
    // 1. The older transaction takes its id, 2. a younger one creates the stream and commits,
    // 3. the older one, which can now see version 1, appends version 2.
    const late = olderTransactionAppendingLate(stream, go, xidTaken);
    await older;
    await store.append(orm.em.fork(), stream, 'no_stream', [ev('Created')], ctx);
    release();
    await expect(late).rejects.toBeInstanceOf(ConcurrencyError);

    const events = await store.readStream(orm.em.fork(), stream);
    expect(events.map((e) => e.type)).toEqual(['Created']);
  });

  it('takes the same append from a new transaction, so readers see the stream in order', async () => {
    const stream = `site-${randomUUID()}`;
    let release!: () => void;
    const go = new Promise<void>((resolve) => (release = resolve));
    let xidTaken!: () => void;
    const older = new Promise<void>((resolve) => (xidTaken = resolve));
    const late = olderTransactionAppendingLate(stream, go, xidTaken);
    await older;
    await store.append(orm.em.fork(), stream, 'no_stream', [ev('Created')], ctx);
    release();
    // What a command runner does with the conflict: the same work again, in a new transaction.
    await late.catch(() => undefined);
    await orm.em.fork().transactional(async (tx: EntityManager) => {
      await query(tx, 'SELECT pg_current_xact_id()');
      await store.append(tx, stream, 1, [ev('Deleted')], ctx);
    });

    const { events } = await store.readAll(orm.em.fork(), Position.start, 100_000);
    expect(events.filter((e) => e.streamId === stream).map((e) => e.type)).toEqual(['Created', 'Deleted']);
  });

  it('tells such a conflict from a stale expected version', async () => {
    const stream = `site-${randomUUID()}`;
    await store.append(orm.em.fork(), stream, 'no_stream', [ev('Created')], ctx);
    await expect(store.append(orm.em.fork(), stream, 0, [ev('Again')], ctx)).rejects.toMatchObject({ olderTransaction: false, actual: 1 });
    let release!: () => void;
    const go = new Promise<void>((resolve) => (release = resolve));
    let xidTaken!: () => void;
    const older = new Promise<void>((resolve) => (xidTaken = resolve));
    const late = orm.em.fork().transactional(async (tx: EntityManager) => {
      await query(tx, 'SELECT pg_current_xact_id()');
      xidTaken();
      await go;
      return store.append(tx, stream, 2, [ev('Deleted')], ctx);
    });
    await older;
    await store.append(orm.em.fork(), stream, 1, [ev('Renamed')], ctx);
    release();
    await expect(late).rejects.toMatchObject({ code: 'concurrency_conflict', olderTransaction: true, expected: 2, actual: 2 });
  });

  it('still appends twice to one stream within one transaction', async () => {
    const stream = `site-${randomUUID()}`;
    await orm.em.fork().transactional(async (tx: EntityManager) => {
      await store.append(tx, stream, 'no_stream', [ev('Created')], ctx);
      await store.append(tx, stream, 1, [ev('Renamed')], ctx);
    });
    expect((await store.readStream(orm.em.fork(), stream)).map((e) => e.type)).toEqual(['Created', 'Renamed']);
  });
});
