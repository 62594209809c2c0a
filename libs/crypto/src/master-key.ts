import { createHmac, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { InvalidMasterKeyError } from './crypto.errors';

export const MASTER_KEY_BYTES = 32;

const wrappingKeys = new WeakMap<MasterKey, KeyObject>();

/** The key that wraps data keys. Internal: the library's entry point does not export it. */
export function wrappingKeyOf(master: MasterKey): KeyObject {
  const key = wrappingKeys.get(master);
  if (!key) throw new TypeError('Not a MasterKey made by parseMasterKey or MasterKey.fromBytes');
  return key;
}

/**
 * The key held only by the secrets service (SPEC §2). It never encrypts a
 * value: it wraps the per-organization data keys. Two keys are derived from
 * it, so that no key serves two algorithms:
 * - the wrapping key, HKDF-SHA256(master, info "siteops/data-key-wrap/v1");
 * - the id, `mk_` + the first 64 bits of HMAC-SHA256(master, "siteops/master-key-id/v1")
 *   in hex. Every wrapped data key records it, so a wrong master key is named
 *   before any decryption is tried; a PRF output reveals nothing of the key.
 * The key material is held outside the object (see `wrappingKeyOf`), so
 * logging or serializing a MasterKey shows its id only.
 */
export class MasterKey {
  readonly id: string;

  private constructor(bytes: Buffer) {
    const master = createSecretKey(bytes);
    this.id = `mk_${createHmac('sha256', master).update('siteops/master-key-id/v1').digest('hex').slice(0, 16)}`;
    wrappingKeys.set(
      this,
      createSecretKey(
        Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'siteops/data-key-wrap/v1', 32)),
      ),
    );
  }

  /** Exactly 32 bytes, e.g. from `generateMasterKey` or a KMS. */
  static fromBytes(bytes: Uint8Array): MasterKey {
    if (bytes.length !== MASTER_KEY_BYTES)
      throw new InvalidMasterKeyError(`A master key must be exactly ${MASTER_KEY_BYTES} bytes`);
    return new MasterKey(Buffer.from(bytes));
  }

  toJSON(): { id: string } {
    return { id: this.id };
  }

  toString(): string {
    return `MasterKey(${this.id})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * Parses a master key as configured: the base64 text of exactly 32 bytes
 * (`openssl rand -base64 32`), surrounding whitespace ignored so a key file
 * may end with a newline. `source` names where it came from (a variable or a
 * file) for the error message, which never contains the value.
 */
export function parseMasterKey(text: string, source: string): MasterKey {
  const fix = `must be the base64 encoding of exactly ${MASTER_KEY_BYTES} random bytes (generate one with: openssl rand -base64 32)`;
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new InvalidMasterKeyError(`${source} is empty: it ${fix}`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed))
    throw new InvalidMasterKeyError(`${source} is not base64: it ${fix}`);
  const bytes = Buffer.from(trimmed, 'base64');
  if (bytes.length !== MASTER_KEY_BYTES)
    throw new InvalidMasterKeyError(`${source} decodes to ${bytes.length} bytes: it ${fix}`);
  // A non-canonical text (stray bits in the last character) decodes too, but
  // would let two different strings name one key; refuse it like a typo.
  if (bytes.toString('base64').replace(/=+$/, '') !== trimmed.replace(/=+$/, '')) {
    throw new InvalidMasterKeyError(`${source} is not canonical base64: it ${fix}`);
  }
  return MasterKey.fromBytes(bytes);
}

/** A new master key, as the base64 text `parseMasterKey` reads (for writing a generated key file). */
export function generateMasterKey(): string {
  return randomBytes(MASTER_KEY_BYTES).toString('base64');
}
