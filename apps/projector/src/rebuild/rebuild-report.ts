import type { RebuildResult, ReadModelsSnapshot } from '../read-models/read-models.rebuild';

export interface RebuildArgs {
  verify: boolean;
  help: boolean;
  batchSize: number | undefined;
}

export const REBUILD_USAGE = `usage: projector rebuild [--verify] [--batch-size N]

Rebuilds every read model (rm_* tables) from position 0 of the event store in
one transaction, then prints row counts and the table hash before and after.
  --verify        exit 1 unless the rebuild reproduces the live tables exactly
                  (compared at the live checkpoint, so appends during the
                  rebuild do not count as a difference)
  --batch-size N  events read per page (default 1000)
`;

export class UsageError extends Error {}

export function parseRebuildArgs(args: readonly string[]): RebuildArgs {
  const parsed: RebuildArgs = { verify: false, help: false, batchSize: undefined };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--verify') parsed.verify = true;
    else if (arg === '--help' || arg === '-h') parsed.help = true;
    else if (arg === '--batch-size') {
      const value = Number(args[++i]);
      if (!Number.isInteger(value) || value < 1 || value > 100_000) {
        throw new UsageError('--batch-size needs a whole number between 1 and 100000');
      }
      parsed.batchSize = value;
    } else {
      throw new UsageError(`unknown argument ${arg ?? ''}`);
    }
  }
  return parsed;
}

/** True when replaying from 0 gave the very tables the live projection had built. */
export function rebuildMatchesLive(result: RebuildResult): boolean {
  return result.before !== undefined && result.before.hash === result.atPreviousPosition?.hash;
}

/** The command's human-readable report. */
export function formatRebuildReport(result: RebuildResult, verify: boolean): string {
  const { before, after, atPreviousPosition } = result;
  const lines = [
    `Rebuilt the read models from position 0: ${result.events} events replayed in ${(result.durationMs / 1000).toFixed(2)} s.`,
    '',
  ];
  const tables = Object.keys({ ...before?.rows, ...after?.rows });
  const width = Math.max(5, ...tables.map((t) => t.length));
  lines.push(`${'table'.padEnd(width)}  ${'before'.padStart(8)}  ${'after'.padStart(8)}`);
  for (const table of tables) {
    lines.push(`${table.padEnd(width)}  ${count(before, table).padStart(8)}  ${count(after, table).padStart(8)}`);
  }
  lines.push('');
  const previous = result.previousPosition ?? 'none';
  lines.push(`hash before   ${before?.hash ?? '-'}  (live tables, checkpoint ${previous})`);
  if (result.previousPosition !== result.position) {
    // Events were appended after the live checkpoint: compare like with like.
    lines.push(`hash rebuilt  ${atPreviousPosition?.hash ?? '-'}  (replay stopped at checkpoint ${previous})`);
  }
  lines.push(`hash after    ${after?.hash ?? '-'}  (rebuilt tables, checkpoint ${result.position})`);
  if (verify) {
    lines.push(
      '',
      rebuildMatchesLive(result)
        ? `verify: OK, the rebuild reproduces the live tables at checkpoint ${previous}`
        : `verify: MISMATCH, the live tables differed from a replay to checkpoint ${previous}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function count(snapshot: ReadModelsSnapshot | undefined, table: string): string {
  const n = snapshot?.rows[table];
  return n === undefined ? '-' : String(n);
}
