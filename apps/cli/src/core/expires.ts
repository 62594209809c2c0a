import { UsageError } from './cli-errors';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const RELATIVE = /^(\d+)([mhdw])$/;
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * `--expires`: a duration from now (`30m`, `12h`, `30d`, `8w`) or an ISO-8601
 * date/time. A bare date means 00:00 UTC that day; a time without an offset
 * is local time, as ISO 8601 says. The result must lie in the future.
 */
export function parseExpires(input: string, now: Date): Date {
  const value = input.trim();
  const relative = RELATIVE.exec(value);
  let at: Date;
  if (relative) {
    const amount = Number(relative[1]);
    const unit = relative[2] as keyof typeof UNIT_MS;
    if (amount <= 0) throw invalid(input, 'a duration must be at least 1');
    at = new Date(now.getTime() + amount * UNIT_MS[unit]);
  } else {
    const iso = ISO.exec(value);
    if (!iso) throw invalid(input);
    const [, y, mo, d, h, mi, s] = iso;
    if (!isRealDate(Number(y), Number(mo), Number(d))) throw invalid(input, 'no such date');
    if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59))
      throw invalid(input, 'no such time');
    at =
      h === undefined ? new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d))) : new Date(value);
  }
  if (Number.isNaN(at.getTime())) throw invalid(input);
  if (at.getTime() <= now.getTime())
    throw new UsageError(`--expires ${input} is not in the future`);
  return at;
}

function isRealDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

function invalid(input: string, why?: string): UsageError {
  return new UsageError(
    `--expires "${input}" is not valid${why ? ` (${why})` : ''}`,
    'give a duration such as 30m, 12h, 30d or 8w, or an ISO date such as 2030-01-31 or 2030-01-31T12:00:00Z',
  );
}
