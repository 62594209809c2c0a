import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, eventually, uniqueName, type TestDatabase } from '@siteops/testing';

export const repoRoot = path.resolve(__dirname, '../../../..');

export interface RunningPlatform {
  readonly url: string;
  readonly adminKey: string;
  readonly dataDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Everything the process printed so far (for diagnosing a failed test). */
  output(): string;
  stop(): Promise<void>;
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

interface ChildApp {
  readonly url: string;
  output(): string;
  /** SIGTERM, then SIGKILL after 10 s. */
  kill(): Promise<void>;
}

/**
 * Runs `apps/<app>/src/main.ts` as a child process with `env` and waits until
 * its `/readyz` on `PORT` answers 200.
 */
async function spawnApp(app: string, env: NodeJS.ProcessEnv): Promise<ChildApp> {
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['-r', '@swc-node/register', path.join(repoRoot, `apps/${app}/src/main.ts`)], {
    cwd: repoRoot,
    env: { ...env, SWC_NODE_PROJECT: path.join(repoRoot, 'tsconfig.base.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { resolve(code); }));
  const url = `http://127.0.0.1:${String(env['PORT'])}`;
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`${app} exited with ${child.exitCode}:\n${output}`);
        const response = await fetch(`${url}/readyz`).catch(() => undefined);
        return response?.status === 200;
      },
      { timeoutMs: 90_000, intervalMs: 250, message: `${app} at ${url} to be ready` },
    );
  } catch (error) {
    await kill();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- ${app} output ---\n${output}`);
  }
  return { url, output: () => output, kill };
}

/**
 * Starts the whole platform as `npm start` does (all apps in one process),
 * on a database, NATS prefix, Redis prefix, data directory and port of its own.
 */
export async function startPlatformProcess(label: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<RunningPlatform> {
  const db: TestDatabase = await createTestDatabase(label);
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
  const cleanup = async () => {
    await db.drop().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  let platform: ChildApp;
  try {
    platform = await spawnApp('platform', env);
  } catch (error) {
    await cleanup();
    throw error;
  }
  const adminKey = fs.readFileSync(path.join(dataDir, 'admin-api-key'), 'utf8').trim();
  return {
    url: platform.url,
    adminKey,
    dataDir,
    env,
    output: platform.output,
    stop: async () => {
      await platform.kill();
      await cleanup();
    },
  };
}

/**
 * Starts one more app of a running platform in its own process (standalone
 * mode, its own port), as an operator scaling out would: same servers, same
 * prefixes. Stop it before the platform.
 */
export async function startAppProcess(platform: RunningPlatform, app: string): Promise<{ url: string; output(): string; stop(): Promise<void> }> {
  const child = await spawnApp(app, { ...platform.env, PORT: String(await freePort()) });
  return { url: child.url, output: child.output, stop: child.kill };
}
