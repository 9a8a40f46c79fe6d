/**
 * The idempotency key of a record. Bandwidth delivers callbacks at least once, so the same fact can arrive twice; the
 * key names the fact, not the delivery, and the store writes each key once.
 */
import { createHash } from 'node:crypto';
import type { MessageRecordInput } from './message-record';

/** JSON with object keys sorted at every level, so equal values always serialise (and hash) the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

function hashOf(input: MessageRecordInput): string {
  // Without a raw event, hash what the record says (minus nothing: two different facts must not collide).
  const source = input.raw !== undefined ? input.raw : { ...input, raw: undefined };
  return createHash('sha256').update(canonicalJson(source)).digest('base64url');
}

/**
 * The idempotency key of a record:
 * - inbound: `in:<messageId>:<ourNumber>` (an inbound group gives each of our numbers its own copy and message id);
 * - outbound: `out:<messageId>`;
 * - status: `st:<messageId>:<eventType>:<recipient>` (one event per recipient of a group message);
 * - other, or any record without a message id: `ot:<sha256 of the raw event, keys sorted>`.
 */
export function recordKey(input: MessageRecordInput): string {
  if (input.kind === 'other' || input.messageId === null) return `ot:${hashOf(input)}`;
  switch (input.kind) {
    case 'inbound':
      return storableKey(`in:${input.messageId}:${input.ourNumber ?? ''}`);
    case 'outbound':
      return storableKey(`out:${input.messageId}`);
    case 'status':
      return storableKey(`st:${input.messageId}:${input.eventType}:${input.recipient ?? ''}`);
  }
}

// A key is stored and looked up as text: NUL and lone surrogates (which PostgreSQL refuses) become U+FFFD, as in
// every other stored string (prepared-record.ts `storable`).
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const storableKey = (key: string) => key.replace(UNSTORABLE, '\ufffd');
