import { Option } from 'commander';
import type { CliIo, OutputStream } from './cli-io';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** `-o, --output`, added to every command that prints data. */
export function outputOption(
  description = 'output format (default: table on a terminal, json otherwise)',
): Option {
  return new Option('-o, --output <format>', description).choices(OUTPUT_FORMATS);
}

/**
 * Tables are for people, JSON is for pipes: without `-o`, a terminal gets a
 * table and anything else (a pipe, a file, a CI log) gets JSON, so scripts
 * never parse column layouts by accident.
 */
export function chooseFormat(requested: string | undefined, stdout: OutputStream): OutputFormat {
  if (requested !== undefined) return requested as OutputFormat;
  return stdout.isTTY === true ? 'table' : 'json';
}

export const PRINT_CREATED =
  'print the created resource in this format instead of a one-line message';

/**
 * What a create prints: a one-line confirmation (`site "acme/web/prod"
 * created (id …)`) unless `-o` asks for the resource, e.g. `-o json` to
 * capture the new id in a script.
 */
export async function writeCreated(
  io: CliIo,
  output: string | undefined,
  message: string,
  write: (format: OutputFormat) => Promise<void>,
): Promise<void> {
  if (output === undefined) io.stdout.write(`${message}\n`);
  else await write(chooseFormat(output, io.stdout));
}

export interface Column<T> {
  readonly header: string;
  readonly value: (item: T) => string;
}

/**
 * A list: one row per item in a table; in JSON/YAML, `data` (by default the
 * items themselves — pass the plain DTOs when rows carry display-only extras).
 */
export async function writeList<T>(
  io: CliIo,
  format: OutputFormat,
  items: readonly T[],
  columns: readonly Column<T>[],
  noun: string,
  data: unknown = items,
): Promise<void> {
  if (format !== 'table') return writeData(io, format, data);
  if (items.length === 0) {
    // Like kubectl: the notice goes to stderr so stdout stays empty.
    io.stderr.write(`No ${noun} found.\n`);
    return;
  }
  io.stdout.write(
    await renderTable(
      columns.map((c) => c.header),
      items.map((item) => columns.map((c) => c.value(item))),
    ),
  );
}

/** One resource: a FIELD/VALUE table, or `data` as JSON/YAML. */
export async function writeDetails(
  io: CliIo,
  format: OutputFormat,
  data: unknown,
  fields: readonly (readonly [string, string])[],
): Promise<void> {
  if (format !== 'table') return writeData(io, format, data);
  io.stdout.write(
    await renderTable(
      undefined,
      fields.map(([k, v]) => [k, v]),
    ),
  );
}

export async function writeData(io: CliIo, format: 'json' | 'yaml', data: unknown): Promise<void> {
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    return;
  }
  const { stringify } = await import('yaml');
  io.stdout.write(stringify(data));
}

/** Borderless, kubectl-like columns; headers upper-case. */
export async function renderTable(
  headers: readonly string[] | undefined,
  rows: readonly (readonly string[])[],
): Promise<string> {
  const { default: Table } = await import('cli-table3');
  const table = new Table({
    ...(headers ? { head: headers.map((h) => h.toUpperCase()) } : {}),
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '   ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
  });
  table.push(...rows.map((r) => [...r]));
  return `${table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')}\n`;
}

/** `45s`, `12m`, `5h`, `3d`: how long ago, kubectl-style. */
export function formatAge(iso: string | null | undefined, now: Date): string {
  if (!iso) return '-';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '-';
  const seconds = Math.max(0, Math.floor((now.getTime() - then) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

export function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}
