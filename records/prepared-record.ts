/**
 * What the store does to a record before writing it: key it, normalise its time, apply privacy mode and make its
 * strings storable everywhere. Shared by both backends so they store exactly the same thing.
 */
import { normalizeTime, nowTime } from './event-time';
import { RecordInputError } from './errors';
import type { MessageRecord, MessageRecordInput } from './message-record';
import { redactText } from './privacy';
import { recordKey } from './record-key';

/** A record ready to insert: everything but `seq`, which the database assigns. */
export type PreparedRecord = Omit<MessageRecord, 'seq'>;

const MICROS = 1_000_000;

// PostgreSQL text cannot hold NUL, and JSON with a lone surrogate is rejected by jsonb. A callback must never fail to
// be recorded because of its content (Bandwidth would retry it for 24 hours), so both become U+FFFD, in both backends.
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function storable<T>(value: T): T {
  if (typeof value === 'string') return value.replace(UNSTORABLE, '\ufffd') as T;
  if (Array.isArray(value)) return value.map(storable) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[storable(k)] = storable(v);
    return out as T;
  }
  return value;
}

export function prepareRecord(input: MessageRecordInput, storeText: boolean): PreparedRecord {
  const eventTime = normalizeTime(input.eventTime);
  if (eventTime === null) {
    throw new RecordInputError(`eventTime: must be an ISO 8601 time, got ${JSON.stringify(input.eventTime)}`);
  }
  // The key comes from the record as received, so a redelivery dedupes whatever privacy mode strips.
  const id = recordKey(input);
  const kept = storable(storeText ? input : redactText(input));
  const { segmentCount, errorCode } = kept;
  return {
    ...kept,
    segmentCount: int32OrNull(segmentCount),
    errorCode: int32OrNull(errorCode),
    cost: kept.cost ?? null,
    currency: kept.cost != null ? (kept.currency ?? null) : null,
    carrierName: kept.carrierName ?? null,
    eventTime,
    id,
    recordedAt: nowTime(),
    raw: kept.raw ?? null,
  };
}

/** PostgreSQL's INTEGER columns hold 32 bits; a larger count or code (only ever a bad callback's) is kept in `raw`. */
function int32OrNull(n: number | null): number | null {
  return n !== null && n >= -(2 ** 31) && n < 2 ** 31 ? n : null;
}

/** Column values in insert order; the backend encodes the JSON ones. */
export const INSERT_COLUMNS = [
  'id',
  'kind',
  'message_id',
  'event_type',
  'direction',
  'our_number',
  'participants',
  'from_number',
  'to_numbers',
  'recipient',
  'text',
  'media',
  'segment_count',
  'error_code',
  'description',
  'conversation_id',
  'tag',
  'event_time',
  'recorded_at',
  'raw',
  'cost_micros',
  'currency',
  'carrier_name',
] as const;

export function insertValues(r: PreparedRecord, json: (value: unknown) => unknown): unknown[] {
  return [
    r.id,
    r.kind,
    r.messageId,
    r.eventType,
    r.direction,
    r.ourNumber,
    json(r.participants),
    r.from,
    json(r.to),
    r.recipient,
    r.text,
    json(r.media),
    r.segmentCount,
    r.errorCode,
    r.description,
    r.conversationId,
    r.tag,
    r.eventTime,
    r.recordedAt,
    r.raw === null ? null : json(r.raw),
    r.cost === null ? null : Math.round(r.cost * MICROS),
    r.currency,
    r.carrierName,
  ];
}

/** A row as both backends select it (times already in the normalised text form). */
export interface RecordRow {
  seq: number | string;
  id: string;
  kind: MessageRecord['kind'];
  message_id: string | null;
  event_type: string;
  direction: MessageRecord['direction'];
  our_number: string | null;
  participants: unknown;
  from_number: string | null;
  to_numbers: unknown;
  recipient: string | null;
  text: string | null;
  media: unknown;
  segment_count: number | null;
  error_code: number | null;
  description: string | null;
  conversation_id: string | null;
  tag: string | null;
  event_time: string;
  recorded_at: string;
  raw: unknown;
  cost_micros: number | string | null;
  currency: string | null;
  carrier_name: string | null;
}

export function rowToRecord(row: RecordRow, parseJson: (value: unknown) => unknown): MessageRecord {
  return {
    id: row.id,
    seq: Number(row.seq),
    recordedAt: row.recorded_at,
    kind: row.kind,
    messageId: row.message_id,
    eventType: row.event_type,
    direction: row.direction,
    ourNumber: row.our_number,
    participants: parseJson(row.participants) as string[],
    from: row.from_number,
    to: parseJson(row.to_numbers) as string[],
    recipient: row.recipient,
    text: row.text,
    media: parseJson(row.media) as string[],
    segmentCount: row.segment_count,
    cost: row.cost_micros === null ? null : Number(row.cost_micros) / MICROS,
    currency: row.currency,
    carrierName: row.carrier_name,
    errorCode: row.error_code,
    description: row.description,
    conversationId: row.conversation_id,
    tag: row.tag,
    eventTime: row.event_time,
    raw: row.raw === null ? null : parseJson(row.raw),
  };
}
