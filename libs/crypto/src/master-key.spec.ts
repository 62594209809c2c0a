import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { InvalidMasterKeyError } from './crypto.errors';
import { generateMasterKey, MasterKey, parseMasterKey } from './master-key';

const SOURCE = 'SITEOPS_MASTER_KEY';

function parseError(text: string): InvalidMasterKeyError {
  try {
    parseMasterKey(text, SOURCE);
  } catch (error) {
    if (error instanceof InvalidMasterKeyError) return error;
    throw error;
  }
  throw new Error('the key was accepted');
}

describe('master key', () => {
  it('parses the base64 of 32 bytes, with or without padding and surrounding whitespace, to one id', () => {
    const text = randomBytes(32).toString('base64');
    const key = parseMasterKey(text, SOURCE);
    expect(key.id).toMatch(/^mk_[0-9a-f]{16}$/);
    expect(parseMasterKey(`  ${text}\n`, SOURCE).id).toBe(key.id);
    expect(parseMasterKey(text.replace(/=+$/, ''), SOURCE).id).toBe(key.id);
  });

  it('derives the id from the key: another key has another id', () => {
    const ids = new Set(
      Array.from({ length: 50 }, () => parseMasterKey(generateMasterKey(), SOURCE).id),
    );
    expect(ids.size).toBe(50);
    const bytes = randomBytes(32);
    expect(MasterKey.fromBytes(bytes).id).toBe(parseMasterKey(bytes.toString('base64'), SOURCE).id);
  });

  it.each([
    ['empty', '', /^SITEOPS_MASTER_KEY is empty/],
    ['blank', ' \n', /^SITEOPS_MASTER_KEY is empty/],
    ['not base64', `${randomBytes(31).toString('base64')}!!`, /^SITEOPS_MASTER_KEY is not base64/],
    [
      'base64url',
      Buffer.from(Array.from({ length: 32 }, () => 0xfb)).toString('base64url'),
      /^SITEOPS_MASTER_KEY is not base64/,
    ],
    ['16 bytes', randomBytes(16).toString('base64'), /^SITEOPS_MASTER_KEY decodes to 16 bytes/],
    ['33 bytes', randomBytes(33).toString('base64'), /^SITEOPS_MASTER_KEY decodes to 33 bytes/],
    ['64 hex digits', randomBytes(32).toString('hex'), /^SITEOPS_MASTER_KEY decodes to 48 bytes/],
    [
      'stray bits in the last character',
      `${randomBytes(32).toString('base64').slice(0, 42)}B=`,
      /^SITEOPS_MASTER_KEY is not canonical base64/,
    ],
  ])(
    'refuses a key that is %s, naming the source and the fix, never the value',
    (_case, text, expected) => {
      const error = parseError(text);
      expect(error.code).toBe('invalid_master_key');
      expect(error.message).toMatch(expected);
      expect(error.message).toContain('openssl rand -base64 32');
      if (text.trim().length > 0) expect(error.message).not.toContain(text.trim());
      expect(error.stack ?? '').not.toContain(text.trim() || '\u0000');
    },
  );

  it('refuses raw key bytes of the wrong length', () => {
    expect(() => MasterKey.fromBytes(randomBytes(31))).toThrow(InvalidMasterKeyError);
  });

  it('shows only its id when logged or serialized', () => {
    const bytes = randomBytes(32);
    const key = MasterKey.fromBytes(bytes);
    const shown = [
      JSON.stringify(key),
      JSON.stringify({ key }),
      String(key),
      inspect(key),
      inspect({ key }, { showHidden: true, depth: 5 }),
    ];
    for (const text of shown) {
      expect(text).toContain(key.id);
      expect(text).not.toContain(bytes.toString('base64').slice(0, 20));
      expect(text).not.toContain(bytes.toString('hex').slice(0, 20));
    }
    expect(Object.keys(key)).toEqual(['id']);
  });

  it('generates keys that parse back', () => {
    const text = generateMasterKey();
    expect(Buffer.from(text, 'base64')).toHaveLength(32);
    expect(generateMasterKey()).not.toBe(text);
    expect(parseMasterKey(text, SOURCE)).toBeInstanceOf(MasterKey);
  });
});
