import { DomainError } from '@siteops/contracts';
import { compareKeys, decodeCursor, encodeCursor, paginate, sortByKey } from './pagination';

interface Item {
  name: string;
  id: string;
}
const key = (i: Item) => [i.name.toLowerCase(), i.id];
const items = (names: string[]) =>
  sortByKey(
    names.map((name, n) => ({ name, id: `id${n}` })),
    key,
  );

describe('paginate', () => {
  it('walks every item exactly once across pages', () => {
    const all = items(['b', 'A', 'c', 'd', 'E', 'f', 'g']);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = paginate(all, key, { limit: 3, cursor }, (i) => i.name);
      seen.push(...page.items);
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(['A', 'b', 'c', 'd', 'E', 'f', 'g']);
  });

  it('gives no cursor when the page reaches the end', () => {
    expect(paginate(items(['a', 'b']), key, { limit: 2 }, (i) => i.name)).toEqual({
      items: ['a', 'b'],
      nextCursor: null,
    });
    expect(paginate([], key, { limit: 2 }, (i: Item) => i.name)).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it('continues after the last key served even when items changed meanwhile', () => {
    const first = paginate(items(['a', 'b', 'c', 'd']), key, { limit: 2 }, (i) => i.name);
    // "b" was deleted and "bb" created before the next page was asked for.
    const changed = sortByKey([...items(['a', 'c', 'd']), { name: 'bb', id: 'new' }], key);
    const second = paginate(
      changed,
      key,
      { limit: 2, cursor: first.nextCursor ?? undefined },
      (i) => i.name,
    );
    expect(second.items).toEqual(['bb', 'c']);
  });

  it('refuses a cursor it did not hand out with a field error', () => {
    for (const cursor of [
      'not-base64-json',
      encodeCursor([]),
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from('[1]').toString('base64url'),
    ]) {
      let error: unknown;
      try {
        paginate(items(['a']), key, { limit: 1, cursor }, (i) => i);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('validation_failed');
      expect((error as DomainError).errors?.[0]?.field).toBe('cursor');
    }
  });

  it('round-trips cursors and orders keys element by element', () => {
    expect(decodeCursor(encodeCursor(['x', 'y']))).toEqual(['x', 'y']);
    expect(compareKeys(['a', 'b'], ['a', 'c'])).toBeLessThan(0);
    expect(compareKeys(['b'], ['a', 'z'])).toBeGreaterThan(0);
    expect(compareKeys(['a', 'b'], ['a', 'b'])).toBe(0);
  });
});
