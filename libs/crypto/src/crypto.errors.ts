/**
 * Why a cryptographic operation refused. Messages name keys by their ids and
 * secrets by their context, never by key material or plaintext, so they can
 * be logged and returned as they are.
 */
export type CryptoErrorCode =
  | 'invalid_master_key'
  | 'wrong_master_key'
  | 'data_key_mismatch'
  | 'tampered'
  | 'invalid_plaintext';

export class CryptoError extends Error {
  constructor(
    readonly code: CryptoErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The configured master key is not 32 bytes of base64. */
export class InvalidMasterKeyError extends CryptoError {
  constructor(message: string) {
    super('invalid_master_key', message);
  }
}

/** A data key was wrapped by another master key than the one given (told apart by id, before any decryption). */
export class WrongMasterKeyError extends CryptoError {
  constructor(
    message: string,
    readonly expectedMasterKeyId: string,
    readonly actualMasterKeyId: string,
  ) {
    super('wrong_master_key', message);
  }
}

/** A value or context was handed a data key it does not belong to (another organization, another key id). */
export class DataKeyMismatchError extends CryptoError {
  constructor(message: string) {
    super('data_key_mismatch', message);
  }
}

/**
 * Authenticated decryption failed: the ciphertext, IV or tag was altered, or it
 * is opened under another context than it was sealed with. AES-GCM cannot tell
 * these apart, and neither can this error.
 */
export class TamperedCiphertextError extends CryptoError {
  constructor(message: string) {
    super('tampered', message);
  }
}

/** The value to seal is not text that survives a UTF-8 round trip. */
export class InvalidPlaintextError extends CryptoError {
  constructor(message: string) {
    super('invalid_plaintext', message);
  }
}
