import { compareCidrs, normalizeCidr } from './cidr';

describe('normalizeCidr', () => {
  it.each([
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['192.168.1.77', '192.168.1.77/32'],
    [' 0.0.0.0/0 ', '0.0.0.0/0'],
    ['2001:db8::1/32', '2001:db8::/32'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1/128'],
    ['::/0', '::/0'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeCidr(input)).toMatchObject({ ok: true, cidr: expected });
  });

  it.each(['', 'localhost', '10.0.0.0/33', '::1/129', '10.0.0.0/8/1', '10.1', '0x0a000001', '10.0.0.0/-1', '10.0.0.0/abc', '1.2.3.4/'])(
    'rejects %p with a reason',
    (input) => {
      const result = normalizeCidr(input);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason.length).toBeGreaterThan(5);
    },
  );
});

describe('compareCidrs', () => {
  it('puts IPv4 first, then orders by address and prefix', () => {
    const sorted = ['::/0', '10.0.0.0/8', '9.0.0.0/8', '10.0.0.0/16', '0.0.0.0/0'].sort(compareCidrs);
    expect(sorted).toEqual(['0.0.0.0/0', '9.0.0.0/8', '10.0.0.0/8', '10.0.0.0/16', '::/0']);
  });
});
