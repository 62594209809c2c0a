import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { connect } from 'nats';
import { natsNames } from '@siteops/contracts';
import { freePort } from './free-port';
import { createTestDatabase, eventually, testServers, uniqueName } from './test-env';

/** The repository root: where `apps/<app>/src/main.ts` are run from. */
export const repoRoot = path.resolve(__dirname, '../../..');

const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 10_000;
/** The tail of a process's output kept for an error message. */
const OUTPUT_TAIL = 256 * 1024;

export interface AppProcess {
  readonly url: string;
  readonly pid: number | undefined;
  /** The tail of what the process printed (for diagnosing a failure). */
  output(): string;
  /** SIGTERM, then SIGKILL after 10 s; safe to call twice. */
  stop(): Promise<void>;
}

export interface PlatformProcess extends AppProcess {
  readonly adminKey: string;
  readonly dataDir: string;
  /** The environment it runs with: start more apps of the same installation with it. */
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Runs `apps/<app>/src/main.ts` (through @swc-node/register) as a child
 * process with `env`, and waits until `/readyz` on its `PORT` answers 200.
 */
async function spawnApp(app: string, env: NodeJS.ProcessEnv): Promise<AppProcess> {
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['-r', '@swc-node/register', path.join(repoRoot, `apps/${app}/src/main.ts`)], {
    cwd: repoRoot,
    env: { ...env, SWC_NODE_PROJECT: path.join(repoRoot, 'tsconfig.base.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let partial = '';
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-OUTPUT_TAIL);
    // Errors (pino level ≥ 50) go to the test's stderr as they happen, so the
    // stack behind an unexpected 500 is in the CI log, not lost with the process.
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (/^\{"level":(50|60),/.test(line)) process.stderr.write(`[${app}] ${line}\n`);
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  const url = `http://127.0.0.1:${String(env['PORT'])}`;
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    })());
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`${app} exited with ${child.exitCode}`);
        const response = await fetch(`${url}/readyz`).catch(() => undefined);
        return response?.status === 200;
      },
      { timeoutMs: READY_TIMEOUT_MS, intervalMs: 250, message: `${app} at ${url} to be ready` },
    );
  } catch (error) {
    await stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- ${app} output ---\n${output}`);
  }
  return { url, pid: child.pid, output: () => output, stop };
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
  const nc = await connect({ servers: testServers.natsUrl, name: 'siteops-test-cleanup' });
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

/**
 * Starts the whole platform as `npm start` does (all apps in one process),
 * on a database, NATS prefix, Redis prefix, data directory and port of its
 * own, so it can share the servers with other runs. `stop()` ends it and
 * removes all of that again.
 */
export async function startPlatformProcess(label: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<PlatformProcess> {
  const db = await createTestDatabase(label);
  const prefix = uniqueName(label);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `siteops-${label}-`));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: db.url,
    SITEOPS_NATS_PREFIX: prefix,
    SITEOPS_REDIS_PREFIX: prefix,
    SITEOPS_DATA_DIR: dataDir,
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const cleanup = () =>
    allSteps([
      () => db.drop(),
      () => deleteNatsStream(prefix),
      () => deleteRedisKeys(prefix),
      () => fs.promises.rm(dataDir, { recursive: true, force: true }),
    ]);
  let platform: AppProcess;
  try {
    platform = await spawnApp('platform', env);
  } catch (error) {
    await cleanup().catch(() => undefined);
    throw error;
  }
  const adminKey = fs.readFileSync(path.join(dataDir, 'admin-api-key'), 'utf8').trim();
  let stopped: Promise<void> | undefined;
  return {
    url: platform.url,
    pid: platform.pid,
    adminKey,
    dataDir,
    env,
    output: platform.output,
    stop: () => (stopped ??= allSteps([platform.stop, cleanup])),
  };
}

/**
 * Starts one more app of a running platform in its own process (standalone
 * mode, a port of its own) on the same servers and prefixes, as an operator
 * scaling out would. Stop it before the platform.
 */
export async function startAppProcess(platform: PlatformProcess, app: string): Promise<AppProcess> {
  return spawnApp(app, { ...platform.env, PORT: String(await freePort()) });
}
