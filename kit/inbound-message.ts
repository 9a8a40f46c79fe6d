/**
 * Builds the inbound messages tests hand to a conversation, the way the webhook server builds them: a Bandwidth
 * `message-received` callback, parsed with the server's schema and mapped with the server's own mapping.
 */
import { z } from 'zod';
import { InboundCallbackSchema } from '../bandwidth/schemas';
import { segmentCount as countSegments } from '../bandwidth/segments';
import { newMessageId } from '../emulator/ids';
import { toInboundMessage } from '../server/hand-off';
import type { InboundMessage } from '../workflows/messages';
import { DEFAULT_OUR_NUMBER } from './bandwidth';

/**
 * What a test says about an inbound message; everything but `from` has a default.
 *
 * @example
 * ```ts
 * const fields: InboundMessageFields = { from: '+19195550123', to: ['+19195550100', '+19195550124'], text: 'hi all' };
 * const message = inboundMessage(fields);
 * ```
 */
export interface InboundMessageFields {
  /** The participant who texted. */
  from: string;
  /** Default: empty (an MMS may have no text). */
  text?: string;
  /** Every recipient of the message. Default: `[ourNumber]`. */
  to?: string[];
  /** The number of ours this copy was delivered to. Default: the first of `to`, else `+19195550100`. */
  ourNumber?: string;
  /** Media URLs. Default: none. */
  media?: string[];
  /** Bandwidth's message id, the deduplication key. Default: a fresh Bandwidth-style id (29 characters). */
  messageId?: string;
  /** Default: the count Bandwidth reports for this text, media and recipients. */
  segmentCount?: number;
  /** When Bandwidth received it. Default: now. */
  time?: Date | string;
}

/**
 * An {@link InboundMessage} as the webhook server would hand it to the conversation, with defaults for what the test
 * does not care about. Throws if Bandwidth's callback schema would refuse the message (an empty message id, no
 * recipient, a fractional segment count).
 *
 * @example
 * ```ts
 * import { inboundMessage } from 'threadline/kit';
 *
 * const hi = inboundMessage({ from: '+19195550123', text: 'hi', messageId: 'dup-1' });
 * await chat.deliverInbound(hi);
 * await chat.deliverInbound(hi); // Bandwidth redelivers the same callback
 * ```
 */
export function inboundMessage(fields: InboundMessageFields): InboundMessage {
  const now = Date.now();
  const ourNumber = fields.ourNumber ?? fields.to?.[0] ?? DEFAULT_OUR_NUMBER;
  const to = fields.to ?? [ourNumber];
  const text = fields.text ?? '';
  const media = fields.media ?? [];
  const time = fields.time instanceof Date ? fields.time.toISOString() : (fields.time ?? new Date(now).toISOString());
  const parsed = InboundCallbackSchema.safeParse({
    type: 'message-received',
    time,
    description: 'Incoming message received',
    to: ourNumber,
    message: {
      id: fields.messageId ?? newMessageId(now),
      owner: ourNumber,
      applicationId: 'kit-application',
      time,
      segmentCount: fields.segmentCount ?? countSegments({ text, media, to }),
      direction: 'in',
      to,
      from: fields.from,
      text,
      media,
    },
  });
  if (!parsed.success) throw new Error(`not a message Bandwidth would deliver:\n${z.prettifyError(parsed.error)}`);
  return toInboundMessage(parsed.data);
}
