/**
 * The two servers of the gateway benchmark, each in a child process of its
 * own, so that autocannon (in the bench process) never shares an event loop
 * with the server it measures.
 *
 * The platform is started as `npm start` starts it (all apps in one process),
 * on a database, NATS prefix, Redis prefix, data directory and port of its
 * own, so the bench can share the servers with other runs. The e2e support
 * has a launcher too, but a bench may not import from the e2e project (module
 * boundaries); this one also removes the NATS stream and Redis keys it made.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { connect } from 'nats';
import { natsNames } from '@siteops/contracts';
import { createTestDatabase, eventually, testServers, uniqueName } from '@siteops/testing';

export const repoRoot = path.resolve(__dirname, '../../../..');
const swcProject = process.env['SWC_NODE_PROJECT'] ?? path.join(repoRoot, 'tsconfig.base.json');

const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 15_000;
/** The tail of the platform's output kept for an error message. */
const OUTPUT_TAIL = 64 * 1024;

/** Prints progress to stderr, so stdout holds only the report. */
export function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

let clockTicks: number | undefined;

/**
 * CPU seconds (user + system, all threads) a process has used so far, from
 * /proc; undefined where there is no /proc. Unlike throughput, this hardly
 * moves when other processes compete for the cores.
 */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return undefined;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

export interface RunningServer {
  readonly url: string;
  readonly pid: number | undefined;
  /** Stops the process and removes whatever it made; safe to call twice. */
  stop(): Promise<void>;
}

export interface RunningPlatform extends RunningServer {
  readonly adminKey: string;
  /** The tail of what the process printed (for diagnosing a failure). */
  output(): string;
}

/** SIGTERM, then SIGKILL if it has not exited within STOP_TIMEOUT_MS. */
async function terminate(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** Runs every step even when one fails; throws the failures together at the end. */
async function allSteps(steps: (() => Promise<unknown>)[]): Promise<void> {
  const failures: string[] = [];
  for (const step of steps) {
    await step().catch((error: unknown) => {
      failures.push(error instanceof Error ? error.message : String(error));
    });
  }
  if (failures.length > 0) throw new Error(failures.join('; '));
}

async function deleteNatsStream(prefix: string): Promise<void> {
  const nc = await connect({ servers: testServers.natsUrl, name: 'siteops-bench-cleanup' });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(natsNames(prefix).eventStream).catch(() => false);
  } finally {
    await nc.drain();
  }
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(testServers.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 500 })) {
      const batch = keys as string[];
      if (batch.length > 0) await redis.del(...batch);
    }
  } finally {
    redis.disconnect();
  }
}

/** Starts `apps/platform/src/main.ts` and waits until `/readyz` answers 200. */
export async function startPlatform(label: string): Promise<RunningPlatform> {
  const db = await createTestDatabase(label);
  const prefix = uniqueName(label);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `siteops-${label}-`));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;

  let output = '';
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', path.join(repoRoot, 'apps/platform/src/main.ts')],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        SITEOPS_NATS_PREFIX: prefix,
        SITEOPS_REDIS_PREFIX: prefix,
        SITEOPS_DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        SWC_NODE_PROJECT: swcProject,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_TAIL);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= allSteps([
      () => terminate(child, exited),
      () => db.drop(),
      () => deleteNatsStream(prefix),
      () => deleteRedisKeys(prefix),
      () => fs.promises.rm(dataDir, { recursive: true, force: true }),
    ]));

  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`the platform exited with ${child.exitCode}`);
        const response = await fetch(`${url}/readyz`).catch(() => undefined);
        return response?.status === 200;
      },
      {
        timeoutMs: READY_TIMEOUT_MS,
        intervalMs: 250,
        message: `the platform at ${url} to be ready`,
      },
    );
    const adminKey = fs.readFileSync(path.join(dataDir, 'admin-api-key'), 'utf8').trim();
    return { url, pid: child.pid, adminKey, output: () => output, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n--- platform output ---\n${output}`,
    );
  }
}

/** Forks `bare.server.ts`, answering with `body` (the id from the path). */
export async function startBareServer(body: unknown): Promise<RunningServer> {
  const child = fork(path.join(__dirname, 'bare.server.ts'), [], {
    execArgv: ['-r', '@swc-node/register'],
    env: {
      ...process.env,
      SWC_NODE_PROJECT: swcProject,
      BARE_BODY: JSON.stringify(body),
      PORT: '0',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= terminate(child, exited));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error('the bare Fastify server did not start within 30 s'));
      }, 30_000);
      child.once('message', (message: { port: number }) => {
        clearTimeout(timer);
        resolve(message.port);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the bare Fastify server exited with ${String(code)}`));
      });
    });
    return { url: `http://127.0.0.1:${port}`, pid: child.pid, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
