import { DomainError } from '@siteops/contracts';
import { etagOf, parseIfMatch } from './if-match';

describe('parseIfMatch', () => {
  it('takes the ETag the API sends, or a bare number', () => {
    expect(parseIfMatch('"3"')).toBe(3);
    expect(parseIfMatch(' 12 ')).toBe(12);
    expect(parseIfMatch(etagOf(7))).toBe(7);
  });

  it('means no precondition when absent, empty or *', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch('')).toBeUndefined();
    expect(parseIfMatch('*')).toBeUndefined();
  });

  it.each(['W/"3"', '"3", "4"', 'abc', '"-1"', '"1.5"', '"99999999999"'])(
    'refuses %p with a field error on If-Match',
    (header) => {
      let error: unknown;
      try {
        parseIfMatch(header);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).errors).toEqual([
        { field: 'If-Match', message: expect.stringContaining('one version') as unknown },
      ]);
    },
  );
});
