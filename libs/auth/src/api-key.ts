import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys are `siteops_<keyId>_<secret>` (SPEC §3). The key id is public and
 * finds the record; the secret is 256 random bits, base64url, of which only a
 * SHA-256 is stored.
 */
export interface GeneratedApiKey {
  keyId: string;
  /** The full key, shown to the user once. */
  key: string;
  secretSha256: string;
}

export interface ParsedApiKey {
  keyId: string;
  secret: string;
}

const PREFIX = 'siteops_';
const KEY_ID = /^[a-z0-9]{16}$/;
const SECRET = /^[A-Za-z0-9_-]{43,}$/;
const KEY_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function generateApiKey(random: (size: number) => Buffer = randomBytes): GeneratedApiKey {
  const idBytes = random(16);
  const keyId = Array.from(idBytes, (b) => KEY_ID_ALPHABET[b % KEY_ID_ALPHABET.length]).join('');
  const secret = random(32).toString('base64url');
  return { keyId, key: `${PREFIX}${keyId}_${secret}`, secretSha256: hashSecret(secret) };
}

/** Splits a presented key; undefined when it is not shaped like one (no lookup is worth doing). */
export function parseApiKey(presented: string): ParsedApiKey | undefined {
  if (!presented.startsWith(PREFIX)) return undefined;
  const rest = presented.slice(PREFIX.length);
  const separator = rest.indexOf('_');
  if (separator === -1) return undefined;
  const keyId = rest.slice(0, separator);
  const secret = rest.slice(separator + 1);
  if (!KEY_ID.test(keyId) || !SECRET.test(secret)) return undefined;
  return { keyId, secret };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented secret with a stored SHA-256 (hex). */
export function secretMatches(secret: string, storedSha256: string): boolean {
  const presented = createHash('sha256').update(secret, 'utf8').digest();
  const stored = Buffer.from(storedSha256, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}
