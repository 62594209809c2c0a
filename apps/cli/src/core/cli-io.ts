/**
 * Everything sitectl touches outside itself. `run()` takes it as a parameter so
 * tests drive the whole program in-process with fake streams, a temp config
 * directory and a throwaway HTTP server, and product code never reaches for
 * `process` (or `console`, which lint bans) directly.
 */
export interface InputStream extends NodeJS.ReadableStream {
  readonly isTTY?: boolean;
  /** Present on TTYs only; used to read an API key without echo. */
  setRawMode?(mode: boolean): unknown;
}

export interface OutputStream {
  write(chunk: string): boolean;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface CliIo {
  readonly stdin: InputStream;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Relative file arguments (`--compose-file`) are read from here. */
  readonly cwd: string;
  readonly now: () => Date;
  readonly fetch: typeof fetch;
}

export function processIo(): CliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
    fetch: (input, init) => fetch(input, init),
  };
}
