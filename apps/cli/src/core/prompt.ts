import { CliError } from './cli-errors';
import type { InputStream, OutputStream } from './cli-io';

/**
 * Reads one line from a terminal without echoing it (for API keys). The
 * terminal goes to raw mode so nothing is shown; we handle Enter, Backspace,
 * Ctrl-C and Ctrl-D ourselves and restore the mode whatever happens. The
 * prompt goes to stderr so stdout stays clean for data.
 */
export function readHidden(
  stdin: InputStream,
  stderr: OutputStream,
  prompt: string,
): Promise<string> {
  stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value: string[] = [];
    const finish = (): void => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.setRawMode?.(false);
      stdin.pause();
      stderr.write('\n');
    };
    const onEnd = (): void => {
      finish();
      resolve(value.join(''));
    };
    const onData = (chunk: Buffer | string): void => {
      for (const ch of typeof chunk === 'string' ? chunk : chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          onEnd();
          return;
        }
        if (ch === '\u0003') {
          finish();
          reject(new CliError('cancelled'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value.push(ch);
      }
    };
    stdin.setRawMode?.(true);
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.resume();
  });
}

/** Reads a line typed at a terminal in normal (echoing) mode. */
export function readLine(
  stdin: InputStream,
  stderr: OutputStream,
  prompt: string,
): Promise<string> {
  stderr.write(prompt);
  return new Promise((resolve) => {
    let buffer = '';
    const finish = (): void => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', finish);
      stdin.pause();
      resolve(buffer.split('\n')[0] ?? '');
    };
    const onData = (chunk: Buffer | string): void => {
      buffer += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      if (buffer.includes('\n')) finish();
    };
    stdin.on('data', onData);
    stdin.on('end', finish);
    stdin.resume();
  });
}

/** Everything piped into stdin (e.g. `echo "$KEY" | sitectl login`). */
export async function readAll(stdin: InputStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** y/N question; anything but y/yes is no. */
export async function confirm(
  stdin: InputStream,
  stderr: OutputStream,
  question: string,
): Promise<boolean> {
  const answer = await readLine(stdin, stderr, `${question} [y/N] `);
  return /^\s*y(es)?\s*$/i.test(answer);
}
