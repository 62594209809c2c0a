import ipaddr from 'ipaddr.js';

export type CidrResult = { ok: true; cidr: string; family: 4 | 6 } | { ok: false; reason: string };

/**
 * Normalizes an allow-list entry (SPEC §2): a bare address means /32 or /128,
 * host bits are cleared (`10.1.2.3/8` → `10.0.0.0/8`), IPv6 is written in its
 * compressed form. Two rules are the same rule when their normalized forms are equal.
 */
export function normalizeCidr(input: string): CidrResult {
  const text = input.trim();
  if (text.length === 0 || text.length > 64) return { ok: false, reason: 'must be an IPv4 or IPv6 address or CIDR block' };
  const [address, prefixText, extra] = text.split('/');
  if (extra !== undefined || address === undefined || !ipaddr.isValid(address)) {
    return { ok: false, reason: 'must be an IPv4 or IPv6 address or CIDR block' };
  }
  // ipaddr accepts legacy forms such as "10.1" or "0x0a000001"; a firewall rule should not.
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(address)) {
    return { ok: false, reason: 'IPv4 addresses must be written as four decimal parts' };
  }
  const family = parsed.kind() === 'ipv4' ? 4 : 6;
  const max = family === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return { ok: false, reason: 'the prefix length must be a number' };
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return { ok: false, reason: `the prefix length must be at most ${max} for IPv${family}` };
  const network =
    parsed.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address}/${prefix}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address}/${prefix}`);
  return { ok: true, cidr: `${network.toString()}/${prefix}`, family };
}

/** Orders normalized CIDRs: IPv4 first, then by address bytes, then by prefix length. */
export function compareCidrs(a: string, b: string): number {
  const [addressA = '', prefixA = '0'] = a.split('/');
  const [addressB = '', prefixB = '0'] = b.split('/');
  const bytesA = ipaddr.parse(addressA).toByteArray();
  const bytesB = ipaddr.parse(addressB).toByteArray();
  if (bytesA.length !== bytesB.length) return bytesA.length - bytesB.length;
  for (let i = 0; i < bytesA.length; i++) {
    const diff = (bytesA[i] ?? 0) - (bytesB[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return Number(prefixA) - Number(prefixB);
}
