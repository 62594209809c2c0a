import { spawn } from 'node:child_process';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../../../..');

export interface ChildResult {
  /** Exit code, or the signal that ended it. */
  exit: number | NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript entry point of this repository in a child process, as `node -r @swc-node/register`. */
export function runTs(file: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', path.resolve(repoRoot, file), ...args], {
      cwd: repoRoot,
      env: { ...process.env, SWC_NODE_PROJECT: path.join(repoRoot, 'tsconfig.base.json'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ exit: signal ?? code, stdout, stderr });
    });
  });
}
