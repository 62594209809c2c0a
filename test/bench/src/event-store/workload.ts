/**
 * What both sides of the event-store benchmark write and measure: the event
 * payload, the workload sizes, timing helpers and the messages between the
 * benchmark and its Emmett worker process.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

export const EVENT_TYPE = 'SiteConfigChanged';
export const DATA_KEY = 'DATABASE_URL';
/** Sized so that one event's `data` serialises to ~200 bytes of JSON (printed at start). */
export const FILLER = 'x'.repeat(110);
/** Seeded streams hold this many events each, like streams written by the batch workload. */
export const SEED_STREAM_LENGTH = 100;
/** Rows per seeding statement; each statement is its own transaction. */
export const SEED_CHUNK = 50_000;

export const SINGLE = { writers: 8, appendsPerWriter: 2500, warmupPerWriter: 250 };
export const BATCH = { writers: 4, batchSize: 100, batchesPerWriter: 50, warmupBatches: 5 };

// A type alias, not an interface: Emmett's event data must be assignable to a record type.
export type SiteConfigData = {
  siteId: string;
  key: string;
  value: string;
  revision: number;
};

/** Correlation, causation and actor shared by every benchmark event. */
export const benchContext = { correlationId: randomUUID(), causationId: randomUUID(), actor: 'bench' };

export function siteConfigData(siteId: string, revision: number): SiteConfigData {
  return { siteId, key: DATA_KEY, value: FILLER, revision };
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid];
  if (upper === undefined) throw new Error('median of no values');
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? upper) + upper) / 2;
}

/** Items per second for `count` items of `work`. */
export async function ratePerSecond(count: number, work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return count / ((performance.now() - started) / 1000);
}

/**
 * `writers` concurrent loops, each on a stream of its own (`site-<uuid>`),
 * each appending `batches` batches of `batchSize` events with exact expected
 * versions. Returns events per second.
 */
export function concurrentAppends(
  writers: number,
  batches: number,
  batchSize: number,
  append: (siteId: string, streamId: string, expectedVersion: number, revisions: number[]) => Promise<void>,
): Promise<number> {
  return ratePerSecond(writers * batches * batchSize, async () => {
    await Promise.all(
      range(writers).map(async () => {
        const siteId = randomUUID();
        const streamId = `site-${siteId}`;
        for (let b = 0; b < batches; b++) {
          const version = b * batchSize;
          await append(siteId, streamId, version, range(batchSize).map((i) => version + i + 1));
        }
      }),
    );
  });
}

/** A replay that read `events` in `seconds`. */
export interface ReplayResult {
  events: number;
  seconds: number;
  /** Rows in the store; `events < total` when the replay was stopped at its time limit. */
  total: number;
}

/** Requests the benchmark sends to the Emmett worker (one at a time). */
export type EmmettRequest =
  | { op: 'appends'; writers: number; batches: number; batchSize: number }
  | { op: 'seed'; total: number }
  | { op: 'replay'; pageSize: number; maxSeconds: number }
  | { op: 'close' };

export type EmmettResponse = { ok: true; value: number | ReplayResult | null } | { ok: false; error: string };

/** Prints progress to stderr, so stdout holds only the report. */
export function progress(message: string): void {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}
