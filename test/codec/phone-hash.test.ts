/**
 * Phone numbers in search attributes, hashed: what THREADLINE_HASH_PHONES_IN_SEARCH and THREADLINE_PHONE_HASH_KEY
 * configure, and the hash an operator computes to search by number outside the operator API.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../config/env';
import { hashPhone, phoneIndexer } from '../../temporal/phone-hash';

describe('hashed phone numbers in search attributes', () => {
  it('are off by default: numbers are indexed as they are', () => {
    const config = loadConfig({});
    assert.equal(config.phoneHashKey, null);
    assert.equal(phoneIndexer(config.phoneHashKey)('+19195550123'), '+19195550123');
  });

  it('hash with THREADLINE_PHONE_HASH_KEY, as the documented openssl command does', () => {
    const key = 'my-phone-hash-key-0123456789';
    const config = loadConfig({ THREADLINE_HASH_PHONES_IN_SEARCH: 'true', THREADLINE_PHONE_HASH_KEY: key });
    const hashed = phoneIndexer(config.phoneHashKey)('+19195550123');
    assert.match(hashed, /^hmac:[0-9a-f]{32}$/);
    const openssl = execFileSync('openssl', ['dgst', '-sha256', '-mac', 'HMAC', '-macopt', `key:${key}`], {
      input: '+19195550123',
      encoding: 'utf8',
    });
    assert.equal(hashed, `hmac:${openssl.replace(/.*= /, '').trim().slice(0, 32)}`);
    assert.notEqual(hashed, phoneIndexer(config.phoneHashKey)('+19195550124'));
  });

  it('derive their key from the first payload key when they have none of their own', () => {
    const first = randomBytes(32).toString('base64');
    const env = { THREADLINE_HASH_PHONES_IN_SEARCH: 'true', THREADLINE_PAYLOAD_KEYS: `k1:${first}` };
    const a = loadConfig(env).phoneHashKey;
    const b = loadConfig(env).phoneHashKey;
    assert.ok(a && b);
    assert.equal(hashPhone(a, '+19195550123'), hashPhone(b, '+19195550123'));
    assert.notDeepEqual(a, Buffer.from(first, 'base64'), 'not the payload key itself');
  });

  it('refuse to start with no key to hash with', () => {
    assert.throws(
      () => loadConfig({ THREADLINE_HASH_PHONES_IN_SEARCH: 'true' }),
      (err: unknown) => err instanceof ConfigError && /needs THREADLINE_PHONE_HASH_KEY/.test(err.message),
    );
  });
});

describe('the codec server origins', () => {
  it("default to the local dev server's Web UI, and take a list of origins", () => {
    assert.deepEqual(loadConfig({ TEMPORAL_UI_PORT: '8233' }).payloads.codecCorsOrigins, [
      'http://127.0.0.1:8233',
      'http://localhost:8233',
    ]);
    const config = loadConfig({ THREADLINE_CODEC_CORS_ORIGINS: 'https://ui.example.com, https://cloud.temporal.io' });
    assert.deepEqual(config.payloads.codecCorsOrigins, ['https://ui.example.com', 'https://cloud.temporal.io']);
    assert.throws(
      () => loadConfig({ THREADLINE_CODEC_CORS_ORIGINS: 'https://ui.example.com/path' }),
      /"https:\/\/ui.example.com\/path" is not an origin/,
    );
  });
});
