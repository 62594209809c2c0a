import { UsageError } from './cli-errors';
import { parseExpires } from './expires';

const now = new Date('2030-01-15T12:00:00Z');

describe('parseExpires', () => {
  it.each([
    ['30m', '2030-01-15T12:30:00.000Z'],
    ['12h', '2030-01-16T00:00:00.000Z'],
    ['30d', '2030-02-14T12:00:00.000Z'],
    ['2w', '2030-01-29T12:00:00.000Z'],
  ])('reads the duration %s from now', (input, expected) => {
    expect(parseExpires(input, now).toISOString()).toBe(expected);
  });

  it('reads a bare date as 00:00 UTC of that day', () => {
    expect(parseExpires('2030-03-01', now).toISOString()).toBe('2030-03-01T00:00:00.000Z');
  });

  it('reads a date-time with an offset', () => {
    expect(parseExpires('2030-03-01T10:30:00+02:00', now).toISOString()).toBe(
      '2030-03-01T08:30:00.000Z',
    );
    expect(parseExpires('2030-03-01T10:30Z', now).toISOString()).toBe('2030-03-01T10:30:00.000Z');
  });

  it.each([
    '30',
    'd',
    '30x',
    '30 d',
    '1.5d',
    '-1d',
    'tomorrow',
    '2030-13-01',
    '2030-02-30',
    '2030-01-20T25:00Z',
    '2030-1-5',
  ])('rejects %s as a usage error', (input) => {
    expect(() => parseExpires(input, now)).toThrow(UsageError);
  });

  it('rejects a zero duration and a moment in the past', () => {
    expect(() => parseExpires('0d', now)).toThrow(/at least 1/);
    expect(() => parseExpires('2030-01-15', now)).toThrow(/not in the future/);
    expect(() => parseExpires('2029-12-31T23:59:59Z', now)).toThrow(/not in the future/);
  });
});
