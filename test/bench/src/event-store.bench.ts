/**
 * Event store benchmark: siteops (`@siteops/event-store`) against Emmett's
 * PostgreSQL event store (`@event-driven-io/emmett-postgresql`) on the same
 * PostgreSQL, in the same run.
 *
 *   npm run bench -- event-store
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/src/event-store.bench.ts
 *
 * (a) single-event appends, 8 writers each on its own stream, exact expected versions (target ≥ emmett);
 * (b) 100-event batch appends, 4 writers (target ≥ emmett);
 * (c) replay of 1,000,000 events page by page with the read cursor, as a projection rebuild reads;
 * (d) siteops only: the outbox relay publishing to JetStream until its cursor covers the head.
 *
 * Each store gets a database of its own (dropped at the end); Emmett runs in
 * a worker process (see event-store/emmett.worker.ts for why). The relay
 * gets its own NATS prefix and stream (deleted at the end). Rounds alternate
 * which store goes first; figures are medians. Progress goes to stderr; the
 * report to stdout, ending with one `BENCH {json}` line.
 *
 * Knobs: BENCH_ROUNDS [3], BENCH_BATCH_ROUNDS [5], BENCH_REPLAY_EVENTS [1000000],
 * BENCH_RELAY_EVENTS [100000], BENCH_PAGE_SIZE [1000],
 * BENCH_EMMETT_REPLAY_SECONDS [20].
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Table from 'cli-table3';
import { nanos, RetentionPolicy, StorageType, type NatsConnection } from 'nats';
import type { MikroORM } from '@mikro-orm/postgresql';
import { natsNames, type NewEvent } from '@siteops/contracts';
import { EventRelay, EventStore, Position, eventStoreMigrations, migrate, openDatabase, query } from '@siteops/event-store';
import { connectNats } from '@siteops/messaging';
import { createTestDatabase, testServers, uniqueName, type TestDatabase } from '@siteops/testing';
import {
  BATCH,
  benchContext,
  concurrentAppends,
  DATA_KEY,
  EVENT_TYPE,
  FILLER,
  median,
  progress,
  range,
  SEED_CHUNK,
  SEED_STREAM_LENGTH,
  SINGLE,
  siteConfigData,
  type EmmettRequest,
  type EmmettResponse,
  type ReplayResult,
  type SiteConfigData,
} from './event-store/workload';

const ROUNDS = envInt('BENCH_ROUNDS', 3);
/** Batch rounds take about a second each: more of them steady the median on a shared machine. */
const BATCH_ROUNDS = envInt('BENCH_BATCH_ROUNDS', 5);
const REPLAY_EVENTS = envInt('BENCH_REPLAY_EVENTS', 1_000_000);
const RELAY_EVENTS = envInt('BENCH_RELAY_EVENTS', 100_000);
const PAGE_SIZE = envInt('BENCH_PAGE_SIZE', 1000);
const EMMETT_REPLAY_SECONDS = envInt('BENCH_EMMETT_REPLAY_SECONDS', 20);
const RELAY_TIMEOUT_MS = 120_000;
const HORIZON_TIMEOUT_MS = 60_000;
/** The production default of libs/messaging: a file-backed stream with a 2-minute duplicate window. */
const DUPLICATE_WINDOW_MS = 120_000;

const TARGETS = { replay: 50_000, relay: 10_000 };

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

// ---------------------------------------------------------------- siteops side

interface Siteops {
  db: TestDatabase;
  orm: MikroORM;
  store: EventStore;
}

function siteopsEvent(siteId: string, revision: number): NewEvent<typeof EVENT_TYPE, SiteConfigData> {
  return { type: EVENT_TYPE, data: siteConfigData(siteId, revision) };
}

function siteopsAppends({ orm, store }: Siteops, writers: number, batches: number, batchSize: number): Promise<number> {
  return concurrentAppends(writers, batches, batchSize, async (siteId, streamId, expectedVersion, revisions) => {
    await store.append(
      orm.em.fork(),
      streamId,
      expectedVersion,
      revisions.map((r) => siteopsEvent(siteId, r)),
      benchContext,
    );
  });
}

async function countEvents({ orm }: Siteops): Promise<number> {
  const { rows } = await query<{ n: number }>(orm.em.fork(), 'SELECT count(*)::int AS n FROM events');
  return rows[0]?.n ?? 0;
}

/**
 * The last stored event, once readers can see it. Readers stop below the
 * oldest transaction running anywhere in the PostgreSQL cluster (rule 3), and
 * this server is shared with other test runs: wait until no such transaction
 * hides our last event, so the timings below do not start with a stall.
 */
async function waitForHorizon(siteops: Siteops): Promise<Position> {
  const { rows } = await query<{ tx_id: string; global_position: string }>(
    siteops.orm.em.fork(),
    'SELECT tx_id::text AS tx_id, global_position FROM events ORDER BY events.tx_id DESC, events.global_position DESC LIMIT 1',
  );
  const last = rows[0] ? Position.of(rows[0].tx_id, rows[0].global_position) : Position.start;
  const started = performance.now();
  while (!(await siteops.store.headPosition(siteops.orm.em.fork())).covers(last)) {
    if (performance.now() - started > HORIZON_TIMEOUT_MS) throw new Error('a transaction elsewhere on the server held the read horizon too long');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const waited = performance.now() - started;
  if (waited > 100) progress(`waited ${Math.round(waited)} ms for a transaction elsewhere on the server to end`);
  return last;
}

/**
 * Tops `events` up to `total` rows server-side, in the shape an append
 * writes: fresh event ids, streams of SEED_STREAM_LENGTH events, the same
 * data, metadata stamped as the store stamps it, tx_id and recorded_at from
 * their defaults; one transaction per SEED_CHUNK rows.
 */
async function seedSiteops(siteops: Siteops, total: number): Promise<void> {
  const run = `${Date.now()}-${Math.random()}`;
  for (let from = await countEvents(siteops); from < total; from += SEED_CHUNK) {
    const to = Math.min(total, from + SEED_CHUNK) - 1;
    await query(
      siteops.orm.em.fork(),
      `INSERT INTO events (event_id, stream_id, stream_version, type, data, metadata)
       SELECT e.id, 'site-' || e.site, e.g % ? + 1, ?,
              jsonb_build_object('siteId', e.site, 'key', ?::text, 'value', ?::text, 'revision', e.g % ? + 1),
              jsonb_build_object('eventId', e.id, 'correlationId', ?::text, 'causationId', ?::text, 'actor', ?::text,
                                 'at', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
         FROM (SELECT gen_random_uuid() AS id, md5(?::text || (g / ?))::uuid AS site, g
                 FROM generate_series(?::int, ?::int) AS g) AS e
        ORDER BY e.g`,
      [
        SEED_STREAM_LENGTH,
        EVENT_TYPE,
        DATA_KEY,
        FILLER,
        SEED_STREAM_LENGTH,
        benchContext.correlationId,
        benchContext.causationId,
        benchContext.actor,
        run,
        SEED_STREAM_LENGTH,
        from,
        to,
      ],
    );
  }
  // A store that has been running a while has been vacuumed: hint bits set, statistics current.
  await query(siteops.orm.em.fork(), 'VACUUM (ANALYZE) events');
}

/** Reads the whole store with `readAll`, page after page from the returned cursor, as a projection rebuild does. */
async function replaySiteops(siteops: Siteops, pageSize: number): Promise<ReplayResult> {
  const total = await countEvents(siteops);
  await waitForHorizon(siteops);
  const started = performance.now();
  let cursor = Position.start;
  let events = 0;
  for (;;) {
    const page = await siteops.store.readAll(siteops.orm.em.fork(), cursor, pageSize);
    if (page.events.length === 0) break;
    events += page.events.length;
    cursor = page.cursor;
  }
  const seconds = (performance.now() - started) / 1000;
  if (events !== total) throw new Error(`siteops replay read ${events} events of ${total}`);
  return { events, seconds, total };
}

/**
 * Starts a relay with a fresh checkpoint on a fresh JetStream stream and
 * times it until its cursor covers the head, then checks JetStream holds
 * every event once.
 */
async function relaySiteops(siteops: Siteops, nc: NatsConnection, prefix: string): Promise<ReplayResult> {
  const names = natsNames(prefix);
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({
    name: names.eventStream,
    subjects: [names.eventFilter()],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  });
  const total = await countEvents(siteops);
  const head = await waitForHorizon(siteops);
  let caughtUp: () => void = () => undefined;
  const covered = new Promise<void>((resolve) => {
    caughtUp = resolve;
  });
  const relay = new EventRelay({
    databaseUrl: siteops.db.url,
    em: siteops.orm.em,
    store: siteops.store,
    js: nc.jetstream(),
    natsPrefix: prefix,
    name: 'bench-relay',
    onProgress: (cursor: Position) => {
      if (cursor.covers(head)) caughtUp();
    },
    logger: { info: () => undefined, error: (message, fields) => { progress(`relay: ${message} ${JSON.stringify(fields)}`); } },
  });
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await relay.start();
    await Promise.race([
      covered,
      new Promise((_, reject) => {
        timer = setTimeout(() => { reject(new Error(`relay did not catch up within ${RELAY_TIMEOUT_MS} ms`)); }, RELAY_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await relay.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const published = (await jsm.streams.info(names.eventStream)).state.messages;
  if (published !== total) throw new Error(`JetStream holds ${published} messages for ${total} events`);
  return { events: total, seconds, total };
}

// ---------------------------------------------------------------- Emmett worker

/** The Emmett side, in its own process; one request at a time. */
class EmmettWorker {
  private waiting: ((response: EmmettResponse) => void) | undefined;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (response: EmmettResponse) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.(response);
    });
    child.on('exit', (code) => {
      this.waiting?.({ ok: false, error: `emmett worker exited with ${String(code)}` });
    });
  }

  static async start(databaseUrl: string): Promise<EmmettWorker> {
    const child = fork(path.join(__dirname, 'event-store', 'emmett.worker.ts'), [], {
      execArgv: ['-r', '@swc-node/register'],
      env: {
        ...process.env,
        SWC_NODE_PROJECT: process.env['SWC_NODE_PROJECT'] ?? path.resolve(__dirname, '../../../tsconfig.base.json'),
        EMMETT_DATABASE_URL: databaseUrl,
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const worker = new EmmettWorker(child);
    await worker.next(); // ready once its schema is migrated
    return worker;
  }

  async request(request: EmmettRequest): Promise<number | ReplayResult | null> {
    const answer = this.next();
    this.child.send(request);
    return answer;
  }

  async appends(writers: number, batches: number, batchSize: number): Promise<number> {
    const value = await this.request({ op: 'appends', writers, batches, batchSize });
    if (typeof value !== 'number') throw new Error('emmett worker: expected a rate');
    return value;
  }

  async replay(pageSize: number, maxSeconds: number): Promise<ReplayResult> {
    const value = await this.request({ op: 'replay', pageSize, maxSeconds });
    if (value === null || typeof value === 'number') throw new Error('emmett worker: expected a replay result');
    return value;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.request({ op: 'close' }).catch(() => this.child.kill());
    await exited;
  }

  private async next(): Promise<number | ReplayResult | null> {
    const response = await new Promise<EmmettResponse>((resolve) => {
      this.waiting = resolve;
    });
    if (!response.ok) throw new Error(`emmett worker: ${response.error}`);
    return response.value;
  }
}

// ---------------------------------------------------------------- measurement

type Side = 'siteops' | 'emmett';

/** Runs each side once per round, alternating which goes first; returns the medians. */
async function rounds(label: string, count: number, run: Record<Side, () => Promise<number>>): Promise<Record<Side, number>> {
  const results: Record<Side, number[]> = { siteops: [], emmett: [] };
  for (const round of range(count)) {
    const order: Side[] = round % 2 === 0 ? ['siteops', 'emmett'] : ['emmett', 'siteops'];
    for (const side of order) results[side].push(await run[side]());
    progress(`${label} round ${round + 1}: siteops ${fmt(results.siteops[round] ?? 0)}/s, emmett ${fmt(results.emmett[round] ?? 0)}/s`);
  }
  return { siteops: median(results.siteops), emmett: median(results.emmett) };
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

interface Row {
  metric: string;
  key: string;
  siteops: number;
  emmett?: number;
  target?: { pass: boolean; text: string };
}

async function main(): Promise<void> {
  const dataBytes = Buffer.byteLength(JSON.stringify(siteConfigData('00000000-0000-0000-0000-000000000000', 1)));
  progress(`event data ${dataBytes} bytes of JSON; rounds ${ROUNDS}/${BATCH_ROUNDS}; replay ${REPLAY_EVENTS} events; relay ${RELAY_EVENTS}; page ${PAGE_SIZE}`);
  const loadStart = os.loadavg()[0] ?? 0;
  const cleanup: (() => Promise<unknown>)[] = [];
  const started = performance.now();
  try {
    // 1. Databases, stores, NATS.
    const db = await createTestDatabase('bench_siteops');
    cleanup.push(() => db.drop());
    const orm = await openDatabase({ url: db.url, migrations: eventStoreMigrations, applicationName: 'siteops:bench' });
    cleanup.push(() => orm.close(true));
    await migrate(orm);
    const siteops: Siteops = { db, orm, store: new EventStore() };

    const emmettDb = await createTestDatabase('bench_emmett');
    cleanup.push(() => emmettDb.drop());
    const emmett = await EmmettWorker.start(emmettDb.url);
    cleanup.push(() => emmett.close());

    // The product's own connection settings, so the relay is measured as it runs.
    const nc = await connectNats({ url: testServers.natsUrl, name: 'siteops-bench' });
    cleanup.push(() => nc.drain());
    const prefix = uniqueName('bench');
    cleanup.push(async () => {
      const jsm = await nc.jetstreamManager();
      await jsm.streams.delete(natsNames(prefix).eventStream).catch(() => false);
    });

    // 2. Single-event appends; warm-up first (connections, plans, caches).
    await siteopsAppends(siteops, SINGLE.writers, SINGLE.warmupPerWriter, 1);
    await emmett.appends(SINGLE.writers, SINGLE.warmupPerWriter, 1);
    const single = await rounds('single appends', ROUNDS, {
      siteops: () => siteopsAppends(siteops, SINGLE.writers, SINGLE.appendsPerWriter, 1),
      emmett: () => emmett.appends(SINGLE.writers, SINGLE.appendsPerWriter, 1),
    });

    // 3. Batch appends.
    await siteopsAppends(siteops, BATCH.writers, BATCH.warmupBatches, BATCH.batchSize);
    await emmett.appends(BATCH.writers, BATCH.warmupBatches, BATCH.batchSize);
    const batch = await rounds('batch appends', BATCH_ROUNDS, {
      siteops: () => siteopsAppends(siteops, BATCH.writers, BATCH.batchesPerWriter, BATCH.batchSize),
      emmett: () => emmett.appends(BATCH.writers, BATCH.batchesPerWriter, BATCH.batchSize),
    });

    // 4. Relay: the events appended so far, topped up to RELAY_EVENTS.
    await seedSiteops(siteops, RELAY_EVENTS);
    progress(`relay: ${await countEvents(siteops)} events to publish`);
    const relay = await relaySiteops(siteops, nc, prefix);
    progress(`relay: ${fmt(relay.events / relay.seconds)} events/s`);

    // 5. Replay: both stores topped up to REPLAY_EVENTS.
    progress('seeding for replay');
    await seedSiteops(siteops, REPLAY_EVENTS);
    await emmett.request({ op: 'seed', total: REPLAY_EVENTS });
    const replayS = await replaySiteops(siteops, PAGE_SIZE);
    progress(`replay siteops: ${replayS.events} events in ${replayS.seconds.toFixed(1)} s`);
    const replayE = await emmett.replay(PAGE_SIZE, EMMETT_REPLAY_SECONDS);
    progress(`replay emmett: ${replayE.events} of ${replayE.total} events in ${replayE.seconds.toFixed(1)} s`);

    // 6. Report.
    const replayRate = replayS.events / replayS.seconds;
    const relayRate = relay.events / relay.seconds;
    const rows: Row[] = [
      {
        metric: `(a) single appends/s, ${SINGLE.writers} writers × ${SINGLE.appendsPerWriter}`,
        key: 'appendSingle8w',
        ...single,
        target: { pass: single.siteops >= single.emmett, text: '≥ emmett' },
      },
      {
        metric: `(b) batch append events/s, ${BATCH.writers} writers × ${BATCH.batchesPerWriter} × ${BATCH.batchSize}`,
        key: 'appendBatchEvents',
        ...batch,
        target: { pass: batch.siteops >= batch.emmett, text: '≥ emmett' },
      },
      {
        metric: '(b) batch appends (batches)/s',
        key: 'appendBatches',
        siteops: batch.siteops / BATCH.batchSize,
        emmett: batch.emmett / BATCH.batchSize,
      },
      {
        metric: `(c) replay events/s, ${fmt(replayS.total)} events, page ${PAGE_SIZE}`,
        key: 'replay',
        siteops: replayRate,
        emmett: replayE.events / replayE.seconds,
        target: { pass: replayRate >= TARGETS.replay, text: `≥ ${fmt(TARGETS.replay)}` },
      },
      {
        metric: `(d) relay events/s to JetStream, ${fmt(relay.events)} events`,
        key: 'relay',
        siteops: relayRate,
        target: { pass: relayRate >= TARGETS.relay, text: `≥ ${fmt(TARGETS.relay)}` },
      },
    ];
    const table = new Table({
      head: ['metric', 'siteops', 'emmett', 'ratio', 'target'],
      colAligns: ['left', 'right', 'right', 'right', 'left'],
      style: { head: [], border: [] },
    });
    const json: Record<string, number | boolean | string> = {};
    for (const row of rows) {
      const ratio = row.emmett === undefined ? undefined : row.siteops / row.emmett;
      table.push([
        row.metric,
        fmt(row.siteops),
        row.emmett === undefined ? '—' : fmt(row.emmett),
        ratio === undefined ? '—' : `${ratio.toFixed(2)}×`,
        row.target ? `${row.target.pass ? 'PASS' : 'FAIL'} (${row.target.text})` : '',
      ]);
      json[`${row.key}_siteops`] = round1(row.siteops);
      if (row.emmett !== undefined) json[`${row.key}_emmett`] = round1(row.emmett);
      if (ratio !== undefined) json[`${row.key}_ratio`] = round3(ratio);
      if (row.target) json[`${row.key}_pass`] = row.target.pass;
    }
    Object.assign(json, {
      replayEvents_siteops: replayS.events,
      replaySeconds_siteops: round3(replayS.seconds),
      replayEvents_emmett: replayE.events,
      replayTotal_emmett: replayE.total,
      replaySeconds_emmett: round3(replayE.seconds),
      relayEvents_siteops: relay.events,
      relaySeconds_siteops: round3(relay.seconds),
      pageSize: PAGE_SIZE,
      rounds: ROUNDS,
      batchRounds: BATCH_ROUNDS,
      // The machine is shared: a high load average explains a slow run.
      loadAvg1m_start: round1(loadStart),
      loadAvg1m_end: round1(os.loadavg()[0] ?? 0),
      eventDataBytes: dataBytes,
      totalSeconds: round1((performance.now() - started) / 1000),
    });
    console.log(table.toString());
    if (replayE.events < replayE.total) {
      console.log(
        `Emmett's replay was stopped after ${EMMETT_REPLAY_SECONDS} s (${fmt(replayE.events)} of ${fmt(replayE.total)} events): ` +
          'every page of readMessagesBatch scans and sorts the whole messages table, so its rate does not depend on how far it got.',
      );
    }
    console.log(`BENCH ${JSON.stringify(json)}`);
  } finally {
    for (const step of cleanup.reverse()) {
      await step().catch((error: unknown) => {
        progress(`cleanup: ${String(error)}`);
      });
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
