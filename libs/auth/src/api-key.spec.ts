import { generateApiKey, hashSecret, parseApiKey, secretMatches } from './api-key';

describe('API keys', () => {
  it('generates siteops_<keyId>_<secret> with a 256-bit base64url secret', () => {
    const { key, keyId, secretSha256 } = generateApiKey();
    expect(key).toMatch(/^siteops_[a-z0-9]{16}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseApiKey(key);
    expect(parsed?.keyId).toBe(keyId);
    expect(Buffer.from(parsed!.secret, 'base64url')).toHaveLength(32);
    expect(secretSha256).toBe(hashSecret(parsed!.secret));
  });

  it('parses secrets that themselves contain underscores', () => {
    const secret = 'a_b_c-d'.padEnd(43, 'x');
    expect(parseApiKey(`siteops_abcdefgh12345678_${secret}`)).toEqual({ keyId: 'abcdefgh12345678', secret });
  });

  it.each(['', 'siteops_', 'siteops_abc_def', 'Bearer x', `other_abcdefgh12345678_${'x'.repeat(43)}`, `siteops_ABCDEFGH12345678_${'x'.repeat(43)}`])(
    'rejects %p',
    (key) => {
      expect(parseApiKey(key)).toBeUndefined();
    },
  );

  it('matches only the right secret', () => {
    const { key, secretSha256 } = generateApiKey();
    const { secret } = parseApiKey(key)!;
    expect(secretMatches(secret, secretSha256)).toBe(true);
    expect(secretMatches(`${secret}x`, secretSha256)).toBe(false);
    expect(secretMatches(secret, 'not-hex')).toBe(false);
  });

  it('never generates the same key twice', () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateApiKey().key));
    expect(keys.size).toBe(200);
  });
});
