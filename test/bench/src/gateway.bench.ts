/**
 * Gateway benchmark: authenticated `GET /v1/organizations/{id}` on the real
 * platform against a bare Fastify handler for the same path, in the same run,
 * with the same autocannon settings (64 connections by default).
 *
 *   npm run bench -- gateway [--duration 10] [--warmup 3] [--connections 64] [--rounds 1]
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register test/bench/src/gateway.bench.ts
 *
 * The platform (all apps, as `npm start` runs them) gets a database, NATS
 * prefix, Redis prefix and data directory of its own, all removed at the end.
 * An organization is created through the API with the admin key, then read
 * with `Authorization: Bearer <admin key>`. The baseline answers the same
 * JSON body without auth, lookup or schema (gateway/bare.server.ts). Both
 * servers run in child processes, so autocannon here never shares their event
 * loop. Each side is warmed up first; with several rounds the order alternates
 * and figures are medians. Beside the targets, the report gives each server's
 * CPU time per request (from /proc): on a busy shared machine throughput
 * swings with the neighbours' load, CPU per request much less. Any response
 * other than 200 (or a socket error) fails the bench; a missed target does
 * not. Progress goes to stderr; the report to stdout, ending with one
 * `BENCH {json}` line.
 *
 * Knobs (flags win over the environment): BENCH_DURATION [10] s measured per
 * side and round, BENCH_WARMUP [3] s per side, BENCH_CONNECTIONS [64],
 * BENCH_ROUNDS [1].
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Table from 'cli-table3';
import { startPlatformProcess } from '@siteops/testing';
import { cpuSeconds, progress, startBareServer, type RunningServer } from './gateway/processes';

const TARGETS = { ratio: 0.5, p99Ms: 20 };

interface Options {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  rounds: number;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      rounds: { type: 'string' },
    },
    strict: true,
  });
  const pick = (flag: string | undefined, env: string, fallback: number, min: number): number => {
    const raw = flag ?? process.env[env];
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < min) {
      throw new Error(
        `${flag === undefined ? env : `--${env.slice(6).toLowerCase()}`} must be an integer ≥ ${min}`,
      );
    }
    return value;
  };
  return {
    durationSeconds: pick(values.duration, 'BENCH_DURATION', 10, 1),
    warmupSeconds: pick(values.warmup, 'BENCH_WARMUP', 3, 0),
    connections: pick(values.connections, 'BENCH_CONNECTIONS', 64, 1),
    rounds: pick(values.rounds, 'BENCH_ROUNDS', 1, 1),
  };
}

// ---------------------------------------------------------------- the API calls before the load

interface Organization {
  id: string;
  position: string;
}

async function createOrganization(baseUrl: string, adminKey: string): Promise<Organization> {
  const response = await fetch(`${baseUrl}/v1/organizations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench-org' }),
  });
  const text = await response.text();
  if (response.status !== 201)
    throw new Error(`POST /v1/organizations → ${response.status}: ${text}`);
  return JSON.parse(text) as Organization;
}

interface Probe {
  body: unknown;
  bytes: number;
}

/** One GET, which must answer 200 with JSON; `headers` as autocannon will send them. */
async function probe(url: string, headers: Record<string, string>): Promise<Probe> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url} → ${response.status}: ${text}`);
  return { body: JSON.parse(text), bytes: Buffer.byteLength(text) };
}

// ---------------------------------------------------------------- load

type Side = 'gateway' | 'bare';

const SIDE_LABEL: Record<Side, string> = {
  gateway: 'gateway (all apps, authenticated)',
  bare: 'bare Fastify handler',
};

interface Target {
  side: Side;
  url: string;
  headers: Record<string, string>;
  /** The server's process, for its CPU time. */
  pid: number | undefined;
}

interface Figures {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
  non2xx: number;
  requests: number;
  /** Server CPU time per request (µs); undefined without /proc. */
  cpuUsPerReq: number | undefined;
}

/** Runs autocannon against one side; throws unless every response was a 200. */
async function load(target: Target, seconds: number, connections: number): Promise<Figures> {
  const cpuBefore = cpuSeconds(target.pid);
  const result = await autocannon({
    url: target.url,
    connections,
    pipelining: 1,
    duration: seconds,
    headers: target.headers,
  });
  const cpuAfter = cpuSeconds(target.pid);
  const others = Object.entries(result.statusCodeStats ?? {})
    .filter(([code]) => code !== '200')
    .map(([code, stat]) => `${code} ×${stat.count ?? 0}`);
  if (
    result.non2xx > 0 ||
    others.length > 0 ||
    result.errors > 0 ||
    result.timeouts > 0 ||
    result['2xx'] === 0
  ) {
    // One more request shows what the server said.
    const sample = await fetch(target.url, { headers: target.headers })
      .then(async (r) => `${r.status} ${(await r.text()).slice(0, 300)}`)
      .catch((error: unknown) => String(error));
    throw new Error(
      `${SIDE_LABEL[target.side]}: not every response was 200 — ${result['2xx']} 2xx, non-2xx ${result.non2xx}` +
        ` (${others.join(', ') || 'no other status'}), socket errors ${result.errors}, timeouts ${result.timeouts}; ` +
        `a request now gets: ${sample}`,
    );
  }
  return {
    reqPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    meanMs: result.latency.mean,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    requests: result.requests.total,
    cpuUsPerReq:
      cpuBefore === undefined || cpuAfter === undefined || result.requests.total === 0
        ? undefined
        : ((cpuAfter - cpuBefore) * 1e6) / result.requests.total,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Medians of every figure over the rounds; counts are summed. */
function summarize(runs: Figures[]): Figures {
  const of = (pick: (f: Figures) => number) => median(runs.map(pick));
  const sum = (pick: (f: Figures) => number) => runs.reduce((total, f) => total + pick(f), 0);
  return {
    reqPerSec: of((f) => f.reqPerSec),
    p50Ms: of((f) => f.p50Ms),
    p99Ms: of((f) => f.p99Ms),
    meanMs: of((f) => f.meanMs),
    maxMs: Math.max(...runs.map((f) => f.maxMs)),
    non2xx: sum((f) => f.non2xx),
    requests: sum((f) => f.requests),
    cpuUsPerReq: runs.every((f) => f.cpuUsPerReq !== undefined)
      ? of((f) => f.cpuUsPerReq ?? 0)
      : undefined,
  };
}

// ---------------------------------------------------------------- report

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function ms(n: number): string {
  return n.toFixed(2);
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function report(
  options: Options,
  figures: Record<Side, Figures>,
  bodyBytes: Record<Side, number>,
  extra: Record<string, number>,
): string {
  const { gateway, bare } = figures;
  const ratio = gateway.reqPerSec / bare.reqPerSec;
  const ratioPass = ratio >= TARGETS.ratio;
  const cpuRatio =
    gateway.cpuUsPerReq === undefined || bare.cpuUsPerReq === undefined || gateway.cpuUsPerReq === 0
      ? undefined
      : bare.cpuUsPerReq / gateway.cpuUsPerReq;
  const p99Pass = gateway.p99Ms <= TARGETS.p99Ms;
  const verdict = (pass: boolean, text: string) => `${pass ? 'PASS' : 'FAIL'} (${text})`;

  const table = new Table({
    head: [
      `GET /v1/organizations/{id}, ${options.connections} connections, ${options.durationSeconds} s` +
        (options.rounds > 1 ? ` × ${options.rounds} rounds (medians)` : ''),
      'gateway',
      'bare Fastify',
      'ratio',
      'target',
    ],
    colAligns: ['left', 'right', 'right', 'right', 'left'],
    style: { head: [], border: [] },
  });
  table.push(
    [
      'req/s',
      fmt(gateway.reqPerSec),
      fmt(bare.reqPerSec),
      `${ratio.toFixed(2)}×`,
      verdict(ratioPass, `ratio ≥ ${TARGETS.ratio}`),
    ],
    ['latency p50 (ms)', ms(gateway.p50Ms), ms(bare.p50Ms), '', ''],
    [
      'latency p99 (ms)',
      ms(gateway.p99Ms),
      ms(bare.p99Ms),
      '',
      verdict(p99Pass, `gateway ≤ ${TARGETS.p99Ms} ms`),
    ],
    ['latency mean (ms)', ms(gateway.meanMs), ms(bare.meanMs), '', ''],
    ['latency max (ms)', ms(gateway.maxMs), ms(bare.maxMs), '', ''],
    ['non-2xx responses', fmt(gateway.non2xx), fmt(bare.non2xx), '', ''],
    ['requests', fmt(gateway.requests), fmt(bare.requests), '', ''],
    ['response body (bytes)', fmt(bodyBytes.gateway), fmt(bodyBytes.bare), '', ''],
  );
  // Throughput follows whatever else runs on the machine; CPU per request
  // hardly does, so it shows the cost of the gateway's work when the run is noisy.
  if (
    cpuRatio !== undefined &&
    gateway.cpuUsPerReq !== undefined &&
    bare.cpuUsPerReq !== undefined
  ) {
    table.push([
      'server CPU per request (µs); ratio bare/gateway',
      gateway.cpuUsPerReq.toFixed(1),
      bare.cpuUsPerReq.toFixed(1),
      `${cpuRatio.toFixed(2)}×`,
      'info',
    ]);
  }

  const json: Record<string, number | boolean> = {
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
    rounds: options.rounds,
  };
  for (const side of ['gateway', 'bare'] as const) {
    const f = figures[side];
    Object.assign(json, {
      [`${side}_reqPerSec`]: Math.round(f.reqPerSec),
      [`${side}_p50Ms`]: round2(f.p50Ms),
      [`${side}_p99Ms`]: round2(f.p99Ms),
      [`${side}_meanMs`]: round2(f.meanMs),
      [`${side}_maxMs`]: round2(f.maxMs),
      [`${side}_non2xx`]: f.non2xx,
      [`${side}_requests`]: f.requests,
      [`${side}_bodyBytes`]: bodyBytes[side],
      ...(f.cpuUsPerReq === undefined ? {} : { [`${side}_cpuUsPerReq`]: round2(f.cpuUsPerReq) }),
    });
  }
  Object.assign(json, {
    ratio: round3(ratio),
    ...(cpuRatio === undefined ? {} : { cpuRatio: round3(cpuRatio) }),
    ratio_target: TARGETS.ratio,
    ratio_pass: ratioPass,
    gateway_p99Ms_target: TARGETS.p99Ms,
    gateway_p99Ms_pass: p99Pass,
    pass: ratioPass && p99Pass,
    ...extra,
  });
  return `${table.toString()}\nBENCH ${JSON.stringify(json)}\n`;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const options = readOptions();
  progress(
    `${options.connections} connections, ${options.warmupSeconds} s warm-up, ${options.durationSeconds} s × ${options.rounds} round(s) per side`,
  );
  const loadStart = os.loadavg()[0] ?? 0;
  const started = performance.now();
  const servers: RunningServer[] = [];
  const cleanup = async () => {
    for (const server of servers.splice(0).reverse()) {
      await server.stop().catch((error: unknown) => {
        progress(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
  };
  // Ctrl-C or a kill still stops the children and drops the database.
  const interrupted = (signal: NodeJS.Signals) => {
    progress(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    // 1. The platform, and an organization to read.
    progress('starting the platform');
    const platform = await startPlatformProcess('bench_gateway');
    servers.push(platform);
    progress(`platform ready at ${platform.url} (pid ${String(platform.pid)})`);
    const org = await createOrganization(platform.url, platform.adminKey);
    const path = `/v1/organizations/${org.id}`;
    const headers = { authorization: `Bearer ${platform.adminKey}` };
    // Read-your-writes once, so the load starts on a projected organization.
    const gatewayProbe = await probe(`${platform.url}${path}`, {
      ...headers,
      'x-consistent-read': org.position,
    });

    // 2. The baseline, answering the same body.
    const bare = await startBareServer(gatewayProbe.body);
    servers.push(bare);
    const bareProbe = await probe(`${bare.url}${path}`, headers);
    progress(
      `bare Fastify ready at ${bare.url} (pid ${String(bare.pid)}); bodies ${gatewayProbe.bytes} / ${bareProbe.bytes} bytes`,
    );

    const targets: Record<Side, Target> = {
      gateway: { side: 'gateway', url: `${platform.url}${path}`, headers, pid: platform.pid },
      bare: { side: 'bare', url: `${bare.url}${path}`, headers, pid: bare.pid },
    };

    // 3. Warm-up: JIT, connection pools, caches.
    if (options.warmupSeconds > 0) {
      for (const side of ['gateway', 'bare'] as const) {
        progress(`warm-up ${side}`);
        await load(targets[side], options.warmupSeconds, options.connections);
      }
    }

    // 4. Measured rounds, alternating which side goes first.
    const runs: Record<Side, Figures[]> = { gateway: [], bare: [] };
    for (let round = 0; round < options.rounds; round++) {
      const order: Side[] = round % 2 === 0 ? ['gateway', 'bare'] : ['bare', 'gateway'];
      for (const side of order) {
        const figures = await load(targets[side], options.durationSeconds, options.connections);
        runs[side].push(figures);
        progress(
          `round ${round + 1} ${side}: ${fmt(figures.reqPerSec)} req/s, p99 ${figures.p99Ms} ms` +
            (figures.cpuUsPerReq === undefined
              ? ''
              : `, ${figures.cpuUsPerReq.toFixed(1)} µs CPU/req`),
        );
      }
    }

    // 5. Report.
    const text = report(
      options,
      { gateway: summarize(runs.gateway), bare: summarize(runs.bare) },
      { gateway: gatewayProbe.bytes, bare: bareProbe.bytes },
      {
        // The machine is shared: a high load average explains a slow run.
        loadAvg1m_start: round2(loadStart),
        loadAvg1m_end: round2(os.loadavg()[0] ?? 0),
        cpus: os.cpus().length,
        totalSeconds: Math.round((performance.now() - started) / 100) / 10,
      },
    );
    process.stdout.write(text);
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
