/**
 * The Emmett side of the event-store benchmark, in a process of its own.
 *
 * Why a separate process: Emmett's connection pool (dumbo) installs global
 * `pg` type parsers the first time it opens — int8 as BigInt, json/jsonb
 * through its own reviver — and `pg-types` is one module shared by every
 * `pg` copy in node_modules, MikroORM's included. In one process it would
 * change what the siteops store reads (and slow its JSON parsing), so each
 * store runs with its own, normal configuration.
 *
 * Started by event-store.bench.ts with EMMETT_DATABASE_URL; answers one
 * EmmettRequest at a time over IPC.
 */
import { performance } from 'node:perf_hooks';
import type { Event } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore, postgreSQLEventStoreMessageBatchPuller } from '@event-driven-io/emmett-postgresql';
// Emmett's own pool factory (a dependency of emmett-postgresql): the
// executor its consumers and projection rebuilds read through. It shares the
// event store's pg.Pool (dumbo keys pools by connection string).
import { dumbo, rawSql, sql } from '@event-driven-io/dumbo';
import {
  benchContext,
  concurrentAppends,
  DATA_KEY,
  EVENT_TYPE,
  FILLER,
  SEED_CHUNK,
  SEED_STREAM_LENGTH,
  siteConfigData,
  type EmmettRequest,
  type EmmettResponse,
  type ReplayResult,
  type SiteConfigData,
} from './workload';

type BenchMetadata = {
  correlationId: string;
  causationId: string;
  actor: string;
  at: string;
};

type SiteEvent = Event<typeof EVENT_TYPE, SiteConfigData, BenchMetadata>;

const url = process.env['EMMETT_DATABASE_URL'];
if (!url) throw new Error('EMMETT_DATABASE_URL is not set');
const eventStore = getPostgreSQLEventStore(url);
const pool = dumbo({ connectionString: url });

/**
 * siteops stamps correlation, causation, actor and time into metadata
 * itself; Emmett stores the metadata it is given, so give it the same
 * fields. Its message id goes to a column of its own, as siteops' event id
 * goes to `event_id` (and also into metadata).
 */
function siteEvent(siteId: string, revision: number): SiteEvent {
  return { type: EVENT_TYPE, data: siteConfigData(siteId, revision), metadata: { ...benchContext, at: new Date().toISOString() } };
}

function appends(writers: number, batches: number, batchSize: number): Promise<number> {
  return concurrentAppends(writers, batches, batchSize, async (siteId, streamId, expectedVersion, revisions) => {
    await eventStore.appendToStream(
      streamId,
      revisions.map((r) => siteEvent(siteId, r)),
      { expectedStreamVersion: BigInt(expectedVersion) },
    );
  });
}

async function countMessages(): Promise<number> {
  const { rows } = await pool.execute.query<{ n: number }>(rawSql('SELECT count(*)::int AS n FROM emt_messages'));
  return rows[0]?.n ?? 0;
}

/**
 * Tops emt_messages up to `total` rows server-side, in the shape
 * `emt_append_to_stream` writes (same columns, partition, schema version,
 * kind, transaction id), with the stream rows its append keeps in
 * emt_streams, and the same data and metadata as siteops' seed.
 */
async function seed(total: number): Promise<null> {
  const current = await countMessages();
  const run = `${Date.now()}-${Math.random()}`;
  for (let from = current; from < total; from += SEED_CHUNK) {
    const to = Math.min(total, from + SEED_CHUNK) - 1;
    await pool.execute.command(
      sql(
        `WITH seeded AS (
           INSERT INTO emt_messages (stream_id, stream_position, partition, message_data, message_metadata,
                                     message_schema_version, message_type, message_kind, message_id, transaction_id)
           SELECT 'site-' || e.site, e.g %% %s + 1, 'emt:default',
                  jsonb_build_object('siteId', e.site, 'key', %L::text, 'value', %L::text, 'revision', e.g %% %s + 1),
                  jsonb_build_object('correlationId', %L::text, 'causationId', %L::text, 'actor', %L::text,
                                     'at', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
                  '1', %L, 'E', gen_random_uuid()::text, pg_current_xact_id()
             FROM (SELECT md5(%L || (g / %s))::uuid AS site, g FROM generate_series(%s, %s) AS g) AS e
            ORDER BY e.g
           RETURNING stream_id, stream_position
         )
         INSERT INTO emt_streams (stream_id, stream_position, partition, stream_type, stream_metadata, is_archived)
         SELECT stream_id, max(stream_position), 'emt:default', 'site', '{}', false FROM seeded GROUP BY stream_id
         ON CONFLICT (stream_id, partition, is_archived) DO UPDATE SET stream_position = excluded.stream_position`,
        SEED_STREAM_LENGTH,
        DATA_KEY,
        FILLER,
        SEED_STREAM_LENGTH,
        benchContext.correlationId,
        benchContext.causationId,
        benchContext.actor,
        EVENT_TYPE,
        run,
        SEED_STREAM_LENGTH,
        from,
        to,
      ),
    );
  }
  // A store that has been running a while has been vacuumed: hint bits set, statistics current.
  await pool.execute.command(rawSql('VACUUM (ANALYZE) emt_messages'));
  return null;
}

/**
 * Replays the whole store the way an Emmett projection rebuild reads it: its
 * message batch puller (what `rebuildPostgreSQLProjections` and every
 * consumer run) over `readMessagesBatch`, from the beginning until no
 * messages are left. The puller is given no pause between full pages
 * (its default is 50 ms), and it is stopped after `maxSeconds`: each of its
 * pages scans and sorts the messages table (there is no index on
 * `(transaction_id, global_position)`), so the rate does not change with
 * how far it got.
 */
async function replay(pageSize: number, maxSeconds: number): Promise<ReplayResult> {
  const total = await countMessages();
  const controller = new AbortController();
  let events = 0;
  const started = performance.now();
  const deadline = started + maxSeconds * 1000;
  const puller = postgreSQLEventStoreMessageBatchPuller({
    executor: pool.execute,
    batchSize: pageSize,
    pullingFrequencyInMs: 0,
    stopWhen: { noMessagesLeft: true },
    signal: controller.signal,
    eachBatch: (messages) => {
      events += messages.length;
      return performance.now() > deadline ? { type: 'STOP', reason: 'benchmark time limit' } : undefined;
    },
  });
  await puller.start({ startFrom: 'BEGINNING' });
  return { events, seconds: (performance.now() - started) / 1000, total };
}

async function handle(request: EmmettRequest): Promise<number | ReplayResult | null> {
  switch (request.op) {
    case 'appends':
      return appends(request.writers, request.batches, request.batchSize);
    case 'seed':
      return seed(request.total);
    case 'replay':
      return replay(request.pageSize, request.maxSeconds);
    case 'close':
      await pool.close();
      await eventStore.close();
      return null;
  }
}

function reply(response: EmmettResponse): void {
  if (!process.send) throw new Error('emmett.worker must be started with an IPC channel');
  process.send(response);
}

// The benchmark going away ends the worker too.
process.on('disconnect', () => process.exit(0));
process.on('message', (request: EmmettRequest) => {
  void handle(request).then(
    (value) => {
      reply({ ok: true, value });
      if (request.op === 'close') process.disconnect();
    },
    (error: unknown) => {
      reply({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    },
  );
});

void eventStore.schema.migrate().then(
  () => {
    reply({ ok: true, value: null });
  },
  (error: unknown) => {
    reply({ ok: false, error: String(error) });
  },
);
