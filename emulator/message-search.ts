/**
 * `GET /users/{accountId}/messages` (reference §2.2): search over stored message metadata, one row per message and
 * recipient, never the text. At least one query parameter is required, the date window is 14 days, results are
 * paged with opaque tokens, and each source IP may search 3500 times per 5 minutes (429 with `Retry-After`).
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { type EmulatorContext } from './context';
import { type Account } from './directory-schemas';
import { type FieldError } from './http-errors';

const STATUSES = ['RECEIVED', 'QUEUED', 'SENDING', 'SENT', 'FAILED', 'DELIVERED', 'ACCEPTED', 'UNDELIVERED'];
const PRODUCTS = [
  'LOCAL_A2P',
  'P2P',
  'SHORT_CODE_REACH',
  'TOLL_FREE',
  'HOSTED_SHORT_CODE',
  'ALPHA_NUMERIC',
  'RBM_MEDIA',
  'RBM_RICH',
  'RBM_CONVERSATIONAL',
];
const KNOWN_PARAMS = new Set([
  'messageId',
  'sourceTn',
  'destinationTn',
  'messageStatus',
  'messageDirection',
  'carrierName',
  'messageType',
  'errorCode',
  'fromDateTime',
  'toDateTime',
  'campaignId',
  'fromBwLatency',
  'bwQueued',
  'product',
  'location',
  'carrierQueued',
  'fromCarrierLatency',
  'callingNumberCountryA3',
  'calledNumberCountryA3',
  'fromSegmentCount',
  'toSegmentCount',
  'fromMessageSize',
  'toMessageSize',
  'sort',
  'pageToken',
  'limit',
  'limitTotalCount',
]);

export interface ListMessageItem {
  messageId: string;
  accountId: string;
  sourceTn: string;
  destinationTn: string;
  messageStatus: string;
  messageDirection: 'INBOUND' | 'OUTBOUND';
  messageType: 'sms' | 'mms';
  segmentCount: number;
  errorCode: number;
  receiveTime: string;
  carrierName: string | null;
  messageSize: number | null;
  messageLength: number;
  attachmentCount: number | null;
  recipientCount: number | null;
  campaignClass: string | null;
  campaignId: string | null;
  bwLatency: number | null;
  carrierLatency: number | null;
  callingNumberCountryA3: string | null;
  calledNumberCountryA3: string | null;
  product: string | null;
  location: string | null;
}

export type SearchResult =
  | { ok: true; body: { totalCount: number; pageInfo: Record<string, string>; messages: ListMessageItem[] } }
  | { ok: false; description: string; fieldErrors?: FieldError[] };

interface Row {
  id: string;
  account_id: string;
  direction: 'in' | 'out';
  from_tn: string;
  to_json: string;
  time_ms: number;
  segment_count: number;
  message_type: 'sms' | 'mms';
  media_json: string | null;
  message_length: number;
  message_size: number;
  product: string | null;
  tn: string;
  status: string;
  error_code: number;
  carrier_name: string | null;
}

const A3: Record<string, string> = {
  US: 'USA', CA: 'CAN', PR: 'PRI', GB: 'GBR', MX: 'MEX', FR: 'FRA', DE: 'DEU', ES: 'ESP', IT: 'ITA', NL: 'NLD',
  IE: 'IRL', AU: 'AUS', NZ: 'NZL', IN: 'IND', BR: 'BRA', JP: 'JPN', CN: 'CHN', KR: 'KOR', PH: 'PHL', ZA: 'ZAF',
  JM: 'JAM', DO: 'DOM', BS: 'BHS', BB: 'BRB', TT: 'TTO', GU: 'GUM', VI: 'VIR', AS: 'ASM', MP: 'MNP', BE: 'BEL',
  CH: 'CHE', AT: 'AUT', SE: 'SWE', NO: 'NOR', DK: 'DNK', FI: 'FIN', PL: 'POL', PT: 'PRT', IL: 'ISR', SG: 'SGP',
}; // prettier-ignore

/** ISO 3166 alpha-3 country of a number (alphanumeric sender IDs have none). */
export function countryA3(tn: string): string | null {
  if (!tn.startsWith('+')) return null;
  const iso2 = parsePhoneNumberFromString(tn)?.country;
  if (iso2) return A3[iso2] ?? null;
  return tn.startsWith('+1') ? 'USA' : null;
}

export function searchMessages(
  ctx: EmulatorContext,
  account: Account,
  query: Record<string, unknown>,
  selfUrl: string,
): SearchResult {
  const q: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) if (typeof v === 'string') q[k] = v;
  const errors: FieldError[] = [];
  const add = (fieldName: string, description: string) => errors.push({ fieldName, description });
  if (!Object.keys(q).some((k) => KNOWN_PARAMS.has(k) && k !== 'pageToken' && k !== 'limit')) {
    return { ok: false, description: 'You must include at least one query parameter' };
  }

  const now = ctx.clock.now();
  const windowMs = ctx.settings().searchWindowDays * 86_400_000;
  const from = q.fromDateTime !== undefined ? Date.parse(q.fromDateTime) : undefined;
  const to = q.toDateTime !== undefined ? Date.parse(q.toDateTime) : undefined;
  if (from !== undefined && Number.isNaN(from)) add('fromDateTime', "'fromDateTime' must be an ISO-8601 date-time");
  if (to !== undefined && Number.isNaN(to)) add('toDateTime', "'toDateTime' must be an ISO-8601 date-time");
  const start = from ?? (to !== undefined ? to - windowMs : now - windowMs);
  const end = to ?? (from !== undefined ? from + windowMs : now);
  if (end - start > windowMs)
    add('toDateTime', `the date range must be ${ctx.settings().searchWindowDays} days or less`);

  const where = ['m.account_id = ?', 'm.time_ms >= ?', 'm.time_ms <= ?'];
  const params: (string | number)[] = [account.id, start, end];
  const tnFilter = (field: 'sourceTn' | 'destinationTn', column: string) => {
    const v = q[field];
    if (v === undefined) return;
    const list = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (list.length > 10) add(field, `'${field}' takes at most 10 numbers`);
    else if (list.length > 1 || /^\+[1-9]\d{9,14}$/.test(list[0] ?? '')) {
      where.push(`${column} IN (${list.map(() => '?').join(',')})`);
      params.push(...list);
    } else if ((list[0] ?? '').length >= 5) {
      where.push(`${column} LIKE ?`);
      params.push(`%${list[0]}%`);
    } else add(field, `'${field}' needs a full number or at least 5 characters of one`);
  };
  tnFilter('sourceTn', 'm.from_tn');
  tnFilter('destinationTn', 'r.tn');
  const eq = (field: string, column: string, allowed?: string[], transform = (s: string) => s) => {
    const v = q[field];
    if (v === undefined) return;
    if (allowed && !allowed.includes(v)) return add(field, `'${v}' is not a valid ${field}`);
    where.push(`${column} = ?`);
    params.push(transform(v));
  };
  eq('messageId', 'm.id');
  eq('messageStatus', 'r.status', STATUSES);
  eq('messageDirection', 'm.direction', ['INBOUND', 'OUTBOUND'], (s) => (s === 'INBOUND' ? 'in' : 'out'));
  eq('messageType', 'm.message_type', ['sms', 'mms', 'rcs']);
  eq('carrierName', 'r.carrier_name');
  const int = (field: string, column: string, op: string) => {
    const v = q[field];
    if (v === undefined) return;
    if (!/^\d+$/.test(v)) return add(field, `'${field}' must be an integer`);
    where.push(`${column} ${op} ?`);
    params.push(Number(v));
  };
  int('errorCode', 'r.error_code', '=');
  int('fromSegmentCount', 'm.segment_count', '>=');
  int('toSegmentCount', 'm.segment_count', '<=');
  int('fromMessageSize', 'm.message_size', '>=');
  int('toMessageSize', 'm.message_size', '<=');
  const bool = (field: string, statuses: string[]) => {
    const v = q[field];
    if (v === undefined) return;
    if (v !== 'true' && v !== 'false') return add(field, `'${field}' must be true or false`);
    where.push(`r.status ${v === 'true' ? '' : 'NOT '}IN (${statuses.map(() => '?').join(',')})`);
    params.push(...statuses);
  };
  bool('bwQueued', ['QUEUED']);
  bool('carrierQueued', ['SENDING', 'SENT']);
  if (q.product !== undefined && !PRODUCTS.includes(q.product)) add('product', `'${q.product}' is not a valid product`);
  for (const f of ['fromBwLatency', 'fromCarrierLatency']) {
    if (q[f] !== undefined && !/^\d+$/.test(q[f])) add(f, `'${f}' must be an integer`);
  }

  const limit = q.limit === undefined ? 100 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) add('limit', "'limit' must be between 1 and 10000");
  const sortMatch = /^(\w+)(?::(asc|desc))?$/.exec(q.sort ?? 'receiveTime:desc');
  if (!sortMatch) add('sort', "'sort' must look like field:asc or field:desc");
  const offset = q.pageToken !== undefined ? decodePageToken(q.pageToken) : 0;
  if (offset === undefined) add('pageToken', "'pageToken' is not valid");
  if (errors.length > 0) return { ok: false, description: 'Your request could not be accepted', fieldErrors: errors };

  const rows = ctx.db
    .prepare(
      `SELECT m.id, m.account_id, m.direction, m.from_tn, m.to_json, m.time_ms, m.segment_count, m.message_type,
         m.media_json, m.message_length, m.message_size, m.product, r.tn, r.status, r.error_code, r.carrier_name
       FROM messages m JOIN recipients r ON r.message_id = m.id WHERE ${where.join(' AND ')}`,
    )
    .all(...params) as Row[];
  let items = rows.map((r) => toItem(r, account));
  // Filters on values that are derived rather than stored.
  if (q.product !== undefined) items = items.filter((i) => i.product === q.product);
  if (q.callingNumberCountryA3 !== undefined) {
    items = items.filter((i) => i.callingNumberCountryA3 === q.callingNumberCountryA3);
  }
  if (q.calledNumberCountryA3 !== undefined) {
    items = items.filter((i) => i.calledNumberCountryA3 === q.calledNumberCountryA3);
  }
  // Not recorded by the emulator (10DLC campaigns, locations, Advanced Quality Metrics): such filters match nothing.
  for (const f of ['campaignId', 'location', 'fromBwLatency', 'fromCarrierLatency']) {
    if (q[f] !== undefined) items = [];
  }

  const field = (sortMatch?.[1] ?? 'receiveTime') as keyof ListMessageItem;
  const dir = sortMatch?.[2] === 'asc' ? 1 : -1;
  items.sort((a, b) => {
    const av = a[field] ?? '';
    const bv = b[field] ?? '';
    const c = av < bv ? -1 : av > bv ? 1 : a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0;
    return c * dir;
  });

  const start0 = offset ?? 0;
  const page = items.slice(start0, start0 + limit);
  const pageInfo: Record<string, string> = {};
  const link = (token: string) => {
    const u = new URL(selfUrl);
    u.searchParams.set('pageToken', token);
    return u.toString();
  };
  if (start0 + limit < items.length) {
    pageInfo.nextPageToken = encodePageToken(start0 + limit);
    pageInfo.nextPage = link(pageInfo.nextPageToken);
  }
  if (start0 > 0) {
    pageInfo.prevPageToken = encodePageToken(Math.max(0, start0 - limit));
    pageInfo.prevPage = link(pageInfo.prevPageToken);
  }
  const totalCount = q.limitTotalCount === 'true' ? Math.min(items.length, 10_000) : items.length;
  return { ok: true, body: { totalCount, pageInfo, messages: page } };
}

function toItem(r: Row, account: Account): ListMessageItem {
  const to = JSON.parse(r.to_json) as string[];
  const media = r.media_json ? (JSON.parse(r.media_json) as string[]) : [];
  return {
    messageId: r.id,
    accountId: r.account_id,
    sourceTn: r.from_tn,
    destinationTn: r.tn,
    messageStatus: r.status,
    messageDirection: r.direction === 'in' ? 'INBOUND' : 'OUTBOUND',
    messageType: r.message_type,
    segmentCount: r.segment_count,
    errorCode: r.error_code,
    receiveTime: new Date(r.time_ms).toISOString(),
    carrierName: account.features.carrierName ? r.carrier_name : null,
    messageSize: r.message_size,
    messageLength: r.message_length,
    attachmentCount: media.length,
    recipientCount: to.length,
    campaignClass: null,
    campaignId: null,
    bwLatency: null,
    carrierLatency: null,
    callingNumberCountryA3: countryA3(r.from_tn),
    calledNumberCountryA3: countryA3(r.tn),
    product: r.product,
    location: null,
  };
}

function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64');
}

function decodePageToken(token: string): number | undefined {
  try {
    const v = (JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { o?: unknown }).o;
    return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Fixed-window rate limiter per source IP on the emulated clock. */
export class SearchRateLimiter {
  private readonly windows = new Map<string, { startMs: number; count: number }>();

  /** Counts a request; returns the emulated seconds to wait when over the limit. */
  hit(
    key: string,
    nowMs: number,
    limit: number,
    windowSeconds: number,
  ): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const windowMs = windowSeconds * 1000;
    let w = this.windows.get(key);
    if (!w || nowMs - w.startMs >= windowMs) {
      w = { startMs: nowMs, count: 0 };
      this.windows.set(key, w);
    }
    w.count += 1;
    if (w.count <= limit) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((w.startMs + windowMs - nowMs) / 1000)) };
  }
}
