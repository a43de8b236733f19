/**
 * The cryptography of tenant keys, as KMS does it for symmetric keys: a key's material is 256 random
 * bits, kept only wrapped by the platform's key-encryption key; data is sealed with AES-256-GCM under
 * one version of the material. A ciphertext blob names the tenant, the key and the material version
 * it was sealed under (so old material still opens it after a rotation), and that header and the
 * encryption context are the cipher's additional authenticated data: a changed byte, another tenant,
 * another key or another context opens nothing. Pure apart from the random bytes it draws.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { BadRequest } from '../kit/errors';

/** What a key's material, a data key of AES_256 and the platform's KEK are: 256 bits. */
export const MATERIAL_BYTES = 32;
/** KMS's limit on what Encrypt takes. */
export const MAX_PLAINTEXT_BYTES = 4096;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The blob's format; a later one can be told apart by its first byte. */
const BLOB_VERSION = 1;

export type EncryptionContext = Record<string, string>;

/** The material one ciphertext was sealed under. */
export interface SealingKey {
  tenantId: string;
  keyId: string;
  materialId: string;
  /** The unwrapped material: MATERIAL_BYTES bytes. */
  material: Buffer;
}

export type CiphertextHeader = Omit<SealingKey, 'material'>;

export function newKeyMaterial(): Buffer {
  return randomBytes(MATERIAL_BYTES);
}

function invalidCiphertext(): BadRequest {
  return new BadRequest('InvalidCiphertextException', 'The ciphertext is not valid for this tenant, key and encryption context.');
}

/** The context as KMS compares it: the same pairs in any order are the same context; none is the empty one. */
export function canonicalContext(context: EncryptionContext | undefined): Buffer {
  const pairs = Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(pairs), 'utf8');
}

function encodeHeader({ tenantId, keyId, materialId }: CiphertextHeader): Buffer {
  const fields = [tenantId, keyId, materialId].map((field) => Buffer.from(field, 'utf8'));
  for (const field of fields) if (field.length === 0 || field.length > 255) throw new Error('a ciphertext header field is 1 to 255 bytes');
  return Buffer.concat([Buffer.from([BLOB_VERSION]), ...fields.flatMap((field) => [Buffer.from([field.length]), field])]);
}

/** The header of a blob and where its sealed part starts; undefined for anything that is not a blob of this format. */
function decodeHeader(blob: Buffer): { header: CiphertextHeader; length: number } | undefined {
  if (blob[0] !== BLOB_VERSION) return undefined;
  const fields: string[] = [];
  let at = 1;
  for (let i = 0; i < 3; i++) {
    const length = blob[at];
    if (length === undefined || length === 0 || at + 1 + length > blob.length) return undefined;
    fields.push(blob.toString('utf8', at + 1, at + 1 + length));
    at += 1 + length;
  }
  if (blob.length < at + IV_BYTES + TAG_BYTES) return undefined;
  const [tenantId, keyId, materialId] = fields as [string, string, string];
  return { header: { tenantId, keyId, materialId }, length: at };
}

function sealed(key: Buffer, iv: Buffer, aad: Buffer, plaintext: Buffer): { ciphertext: Buffer; tag: Buffer } {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, tag: cipher.getAuthTag() };
}

function opened(key: Buffer, iv: Buffer, aad: Buffer, tag: Buffer, ciphertext: Buffer): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}

/** The bytes of a blob in canonical base64; undefined for any other text (a changed character is a changed blob). */
function blobBytes(blob: string): Buffer | undefined {
  if (typeof blob !== 'string') return undefined;
  const bytes = Buffer.from(blob, 'base64');
  return bytes.toString('base64') === blob ? bytes : undefined;
}

/** Seals `plaintext` (at most 4 KiB) under the key's current material: the blob, base64. */
export function encrypt(key: SealingKey, plaintext: Buffer, context?: EncryptionContext): string {
  if (plaintext.length === 0 || plaintext.length > MAX_PLAINTEXT_BYTES) {
    throw new BadRequest('ValidationException', `The plaintext is 1 to ${MAX_PLAINTEXT_BYTES} bytes, not ${plaintext.length}.`);
  }
  const header = encodeHeader(key);
  const iv = randomBytes(IV_BYTES);
  const { ciphertext, tag } = sealed(key.material, iv, Buffer.concat([header, canonicalContext(context)]), plaintext);
  return Buffer.concat([header, iv, tag, ciphertext]).toString('base64');
}

/**
 * Who a blob says sealed it: what decrypt looks up (the key and the material version) before it can
 * open it. Anything that is not a blob is InvalidCiphertextException, as is a blob of another tenant.
 */
export function ciphertextHeader(blob: string, tenantId: string): CiphertextHeader {
  const bytes = blobBytes(blob);
  const decoded = bytes && decodeHeader(bytes);
  if (!decoded || decoded.header.tenantId !== tenantId) throw invalidCiphertext();
  return decoded.header;
}

/** Opens a blob with the material its header names; refuses a changed blob or another context. */
export function decrypt(key: SealingKey, blob: string, context?: EncryptionContext): Buffer {
  const bytes = blobBytes(blob);
  const decoded = bytes && decodeHeader(bytes);
  if (!bytes || !decoded || decoded.header.tenantId !== key.tenantId || decoded.header.keyId !== key.keyId || decoded.header.materialId !== key.materialId) {
    throw invalidCiphertext();
  }
  const at = decoded.length;
  const plaintext = opened(
    key.material,
    bytes.subarray(at, at + IV_BYTES),
    Buffer.concat([bytes.subarray(0, at), canonicalContext(context)]),
    bytes.subarray(at + IV_BYTES, at + IV_BYTES + TAG_BYTES),
    bytes.subarray(at + IV_BYTES + TAG_BYTES),
  );
  if (!plaintext) throw invalidCiphertext();
  return plaintext;
}

/** GenerateDataKey's sizes: a key spec, or a number of bytes from 1 to 1,024. */
export function dataKeyBytes(request: { keySpec?: 'AES_256' | 'AES_128' | undefined; numberOfBytes?: number | undefined }): number {
  if ((request.keySpec === undefined) === (request.numberOfBytes === undefined)) {
    throw new BadRequest('ValidationException', 'Name a keySpec or a numberOfBytes, not both and not neither.');
  }
  if (request.keySpec) return request.keySpec === 'AES_256' ? 32 : 16;
  const bytes = request.numberOfBytes as number;
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > 1024) throw new BadRequest('ValidationException', `numberOfBytes is 1 to 1024, not ${bytes}.`);
  return bytes;
}

/** A data key: its plaintext for the caller to use and forget, and the blob to keep beside the data. */
export function generateDataKey(key: SealingKey, bytes: number, context?: EncryptionContext): { plaintext: Buffer; ciphertextBlob: string } {
  const plaintext = randomBytes(bytes);
  return { plaintext, ciphertextBlob: encrypt(key, plaintext, context) };
}

/**
 * Wrapping of key material by a key-encryption key held in this process (the local platform's, kept
 * in a file under .data/); in the cloud KMS wraps it under the platform key with the same context.
 * The tenant, key and material ids are the authenticated data: wrapped material moved to another
 * key's item does not unwrap.
 */
export function localKeyWrapping(kek: Buffer) {
  if (kek.length !== MATERIAL_BYTES) throw new Error(`a key-encryption key is ${MATERIAL_BYTES} bytes`);
  const aadOf = (owner: CiphertextHeader) => encodeHeader(owner);
  return {
    wrap(material: Buffer, owner: CiphertextHeader): string {
      const iv = randomBytes(IV_BYTES);
      const { ciphertext, tag } = sealed(kek, iv, aadOf(owner), material);
      return Buffer.concat([iv, tag, ciphertext]).toString('base64');
    },
    unwrap(wrapped: string, owner: CiphertextHeader): Buffer {
      const bytes = Buffer.from(wrapped, 'base64');
      const material = opened(kek, bytes.subarray(0, IV_BYTES), aadOf(owner), bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES), bytes.subarray(IV_BYTES + TAG_BYTES));
      if (!material || material.length !== MATERIAL_BYTES) throw new Error(`the material of ${owner.keyId}/${owner.materialId} does not unwrap under this key-encryption key`);
      return material;
    },
  };
}
