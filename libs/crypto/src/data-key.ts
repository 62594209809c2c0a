import { createSecretKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import type { DataKeyCreated } from '@siteops/contracts';
import {
  associatedData,
  decodeBase64,
  gcmDecrypt,
  gcmEncrypt,
  IV_BYTES,
  TAG_BYTES,
} from './aes-gcm';
import { TamperedCiphertextError, WrongMasterKeyError } from './crypto.errors';
import { wrappingKeyOf, type MasterKey } from './master-key';

const DATA_KEY_BYTES = 32;
const WRAPPED_BYTES = IV_BYTES + DATA_KEY_BYTES + TAG_BYTES;

/**
 * A data key as the event store keeps it (`DataKeyCreated` / `DataKeyRewrapped`):
 * the key encrypted under the master key, and the id of that master key.
 */
export type WrappedDataKey = DataKeyCreated['data'];

const keyMaterial = new WeakMap<DataKey, KeyObject>();

/** The AES key of a data key. Internal: the library's entry point does not export it. */
export function keyOf(dataKey: DataKey): KeyObject {
  const key = keyMaterial.get(dataKey);
  if (!key) throw new TypeError('Not a DataKey made by createDataKey or unwrapDataKey');
  return key;
}

/**
 * An organization's data key in memory, ready to seal and open its values.
 * The key material is held outside the object, so logging or serializing a
 * DataKey shows its ids only. Made by `createDataKey` and `unwrapDataKey`.
 */
export class DataKey {
  private constructor(
    readonly organizationId: string,
    readonly id: string,
  ) {}

  /** Internal, like `keyOf`. */
  static withKey(organizationId: string, id: string, key: KeyObject): DataKey {
    const dataKey = new DataKey(organizationId, id);
    keyMaterial.set(dataKey, key);
    return dataKey;
  }

  toJSON(): { organizationId: string; id: string } {
    return { organizationId: this.organizationId, id: this.id };
  }

  toString(): string {
    return `DataKey(${this.id} of organization ${this.organizationId})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * A new random data key for an organization, and its wrapped form to store.
 * `dataKeyId` may be given (ids usually come with the command); by default a UUID.
 */
export function createDataKey(
  master: MasterKey,
  organizationId: string,
  dataKeyId: string = randomUUID(),
): { dataKey: DataKey; wrapped: WrappedDataKey } {
  const bytes = randomBytes(DATA_KEY_BYTES);
  const dataKey = DataKey.withKey(organizationId, dataKeyId, createSecretKey(bytes));
  return { dataKey, wrapped: wrap(master, organizationId, dataKeyId, bytes) };
}

/**
 * The data key inside a wrapped one. A key wrapped by another master key is
 * refused by id (WrongMasterKeyError) without trying to decrypt; a wrapped
 * key that was altered, or moved to another organization or key id, fails
 * authentication (TamperedCiphertextError).
 */
export function unwrapDataKey(master: MasterKey, wrapped: WrappedDataKey): DataKey {
  assertWrappedBy(master, wrapped);
  const bytes = decodeBase64(wrapped.wrappedKey);
  const plain =
    bytes?.length === WRAPPED_BYTES
      ? gcmDecrypt(
          wrappingKeyOf(master),
          {
            iv: bytes.subarray(0, IV_BYTES),
            ciphertext: bytes.subarray(IV_BYTES, IV_BYTES + DATA_KEY_BYTES),
            authTag: bytes.subarray(IV_BYTES + DATA_KEY_BYTES),
          },
          wrapAad(wrapped.organizationId, wrapped.dataKeyId),
        )
      : undefined;
  if (!plain) {
    throw new TamperedCiphertextError(
      `Data key ${wrapped.dataKeyId} of organization ${wrapped.organizationId} does not authenticate under master key ${master.id}: it was altered or does not belong to this organization`,
    );
  }
  return DataKey.withKey(wrapped.organizationId, wrapped.dataKeyId, createSecretKey(plain));
}

/**
 * Master-key rotation for a set of data keys: each key still wrapped by `from`
 * is unwrapped and wrapped again by `to`, keeping its id, so every value
 * ciphertext (which names the data key, not the master key) stays as it is.
 * Keys already wrapped by `to` are left out of the result, so a rotation that
 * stopped half-way can simply be run again. A key wrapped by neither is an
 * error: rotating past it would leave it unreadable.
 */
export function rewrapDataKeys(
  keys: readonly WrappedDataKey[],
  from: MasterKey,
  to: MasterKey,
): WrappedDataKey[] {
  const pending = keys.filter((wrapped) => wrapped.masterKeyId !== to.id);
  for (const wrapped of pending) assertWrappedBy(from, wrapped);
  return pending.map((wrapped) => {
    const dataKey = unwrapDataKey(from, wrapped);
    return wrap(to, wrapped.organizationId, wrapped.dataKeyId, keyOf(dataKey).export());
  });
}

/**
 * Refuses a master key that did not wrap every one of these data keys, e.g. at
 * boot, before any value is opened.
 */
export function assertMasterKeyWraps(master: MasterKey, keys: readonly WrappedDataKey[]): void {
  for (const wrapped of keys) assertWrappedBy(master, wrapped);
}

function assertWrappedBy(master: MasterKey, wrapped: WrappedDataKey): void {
  if (wrapped.masterKeyId === master.id) return;
  throw new WrongMasterKeyError(
    `Data key ${wrapped.dataKeyId} of organization ${wrapped.organizationId} is wrapped by master key ${wrapped.masterKeyId}, not by the master key given (${master.id})`,
    wrapped.masterKeyId,
    master.id,
  );
}

function wrap(
  master: MasterKey,
  organizationId: string,
  dataKeyId: string,
  key: Buffer,
): WrappedDataKey {
  const { iv, ciphertext, authTag } = gcmEncrypt(
    wrappingKeyOf(master),
    key,
    wrapAad(organizationId, dataKeyId),
  );
  return {
    organizationId,
    dataKeyId,
    wrappedKey: Buffer.concat([iv, ciphertext, authTag]).toString('base64'),
    masterKeyId: master.id,
  };
}

/** Binds a wrapped key to its organization and id: copied onto another, it no longer unwraps. */
function wrapAad(organizationId: string, dataKeyId: string): Buffer {
  return associatedData('siteops/data-key/v1', organizationId, dataKeyId);
}
