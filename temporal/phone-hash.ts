/**
 * Phone numbers in search attributes, hashed (`THREADLINE_HASH_PHONES_IN_SEARCH=true`): `ThreadlineParticipants` then
 * holds `hmac:<hex>` (HMAC-SHA256 of the E.164 number, first 16 bytes) instead of the number, so the visibility store
 * never holds a participant's number in plain text, yet a conversation can still be found by number: hash the number
 * the same way (the operator API's `?participant=` does; `threadline` operators can use {@link hashPhone}).
 */
import { createHmac, hkdfSync } from 'node:crypto';
import type { ConversationStart } from '../workflows/conversation-start';
import type { PayloadKey } from './payload-codec';

/** What every hashed number starts with. */
export const PHONE_HASH_PREFIX = 'hmac:';

/**
 * The HMAC key: `THREADLINE_PHONE_HASH_KEY` when set, else one derived (HKDF-SHA256) from the first payload key.
 * A derived key changes when the first payload key does: set a key of its own to keep hashes stable across rotations.
 */
export function phoneHashKeyFrom(own: string | undefined, payloadKeys: readonly PayloadKey[]): Buffer {
  if (own !== undefined) return Buffer.from(own, 'utf8');
  const [first] = payloadKeys;
  if (!first) throw new Error('hashing phone numbers needs THREADLINE_PHONE_HASH_KEY or a payload key');
  return Buffer.from(hkdfSync('sha256', first.key, Buffer.alloc(0), 'threadline phone numbers in search', 32));
}

/**
 * A phone number as `ThreadlineParticipants` holds it when numbers are hashed.
 * @example
 * hashPhone(key, '+19195550123'); // 'hmac:3f0c…' (32 hex digits)
 */
export function hashPhone(key: Buffer, e164: string): string {
  return `${PHONE_HASH_PREFIX}${createHmac('sha256', key).update(e164, 'utf8').digest('hex').slice(0, 32)}`;
}

/** How the configuration indexes a phone number: hashed with `key`, or as it is when `key` is null. */
export function phoneIndexer(key: Buffer | null): (e164: string) => string {
  return key ? (e164) => hashPhone(key, e164) : (e164) => e164;
}

/** A start's `indexedParticipants` when numbers are hashed (`indexPhone` given); nothing when they are not. */
export function indexedParticipants(
  deps: { indexPhone?: (e164: string) => string },
  participants: readonly string[],
): Pick<ConversationStart, 'indexedParticipants'> {
  return deps.indexPhone ? { indexedParticipants: participants.map(deps.indexPhone) } : {};
}
