/**
 * Encrypted payloads: a Temporal {@link PayloadCodec} that encrypts every payload Threadline's clients and workers
 * send (workflow and activity arguments and results, signals, queries, memos, summaries) with AES-256-GCM, so message
 * text and phone numbers never sit in plain text in a workflow history.
 *
 * Each encrypted payload names the key that encrypted it (`encryption-key-id` in its metadata). Keys rotate: new
 * payloads are encrypted with the first key, and any listed key decrypts, so old histories still read while the old
 * key stays listed. Payloads that are not encrypted (written before encryption was turned on) pass through decoding
 * unchanged. Codecs run outside the workflow sandbox, so `node:crypto` is fine here.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/** One encryption key: its id (stored in each payload it encrypts) and its 32 bytes. */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

/** The `encoding` of an encrypted payload; its data is `iv (12 bytes) ‖ ciphertext ‖ GCM tag (16 bytes)`. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** The metadata key naming the key that encrypted a payload. */
export const KEY_ID_METADATA = 'encryption-key-id';
/** The metadata key naming the cipher, so a future codec can tell formats apart. */
export const CIPHER_METADATA = 'encryption-cipher';
const CIPHER = 'AES-256-GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A payload this codec cannot decrypt: unknown key, or data that fails authentication. The message says which. */
export class PayloadDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

const utf8 = (text: string) => Buffer.from(text, 'utf8');
const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

/** True when the payload was encrypted by this codec (whatever the key). */
export function isEncrypted(payload: Payload): boolean {
  return text(payload.metadata?.[METADATA_ENCODING_KEY]) === ENCRYPTED_ENCODING;
}

/**
 * A codec that encrypts with `keys[0]` and decrypts with any of `keys` (see the module comment).
 *
 * @throws Error when no key is given, a key is not 32 bytes, or two keys share an id.
 * @example
 * const codec = createEncryptionCodec([{ id: 'k2', key: newKey }, { id: 'k1', key: oldKey }]);
 * const client = new Client({ connection, dataConverter: { payloadCodecs: [codec] } });
 */
export function createEncryptionCodec(keys: readonly PayloadKey[]): PayloadCodec {
  const [current] = keys;
  if (!current) throw new Error('an encryption codec needs at least one key');
  const byId = new Map<string, Buffer>();
  for (const { id, key } of keys) {
    if (key.length !== 32) throw new Error(`payload key ${id} is ${key.length} bytes; AES-256 needs 32`);
    if (byId.has(id)) throw new Error(`payload key id ${id} is listed twice`);
    byId.set(id, key);
  }

  const encryptOne = (payload: Payload): Payload => {
    if (isEncrypted(payload)) return payload;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', current.key, iv);
    // The key id is authenticated too: a payload relabelled with another key id fails to decrypt.
    cipher.setAAD(utf8(current.id));
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: utf8(current.id),
        [CIPHER_METADATA]: utf8(CIPHER),
      },
      data,
    };
  };

  const decryptOne = (payload: Payload): Payload => {
    if (!isEncrypted(payload)) return payload;
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
    if (keyId === undefined) throw new PayloadDecryptionError('an encrypted payload names no encryption key id');
    const key = byId.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError(
        `a payload is encrypted with key "${keyId}", which THREADLINE_PAYLOAD_KEYS does not list ` +
          `(it lists ${[...byId.keys()].map((id) => `"${id}"`).join(', ')}): add that key to decrypt it`,
      );
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(`a payload encrypted with key "${keyId}" is too short to be one`);
    }
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAAD(utf8(keyId));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `a payload encrypted with key "${keyId}" failed authentication: it was altered, or that id names another key`,
      );
    }
    return temporal.api.common.v1.Payload.decode(plain);
  };

  return {
    async encode(payloads) {
      return payloads.map(encryptOne);
    },
    async decode(payloads) {
      return payloads.map(decryptOne);
    },
  };
}
