/**
 * How long a callback's ids and numbers may be. Bandwidth's are short (a message id is 29 characters, a number at most
 * 16, an application id 36), and the records database indexes them: PostgreSQL refuses an index entry over about
 * 2,700 bytes, so an event with a longer one could never be recorded, and a 503 for it would be retried for 24 hours.
 * A body with one is refused with 400 instead, whatever its type.
 */

/** Longest `type`, `to`, message id, `from`, `owner`, recipient or application id, in UTF-16 code units. */
export const MAX_CALLBACK_ID_LENGTH = 256;
/** Longest `message.tag` (Bandwidth takes tags of up to 1,024 characters). */
export const MAX_CALLBACK_TAG_LENGTH = 1024;

const EVENT_FIELDS = ['type', 'to'] as const;
const MESSAGE_FIELDS = ['id', 'from', 'owner', 'applicationId'] as const;

const tooLong = (value: unknown, max: number) => typeof value === 'string' && value.length > max;

/** The first id, number or tag in a callback body (an array of events, or one) that is too long, or null. */
export function oversizedField(body: unknown): string | null {
  const events: unknown[] = Array.isArray(body) ? body : [body];
  for (const [i, event] of events.entries()) {
    if (typeof event !== 'object' || event === null) continue;
    const e = event as Record<string, unknown>;
    for (const field of EVENT_FIELDS) if (tooLong(e[field], MAX_CALLBACK_ID_LENGTH)) return `[${i}].${field}`;
    if (typeof e.message !== 'object' || e.message === null) continue;
    const m = e.message as Record<string, unknown>;
    for (const field of MESSAGE_FIELDS) {
      if (tooLong(m[field], MAX_CALLBACK_ID_LENGTH)) return `[${i}].message.${field}`;
    }
    if (Array.isArray(m.to) && m.to.some((n) => tooLong(n, MAX_CALLBACK_ID_LENGTH))) return `[${i}].message.to`;
    if (tooLong(m.tag, MAX_CALLBACK_TAG_LENGTH)) return `[${i}].message.tag`;
  }
  return null;
}
