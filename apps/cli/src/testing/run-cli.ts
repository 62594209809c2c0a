import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { CliIo, InputStream, OutputStream } from '../core/cli-io';
import { run } from '../program';

/** Collects what sitectl writes. */
export class CapturedOutput implements OutputStream {
  private readonly chunks: string[] = [];

  constructor(
    readonly isTTY = false,
    readonly columns = 200,
  ) {}

  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }

  get text(): string {
    return this.chunks.join('');
  }
}

/** A stand-in terminal for stdin: answers can be written in advance; raw-mode switches are recorded. */
export class FakeTty extends PassThrough implements InputStream {
  readonly isTTY = true;
  readonly rawModes: boolean[] = [];

  setRawMode(mode: boolean): this {
    this.rawModes.push(mode);
    return this;
  }
}

export interface RunOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Text piped into stdin (not a TTY), or a stream such as a FakeTty. */
  readonly stdin?: string | InputStream;
  /** Whether stdout is a terminal (decides the default output format). */
  readonly tty?: boolean;
  readonly cwd?: string;
  readonly now?: Date;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A fixed clock for every test, so ages and `--expires` are deterministic. */
export const NOW = new Date('2030-01-15T12:00:00Z');

/**
 * Runs sitectl in-process. HOME points nowhere unless a test sets it, so no
 * test can read or write the real user's config by accident.
 */
export async function runCli(
  argv: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const stdout = new CapturedOutput(options.tty ?? false);
  const stderr = new CapturedOutput(options.tty ?? false);
  const stdin: InputStream =
    options.stdin === undefined || typeof options.stdin === 'string'
      ? Readable.from([options.stdin ?? ''])
      : options.stdin;
  const io: CliIo = {
    stdin,
    stdout,
    stderr,
    env: { HOME: '/nonexistent/sitectl-test-home', ...options.env },
    cwd: options.cwd ?? '/nonexistent/sitectl-test-cwd',
    now: () => options.now ?? NOW,
    fetch: (input, init) => fetch(input, init),
  };
  const code = await run(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A fresh directory for XDG_CONFIG_HOME (or files), removed by `cleanup`. */
export async function tempDir(): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'sitectl-test-'));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

export const TEST_KEY = 'siteops_k1testkey_c2VjcmV0LXNlY3JldC1zZWNyZXQ';
