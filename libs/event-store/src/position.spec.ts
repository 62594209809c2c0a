import { Position } from './position';

describe('Position', () => {
  it('round-trips through its token', () => {
    const p = Position.of(1234n, 99n);
    expect(Position.parse(p.toString())).toEqual(p);
    expect(p.toString()).toBe('1234.99');
  });

  it('orders by transaction id first, then global position', () => {
    // A late-committing transaction can hold a smaller global position but a
    // larger tx id: the pair, not the position, decides.
    const early = Position.of(10n, 500n);
    const late = Position.of(11n, 3n);
    expect(late.isAfter(early)).toBe(true);
    expect(early.compare(late)).toBe(-1);
    expect(late.covers(late)).toBe(true);
    expect(early.covers(late)).toBe(false);
  });

  it.each(['', '12', '1.2.3', 'a.b', '-1.2', '1.-2', '123456789012345678901.1'])('rejects %p', (token) => {
    expect(Position.parse(token)).toBeUndefined();
  });
});
