/**
 * What `POST /callbacks/messaging` must answer for a request, and what it must hand to Temporal, worked out from the
 * bytes and headers alone by the rules docs/operations.md states, without the server's code: validity comes from ajv
 * on the JSON Schema rendering of the event schemas (not from zod's parse), the hand-off rules are restated here.
 *
 * In order: Basic auth (401), an `application/json` content type in UTF-8 (415), a supported content encoding (415),
 * 1 MiB after decompression (413), a body that decompresses (400 `invalid-body`), JSON (400 `invalid-json`; an empty
 * body reads as `{}`), nesting (400 `invalid-callback`), ids and numbers of at most 256 characters and tags of at most
 * 1,024 (400 `invalid-callback`), the callback schema (400 `invalid-callback`), then 200
 * `{ accepted: n }`. Of a valid body: each event once (by message id and receiving number for an inbound message, by
 * message id, type and recipient for a status), a `message-received` with direction `in` from someone else on a
 * routed number of ours starts or signals its conversation `sms:<our number>:<participants>`, a `message-delivered` or
 * `message-failed` with direction `out` whose tag tracks delivery is signalled to the tag's conversation, anything
 * else is recorded only, and so is any event whose conversation id Temporal cannot take (over 1,000 bytes, or not
 * valid Unicode), and under the `application` consent scope a message that names no application.
 */
import zlib from 'node:zlib';
import Ajv, { type ValidateFunction } from 'ajv';
import { z } from 'zod';
import { InboundCallbackSchema, OtherCallbackSchema, StatusCallbackSchema } from '../../bandwidth/schemas';
import { MAX_CALLBACK_DEPTH } from '../../server/callback-route';
import { decodeTag } from '../../workflows/ids';
import type { JsonSchema } from './json-schema-arbitrary';

/** express's `1mb`. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

const draft7 = (schema: z.ZodType) => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io: 'input' });
  return rest as JsonSchema;
};

/** The JSON Schema of each callback type Threadline knows, by `type`. */
export const KNOWN_EVENT_SCHEMAS: Record<string, JsonSchema> = Object.fromEntries([
  ['message-received', draft7(InboundCallbackSchema)],
  ...StatusCallbackSchema.options.map((o) => [o.shape.type.value, draft7(o)] as const),
]);
/** Any other type only needs a `type` (and strings where the common fields are). */
export const OTHER_EVENT_SCHEMA: JsonSchema = draft7(OtherCallbackSchema);

const ajv = new Ajv({ strict: false, allErrors: false });
const validators = new Map<string, ValidateFunction>(
  Object.entries(KNOWN_EVENT_SCHEMAS).map(([type, schema]) => [type, ajv.compile(schema)]),
);
const validOther = ajv.compile(OTHER_EVENT_SCHEMA);

export interface CallbackSetup {
  /** `Authorization` header value that passes. */
  authorization: string;
  ourNumbers: readonly string[];
  /** The bot for a number of ours, or null (record only). */
  botFor(ourNumber: string): string | null;
  /** `THREADLINE_CONSENT_SCOPE`: under `application`, a message naming no application starts nothing. */
  consentScope: 'number' | 'application' | 'account';
  taskQueue: string;
}

export type ExpectedHandOff =
  | { kind: 'signalWithStart'; workflowId: string; workflowType: string; signal: 'inboundMessage'; payload: unknown }
  | { kind: 'signal'; workflowId: string; signal: 'deliveryStatus'; payload: unknown };

export type Expected =
  | { status: 400 | 401 | 413 | 415; type: string; why: string }
  | { status: 200; accepted: number; handOffs: ExpectedHandOff[] };

export interface CallbackRequest {
  headers: Record<string, string>;
  body: Buffer;
}

const refuse = (status: 400 | 401 | 413 | 415, type: string, why: string): Expected => ({ status, type, why });

/** How deep arrays and objects nest in a parsed JSON value (a scalar is 0), without recursion. */
export function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    deepest = Math.max(deepest, depth + 1);
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Whether Temporal takes `id` as a workflow id. */
export function temporalTakes(id: string): boolean {
  return Buffer.byteLength(id, 'utf8') <= 1000 && !/\p{Cs}/u.test(id);
}

/** The first id or number over 256 UTF-16 units, or tag over 1,024, in any event of the body; null when none. */
function tooLongField(events: unknown[]): string | null {
  const long = (v: unknown, max = 256) => typeof v === 'string' && v.length > max;
  for (const event of events) {
    if (typeof event !== 'object' || event === null) continue;
    const e = event as Json;
    if (long(e.type) || long(e.to)) return 'type or to';
    const m = e.message;
    if (typeof m !== 'object' || m === null) continue;
    const { id, from, owner, applicationId, to, tag } = m as Json;
    if ([id, from, owner, applicationId].some((v) => long(v))) return 'a message id, number or application';
    if (Array.isArray(to) && to.some((v) => long(v))) return 'a recipient';
    if (long(tag, 1024)) return 'the tag';
  }
  return null;
}

function decompress(encoding: string, bytes: Buffer): Buffer {
  if (encoding === 'gzip') return zlib.gunzipSync(bytes);
  if (encoding === 'deflate') return zlib.inflateSync(bytes);
  return zlib.brotliDecompressSync(bytes);
}

function eventValid(event: unknown): boolean {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return false;
  const type = (event as { type?: unknown }).type;
  const known = typeof type === 'string' ? validators.get(type) : undefined;
  return known ? known(event) : validOther(event);
}

type Json = Record<string, unknown>;

/** The documented hand-offs of a valid body's events. */
function handOffs(events: Json[], setup: CallbackSetup): ExpectedHandOff[] {
  const expected: ExpectedHandOff[] = [];
  const seen = new Set<string>();
  for (const event of events) {
    const type = event.type as string;
    const m = event.message as Json;
    if (!validators.has(type)) continue; // recorded only
    const key =
      type === 'message-received'
        ? `in|${m.id as string}|${(event.to as string) || (m.owner as string) || ''}`
        : `st|${m.id as string}|${type}|${event.to as string}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (type === 'message-received') {
      if (m.direction !== 'in') continue;
      const to = event.to as string;
      const recipients = m.to as string[];
      const ours = new Set([...setup.ourNumbers, to]);
      const oursHere = [...new Set([to, ...recipients.filter((n) => ours.has(n))])].sort();
      const participants = [...new Set([m.from as string, ...recipients])].filter((n) => !ours.has(n)).sort();
      if (participants.length === 0 || setup.ourNumbers.includes(m.from as string)) continue;
      const bot = setup.botFor(oursHere[0]!);
      const workflowId = `sms:${oursHere[0]!}:${participants.join(',')}`;
      if (bot === null || !temporalTakes(workflowId)) continue;
      if (setup.consentScope === 'application' && !m.applicationId) continue;
      expected.push({
        kind: 'signalWithStart',
        workflowId,
        workflowType: bot,
        signal: 'inboundMessage',
        payload: {
          messageId: m.id,
          from: m.from,
          to: recipients,
          ourNumber: to,
          text: m.text ?? '',
          media: m.media ?? [],
          segmentCount: m.segmentCount,
          time: m.time,
        },
      });
    } else if (type === 'message-delivered' || type === 'message-failed') {
      const tag = decodeTag(m.tag as string | undefined);
      if (!tag || m.direction !== 'out' || !tag.trackDelivery || !temporalTakes(tag.conversationId)) continue;
      expected.push({
        kind: 'signal',
        workflowId: tag.conversationId,
        signal: 'deliveryStatus',
        payload: {
          messageId: m.id,
          sendId: tag.sendId,
          type,
          recipient: event.to,
          ...(type === 'message-failed' ? { errorCode: event.errorCode } : {}),
          description: event.description,
          time: event.time,
        },
      });
    }
  }
  return expected;
}

/** What the callback route must answer for `request`, and hand over when it answers 200. */
export function expectedAnswer(request: CallbackRequest, setup: CallbackSetup): Expected {
  const header = (name: string) => request.headers[name];
  if (header('authorization') !== setup.authorization) return refuse(401, 'unauthorized', 'not the credentials');

  const contentType = header('content-type');
  if (contentType === undefined) return refuse(415, 'unsupported-media-type', 'no content type');
  const [mediaType = '', ...parameters] = contentType.split(';');
  if (mediaType.trim().toLowerCase() !== 'application/json') {
    return refuse(415, 'unsupported-media-type', `content type ${mediaType}`);
  }
  const charset = parameters.map((p) => /^\s*charset\s*=\s*"?([^"]*)"?\s*$/i.exec(p)?.[1]).find((c) => c !== undefined);
  if (charset && charset.toLowerCase() !== 'utf-8') return refuse(415, 'unsupported-media-type', `charset ${charset}`);

  const encoding = (header('content-encoding') ?? 'identity').trim().toLowerCase();
  let bytes = request.body;
  if (encoding !== 'identity') {
    if (!['gzip', 'deflate', 'br'].includes(encoding)) {
      return refuse(415, 'unsupported-media-type', `content encoding ${encoding}`);
    }
    try {
      bytes = decompress(encoding, bytes);
    } catch {
      return refuse(400, 'invalid-body', `not ${encoding}`);
    }
  }
  if (bytes.length > BODY_LIMIT_BYTES) return refuse(413, 'payload-too-large', `${bytes.length} bytes`);

  const text = new TextDecoder('utf-8').decode(bytes); // drops a leading byte-order mark, as the server's decoder does
  let body: unknown;
  try {
    body = text === '' ? {} : JSON.parse(text);
  } catch {
    return refuse(400, 'invalid-json', 'not JSON');
  }
  if (nestingDepth(body) > MAX_CALLBACK_DEPTH) return refuse(400, 'invalid-callback', 'nested too deep');

  const tooLong = tooLongField(Array.isArray(body) ? body : [body]);
  if (tooLong !== null) return refuse(400, 'invalid-callback', `${tooLong} too long`);

  let events: unknown[];
  if (Array.isArray(body)) events = body;
  else if (typeof body === 'object' && body !== null) events = [body];
  else return refuse(400, 'invalid-callback', 'neither an array nor an object');
  if (events.length === 0) return refuse(400, 'invalid-callback', 'an empty array');
  const invalid = events.findIndex((e) => !eventValid(e));
  if (invalid >= 0) return refuse(400, 'invalid-callback', `event ${invalid} does not match its schema`);
  return { status: 200, accepted: events.length, handOffs: handOffs(events as Json[], setup) };
}
