/**
 * The messages that cross the boundary between the webhook server, operators and a conversation workflow: signal,
 * query and update definitions with their payload types, in Threadline's own words (not Bandwidth's field names).
 * The server, the workflows and the tests import these same objects, so both sides are type-checked.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';

/**
 * A text (or MMS) from a participant to our number. Built by the server from a `message-received` callback.
 * @example
 * const message: InboundMessage | null = await chat.waitForReply();
 * if (message?.media.length) await chat.say(`Thanks for the ${message.media.length} photo(s), ${message.from}!`);
 */
export interface InboundMessage {
  /** Bandwidth's message id: the deduplication key (Bandwidth may deliver a callback twice). */
  messageId: string;
  from: string;
  /** Every recipient of the message (more than one for a group message). */
  to: string[];
  /** The number of ours this copy was delivered to (Bandwidth sends one copy per number we own in a group). */
  ourNumber: string;
  text: string;
  media: string[];
  segmentCount: number;
  /** When Bandwidth received it (ISO 8601). */
  time: string;
  /** What receiving it costs, priced by the server (`THREADLINE_PRICE_TABLE`); absent when unpriced. */
  cost?: number;
  /** The cost's ISO 4217 currency. */
  currency?: string;
}

export type DeliveryEventType = 'message-sending' | 'message-sent' | 'message-delivered' | 'message-failed';

/** A status callback for a message this conversation sent, routed back through the message's tag. */
export interface DeliveryEvent {
  messageId: string;
  /** The send within the conversation (from the tag), known even before the send's result is recorded. */
  sendId: string;
  type: DeliveryEventType;
  /** The recipient this event is about (one event per recipient for group messages). */
  recipient: string;
  errorCode?: number;
  description: string;
  time: string;
  /** The carrier surcharge this recipient's delivery adds, priced by the server from the callback's `carrierName`. */
  surcharge?: { cost: number; currency: string; carrier: string };
}

/**
 * Delivery status of a message, as the transcript shows it.
 * @example
 * const undelivered = chat.transcript().filter((m) => m.direction === 'out' && m.status === 'failed');
 */
export type MessageStatus =
  'received' | 'sending' | 'accepted' | 'sent' | 'delivered' | 'failed' | 'send-failed' | 'partially-delivered';

/**
 * One line of a conversation's transcript.
 * @example
 * const entries: readonly TranscriptEntry[] = chat.transcript();
 * const lastFromThem = entries.findLast((m) => m.direction === 'in');
 */
export interface TranscriptEntry {
  direction: 'in' | 'out';
  messageId: string | null;
  /** Outbound: Threadline's id for the send within the conversation. */
  sendId?: string;
  /** Outbound: the human operator who sent it (absent when the bot did). */
  operator?: string;
  /** Inbound: arrived while a human had taken over, so the bot did not see it. */
  duringTakeover?: boolean;
  from: string;
  to: string[];
  text: string;
  media: string[];
  time: string;
  segmentCount: number | null;
  /**
   * What the message costs so far, in currency units: the price of receiving it, or of sending it to every recipient
   * plus the carrier surcharges their receipts named. Absent when it was not priced (or not accepted).
   */
  cost?: number;
  /** The cost's ISO 4217 currency (`THREADLINE_PRICE_TABLE`'s). */
  currency?: string;
  status: MessageStatus;
  /** Per-recipient status of an outbound message. */
  recipients?: Record<string, { status: MessageStatus; errorCode?: number; description?: string; time?: string }>;
  errorCode?: number;
  /** Inbound: where the media's copies are in Threadline's media store, once copied. */
  storedMedia?: string[];
  /** Inbound: a consent keyword (STOP, START, HELP...), handled by Threadline; the bot never sees it. */
  keyword?: 'opt-out' | 'opt-in' | 'help';
  /** Outbound: sent over the bot's segment budget (`onExceed: 'warn'`), and why. */
  segmentWarning?: string;
  /** Outbound: Threadline's answer to a consent keyword. */
  consentReply?: 'opt-out' | 'opt-in' | 'help';
}

/** Delivers an inbound message; the server sends it with signal-with-start, so the first text starts the workflow. */
export const inboundMessageSignal = defineSignal<[InboundMessage]>('inboundMessage');
/** Delivers a status callback for a message this conversation sent. */
export const deliveryStatusSignal = defineSignal<[DeliveryEvent]>('deliveryStatus');
/** Every message of the conversation, oldest first, with direction, time, segment count and delivery status. */
export const transcriptQuery = defineQuery<TranscriptEntry[]>('transcript');

/** A human operator sends a message into a live conversation (delivered like the bot's own messages). */
export const operatorMessageSignal =
  defineSignal<[{ text: string; media?: string[]; operator: string }]>('operatorMessage');
/** Pauses (`paused: true`) or resumes the bot while a human takes over the conversation. */
export const takeoverSignal = defineSignal<[{ paused: boolean; operator: string }]>('takeover');
/** Ends the conversation: the bot stops where it is and the workflow completes. */
export const endConversationSignal = defineSignal<[{ reason: string }]>('endConversation');

/**
 * Something outside the conversation happened (a payment, a booking change); bots wait for it by name.
 * @example
 * // from outside the workflow, e.g. a payment webhook:
 * await client.workflow.getHandle(id).signal(externalEventSignal, { name: 'payment', payload: { amount: 20 }, id: 'pay_123' });
 */
export interface ExternalEvent {
  name: string;
  payload?: unknown;
  /** Deduplication key: the same id delivered twice counts once. */
  id?: string;
}
/** Delivers an {@link ExternalEvent} to a conversation; bots wait for it with `chat.events.external(name)`. */
export const externalEventSignal = defineSignal<[ExternalEvent]>('externalEvent');
