/**
 * The shape of one message record and of the store that keeps them. A record is one fact Threadline learned about a
 * message: it received one (`inbound`), Bandwidth accepted one it sent (`outbound`), Bandwidth reported a status for
 * one recipient (`status`), or some other callback arrived (`other`). Records are append-only and never updated.
 */
import type { RecordLifecycle } from './lifecycle';
import type { OptOutLedger } from './opt-out';
import type { SendIntents } from './send-intent';

export type RecordKind = 'inbound' | 'outbound' | 'status' | 'other';
export type RecordDirection = 'in' | 'out';

/** The `eventType` of an outbound record: Bandwidth answered the create-message call with 202. */
export const SEND_ACCEPTED = 'send-accepted';

/** Shorthands for the status filter, each standing for one `eventType`. */
export const RECORD_STATUSES = {
  received: 'message-received',
  accepted: SEND_ACCEPTED,
  sending: 'message-sending',
  sent: 'message-sent',
  delivered: 'message-delivered',
  failed: 'message-failed',
  read: 'message-read',
} as const;
export type RecordStatus = keyof typeof RECORD_STATUSES;

/** Whether a status event ends a recipient's delivery (`message-delivered`, `message-failed`): what a conversation waits for. */
export function isTerminalStatus(eventType: string): boolean {
  return eventType === RECORD_STATUSES.delivered || eventType === RECORD_STATUSES.failed;
}

export interface MessageRecordInput {
  kind: RecordKind;
  /** Bandwidth's message id. Null only for `other` events that carry none. */
  messageId: string | null;
  /**
   * Bandwidth's callback `type` (`message-received`, `message-sending`, `message-sent`, `message-delivered`,
   * `message-failed`, or any type Bandwidth adds later), or `send-accepted` for an outbound send.
   */
  eventType: string;
  direction: RecordDirection | null;
  /** Our Bandwidth number (E.164) on this message: the receiving number inbound, the sending number outbound. */
  ourNumber: string | null;
  /** The other phone numbers in the conversation: the sender and any other group members, or the recipients. */
  participants: string[];
  from: string | null;
  to: string[];
  /** Status events only: the one recipient this event is about (Bandwidth sends one event per group recipient). */
  recipient: string | null;
  /** The message text; null for status events and when the store runs in privacy mode. */
  text: string | null;
  media: string[];
  segmentCount: number | null;
  /**
   * What this event adds to the bill, in currency units (docs/operations.md, "Segments and cost"): the price of a
   * message received or accepted, the carrier surcharge a status callback names; null when it adds nothing or was not
   * priced (records written before Threadline priced messages).
   */
  cost?: number | null;
  /** The cost's ISO 4217 currency; null without a cost. */
  currency?: string | null;
  /** The carrier a status callback named (`carrierName`, URL-decoded), when Bandwidth sends it. */
  carrierName?: string | null;
  errorCode: number | null;
  description: string | null;
  /** The Temporal workflow id of the conversation this message belongs to, when known. */
  conversationId: string | null;
  tag: string | null;
  /**
   * When the event happened (Bandwidth's `time`), as ISO 8601. The store normalises it to UTC with microsecond
   * precision (`2025-06-20T16:13:21.480000Z`), which is also how records come back.
   */
  eventTime: string;
  /** The event as received. In privacy mode the store drops the message text from it. */
  raw?: unknown;
}

export interface MessageRecord extends MessageRecordInput {
  cost: number | null;
  currency: string | null;
  carrierName: string | null;
  /** The idempotency key, {@link recordKey} of the input. */
  id: string;
  /** Insertion order within one database; breaks ties between records with the same `eventTime`. */
  seq: number;
  /** When the store wrote the record, same format as `eventTime`. */
  recordedAt: string;
  raw: unknown;
}

/** Filters for {@link RecordStore.search}. Every filter given must match (AND); records come back oldest first. */
export interface RecordQuery {
  conversationId?: string;
  ourNumber?: string;
  /** Matches records whose participants include this number. */
  participant?: string;
  direction?: RecordDirection;
  kind?: RecordKind;
  eventType?: string;
  /** Shorthand for an `eventType`: `delivered` means `message-delivered`, `accepted` means `send-accepted`, ... */
  status?: RecordStatus;
  errorCode?: number;
  messageId?: string;
  /** Earliest event time, inclusive (ISO 8601; a date alone means midnight UTC). */
  from?: string;
  /** Latest event time, exclusive (ISO 8601; a date alone means midnight UTC). */
  to?: string;
  /** Page size: default 100, at most 1000. */
  limit?: number;
  /** `nextCursor` of the previous page. Opaque; only valid with the same filters. */
  cursor?: string;
}

export type RecordFilter = Omit<RecordQuery, 'cursor' | 'limit'>;

export interface RecordPage {
  records: MessageRecord[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export type ExportFormat = 'jsonl' | 'csv';

export interface AppendResult {
  /** Records written by this call. */
  inserted: number;
  /** Records already in the store (a redelivered callback), or repeated within this call; nothing was written. */
  duplicates: number;
}

/**
 * An append-only, idempotent log of message records. Obtain one with {@link createRecordStore}; every method may be
 * called concurrently, also from several processes sharing one database.
 */
export interface RecordStore {
  /**
   * Writes records in one transaction: all or none. A record whose {@link recordKey} is already stored is counted as
   * a duplicate and not written again, so appending a redelivered callback adds nothing. Resolves once the records
   * are durable, so a callback may be acknowledged after it resolves.
   */
  append(records: MessageRecordInput[]): Promise<AppendResult>;
  /**
   * One page of records matching the query, ordered by `eventTime` then `seq`.
   * @throws RecordQueryError for a bad limit, time or cursor.
   */
  search(query: RecordQuery): Promise<RecordPage>;
  /**
   * Every record matching the filter, as JSON Lines (one record per line, `raw` included) or CSV (a header row, then
   * one row per record; arrays joined by spaces; `raw` left out). Yields one chunk per internal page.
   */
  export(filter: RecordFilter, format: ExportFormat): AsyncIterable<string>;
  /**
   * Remembers that the events with these record ids ({@link recordKey}) have been handed to Temporal (or deliberately
   * not), so a redelivered callback is acknowledged without handing them over again. Idempotent.
   */
  markHandedOff(ids: string[]): Promise<void>;
  /** Which of these record ids {@link markHandedOff} has remembered. */
  handedOff(ids: string[]): Promise<Set<string>>;
  /** The whole log of one conversation, oldest first. */
  conversation(conversationId: string): Promise<MessageRecord[]>;
  /** Who opted out (and back in) where, with the history of every change: the opt-out ledger, in the same database. */
  readonly optOuts: OptOutLedger;
  /** What became of every send: the evidence that makes sending exactly-once across crashes (records/send-intent.ts). */
  readonly sendIntents: SendIntents;
  /**
   * Marks a message's receipts as waited for by its conversation (idempotent), then returns the delivered and failed
   * status records already recorded for it: from now on the webhook server signals its delivered receipts too.
   */
  watchReceipts(messageId: string): Promise<MessageRecord[]>;
  /** The delivered and failed status records of a message (what {@link watchReceipts} returns, without watching). */
  receipts(messageId: string): Promise<MessageRecord[]>;
  /** Which of these message ids {@link watchReceipts} has marked. */
  watchedReceipts(messageIds: string[]): Promise<Set<string>>;
  /** Retention and erasure: deleting old records, or a person's, and the audit of erasures (records/lifecycle.ts). */
  readonly lifecycle: RecordLifecycle;
  close(): Promise<void>;
}

export interface RecordStoreOptions {
  /**
   * Whether to keep message text. Defaults to `true`. With `false` (privacy mode) `text` is stored as null and the
   * text is removed from `raw` (`text`, and `message.text`, `content`, `suggestionResponse`, `locationResponse`).
   */
  storeText?: boolean;
}

export type RecordStoreTarget = { sqlitePath: string } | { databaseUrl: string } | { memory: true };
