/**
 * Search queries: validation, opaque keyset cursors, and the SQL conditions shared by both backends.
 */
import { normalizeTime } from './event-time';
import { RecordQueryError } from './errors';
import {
  RECORD_STATUSES,
  type RecordDirection,
  type RecordFilter,
  type RecordKind,
  type RecordQuery,
} from './message-record';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** A position in the (eventTime, seq) order: the last record of the previous page. */
export interface Cursor {
  eventTime: string;
  seq: number;
}

/** A filter after validation: times normalised, `status` turned into an event type. */
export interface ResolvedFilter {
  conversationId?: string;
  ourNumber?: string;
  participant?: string;
  direction?: RecordDirection;
  kind?: RecordKind;
  eventTypes: string[];
  errorCode?: number;
  messageId?: string;
  from?: string;
  to?: string;
}

export interface ResolvedQuery {
  filter: ResolvedFilter;
  limit: number;
  after: Cursor | null;
}

const KINDS: readonly string[] = ['inbound', 'outbound', 'status', 'other'];

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.eventTime, cursor.seq])).toString('base64url');
}

export function decodeCursor(cursor: string): Cursor {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && decoded.length === 2) {
      const [eventTime, seq] = decoded as unknown[];
      if (typeof eventTime === 'string' && normalizeTime(eventTime) === eventTime && Number.isSafeInteger(seq)) {
        return { eventTime, seq: seq as number };
      }
    }
  } catch {
    // fall through to the error below
  }
  throw new RecordQueryError('cursor: not a cursor this store returned; pass a nextCursor unchanged');
}

function time(name: 'from' | 'to', value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const normalized = normalizeTime(value);
  if (normalized === null)
    throw new RecordQueryError(`${name}: must be an ISO 8601 time, got ${JSON.stringify(value)}`);
  return normalized;
}

/** Validates a filter and puts it in the form the backends query by. */
export function resolveFilter(query: RecordFilter): ResolvedFilter {
  if (query.direction !== undefined && query.direction !== 'in' && query.direction !== 'out') {
    throw new RecordQueryError(`direction: must be "in" or "out", got ${JSON.stringify(query.direction)}`);
  }
  if (query.kind !== undefined && !KINDS.includes(query.kind)) {
    throw new RecordQueryError(`kind: must be one of ${KINDS.join(', ')}, got ${JSON.stringify(query.kind)}`);
  }
  if (query.errorCode !== undefined && !Number.isInteger(query.errorCode)) {
    throw new RecordQueryError(`errorCode: must be an integer, got ${JSON.stringify(query.errorCode)}`);
  }
  const eventTypes: string[] = [];
  if (query.eventType !== undefined) eventTypes.push(query.eventType);
  if (query.status !== undefined) {
    if (!Object.hasOwn(RECORD_STATUSES, query.status)) {
      const known = Object.keys(RECORD_STATUSES).join(', ');
      throw new RecordQueryError(`status: must be one of ${known}, got ${JSON.stringify(query.status)}`);
    }
    eventTypes.push(RECORD_STATUSES[query.status]);
  }
  return {
    conversationId: query.conversationId,
    ourNumber: query.ourNumber,
    participant: query.participant,
    direction: query.direction,
    kind: query.kind,
    eventTypes,
    errorCode: query.errorCode,
    messageId: query.messageId,
    from: time('from', query.from),
    to: time('to', query.to),
  };
}

/** Validates a whole query, including its page size and cursor. */
export function resolveQuery(query: RecordQuery): ResolvedQuery {
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new RecordQueryError(`limit: must be an integer from 1 to ${MAX_LIMIT}, got ${JSON.stringify(query.limit)}`);
  }
  return {
    filter: resolveFilter(query),
    limit,
    after: query.cursor === undefined || query.cursor === '' ? null : decodeCursor(query.cursor),
  };
}

/** How a backend spells parameters: `?` for SQLite, `$1`, `$2`, ... for PostgreSQL (with casts where needed). */
export interface Params {
  values: unknown[];
  /** A text or integer value. */
  add(value: unknown): string;
  /** An event time in the store's normalised form. */
  time(value: string): string;
  /** A `seq`. */
  seq(value: number): string;
}

/**
 * The SELECT for one page: records matching the filter after the cursor, in (event_time, seq) order, `limit` rows.
 * `columns` is the backend's select list over alias `r`.
 */
export function pageSql(columns: string, query: ResolvedQuery, p: Params, limit: number): string {
  const f = query.filter;
  const where: string[] = [];
  if (f.conversationId !== undefined) where.push(`r.conversation_id = ${p.add(f.conversationId)}`);
  if (f.ourNumber !== undefined) where.push(`r.our_number = ${p.add(f.ourNumber)}`);
  if (f.direction !== undefined) where.push(`r.direction = ${p.add(f.direction)}`);
  if (f.kind !== undefined) where.push(`r.kind = ${p.add(f.kind)}`);
  for (const eventType of f.eventTypes) where.push(`r.event_type = ${p.add(eventType)}`);
  if (f.errorCode !== undefined) where.push(`r.error_code = ${p.add(f.errorCode)}`);
  if (f.messageId !== undefined) where.push(`r.message_id = ${p.add(f.messageId)}`);
  if (f.from !== undefined) where.push(`r.event_time >= ${p.time(f.from)}`);
  if (f.to !== undefined) where.push(`r.event_time < ${p.time(f.to)}`);
  if (f.participant !== undefined) {
    where.push(
      `r.seq IN (SELECT mp.record_seq FROM message_record_participants mp WHERE mp.participant = ${p.add(f.participant)})`,
    );
  }
  if (query.after !== null) {
    where.push(`(r.event_time, r.seq) > (${p.time(query.after.eventTime)}, ${p.seq(query.after.seq)})`);
  }
  return (
    `SELECT ${columns} FROM message_records r` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY r.event_time, r.seq LIMIT ${p.add(limit)}`
  );
}
