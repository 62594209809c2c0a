import type { Page } from '@siteops/contracts';
import { invalid } from '../problems/problem';

/**
 * Keyset pagination over an in-memory sorted list. The cursor is the sort key
 * of the last item served (base64url JSON, opaque to clients), so a page
 * continues after that key even when items were added or removed meanwhile.
 */
export type SortKey = readonly string[];

export function compareKeys(a: SortKey, b: SortKey): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Sorts by a key function with the same comparison the cursor uses. */
export function sortByKey<T>(items: Iterable<T>, keyOf: (item: T) => SortKey): T[] {
  return [...items]
    .map((item) => ({ item, key: keyOf(item) }))
    .sort((a, b) => compareKeys(a.key, b.key))
    .map((e) => e.item);
}

export function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): SortKey {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (
    !Array.isArray(decoded) ||
    decoded.length === 0 ||
    decoded.length > 8 ||
    !decoded.every((part) => typeof part === 'string')
  ) {
    throw invalid('cursor', 'is not a cursor this list handed out');
  }
  return decoded;
}

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

/** One page of `sorted` (ascending by `keyOf`) after the cursor. */
export function paginate<T, R>(
  sorted: readonly T[],
  keyOf: (item: T) => SortKey,
  request: PageRequest,
  map: (item: T) => R,
): Page<R> {
  let start = 0;
  if (request.cursor !== undefined) {
    const after = decodeCursor(request.cursor);
    // First item whose key is greater than the cursor (binary search).
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(keyOf(sorted[mid] as T), after) <= 0) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const slice = sorted.slice(start, start + request.limit);
  const last = slice[slice.length - 1];
  const more = start + request.limit < sorted.length;
  return {
    items: slice.map(map),
    nextCursor: more && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}
