import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '@siteops/testing';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A user of the CLI: their own config directory, so contexts never leak between users. */
export class CliUser {
  readonly configHome = fs.mkdtempSync(path.join(os.tmpdir(), 'sitectl-'));

  constructor(private readonly baseEnv: NodeJS.ProcessEnv = {}) {}

  /** Runs the real `sitectl` launcher (apps/cli/bin/sitectl.js) as a user would. */
  run(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(repoRoot, 'apps/cli/bin/sitectl.js'), ...args], {
        cwd: repoRoot,
        env: {
          PATH: process.env['PATH'],
          HOME: this.configHome,
          XDG_CONFIG_HOME: this.configHome,
          ...this.baseEnv,
          ...options.env,
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('exit', (code) => { resolve({ code: code ?? -1, stdout, stderr }); });
      child.stdin.end(options.input ?? '');
    });
  }

  /** Runs and insists on exit code 0, returning stdout. */
  async ok(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
    const result = await this.run(args, options);
    if (result.code !== 0) {
      throw new Error(`sitectl ${args.join(' ')} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
    }
    return result.stdout;
  }

  /** Parses `-o json` output. */
  async json<T>(args: string[]): Promise<T> {
    return JSON.parse(await this.ok([...args, '-o', 'json'])) as T;
  }

  cleanup(): void {
    fs.rmSync(this.configHome, { recursive: true, force: true });
  }
}
