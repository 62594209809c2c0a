import type { ResourceRef, SealedValue } from '@siteops/contracts';
import { associatedData, decodeBase64, gcmDecrypt, gcmEncrypt } from './aes-gcm';
import {
  DataKeyMismatchError,
  InvalidPlaintextError,
  TamperedCiphertextError,
} from './crypto.errors';
import { keyOf, type DataKey } from './data-key';

/**
 * Where a value belongs: the fields of `SecretValueSet` that name it. They are
 * bound to the ciphertext as associated data, so a sealed value copied to
 * another secret, scope, organization or version no longer opens.
 */
export interface SecretContext {
  organizationId: string;
  scope: ResourceRef;
  name: string;
  version: number;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Encrypts a UTF-8 value with the organization's data key (AES-256-GCM, a fresh random 96-bit IV each time). */
export function sealValue(
  dataKey: DataKey,
  context: SecretContext,
  plaintext: string,
): SealedValue {
  assertKeyFor(dataKey, context);
  // UTF-8 cannot carry a lone surrogate: it would be replaced, and the value
  // that opens would not be the value that was set.
  if (LONE_SURROGATE.test(plaintext))
    throw new InvalidPlaintextError(`The value of ${describe(context)} is not valid Unicode text`);
  const { iv, ciphertext, authTag } = gcmEncrypt(
    keyOf(dataKey),
    Buffer.from(plaintext, 'utf8'),
    valueAad(dataKey.id, context),
  );
  return {
    dataKeyId: dataKey.id,
    iv: iv.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
    authTag: authTag.toString('base64'),
  };
}

/**
 * Decrypts a sealed value under the context it was sealed for. A value of
 * another data key is refused by id (DataKeyMismatchError); an altered value,
 * or one opened under another context, fails authentication
 * (TamperedCiphertextError).
 */
export function openValue(dataKey: DataKey, context: SecretContext, sealed: SealedValue): string {
  assertKeyFor(dataKey, context);
  if (sealed.dataKeyId !== dataKey.id) {
    throw new DataKeyMismatchError(
      `The value of ${describe(context)} is sealed with data key ${sealed.dataKeyId}, not ${dataKey.id}`,
    );
  }
  const iv = decodeBase64(sealed.iv);
  const ciphertext = decodeBase64(sealed.ciphertext);
  const authTag = decodeBase64(sealed.authTag);
  const plain =
    iv && ciphertext && authTag
      ? gcmDecrypt(keyOf(dataKey), { iv, ciphertext, authTag }, valueAad(dataKey.id, context))
      : undefined;
  if (!plain)
    throw new TamperedCiphertextError(
      `The value of ${describe(context)} does not authenticate: it was altered or belongs to another secret`,
    );
  return plain.toString('utf8');
}

function assertKeyFor(dataKey: DataKey, context: SecretContext): void {
  if (dataKey.organizationId !== context.organizationId) {
    throw new DataKeyMismatchError(
      `Data key ${dataKey.id} belongs to organization ${dataKey.organizationId}, not to ${context.organizationId}`,
    );
  }
}

function valueAad(dataKeyId: string, context: SecretContext): Buffer {
  return associatedData(
    'siteops/secret-value/v1',
    dataKeyId,
    context.organizationId,
    context.scope.level,
    context.scope.id,
    context.name,
    context.version,
  );
}

function describe(context: SecretContext): string {
  return `secret ${context.name} version ${context.version} at ${context.scope.level} ${context.scope.id}`;
}
