/**
 * The encrypted-payload settings' formats (docs/operations.md, "Encrypted payloads"), parsed by config/env.ts: the
 * payload keys and the Web UI origins the codec server answers.
 */
import { z } from 'zod';
import type { PayloadKey } from '../temporal/payload-codec';

/**
 * `THREADLINE_PAYLOAD_KEYS`: payload encryption keys, `id:base64-of-32-bytes` pairs separated by commas; the first
 * encrypts, every one decrypts (docs/operations.md, "Encrypted payloads"). Empty: payloads are not encrypted.
 *
 * @example k2:6r0Tq2tT7rU9yQ0sJ3n1c5l8m2p4v6x8z0B2D4F6H8I=,k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=
 */
export const PayloadKeysSchema = z.string().transform((text, ctx): PayloadKey[] => {
  const keys: PayloadKey[] = [];
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const [index, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    const encoded = colon < 0 ? '' : entry.slice(colon + 1);
    const problem = (message: string) => ctx.addIssue({ code: 'custom', message: `key ${index + 1}: ${message}` });
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) {
      problem('must be id:base64-key, the id made of letters, digits, . _ or - (e.g. k1:<key>)');
      continue;
    }
    const key = Buffer.from(encoded, 'base64');
    if (!/^[A-Za-z0-9+/]{43}=?$/.test(encoded) || key.length !== 32) {
      problem(`${id}: the key must be 32 random bytes in base64; make one with: openssl rand -base64 32`);
      continue;
    }
    if (keys.some((k) => k.id === id)) {
      problem(`the id ${id} is listed twice; each key needs an id of its own`);
      continue;
    }
    keys.push({ id, key });
  }
  return keys;
});

/** `THREADLINE_CODEC_CORS_ORIGINS`: a comma-separated list of origins (`scheme://host[:port]`, no path). */
export const OriginListSchema = z.string().transform((text, ctx) => {
  const origins = text
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const origin of origins) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = null;
    }
    if (!parsed || parsed.origin !== origin) {
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(origin)} is not an origin such as https://ui.example.com`,
      });
    }
  }
  return origins;
});
