/**
 * API write benchmark: `POST /v1/projects/{id}/sites` on the real platform,
 * at 1 and at 16 concurrent clients, against the ceiling of a raw
 * single-row INSERT into a scratch table of the same database, in the same
 * run.
 *
 *   npm run bench -- api-writes [--duration 10] [--warmup 3] [--rounds 1]
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/src/api-writes.bench.ts
 *
 * The platform (all apps, as `npm start` runs them) gets a database, NATS
 * prefix, Redis prefix and data directory of its own, all removed at the end.
 * An organization and a project are created with the admin key; each client
 * then creates sites with fresh names one after the other on a keep-alive
 * connection of its own. A create answers once the gateway's read models
 * include it (read-your-writes), so its latency is the whole write path:
 * gateway → NATS → hierarchy transaction → event store → projector → the
 * gateway's feed. Every answer must be a 201 that is not marked
 * `X-Consistency: stale` and that carries the created site; anything else
 * fails the bench, a missed target does not. After the load, one site of
 * each phase is read back from the gateway and must be there.
 *
 * The ceiling runs the same client counts against PostgreSQL directly:
 * `INSERT INTO <scratch> VALUES (…)` in autocommit, one row per statement,
 * each client on its own connection. Beside the rates, the report gives the
 * platform's CPU time per create (from /proc): on a busy shared machine
 * rates swing with the neighbours' load, CPU per create much less. Progress
 * goes to stderr; the report to stdout, ending with one `BENCH {json}` line.
 *
 * Knobs (flags win over the environment): BENCH_DURATION [10] s measured per
 * phase and round, BENCH_WARMUP [3] s, BENCH_ROUNDS [1].
 */
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { Pool } from 'pg';
import { startPlatformProcess, type PlatformProcess } from '@siteops/testing';
import { cpuSeconds, progress } from './gateway/processes';

const CLIENTS = [1, 16] as const;
type Clients = (typeof CLIENTS)[number];
const TARGETS = { c16PerSec: 400, c1P50Ms: 10 };
const COMPOSE = 'services:\n  web:\n    image: bench/web:1\n';

interface Options {
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
    },
    strict: true,
  });
  const pick = (flag: string | undefined, name: string, fallback: number, min: number): number => {
    const env = `BENCH_${name.toUpperCase()}`;
    const raw = flag ?? process.env[env];
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < min) {
      throw new Error(`${flag === undefined ? env : `--${name}`} must be an integer ≥ ${min}`);
    }
    return value;
  };
  return {
    durationSeconds: pick(values.duration, 'duration', 10, 1),
    warmupSeconds: pick(values.warmup, 'warmup', 3, 0),
    rounds: pick(values.rounds, 'rounds', 1, 1),
  };
}

// ---------------------------------------------------------------- HTTP

/**
 * node:http on a keep-alive agent rather than fetch: the client shares the
 * two cores with the server it measures, and this costs it the least CPU.
 */
class ApiClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly url: URL;

  constructor(
    baseUrl: string,
    private readonly apiKey: string,
  ) {
    this.url = new URL(baseUrl);
  }

  request(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: this.url.port,
          method,
          path,
          headers: {
            authorization: `Bearer ${this.apiKey}`,
            ...(payload === undefined
              ? {}
              : {
                  'content-type': 'application/json',
                  'content-length': Buffer.byteLength(payload),
                }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString(),
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** A request that must answer `status`; returns the parsed JSON body. */
  async expect<T>(status: number, method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.request(method, path, body);
    if (response.status !== status) {
      throw new Error(
        `${method} ${path} → ${response.status} (expected ${status}): ${response.text.slice(0, 300)}`,
      );
    }
    return JSON.parse(response.text) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

// ---------------------------------------------------------------- load

interface Figures {
  perSec: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  count: number;
  /** Platform CPU per operation (µs); undefined without /proc or for the ceiling. */
  cpuUsPerOp: number | undefined;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}

/**
 * `clients` loops, each running `operation` back to back for `seconds`;
 * figures over every operation that started inside the window.
 */
async function closedLoop(
  clients: number,
  seconds: number,
  operation: (client: number, index: number) => Promise<void>,
  pid?: number,
): Promise<Figures> {
  const latencies: number[] = [];
  const cpuBefore = cpuSeconds(pid);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await operation(client, next++);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpuAfter = cpuSeconds(pid);
  latencies.sort((a, b) => a - b);
  return {
    perSec: latencies.length / elapsed,
    p50Ms: percentile(latencies, 50),
    p90Ms: percentile(latencies, 90),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies[latencies.length - 1] ?? 0,
    count: latencies.length,
    cpuUsPerOp:
      cpuBefore === undefined || cpuAfter === undefined || latencies.length === 0
        ? undefined
        : ((cpuAfter - cpuBefore) * 1e6) / latencies.length,
  };
}

interface SiteAnswer {
  id: string;
  name: string;
  compose: { hash: string };
  position: string;
}

/** Creates sites named `<prefix>-<n>`; every answer must be a fresh 201 carrying the site. */
function siteCreator(
  api: ApiClient,
  projectId: string,
  prefix: string,
): {
  create: (client: number, index: number) => Promise<void>;
  last: () => SiteAnswer | undefined;
} {
  let last: SiteAnswer | undefined;
  return {
    last: () => last,
    create: async (_client, index) => {
      const name = `${prefix}-${index}`;
      const response = await api.request('POST', `/v1/projects/${projectId}/sites`, {
        name,
        compose: COMPOSE,
      });
      if (response.status !== 201) {
        throw new Error(
          `POST /v1/projects/${projectId}/sites → ${response.status}: ${response.text.slice(0, 300)}`,
        );
      }
      if (response.headers['x-consistency'] === 'stale') {
        throw new Error(
          `site ${name} was answered before the gateway's read models had it (X-Consistency: stale)`,
        );
      }
      const site = JSON.parse(response.text) as SiteAnswer;
      // The hash is the projector's: an answer built from the request alone has none.
      if (site.name !== name || site.compose.hash === '')
        throw new Error(`site ${name} answered as ${response.text.slice(0, 300)}`);
      last = site;
    },
  };
}

/** Read-your-writes, checked once more after the load: the gateway serves the site it answered for. */
async function checkReadBack(api: ApiClient, site: SiteAnswer | undefined): Promise<void> {
  if (!site) throw new Error('no site was created');
  const read = await api.expect<SiteAnswer>(200, 'GET', `/v1/sites/${site.id}`);
  if (read.name !== site.name)
    throw new Error(`GET /v1/sites/${site.id} gave ${read.name}, not ${site.name}`);
}

/** The ceiling: one-row INSERTs in autocommit, each client on a connection of its own. */
async function insertCeiling(
  databaseUrl: string,
  clients: number,
  seconds: number,
): Promise<Figures> {
  const pool = new Pool({
    connectionString: databaseUrl,
    max: clients,
    application_name: 'siteops:bench-ceiling',
  });
  try {
    await pool.query(
      'CREATE TABLE IF NOT EXISTS bench_scratch (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, data jsonb NOT NULL)',
    );
    // Every client holds its connection for the whole phase, as a service's pool does under load.
    const connections = await Promise.all(Array.from({ length: clients }, () => pool.connect()));
    try {
      const data = JSON.stringify({ name: 'bench', compose: COMPOSE });
      return await closedLoop(clients, seconds, async (client, index) => {
        await connections[client]?.query('INSERT INTO bench_scratch (name, data) VALUES ($1, $2)', [
          `row-${index}`,
          data,
        ]);
      });
    } finally {
      for (const connection of connections) connection.release();
    }
  } finally {
    await pool.query('DROP TABLE IF EXISTS bench_scratch').catch(() => undefined);
    await pool.end();
  }
}

// ---------------------------------------------------------------- report

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Medians of every figure over the rounds; counts are summed, the max is the max. */
function summarize(runs: Figures[]): Figures {
  const of = (pick: (f: Figures) => number) => median(runs.map(pick));
  return {
    perSec: of((f) => f.perSec),
    p50Ms: of((f) => f.p50Ms),
    p90Ms: of((f) => f.p90Ms),
    p99Ms: of((f) => f.p99Ms),
    maxMs: Math.max(...runs.map((f) => f.maxMs)),
    count: runs.reduce((total, f) => total + f.count, 0),
    cpuUsPerOp: runs.every((f) => f.cpuUsPerOp !== undefined)
      ? of((f) => f.cpuUsPerOp ?? 0)
      : undefined,
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => n.toFixed(2);
const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;

function report(
  options: Options,
  creates: Record<Clients, Figures>,
  inserts: Record<Clients, Figures>,
  extra: Record<string, number>,
): string {
  const verdict = (pass: boolean, text: string) => `${pass ? 'PASS' : 'FAIL'} (${text})`;
  const c16Pass = creates[16].perSec >= TARGETS.c16PerSec;
  const c1Pass = creates[1].p50Ms <= TARGETS.c1P50Ms;
  const table = new Table({
    head: [
      `site creates, ${options.durationSeconds} s per phase` +
        (options.rounds > 1 ? ` × ${options.rounds} rounds (medians)` : ''),
      'creates/s',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      'CPU µs/create',
      'ceiling INSERTs/s',
      'target',
    ],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
    style: { head: [], border: [] },
  });
  for (const clients of CLIENTS) {
    const f = creates[clients];
    table.push([
      `${clients} client${clients === 1 ? '' : 's'} (${fmt(f.count)} creates)`,
      fmt(f.perSec),
      ms(f.p50Ms),
      ms(f.p90Ms),
      ms(f.p99Ms),
      ms(f.maxMs),
      f.cpuUsPerOp === undefined ? '—' : fmt(f.cpuUsPerOp),
      fmt(inserts[clients].perSec),
      clients === 1
        ? verdict(c1Pass, `p50 ≤ ${TARGETS.c1P50Ms} ms`)
        : verdict(c16Pass, `≥ ${TARGETS.c16PerSec}/s`),
    ]);
  }
  const json: Record<string, number | boolean> = {};
  for (const clients of CLIENTS) {
    const f = creates[clients];
    Object.assign(json, {
      [`c${clients}_perSec`]: round1(f.perSec),
      [`c${clients}_p50Ms`]: round2(f.p50Ms),
      [`c${clients}_p90Ms`]: round2(f.p90Ms),
      [`c${clients}_p99Ms`]: round2(f.p99Ms),
      [`c${clients}_maxMs`]: round2(f.maxMs),
      [`c${clients}_creates`]: f.count,
      ...(f.cpuUsPerOp === undefined
        ? {}
        : { [`c${clients}_cpuUsPerCreate`]: Math.round(f.cpuUsPerOp) }),
    });
  }
  Object.assign(json, {
    insert_perSec: round1(inserts[16].perSec),
    insert_p50Ms: round2(inserts[16].p50Ms),
    insertC1_perSec: round1(inserts[1].perSec),
    insertC1_p50Ms: round2(inserts[1].p50Ms),
    c16_ratioToInsert: Math.round((creates[16].perSec / inserts[16].perSec) * 1000) / 1000,
    c16_perSec_target: TARGETS.c16PerSec,
    c16_perSec_pass: c16Pass,
    c1_p50Ms_target: TARGETS.c1P50Ms,
    c1_p50Ms_pass: c1Pass,
    pass: c16Pass && c1Pass,
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
    rounds: options.rounds,
    ...extra,
  });
  return `${table.toString()}\nBENCH ${JSON.stringify(json)}\n`;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const options = readOptions();
  progress(
    `clients ${CLIENTS.join(' and ')}, ${options.warmupSeconds} s warm-up, ${options.durationSeconds} s × ${options.rounds} round(s) per phase`,
  );
  const loadStart = os.loadavg()[0] ?? 0;
  const started = performance.now();
  let platform: PlatformProcess | undefined;
  let api: ApiClient | undefined;
  const cleanup = async () => {
    api?.close();
    await platform?.stop().catch((error: unknown) => {
      progress(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
    });
    platform = undefined;
  };
  // Ctrl-C or a kill still stops the platform and drops its database.
  const interrupted = (signal: NodeJS.Signals) => {
    progress(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    // 1. The platform, an organization and a project to create sites in.
    progress('starting the platform');
    platform = await startPlatformProcess('bench_api_writes');
    progress(`platform ready at ${platform.url} (pid ${String(platform.pid)})`);
    const databaseUrl = platform.env['DATABASE_URL'];
    if (!databaseUrl) throw new Error('the platform has no DATABASE_URL');
    api = new ApiClient(platform.url, platform.adminKey);
    const org = await api.expect<{ id: string }>(201, 'POST', '/v1/organizations', {
      name: 'bench-writes',
    });
    const project = await api.expect<{ id: string }>(
      201,
      'POST',
      `/v1/organizations/${org.id}/projects`,
      { name: 'bench' },
    );

    // 2. Warm-up: JIT, connection pools, plans.
    if (options.warmupSeconds > 0) {
      progress('warm-up');
      const warm = siteCreator(api, project.id, 'warm');
      await closedLoop(16, options.warmupSeconds, warm.create);
      await checkReadBack(api, warm.last());
    }

    // 3. Measured rounds: creates through the API, then the INSERT ceiling.
    const creates: Record<Clients, Figures[]> = { 1: [], 16: [] };
    const inserts: Record<Clients, Figures[]> = { 1: [], 16: [] };
    for (let round = 0; round < options.rounds; round++) {
      for (const clients of CLIENTS) {
        const creator = siteCreator(api, project.id, `r${round}-c${clients}`);
        const figures = await closedLoop(
          clients,
          options.durationSeconds,
          creator.create,
          platform.pid,
        );
        await checkReadBack(api, creator.last());
        creates[clients].push(figures);
        progress(
          `round ${round + 1}, ${clients} client(s): ${fmt(figures.perSec)} creates/s, p50 ${ms(figures.p50Ms)} ms, p99 ${ms(figures.p99Ms)} ms` +
            (figures.cpuUsPerOp === undefined
              ? ''
              : `, ${fmt(figures.cpuUsPerOp)} µs platform CPU/create`),
        );
      }
      for (const clients of CLIENTS) {
        const figures = await insertCeiling(databaseUrl, clients, options.durationSeconds);
        inserts[clients].push(figures);
        progress(
          `round ${round + 1}, ${clients} client(s): raw INSERT ${fmt(figures.perSec)}/s, p50 ${ms(figures.p50Ms)} ms`,
        );
      }
    }

    // 4. Report.
    process.stdout.write(
      report(
        options,
        { 1: summarize(creates[1]), 16: summarize(creates[16]) },
        { 1: summarize(inserts[1]), 16: summarize(inserts[16]) },
        {
          // The machine is shared: a high load average explains a slow run.
          loadAvg1m_start: round2(loadStart),
          loadAvg1m_end: round2(os.loadavg()[0] ?? 0),
          cpus: os.cpus().length,
          totalSeconds: Math.round((performance.now() - started) / 100) / 10,
        },
      ),
    );
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
