import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';

/** NIST SP 800-38D: a 96-bit IV is the one GCM is specified for; random IVs are safe far beyond this platform's volumes. */
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

export interface GcmOutput {
  iv: Buffer;
  ciphertext: Buffer;
  authTag: Buffer;
}

export function gcmEncrypt(key: KeyObject, plaintext: Buffer, aad: Buffer): GcmOutput {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, authTag: cipher.getAuthTag() };
}

/** The plaintext, or undefined when the input does not authenticate (the caller says what failed, in its own terms). */
export function gcmDecrypt(key: KeyObject, input: GcmOutput, aad: Buffer): Buffer | undefined {
  if (input.iv.length !== IV_BYTES || input.authTag.length !== TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, input.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(input.authTag);
    return Buffer.concat([decipher.update(input.ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}

/**
 * Strict base64: Node's decoder skips characters it does not know, which
 * would let a damaged value decode to something shorter instead of failing.
 */
export function decodeBase64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  return Buffer.from(text, 'base64');
}

/**
 * Associated data: a JSON array is an unambiguous encoding of a tuple of
 * strings and numbers (no separator can be smuggled into a field).
 */
export function associatedData(purpose: string, ...fields: (string | number)[]): Buffer {
  return Buffer.from(JSON.stringify([purpose, ...fields]), 'utf8');
}
