/**
 * Turns a parsed Bandwidth callback into a message record. Pure: no I/O, no clock unless the event has no time.
 */
import { isKnownCallback, type CallbackEvent, type MessageCallback } from '../bandwidth/schemas';
import { inboundCost, surchargeCost } from '../billing/message-cost';
import type { PriceTable } from '../billing/price-table';
import { normalizeTime, nowTime } from './event-time';
import type { MessageRecordInput, RecordDirection } from './message-record';

export interface CallbackRecordContext {
  /** The Temporal workflow id of the conversation the event was routed to, if any. */
  conversationId: string | null;
  /**
   * Our Bandwidth numbers. Only needed for callbacks Threadline does not know (RBM `message-read`, future types), to
   * tell which side of the message is ours when the event does not say its direction.
   */
  ourNumbers?: readonly string[];
  /** When the callback arrived (ISO 8601); used as the event time when the event carries no valid `time`. */
  receivedAt?: string;
  /**
   * What messages cost: a `message-received` record then carries the price of receiving it, a status record the
   * carrier surcharge its `carrierName` brings (if any). Unpriced without it.
   */
  prices?: PriceTable;
}

/** A carrier name as Bandwidth sends it (URL-encoded: `AT%26T`), decoded; null when absent. */
export function decodeCarrierName(name: unknown): string | null {
  if (typeof name !== 'string' || name.trim() === '') return null;
  try {
    return decodeURIComponent(name);
  } catch {
    return name; // not URL-encoded after all
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);

/** Everyone in the conversation except our own number, in order of appearance, without repeats. */
function othersThan(ourNumber: string | null, numbers: (string | null)[]): string[] {
  const seen = new Set<string>();
  for (const n of numbers) if (n && n !== ourNumber) seen.add(n);
  return [...seen];
}

function eventTimeOf(time: unknown, ctx: CallbackRecordContext): string {
  const fromEvent = typeof time === 'string' ? normalizeTime(time) : null;
  if (fromEvent) return fromEvent;
  const received = ctx.receivedAt ? normalizeTime(ctx.receivedAt) : null;
  return received ?? nowTime();
}

function fromKnown(event: MessageCallback, ctx: CallbackRecordContext): MessageRecordInput {
  const m = event.message;
  const common = {
    messageId: m.id,
    eventType: event.type,
    from: m.from,
    to: m.to,
    media: m.media ?? [],
    segmentCount: m.segmentCount,
    description: event.description,
    conversationId: ctx.conversationId,
    tag: m.tag ?? null,
    eventTime: eventTimeOf(event.time, ctx),
    raw: event,
  };
  if (event.type === 'message-received') {
    // `to` is the number of ours that received this copy; an inbound group gives each of our numbers its own event.
    const ourNumber = str(event.to) ?? str(m.owner);
    return {
      ...common,
      ...(ctx.prices ? inboundCost(ctx.prices, m) : {}),
      kind: 'inbound',
      direction: 'in',
      ourNumber,
      participants: othersThan(ourNumber, [m.from, ...m.to]),
      recipient: null,
      text: m.text ?? null,
      errorCode: null,
    };
  }
  // Outbound status: `owner` is unreliable on delivered events (reference §11.2), `from` is always our number.
  const ourNumber = str(m.from);
  const carrierName = decodeCarrierName(event.carrierName);
  // Charged once per recipient: on the one terminal event each recipient gets (reference §3.1), not on every event.
  const terminal = event.type === 'message-delivered' || event.type === 'message-failed';
  const surcharge = ctx.prices && terminal ? surchargeCost(ctx.prices, m, event.carrierName) : null;
  return {
    ...common,
    ...(carrierName ? { carrierName } : {}),
    ...(surcharge ?? {}),
    kind: 'status',
    direction: m.direction,
    ourNumber,
    participants: othersThan(ourNumber, m.to),
    recipient: str(event.to),
    text: null, // Bandwidth always sends "" here; the text is on the outbound record
    errorCode: event.type === 'message-failed' ? event.errorCode : int((event as Record<string, unknown>).errorCode),
  };
}

function fromOther(event: Record<string, unknown>, ctx: CallbackRecordContext): MessageRecordInput {
  const m = (typeof event.message === 'object' && event.message !== null ? event.message : {}) as Record<
    string,
    unknown
  >;
  const from = str(m.from);
  const to = strings(m.to);
  const eventTo = str(event.to);
  const ours = new Set(ctx.ourNumbers ?? []);

  let direction: RecordDirection | null = m.direction === 'in' || m.direction === 'out' ? m.direction : null;
  if (direction === null && from !== null && ours.has(from)) direction = 'out';
  if (direction === null && eventTo !== null && ours.has(eventTo)) direction = 'in';
  const ourNumber =
    direction === 'out'
      ? from
      : direction === 'in'
        ? (eventTo ?? str(m.owner) ?? to.find((n) => ours.has(n)) ?? null)
        : null;

  return {
    kind: 'other',
    messageId: str(m.id),
    eventType: typeof event.type === 'string' ? event.type : 'unknown',
    direction,
    ourNumber,
    participants: othersThan(ourNumber, [from, ...to]),
    from,
    to,
    recipient: direction === 'out' ? eventTo : null,
    text: typeof m.text === 'string' && m.text !== '' ? m.text : null,
    media: strings(m.media),
    segmentCount: int(m.segmentCount),
    errorCode: int(event.errorCode),
    description: str(event.description),
    conversationId: ctx.conversationId,
    tag: str(m.tag),
    eventTime: eventTimeOf(event.time ?? event.eventTime, ctx),
    raw: event,
  };
}

/**
 * The record of one callback event, as parsed by `CallbackBodySchema`:
 * - `message-received` → `inbound`, `ourNumber` = the receiving number, participants = sender and other group members;
 * - `message-sending`/`-sent`/`-delivered`/`-failed` → `status`, `recipient` = the recipient the event is about;
 * - anything else → `other`, with whatever ids and numbers it carries.
 *
 * ```ts
 * for (const event of CallbackBodySchema.parse(req.body)) {
 *   records.push(recordFromCallback(event, { conversationId, ourNumbers }));
 * }
 * await store.append(records); // before answering 2xx
 * ```
 */
export function recordFromCallback(event: CallbackEvent, ctx: CallbackRecordContext): MessageRecordInput {
  if (isKnownCallback(event)) return fromKnown(event, ctx);
  const { known: _known, ...rest } = event;
  return fromOther(rest, ctx);
}
