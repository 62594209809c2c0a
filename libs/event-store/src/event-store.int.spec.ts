import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { createTestDatabase, eventually, type TestDatabase } from '@siteops/testing';
import type { NewEvent, RecordedEvent } from '@siteops/contracts';
import { migrate, openDatabase, query } from './database';
import { ConcurrencyError, EventStore } from './event-store';
import { eventStoreMigrations } from './event-store.migrations';
import { Position } from './position';
import { Upcasters } from './upcasting';

const ctx = { correlationId: 'corr-1', causationId: 'cause-1', actor: 'user-1' };
const ev = (n: number): NewEvent => ({ type: 'Counted', data: { n } });

describe('EventStore (PostgreSQL)', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  const store = new EventStore();

  beforeAll(async () => {
    db = await createTestDatabase('event_store');
    orm = await openDatabase({ url: db.url, migrations: eventStoreMigrations, poolMax: 60 });
    await migrate(orm);
  });

  afterAll(async () => {
    await orm.close(true);
    await db.drop();
  });

  const em = () => orm.em.fork();

  it('appends with metadata and reads a stream back in version order', async () => {
    const stream = `counter-${randomUUID()}`;
    const first = await store.append(em(), stream, 'no_stream', [ev(1), ev(2)], ctx);
    expect(first.version).toBe(2);
    const second = await store.append(em(), stream, 2, [ev(3)], ctx);
    expect(second.version).toBe(3);
    expect(Position.parse(second.position)?.isAfter(Position.parse(first.position)!)).toBe(true);

    const events = await store.readStream(em(), stream);
    expect(events.map((e) => [e.streamVersion, (e.data as { n: number }).n])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(events[0]!.metadata).toMatchObject({ correlationId: 'corr-1', causationId: 'cause-1', actor: 'user-1' });
    expect(events[0]!.metadata.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await store.streamVersion(em(), stream)).toBe(3);
  });

  it('refuses a stale expected version with a typed conflict and stores nothing', async () => {
    const stream = `counter-${randomUUID()}`;
    await store.append(em(), stream, 'no_stream', [ev(1)], ctx);
    await expect(store.append(em(), stream, 0, [ev(2)], ctx)).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(store.append(em(), stream, 'no_stream', [ev(2)], ctx)).rejects.toMatchObject({
      code: 'concurrency_conflict',
      actual: 1,
    });
    await expect(store.append(em(), `missing-${randomUUID()}`, 'stream_exists', [ev(1)], ctx)).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    expect(await store.streamVersion(em(), stream)).toBe(1);
  });

  it('lets exactly one of 50 concurrent appends at the same version win, keeping versions contiguous', async () => {
    const stream = `race-${randomUUID()}`;
    await store.append(em(), stream, 'no_stream', [ev(0)], ctx);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => store.append(em(), stream, 1, [ev(i), ev(i)], ctx)),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(49);
    for (const r of lost) expect(r.reason).toBeInstanceOf(ConcurrencyError);
    const versions = (await store.readStream(em(), stream)).map((e) => e.streamVersion);
    expect(versions).toEqual([1, 2, 3]);
  });

  it('serialises concurrent `any` appends without losing one', async () => {
    const stream = `any-${randomUUID()}`;
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.append(em(), stream, 'any', [ev(i)], ctx)));
    const versions = (await store.readStream(em(), stream)).map((e) => e.streamVersion);
    expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('orders transaction ids as numbers, not text, when they gain a digit', async () => {
    // Rows as two transactions p - 1 and p would have written them, p the
    // largest power of ten readers may pass now (both long committed), e.g.
    // 999 and 1000. Compared as text, "1000" sorts before "999". p comes from
    // the server's horizon, not a constant: on a young cluster (a fresh CI
    // machine) transaction 1000 may not have happened yet, and such rows
    // would be invisible to readAll.
    const { rows } = await query<{ xmin: string }>(em(), 'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin');
    const horizon = BigInt(rows[0]?.xmin ?? '0');
    let p = 10n;
    while (p * 10n < horizon) p *= 10n;
    expect(p).toBeLessThan(horizon);
    const stream = `digits-${randomUUID()}`;
    const insert = (txId: string, version: number) =>
      query(
        em(),
        `INSERT INTO events (event_id, stream_id, stream_version, type, data, metadata, tx_id)
         VALUES (?, ?, ?, 'Digits', '{}', '{}', ?::xid8)`,
        [randomUUID(), stream, version, txId],
      );
    await insert(p.toString(), 1);
    await insert((p - 1n).toString(), 2);

    const all: RecordedEvent[] = [];
    for (let after = Position.start; ; ) {
      const page = await store.readAll(em(), after, 1);
      all.push(...page.events);
      if (page.events.length === 0) break;
      after = page.cursor;
    }
    const mine = all.filter((e) => e.streamId === stream).map((e) => e.position.split('.')[0]);
    expect(mine).toEqual([(p - 1n).toString(), p.toString()]);
    expect(Position.parse(all.at(-1)?.position ?? '')?.txId).toBeGreaterThanOrEqual(p);
    expect((await store.headPosition(em())).txId).toBeGreaterThanOrEqual(p);
  });

  it('appends to several streams atomically', async () => {
    const a = `multi-${randomUUID()}`;
    const b = `multi-${randomUUID()}`;
    await store.append(em(), b, 'no_stream', [ev(1)], ctx);
    // b is at 1, not 0: the whole request fails and a stays empty.
    await expect(
      store.appendMany(
        em(),
        [
          { streamId: a, expectedVersion: 'no_stream', events: [ev(1)] },
          { streamId: b, expectedVersion: 0, events: [ev(2)] },
        ],
        ctx,
      ),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await store.streamVersion(em(), a)).toBe(0);

    const results = await store.appendMany(
      em(),
      [
        { streamId: a, expectedVersion: 'no_stream', events: [ev(1)] },
        { streamId: b, expectedVersion: 1, events: [ev(2)] },
      ],
      ctx,
    );
    expect(results.map((r) => r.version)).toEqual([1, 2]);
  });

  it('joins the caller\'s transaction: a rollback removes the events', async () => {
    const stream = `tx-${randomUUID()}`;
    await expect(
      em().transactional(async (tx) => {
        await store.append(tx, stream, 'no_stream', [ev(1)], ctx);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await store.streamVersion(em(), stream)).toBe(0);
  });

  it('applies upcasters on read, never on the stored row', async () => {
    const upcasting = new EventStore({
      upcasters: new Upcasters().register('OldCounted', (e) => ({ type: 'Counted', data: { n: (e.data as { count: number }).count } })),
    });
    const stream = `up-${randomUUID()}`;
    await upcasting.append(em(), stream, 'no_stream', [{ type: 'OldCounted', data: { count: 7 } }], ctx);
    const [read] = await upcasting.readStream(em(), stream);
    expect(read).toMatchObject({ type: 'Counted', data: { n: 7 } });
    const [raw] = await store.readStream(em(), stream);
    expect(raw).toMatchObject({ type: 'OldCounted', data: { count: 7 } });
  });

  it('knows the last committed event even while an older transaction holds readers back', async () => {
    const open = new Client({ connectionString: db.url });
    await open.connect();
    try {
      // A transaction with an id, still running: readers may not pass it yet.
      await open.query('BEGIN');
      await open.query('SELECT pg_current_xact_id()');
      const appended = await store.append(em(), `committed-${randomUUID()}`, 'no_stream', [ev(1)], ctx);
      const position = Position.parse(appended.position);
      if (!position) throw new Error('append returned no position');

      expect((await store.lastCommittedPosition(em())).covers(position)).toBe(true);
      expect((await store.headPosition(em())).covers(position)).toBe(false);
    } finally {
      await open.query('ROLLBACK');
      await open.end();
    }
  });

  describe('readAll', () => {
    it('never skips a transaction that took an earlier position but committed late', async () => {
      const start = await store.headPosition(em());
      const slow = new Client({ connectionString: db.url });
      await slow.connect();
      try {
        // 1. The slow transaction inserts first, so it owns the lower global position…
        await slow.query('BEGIN');
        await slow.query(
          `INSERT INTO events (event_id, stream_id, stream_version, type, data, metadata)
           VALUES ($1, $2, 1, 'Counted', '{"n":0}', $3)`,
          [randomUUID(), `slow-${randomUUID()}`, JSON.stringify({ eventId: randomUUID() })],
        );
        // 2. …then later transactions commit around it.
        const fast = `fast-${randomUUID()}`;
        await store.append(em(), fast, 'no_stream', [ev(1)], ctx);
        await store.append(em(), fast, 1, [ev(2)], ctx);

        // A reader that follows the store while the slow transaction is open
        // must not move past it.
        const seen: number[] = [];
        let cursor = start;
        const readSome = async () => {
          for (;;) {
            const page = await store.readAll(em(), cursor, 1);
            if (page.events.length === 0) return;
            seen.push(...page.events.map((e) => (e.data as { n: number }).n));
            cursor = page.cursor;
          }
        };
        await readSome();
        expect(seen).toEqual([]);

        // 3. Commit it: the reader now sees every event exactly once. (Other
        // spec files share this server; a transaction of theirs still open
        // holds every reader back a little, so keep reading until it ends.)
        await slow.query('COMMIT');
        await eventually(async () => {
          await readSome();
          return seen.length >= 3;
        });
        expect(seen.sort()).toEqual([0, 1, 2]);
      } finally {
        await slow.end();
      }
    });

    it('pages through everything in (tx, position) order without repeats', async () => {
      const stream = `page-${randomUUID()}`;
      const start = await store.headPosition(em());
      await Promise.all(Array.from({ length: 30 }, (_, i) => store.append(em(), `${stream}-${i}`, 'no_stream', [ev(i), ev(i)], ctx)));
      const ids: string[] = [];
      let cursor = start;
      let previous = start;
      // Until all 60 are read: another spec's open transaction on this shared
      // server may hold readers back for a moment (and an empty page then).
      await eventually(async () => {
        for (;;) {
          const page = await store.readAll(em(), cursor, 7);
          if (page.events.length === 0) return ids.length >= 60;
          for (const e of page.events) {
            const p = Position.parse(e.position)!;
            expect(p.isAfter(previous)).toBe(true);
            previous = p;
            if (e.streamId.startsWith(stream)) ids.push(e.metadata.eventId);
          }
          cursor = page.cursor;
        }
      });
      expect(ids).toHaveLength(60);
      expect(new Set(ids).size).toBe(60);
    });
  });
});
