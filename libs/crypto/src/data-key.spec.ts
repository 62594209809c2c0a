import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { CryptoError, TamperedCiphertextError, WrongMasterKeyError } from './crypto.errors';
import {
  assertMasterKeyWraps,
  createDataKey,
  rewrapDataKeys,
  unwrapDataKey,
  type WrappedDataKey,
} from './data-key';
import { generateMasterKey, parseMasterKey, type MasterKey } from './master-key';
import { openValue, sealValue, type SecretContext } from './sealed-value';

const newMasterKey = (): MasterKey => parseMasterKey(generateMasterKey(), 'SITEOPS_MASTER_KEY');

function caught(action: () => unknown): CryptoError {
  try {
    action();
  } catch (error) {
    if (error instanceof CryptoError) return error;
    throw error;
  }
  throw new Error('no error');
}

/** Flips one bit of a base64 field at byte `index`. */
function flipBit(base64: string, index: number): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

describe('data keys', () => {
  const master = newMasterKey();
  const organizationId = randomUUID();

  it('wraps a new data key under the master key and unwraps it to the same key', () => {
    const { dataKey, wrapped } = createDataKey(master, organizationId);
    expect(wrapped).toEqual({
      organizationId,
      dataKeyId: dataKey.id,
      wrappedKey: expect.any(String) as unknown,
      masterKeyId: master.id,
    });
    expect(Buffer.from(wrapped.wrappedKey, 'base64')).toHaveLength(12 + 32 + 16);

    const context: SecretContext = {
      organizationId,
      scope: { level: 'organization', id: organizationId },
      name: 'DB_PASSWORD',
      version: 1,
    };
    const sealed = sealValue(dataKey, context, 'hunter2');
    expect(openValue(unwrapDataKey(master, wrapped), context, sealed)).toBe('hunter2');
  });

  it('takes the data key id from the caller when given', () => {
    const dataKeyId = randomUUID();
    expect(createDataKey(master, organizationId, dataKeyId).wrapped.dataKeyId).toBe(dataKeyId);
  });

  it('wraps each key with a fresh IV: two wraps of one organization never share bytes', () => {
    const a = createDataKey(master, organizationId).wrapped.wrappedKey;
    const b = createDataKey(master, organizationId).wrapped.wrappedKey;
    expect(a.slice(0, 16)).not.toBe(b.slice(0, 16));
  });

  it('recognises a wrong master key by id, before trying to decrypt', () => {
    const { wrapped } = createDataKey(master, organizationId);
    const other = newMasterKey();
    const error = caught(() => unwrapDataKey(other, wrapped));
    expect(error).toBeInstanceOf(WrongMasterKeyError);
    expect(error).toMatchObject({
      code: 'wrong_master_key',
      expectedMasterKeyId: master.id,
      actualMasterKeyId: other.id,
    });
    expect(error.message).toContain(master.id);
    expect(error.message).toContain(other.id);
    // A damaged key under the wrong master key still reports the key mismatch: the id is checked first.
    expect(
      caught(() =>
        unwrapDataKey(other, { ...wrapped, wrappedKey: flipBit(wrapped.wrappedKey, 20) }),
      ),
    ).toBeInstanceOf(WrongMasterKeyError);
  });

  it.each<[string, (w: WrappedDataKey) => WrappedDataKey]>([
    ['a flipped bit in the IV', (w) => ({ ...w, wrappedKey: flipBit(w.wrappedKey, 0) })],
    ['a flipped bit in the key', (w) => ({ ...w, wrappedKey: flipBit(w.wrappedKey, 20) })],
    ['a flipped bit in the tag', (w) => ({ ...w, wrappedKey: flipBit(w.wrappedKey, 59) })],
    [
      'a truncated wrapped key',
      (w) => ({
        ...w,
        wrappedKey: Buffer.from(w.wrappedKey, 'base64').subarray(0, 59).toString('base64'),
      }),
    ],
    [
      'a wrapped key that is not base64',
      (w) => ({ ...w, wrappedKey: `${w.wrappedKey.slice(1)}!` }),
    ],
    ['the key moved to another organization', (w) => ({ ...w, organizationId: randomUUID() })],
    ['the key given another id', (w) => ({ ...w, dataKeyId: randomUUID() })],
  ])('refuses %s as tampered', (_case, alter) => {
    const { wrapped } = createDataKey(master, organizationId);
    const error = caught(() => unwrapDataKey(master, alter(wrapped)));
    expect(error).toBeInstanceOf(TamperedCiphertextError);
    expect(error.code).toBe('tampered');
  });

  it('refuses a key wrapped by another master key that claims this one’s id', () => {
    const { wrapped } = createDataKey(newMasterKey(), organizationId);
    expect(
      caught(() => unwrapDataKey(master, { ...wrapped, masterKeyId: master.id })),
    ).toBeInstanceOf(TamperedCiphertextError);
  });

  it('shows only ids when a data key is logged or serialized', () => {
    const { dataKey, wrapped } = createDataKey(master, organizationId);
    const raw = Buffer.from(wrapped.wrappedKey, 'base64');
    for (const text of [
      JSON.stringify(dataKey),
      String(dataKey),
      inspect(dataKey),
      inspect({ dataKey }, { showHidden: true, depth: 5 }),
    ]) {
      expect(text).toContain(dataKey.id);
      expect(text).not.toContain(wrapped.wrappedKey.slice(0, 16));
      expect(text).not.toContain(raw.toString('hex').slice(0, 16));
    }
    expect(Object.keys(dataKey).sort()).toEqual(['id', 'organizationId']);
  });
});

describe('master-key rotation', () => {
  const organizations = [randomUUID(), randomUUID(), randomUUID()];

  function world(master: MasterKey) {
    const keys = organizations.map((organizationId) => createDataKey(master, organizationId));
    const values = keys.flatMap(({ dataKey }) =>
      ['DB_PASSWORD', 'SMTP_PASSWORD'].map((name, i) => {
        const context: SecretContext = {
          organizationId: dataKey.organizationId,
          scope: { level: 'site', id: randomUUID() },
          name,
          version: i + 1,
        };
        const plaintext = `${name}-${randomUUID()}`;
        return { context, plaintext, sealed: sealValue(dataKey, context, plaintext) };
      }),
    );
    return { wrapped: keys.map((k) => k.wrapped), values };
  }

  it('re-wraps every data key under the new master key, and every value still opens, untouched', () => {
    const [oldKey, newKey] = [newMasterKey(), newMasterKey()];
    const { wrapped, values } = world(oldKey);
    const sealedBefore = JSON.stringify(values.map((v) => v.sealed));

    const rewrapped = rewrapDataKeys(wrapped, oldKey, newKey);

    expect(rewrapped.map((w) => [w.organizationId, w.dataKeyId, w.masterKeyId])).toEqual(
      wrapped.map((w) => [w.organizationId, w.dataKeyId, newKey.id]),
    );
    rewrapped.forEach((w, i) => {
      expect(w.wrappedKey).not.toBe(wrapped[i]?.wrappedKey);
    });
    const byOrganization = new Map(
      rewrapped.map((w) => [w.organizationId, unwrapDataKey(newKey, w)]),
    );
    for (const { context, plaintext, sealed } of values)
      expect(openValue(byOrganization.get(context.organizationId)!, context, sealed)).toBe(
        plaintext,
      );
    expect(JSON.stringify(values.map((v) => v.sealed))).toBe(sealedBefore);
    // The old master key no longer opens the new wrapped keys.
    expect(caught(() => unwrapDataKey(oldKey, rewrapped[0]!))).toBeInstanceOf(WrongMasterKeyError);
  });

  it('can be run again after stopping half-way: keys already under the new master key are left alone', () => {
    const [oldKey, newKey] = [newMasterKey(), newMasterKey()];
    const { wrapped } = world(oldKey);
    const first = rewrapDataKeys(wrapped.slice(0, 1), oldKey, newKey);
    const mixed = [...first, ...wrapped.slice(1)];

    const rest = rewrapDataKeys(mixed, oldKey, newKey);

    expect(rest.map((w) => w.dataKeyId)).toEqual(wrapped.slice(1).map((w) => w.dataKeyId));
    expect(rewrapDataKeys([...first, ...rest], oldKey, newKey)).toEqual([]);
  });

  it('refuses to rotate when a key is wrapped by neither master key, and rewraps nothing', () => {
    const [oldKey, newKey, stranger] = [newMasterKey(), newMasterKey(), newMasterKey()];
    const { wrapped } = world(oldKey);
    const foreign = createDataKey(stranger, randomUUID()).wrapped;
    expect(caught(() => rewrapDataKeys([...wrapped, foreign], oldKey, newKey))).toMatchObject({
      code: 'wrong_master_key',
      expectedMasterKeyId: stranger.id,
      actualMasterKeyId: oldKey.id,
    });
  });

  it('checks at boot that the master key wraps every stored data key', () => {
    const [current, other] = [newMasterKey(), newMasterKey()];
    const { wrapped } = world(current);
    expect(() => {
      assertMasterKeyWraps(current, wrapped);
    }).not.toThrow();
    expect(() => {
      assertMasterKeyWraps(current, []);
    }).not.toThrow();
    expect(
      caught(() => {
        assertMasterKeyWraps(other, wrapped);
      }),
    ).toBeInstanceOf(WrongMasterKeyError);
  });
});
