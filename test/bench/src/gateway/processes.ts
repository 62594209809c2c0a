/**
 * The two servers of the gateway benchmark, each in a child process of its
 * own, so that autocannon (in the bench process) never shares an event loop
 * with the server it measures. The platform comes from `startPlatformProcess`
 * (@siteops/testing), as in the e2e suites; the bare Fastify server is here.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@siteops/testing';

const swcProject = process.env['SWC_NODE_PROJECT'] ?? path.join(repoRoot, 'tsconfig.base.json');
const STOP_TIMEOUT_MS = 15_000;

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

export interface RunningServer {
  readonly url: string;
  readonly pid: number | undefined;
  /** Stops the process and removes whatever it made; safe to call twice. */
  stop(): Promise<void>;
}

/** SIGTERM, then SIGKILL if it has not exited within STOP_TIMEOUT_MS. */
async function terminate(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
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
