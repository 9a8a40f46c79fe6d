/**
 * Encrypted payloads: what the codec writes (no plain text, the key id in the metadata), how it reads old and rotated
 * payloads, and how it refuses what it cannot trust. Also THREADLINE_PAYLOAD_KEYS as the configuration parses it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { ConfigError, loadConfig } from '../../config/env';
import { dataConverterFromConfig } from '../../temporal/data-converter';
import {
  createEncryptionCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  PayloadDecryptionError,
  type PayloadKey,
} from '../../temporal/payload-codec';

const k1: PayloadKey = { id: 'k1', key: randomBytes(32) };
const k2: PayloadKey = { id: 'k2', key: randomBytes(32) };
const message = { text: 'my card ends 4242', from: '+19195550123' };
const plain = (): Payload => defaultPayloadConverter.toPayload(message);
const meta = (payload: Payload, key: string) => Buffer.from(payload.metadata?.[key] ?? []).toString('utf8');

describe('the payload codec', () => {
  it('encrypts a payload so neither its text nor its phone number shows, and reads it back unchanged', async () => {
    const codec = createEncryptionCodec([k1]);
    const [encrypted] = await codec.encode([plain()]);
    assert.ok(encrypted);
    assert.equal(meta(encrypted, 'encoding'), ENCRYPTED_ENCODING);
    assert.equal(meta(encrypted, KEY_ID_METADATA), 'k1');
    const raw = Buffer.from(encrypted.data ?? []).toString('latin1');
    assert.doesNotMatch(raw, /4242|9195550123|json\/plain/);

    const [decoded] = await codec.decode([encrypted]);
    assert.ok(decoded);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded), message);
    assert.equal(meta(decoded, 'encoding'), 'json/plain');
  });

  it('encrypts the same payload differently every time (a fresh IV each)', async () => {
    const codec = createEncryptionCodec([k1]);
    const [a, b] = await codec.encode([plain(), plain()]);
    assert.notDeepEqual(Buffer.from(a?.data ?? []), Buffer.from(b?.data ?? []));
  });

  it('passes payloads written before encryption was turned on through decoding as they are', async () => {
    const codec = createEncryptionCodec([k1]);
    const [decoded] = await codec.decode([plain()]);
    assert.ok(decoded);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded), message);
  });

  it('rotates: new payloads use the first key, and payloads from the old key still read while it is listed', async () => {
    const [old] = await createEncryptionCodec([k1]).encode([plain()]);
    const rotated = createEncryptionCodec([k2, k1]);
    const [fresh] = await rotated.encode([plain()]);
    assert.ok(old && fresh);
    assert.equal(meta(fresh, KEY_ID_METADATA), 'k2');
    const decoded = await rotated.decode([old, fresh]);
    assert.deepEqual(
      decoded.map((p) => defaultPayloadConverter.fromPayload(p)),
      [message, message],
    );
  });

  it('refuses a payload encrypted with a key it does not list, naming that key', async () => {
    const [old] = await createEncryptionCodec([k1]).encode([plain()]);
    assert.ok(old);
    await assert.rejects(
      createEncryptionCodec([k2]).decode([old]),
      (err: unknown) =>
        err instanceof PayloadDecryptionError &&
        /key "k1", which THREADLINE_PAYLOAD_KEYS does not list/.test(err.message),
    );
  });

  it('refuses tampered ciphertext, and a payload relabelled with another key id', async () => {
    const codec = createEncryptionCodec([k1, k2]);
    const [encrypted] = await codec.encode([plain()]);
    assert.ok(encrypted?.data);
    const flipped = Buffer.from(encrypted.data);
    flipped[20] = (flipped[20] ?? 0) ^ 1;
    await assert.rejects(codec.decode([{ ...encrypted, data: flipped }]), /key "k1" failed authentication/);
    const relabelled = { ...encrypted, metadata: { ...encrypted.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } };
    await assert.rejects(codec.decode([relabelled]), /key "k2" failed authentication/);
  });

  it('does not encrypt a payload twice', async () => {
    const codec = createEncryptionCodec([k1]);
    const [once] = await codec.encode([plain()]);
    assert.ok(once);
    const [twice] = await codec.encode([once]);
    assert.equal(twice, once);
  });
});

describe('THREADLINE_PAYLOAD_KEYS', () => {
  const b64 = (key: Buffer) => key.toString('base64');

  it('reads id:key pairs in order, the first encrypting, and turns the codec on', () => {
    const config = loadConfig({ THREADLINE_PAYLOAD_KEYS: ` k2:${b64(k2.key)} , k1:${b64(k1.key)}` });
    assert.deepEqual(
      config.payloads.keys.map((k) => k.id),
      ['k2', 'k1'],
    );
    assert.deepEqual(config.payloads.keys[0]?.key, k2.key);
    assert.equal(dataConverterFromConfig(config).payloadCodecs?.length, 1);
  });

  it('leaves payloads plain when unset', () => {
    const config = loadConfig({});
    assert.deepEqual(config.payloads.keys, []);
    assert.deepEqual(dataConverterFromConfig(config), {});
  });

  it('says what is wrong with a key, without printing the key', () => {
    const short = randomBytes(16).toString('base64');
    let message = '';
    try {
      loadConfig({ THREADLINE_PAYLOAD_KEYS: `k1:${short},nokey,k1:${b64(k1.key)},k1:${b64(k2.key)}` });
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      message = err.message;
    }
    assert.match(
      message,
      /key 1: k1: the key must be 32 random bytes in base64; make one with: openssl rand -base64 32/,
    );
    assert.match(message, /key 2: must be id:base64-key/);
    assert.match(message, /key 4: the id k1 is listed twice/);
    assert.doesNotMatch(message, new RegExp(short.replace(/[+/=]/g, '.')));
  });
});
