/**
 * Turns an outbound send that Bandwidth accepted (HTTP 202) into a message record. Pure.
 */
import { normalizeTime } from './event-time';
import { SEND_ACCEPTED, type MessageRecordInput } from './message-record';

export interface AcceptedSend {
  /** The message id from the 202 body. */
  messageId: string;
  /** Our number the message was sent from. */
  from: string;
  to: string[];
  /** The text sent, or null/undefined for media only. */
  text?: string | null;
  media?: string[];
  segmentCount?: number | null;
  /** What the message costs (the send's priced result), with its currency. */
  cost?: number | null;
  currency?: string | null;
  tag?: string | null;
  conversationId: string | null;
  /** When Bandwidth accepted it: the 202 body's `time`, or the moment the 202 arrived. ISO 8601. */
  time: string;
  /** The 202 body, kept as the record's raw event. */
  raw?: unknown;
}

/**
 * The `outbound` record of a send Bandwidth accepted, with `eventType` `send-accepted`. Its key is `out:<messageId>`,
 * so recording the same send twice (an activity retried after the record was written) adds nothing.
 *
 * @throws RangeError when `time` is not an ISO 8601 time.
 */
export function recordFromSend(send: AcceptedSend): MessageRecordInput {
  const eventTime = normalizeTime(send.time);
  if (eventTime === null)
    throw new RangeError(`recordFromSend: time must be an ISO 8601 time, got ${JSON.stringify(send.time)}`);
  return {
    kind: 'outbound',
    messageId: send.messageId,
    eventType: SEND_ACCEPTED,
    direction: 'out',
    ourNumber: send.from,
    participants: [...new Set(send.to.filter((n) => n !== send.from))],
    from: send.from,
    to: send.to,
    recipient: null,
    text: send.text ?? null,
    media: send.media ?? [],
    segmentCount: send.segmentCount ?? null,
    cost: send.cost ?? null,
    currency: send.cost != null ? (send.currency ?? null) : null,
    errorCode: null,
    description: null,
    conversationId: send.conversationId,
    tag: send.tag ?? null,
    eventTime,
    raw: send.raw,
  };
}
