import { randomBytes, randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import type { SealedValue } from '@siteops/contracts';
import {
  CryptoError,
  DataKeyMismatchError,
  InvalidPlaintextError,
  TamperedCiphertextError,
} from './crypto.errors';
import { createDataKey } from './data-key';
import { generateMasterKey, parseMasterKey } from './master-key';
import { openValue, sealValue, type SecretContext } from './sealed-value';

const master = parseMasterKey(generateMasterKey(), 'SITEOPS_MASTER_KEY');
const organizationId = randomUUID();
const { dataKey } = createDataKey(master, organizationId);
const context: SecretContext = {
  organizationId,
  scope: { level: 'project', id: randomUUID() },
  name: 'DB_PASSWORD',
  version: 3,
};

function caught(action: () => unknown): CryptoError {
  try {
    action();
  } catch (error) {
    if (error instanceof CryptoError) return error;
    throw error;
  }
  throw new Error('no error');
}

function flipBit(base64: string, index = 0): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[index] = (bytes[index] ?? 0) ^ 0x80;
  return bytes.toString('base64');
}

describe('sealed values', () => {
  it.each([
    ['ASCII', 'hunter2'],
    ['one byte', 'x'],
    ['accents, CJK and emoji', 'pässwörd 密码 🔑'],
    ['newlines and NUL', 'line 1\nline 2\r\n\u0000end'],
    ['64 KiB', 'a'.repeat(64 * 1024)],
  ])('opens what it sealed: %s', (_case, plaintext) => {
    expect(openValue(dataKey, context, sealValue(dataKey, context, plaintext))).toBe(plaintext);
  });

  it('names its data key and uses a fresh 96-bit IV and a 128-bit tag for every seal', () => {
    const a = sealValue(dataKey, context, 'same value');
    const b = sealValue(dataKey, context, 'same value');
    expect(a.dataKeyId).toBe(dataKey.id);
    expect(Buffer.from(a.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(a.authTag, 'base64')).toHaveLength(16);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(Object.keys(a).sort()).toEqual(['authTag', 'ciphertext', 'dataKeyId', 'iv']);
  });

  it.each<[string, (s: SealedValue) => SealedValue]>([
    ['a flipped bit in the ciphertext', (s) => ({ ...s, ciphertext: flipBit(s.ciphertext) })],
    ['a flipped bit in the IV', (s) => ({ ...s, iv: flipBit(s.iv) })],
    ['a flipped bit in the tag', (s) => ({ ...s, authTag: flipBit(s.authTag) })],
    [
      'a truncated tag',
      (s) => ({
        ...s,
        authTag: Buffer.from(s.authTag, 'base64').subarray(0, 12).toString('base64'),
      }),
    ],
    [
      'a shortened IV',
      (s) => ({ ...s, iv: Buffer.from(s.iv, 'base64').subarray(0, 8).toString('base64') }),
    ],
    [
      'a ciphertext with a byte added',
      (s) => ({
        ...s,
        ciphertext: Buffer.concat([Buffer.from(s.ciphertext, 'base64'), Buffer.from([0])]).toString(
          'base64',
        ),
      }),
    ],
    ['a ciphertext that is not base64', (s) => ({ ...s, ciphertext: `*${s.ciphertext}` })],
    [
      'another value’s ciphertext',
      (s) => ({ ...s, ciphertext: sealValue(dataKey, context, 'other value!').ciphertext }),
    ],
  ])('refuses %s as tampered', (_case, alter) => {
    const sealed = sealValue(dataKey, context, 'other value?');
    const error = caught(() => openValue(dataKey, context, alter(sealed)));
    expect(error).toBeInstanceOf(TamperedCiphertextError);
    expect(error.message).toContain('DB_PASSWORD');
  });

  it.each<[string, Partial<SecretContext>]>([
    ['another secret name', { name: 'API_TOKEN' }],
    ['another version', { version: 4 }],
    ['another scope id', { scope: { level: 'project', id: randomUUID() } }],
    ['another scope level', { scope: { level: 'site', id: context.scope.id } }],
  ])('does not open under %s: a ciphertext copied to another secret fails', (_case, change) => {
    const sealed = sealValue(dataKey, context, 'bound to its secret');
    expect(caught(() => openValue(dataKey, { ...context, ...change }, sealed))).toBeInstanceOf(
      TamperedCiphertextError,
    );
  });

  it('does not open with another organization’s data key, even when the key id is forged', () => {
    const sealed = sealValue(dataKey, context, 'org one only');
    const other = createDataKey(master, randomUUID()).dataKey;
    const otherContext = { ...context, organizationId: other.organizationId };
    expect(caught(() => openValue(other, otherContext, sealed))).toBeInstanceOf(
      DataKeyMismatchError,
    );
    expect(
      caught(() => openValue(other, otherContext, { ...sealed, dataKeyId: other.id })),
    ).toBeInstanceOf(TamperedCiphertextError);
    expect(caught(() => openValue(other, context, sealed))).toBeInstanceOf(DataKeyMismatchError);
    expect(caught(() => sealValue(other, context, 'x'))).toBeInstanceOf(DataKeyMismatchError);
  });

  it('refuses text that UTF-8 cannot carry', () => {
    expect(caught(() => sealValue(dataKey, context, 'broken \uD800 surrogate'))).toBeInstanceOf(
      InvalidPlaintextError,
    );
    expect(caught(() => sealValue(dataKey, context, '\uDC00'))).toBeInstanceOf(
      InvalidPlaintextError,
    );
  });

  it('never lets the plaintext into what it serializes, logs or throws', () => {
    const plaintext = `s3cret-${randomBytes(12).toString('hex')}`;
    const encodings = [
      plaintext,
      Buffer.from(plaintext).toString('base64').slice(0, 16),
      Buffer.from(plaintext).toString('hex').slice(0, 16),
    ];
    const sealed = sealValue(dataKey, context, plaintext);
    const errors = [
      caught(() => openValue(dataKey, { ...context, version: 9 }, sealed)),
      caught(() => openValue(dataKey, context, { ...sealed, authTag: flipBit(sealed.authTag) })),
      caught(() => openValue(createDataKey(master, organizationId).dataKey, context, sealed)),
    ];
    const outputs = [
      JSON.stringify(sealed),
      inspect(sealed),
      ...errors.flatMap((e) => [e.message, e.stack ?? '', inspect(e)]),
    ];
    for (const output of outputs)
      for (const encoded of encodings) expect(output).not.toContain(encoded);
  });
});
