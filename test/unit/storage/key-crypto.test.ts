/** Tenant-key cryptography: sealing under a material version, the blob's header, context as authenticated data, data keys, wrapping by the KEK. */
import { randomBytes } from 'node:crypto';
import {
  MAX_PLAINTEXT_BYTES,
  canonicalContext,
  ciphertextHeader,
  dataKeyBytes,
  decrypt,
  encrypt,
  generateDataKey,
  localKeyWrapping,
  newKeyMaterial,
  type SealingKey,
} from '../../../functions/storage/key-crypto';
import { errorOf } from '../support/error-of';

const INVALID_CIPHERTEXT = { status: 400, code: 'InvalidCiphertextException' };
const key = (overrides: Partial<SealingKey> = {}): SealingKey => ({ tenantId: 'tnt-a', keyId: 'key-1', materialId: 'mat-1', material: newKeyMaterial(), ...overrides });
const secret = Buffer.from('the launch codes');

describe('encrypt and decrypt', () => {
  it('opens what it sealed, with the same context in any order', () => {
    // Prepare
    const k = key();
    const blob = encrypt(k, secret, { purpose: 'backup', volume: 'vol-1' });

    // Act
    const plaintext = decrypt(k, blob, { volume: 'vol-1', purpose: 'backup' });

    // Assess
    expect(plaintext.equals(secret)).toBe(true);
  });

  it('names the tenant, key and material version in the blob, so a rotated key still opens old blobs', () => {
    // Prepare: version 1 seals, then the key rotates to version 2.
    const v1 = key();
    const v2 = key({ materialId: 'mat-2' });
    const old = encrypt(v1, secret);
    const fresh = encrypt(v2, secret);

    // Act
    const headers = [ciphertextHeader(old, 'tnt-a'), ciphertextHeader(fresh, 'tnt-a')];

    // Assess: decrypt finds each blob's own material by its header.
    expect(headers).toEqual([
      { tenantId: 'tnt-a', keyId: 'key-1', materialId: 'mat-1' },
      { tenantId: 'tnt-a', keyId: 'key-1', materialId: 'mat-2' },
    ]);
    expect(decrypt(v1, old).equals(secret)).toBe(true);
    expect(errorOf(() => decrypt(v2, old))).toEqual(INVALID_CIPHERTEXT);
  });

  it('seals the same plaintext differently each time (a fresh IV per call)', () => {
    // Prepare
    const k = key();

    // Act
    const blobs = new Set([1, 2, 3].map(() => encrypt(k, secret)));

    // Assess
    expect(blobs.size).toBe(3);
  });

  it.each([
    ['another context', (blob: string) => [blob, { purpose: 'other' }] as const],
    ['no context where one was given', (blob: string) => [blob, undefined] as const],
    ['a changed byte of the sealed part', (blob: string) => [flip(blob, -1), { purpose: 'backup' }] as const],
    ['a changed byte of the header', (blob: string) => [flip(blob, 6), { purpose: 'backup' }] as const],
    ['a blob cut short', (blob: string) => [Buffer.from(blob, 'base64').subarray(0, 20).toString('base64'), { purpose: 'backup' }] as const],
    ['a character appended', (blob: string) => [`${blob}=`, { purpose: 'backup' }] as const],
    ['something that is not base64', () => ['not a blob!', { purpose: 'backup' }] as const],
  ])('refuses %s', (_name, change) => {
    // Prepare
    const k = key();
    const [blob, context] = change(encrypt(k, secret, { purpose: 'backup' }));

    // Act
    const error = errorOf(() => decrypt(k, blob, context));

    // Assess
    expect(error).toEqual(INVALID_CIPHERTEXT);
  });

  it("refuses another tenant's blob and another key's, even with the right bytes of material", () => {
    // Prepare
    const material = newKeyMaterial();
    const blob = encrypt(key({ material }), secret);

    // Act
    const otherTenant = errorOf(() => decrypt(key({ material, tenantId: 'tnt-b' }), blob));
    const otherKey = errorOf(() => decrypt(key({ material, keyId: 'key-2' }), blob));
    const header = errorOf(() => ciphertextHeader(blob, 'tnt-b'));

    // Assess
    expect([otherTenant, otherKey, header]).toEqual([INVALID_CIPHERTEXT, INVALID_CIPHERTEXT, INVALID_CIPHERTEXT]);
  });

  it('takes 1 to 4,096 bytes of plaintext', () => {
    // Prepare
    const k = key();

    // Act
    const verdicts = [0, 1, MAX_PLAINTEXT_BYTES, MAX_PLAINTEXT_BYTES + 1].map((size) => errorOf(() => encrypt(k, randomBytes(size))));

    // Assess
    expect(verdicts).toEqual([{ status: 400, code: 'ValidationException' }, undefined, undefined, { status: 400, code: 'ValidationException' }]);
  });
});

describe('canonicalContext', () => {
  it('is the same for the same pairs in any order, and tells apart values that differ', () => {
    // Act
    const a = canonicalContext({ b: '2', a: '1' });
    const b = canonicalContext({ a: '1', b: '2' });
    const c = canonicalContext({ a: '1', b: '3' });

    // Assess
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
    expect(canonicalContext(undefined).equals(canonicalContext({}))).toBe(true);
  });
});

describe('data keys', () => {
  it.each([
    [{ keySpec: 'AES_256' as const }, 32],
    [{ keySpec: 'AES_128' as const }, 16],
    [{ numberOfBytes: 1 }, 1],
    [{ numberOfBytes: 1024 }, 1024],
  ])('%o gives %i bytes', (request, bytes) => {
    // Act
    const size = dataKeyBytes(request);

    // Assess
    expect(size).toBe(bytes);
  });

  it.each([[{}], [{ keySpec: 'AES_256' as const, numberOfBytes: 32 }], [{ numberOfBytes: 0 }], [{ numberOfBytes: 1025 }], [{ numberOfBytes: 1.5 }]])(
    'refuses %o',
    (request) => {
      // Act
      const error = errorOf(() => dataKeyBytes(request));

      // Assess
      expect(error).toEqual({ status: 400, code: 'ValidationException' });
    },
  );

  it('hands out a plaintext and a blob that decrypts to it', () => {
    // Prepare
    const k = key();

    // Act
    const { plaintext, ciphertextBlob } = generateDataKey(k, 32, { volume: 'vol-1' });

    // Assess
    expect(plaintext).toHaveLength(32);
    expect(decrypt(k, ciphertextBlob, { volume: 'vol-1' }).equals(plaintext)).toBe(true);
  });
});

describe('localKeyWrapping', () => {
  const owner = { tenantId: 'tnt-a', keyId: 'key-1', materialId: 'mat-1' };

  it('unwraps what it wrapped, and never shows the material in the wrapped form', () => {
    // Prepare
    const wrapping = localKeyWrapping(randomBytes(32));
    const material = newKeyMaterial();

    // Act
    const wrapped = wrapping.wrap(material, owner);

    // Assess
    expect(Buffer.from(wrapped, 'base64').includes(material)).toBe(false);
    expect(wrapping.unwrap(wrapped, owner).equals(material)).toBe(true);
  });

  it("refuses material wrapped for another key, another version or under another KEK", () => {
    // Prepare
    const kek = randomBytes(32);
    const wrapped = localKeyWrapping(kek).wrap(newKeyMaterial(), owner);

    // Act
    const attempts = [
      () => localKeyWrapping(kek).unwrap(wrapped, { ...owner, keyId: 'key-2' }),
      () => localKeyWrapping(kek).unwrap(wrapped, { ...owner, materialId: 'mat-2' }),
      () => localKeyWrapping(kek).unwrap(wrapped, { ...owner, tenantId: 'tnt-b' }),
      () => localKeyWrapping(randomBytes(32)).unwrap(wrapped, owner),
    ].map((attempt) => {
      try {
        attempt();
        return 'unwrapped';
      } catch {
        return 'refused';
      }
    });

    // Assess
    expect(attempts).toEqual(['refused', 'refused', 'refused', 'refused']);
  });
});

function flip(blob: string, index: number): string {
  const bytes = Buffer.from(blob, 'base64');
  const at = index < 0 ? bytes.length + index : index;
  bytes[at] = (bytes[at] as number) ^ 0x01;
  return bytes.toString('base64');
}
