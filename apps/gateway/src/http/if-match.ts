import { invalid } from '../problems/problem';

/**
 * `If-Match` → the `expectedVersion` of a command. Accepts the strong ETag
 * the API sends (`"3"`) or a bare number (`3`); `*` (any current version) and
 * an absent header mean no precondition. Weak tags and lists cannot name one
 * stream version, so they are refused rather than guessed at.
 */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '' || value === '*') return undefined;
  const match = /^(?:"(\d{1,9})"|(\d{1,9}))$/.exec(value);
  const digits = match?.[1] ?? match?.[2];
  if (digits === undefined) {
    throw invalid(
      'If-Match',
      'must be one version as the ETag gives it, e.g. "3" (weak tags and lists are not accepted)',
    );
  }
  return Number(digits);
}

/** The strong ETag of a resource version. */
export function etagOf(version: number): string {
  return `"${version}"`;
}
