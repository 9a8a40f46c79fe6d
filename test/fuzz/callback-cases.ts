/**
 * Generated requests for `POST /callbacks/messaging`. Events come from the JSON Schema rendering of the zod event
 * schemas (json-schema-arbitrary.ts), with the numbers, ids and tags drawn mostly from small pools so that events
 * meet: our numbers and handsets, conversations that run and that do not, duplicate ids within a body. Around them:
 * one-field mutations, other shapes, deep nesting, huge strings and exact-limit sizes, many events, text that is not
 * JSON, other content types and encodings, and wrong credentials.
 */
import zlib from 'node:zlib';
import fc from 'fast-check';
import { conversationId, encodeTag } from '../../workflows/ids';
import { BODY_LIMIT_BYTES, KNOWN_EVENT_SCHEMAS, OTHER_EVENT_SCHEMA } from './callback-oracle';
import { fuzzStrings, mutationsOf, noise, valuesOf, type SchemaArbitraryOptions } from './json-schema-arbitrary';

export const OUR_NUMBERS = ['+19195550100', '+19195550101', '+19195550102'] as const;
/** The one number of ours no bot answers (THREADLINE_UNROUTED=ignore). */
export const UNROUTED_NUMBER = '+19195550102';
const HANDSETS = ['+19195550123', '+19195550124', '+447700900123'];
/** Conversations the fake Temporal runs before the first body. */
export const RUNNING_CONVERSATIONS = [
  conversationId({ ourNumber: '+19195550100', participants: ['+19195550123'] }),
  conversationId({ ourNumber: '+19195550101', participants: ['+19195550124', '+447700900123'] }),
];
export const CREDENTIALS = { username: 'bandwidth', password: 'fuzz-secret' };
export const AUTHORIZATION = `Basic ${Buffer.from('bandwidth:fuzz-secret').toString('base64')}`;

export interface CallbackCase {
  category: string;
  note: string;
  /** A JSON value (its message ids made unique per run when sent), raw text, or raw bytes. */
  body: { value: unknown } | { text: string } | { bytes: Uint8Array };
  /** Replaces the JSON string "@@nest@@" with this many levels of arrays or objects. */
  nest?: { depth: number; shape: 'array' | 'object' };
  /** Pads the JSON text with spaces to exactly this many bytes. */
  padTo?: number;
  contentType: string | null;
  contentEncoding?: { name: string; corrupt: boolean };
  authorization: 'valid' | 'none' | 'wrong' | 'garbage';
}

/**
 * Long numbers: two of the first three in one conversation make its id longer than Temporal's 1,000 bytes (each is
 * within the 256 characters a callback may carry, in 1-, 3- and 4-byte characters); the last is over 256.
 */
export const LONG_NUMBERS = [`+1${'5'.repeat(254)}`, '€'.repeat(256), '😀'.repeat(128), `+1${'5'.repeat(300)}`];

const numbers = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom<string>(...OUR_NUMBERS, ...HANDSETS) },
  { weight: 2, arbitrary: fuzzStrings },
  { weight: 1, arbitrary: fc.constantFrom('', '12345', 'ACME', '\ud800+1919', '+1919\u0000', ...LONG_NUMBERS) },
);

const tags = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({
        conversationId: fc.constantFrom(
          ...RUNNING_CONVERSATIONS,
          conversationId({ ourNumber: '+19195550100', participants: ['+19195550199'] }),
          `sms:+19195550100:${'€'.repeat(340)}`,
          'sms:+19195550100:\udc00',
        ),
        sendId: fc.constantFrom('s1', 's2', 's|3'),
        trackDelivery: fc.boolean(),
      })
      .map(encodeTag),
  },
  { weight: 2, arbitrary: fuzzStrings },
  {
    weight: 1,
    arbitrary: fc.constantFrom('tl1|d||sms:+1:+2', 'tl1|x|s1|sms:+1:+2', 'tl1|d|s1|', 'tl2|d|s1|sms:+1:+2'),
  },
);

const times = fc.oneof(
  { weight: 4, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
  { weight: 1, arbitrary: fc.constantFrom('2024-06-20T12:00:00Z', '2024-02-30T25:61:00Z', 'yesterday', '') },
  { weight: 1, arbitrary: fuzzStrings },
);

const eventOptions: SchemaArbitraryOptions = {
  overrides: {
    to: numbers,
    'message.from': numbers,
    'message.owner': numbers,
    'message.to[]': numbers,
    'message.id': fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('m1', 'm2', 'm3') },
      { weight: 1, arbitrary: fuzzStrings.filter((s) => s.length > 0) },
    ),
    'message.tag': tags,
    'message.text': fc.oneof(fc.constantFrom('hello', 'STOP', 'START', ''), fuzzStrings),
    'message.applicationId': fc.oneof(fc.constant('93de2206-9669-4e07-948d-329f4b722ee2'), fuzzStrings),
    'message.segmentCount': fc.oneof(fc.integer({ min: 0, max: 10 }), fc.constantFrom(-1, 2 ** 31, 2 ** 53 - 1)),
    'message.media[]': fc.oneof(fc.webUrl(), fuzzStrings),
    time: times,
    'message.time': times,
    errorCode: fc.oneof(fc.constantFrom(4775, 4720, 4406, 0, 2 ** 31, -(2 ** 53) + 1), fc.integer()),
  },
};

const knownTypes = Object.keys(KNOWN_EVENT_SCHEMAS);
const otherTypes = fc.oneof(
  fc.constantFrom('message-read', 'suggestion-response', 'requested-location-response', 'message-from-the-future'),
  fuzzStrings.filter((s) => s.length > 0),
);
const knownEvents: Record<string, fc.Arbitrary<unknown>> = Object.fromEntries(
  knownTypes.map((type) => [type, valuesOf(KNOWN_EVENT_SCHEMAS[type]!, eventOptions)]),
);
const anyKnownEvent = fc.constantFrom(...knownTypes).chain((type) => knownEvents[type]!);
const otherEvents = fc.oneof(
  valuesOf(OTHER_EVENT_SCHEMA, { ...eventOptions, overrides: { ...eventOptions.overrides, type: otherTypes } }),
  // A known event's shape under a type Threadline does not know (RBM events look like this).
  fc.tuple(anyKnownEvent, otherTypes).map(([event, type]) => ({ ...(event as object), type })),
);

/** One schema-valid event: mostly known types, sometimes others. */
export const events = fc.oneof(
  { weight: 4, arbitrary: knownEvents['message-received']! },
  { weight: 4, arbitrary: anyKnownEvent },
  { weight: 2, arbitrary: otherEvents },
);

/** A valid body: an array of events (sometimes with one repeated, as a redelivery within a body), or one bare event. */
const validBodies = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.array(events, { minLength: 1, maxLength: 4 }), fc.option(fc.nat(), { freq: 4 }))
      .map(([list, repeat]) => (repeat === null ? list : [...list, list[repeat % list.length]])),
  },
  { weight: 1, arbitrary: events },
);

const mutatedEvents = fc
  .constantFrom(...knownTypes, 'other')
  .chain((type) =>
    type === 'other'
      ? mutationsOf(OTHER_EVENT_SCHEMA, otherEvents)
      : mutationsOf(KNOWN_EVENT_SCHEMAS[type]!, knownEvents[type]!),
  );

const json = (value: unknown, note: string, category: string): CallbackCase => ({
  category,
  note,
  body: { value },
  contentType: 'application/json; charset=utf-8',
  authorization: 'valid',
});

const valid = validBodies.map((body) => json(body, Array.isArray(body) ? `${body.length} events` : 'bare', 'valid'));

const mutated = fc
  .tuple(fc.array(events, { maxLength: 3 }), mutatedEvents, fc.nat(), fc.boolean())
  .map(([list, mutation, at, bare]) => {
    const i = at % (list.length + 1);
    const body = bare ? mutation.value : [...list.slice(0, i), mutation.value, ...list.slice(i)];
    return json(body, mutation.note, 'mutated');
  });

const shapes = fc
  .oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom<unknown>([], {}, [[]], [null], [1], ['message-received'], [{}], [[{ type: 'a' }]], [{ type: 1 }]),
    fc.constantFrom<unknown>({ type: 'message-received' }, { type: '' }, 'hello', 0, null, true, [{ type: 'x' }, 5]),
  )
  .map((body) => json(body, 'shape', 'shape'));

const deep = fc
  .record({
    depth: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 40, max: 20_000 })),
    shape: fc.constantFrom('array' as const, 'object' as const),
    where: fc.constantFrom('top', 'event', 'message'),
    event: knownEvents['message-received']!,
  })
  .map(({ depth, shape, where, event }): CallbackCase => {
    const e = event as Record<string, unknown>;
    const body =
      where === 'top'
        ? [e, '@@nest@@']
        : where === 'event'
          ? [{ ...e, extra: '@@nest@@' }]
          : [{ ...e, message: { ...(e.message as object), extra: '@@nest@@' } }];
    return { ...json(body, `${depth} levels of ${shape}s in the ${where}`, 'deep'), nest: { depth, shape } };
  });

const huge = fc.oneof(
  fc
    .record({
      size: fc.constantFrom(300_000, BODY_LIMIT_BYTES - 2_000, BODY_LIMIT_BYTES + 1, 3 * BODY_LIMIT_BYTES),
      unit: fc.constantFrom('x', 'é', '😀', 'noise'),
      field: fc.constantFrom('text', 'extra', 'type', 'from', 'id'),
      event: knownEvents['message-received']!,
    })
    .map(({ size, unit, field, event }) => {
      const e = event as Record<string, unknown> & { message: Record<string, unknown> };
      const big = unit === 'noise' ? noise(size) : unit.repeat(Math.ceil(size / Buffer.byteLength(unit)));
      const body =
        field === 'extra' || field === 'type'
          ? { ...e, [field]: big }
          : { ...e, message: { ...e.message, [field]: big } };
      return json([body], `a ${size}-byte ${field}`, 'huge');
    }),
  fc
    .record({ body: validBodies, padTo: fc.constantFrom(BODY_LIMIT_BYTES - 1, BODY_LIMIT_BYTES, BODY_LIMIT_BYTES + 1) })
    .map(({ body, padTo }) => ({ ...json(body, `padded to ${padTo} bytes`, 'huge'), padTo })),
);

const many = fc.record({ count: fc.integer({ min: 20, max: 200 }), template: events }).map(({ count, template }) => {
  const e = template as Record<string, unknown>;
  const message = typeof e.message === 'object' && e.message !== null ? (e.message as Record<string, unknown>) : {};
  const body = Array.from({ length: count }, (_, i) => ({ ...e, message: { ...message, id: `m${i}` } }));
  return json(body, `${count} events`, 'many');
});

const notJson = fc
  .oneof(
    validBodies.map((b) => JSON.stringify(b)).chain((t) => fc.nat(t.length).map((n) => t.slice(0, n))),
    fc.string({ maxLength: 20 }),
    fc.constantFrom('', ' ', '{', '[{"type":"message-received",}]', "[{'type':'x'}]", 'NaN', '[1,]', '\u0000'),
    fc.constantFrom('{"a":1}{"b":2}', '//c\n[]', '0x10', '[{"type":"a"}] x', '\ufeff[{"type":"a"}]', '"\\ud800"'),
  )
  .map((text): CallbackCase => ({ ...json(null, 'text', 'not-json'), body: { text } }));

const bytes = fc
  .oneof(
    fc.uint8Array({ maxLength: 40 }),
    fc.constantFrom(Buffer.from('[{"type":"\xff\xfe"}]', 'latin1'), Buffer.from('[{"type":"a\xe2"}]', 'latin1')),
  )
  .map((raw): CallbackCase => ({ ...json(null, 'bytes', 'not-json'), body: { bytes: raw } }));

const contentTypes = fc
  .record({
    body: validBodies,
    contentType: fc.constantFrom(
      null,
      '',
      'application/json',
      'APPLICATION/JSON; CHARSET=UTF-8',
      'text/plain',
      'text/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/vnd.api+json',
      'application/jsonx',
      '*/*',
      'application/json; charset=latin1',
      'application/json; charset=us-ascii',
      'application/json; charset=utf8',
      'application/json; charset=iso-8859-1',
    ),
  })
  .map(({ body, contentType }) => ({ ...json(body, String(contentType), 'content-type'), contentType }));

const encodings = fc
  .record({
    body: validBodies,
    name: fc.constantFrom('gzip', 'deflate', 'br', 'GZIP', 'identity', 'compress', 'x-gzip', 'gzip, br'),
    corrupt: fc.boolean(),
  })
  .map(({ body, name, corrupt }) => ({
    ...json(body, `${corrupt ? 'corrupt ' : ''}${name}`, 'encoding'),
    contentEncoding: { name, corrupt },
  }));

const credentials = fc
  .record({ body: validBodies, authorization: fc.constantFrom('none' as const, 'wrong' as const, 'garbage' as const) })
  .map(({ body, authorization }) => ({ ...json(body, authorization, 'auth'), authorization }));

/** Every kind of request, weighted so 10,000 of them hold a few dozen of the huge ones. */
export const callbackCases: fc.Arbitrary<CallbackCase> = fc.oneof(
  { weight: 300, arbitrary: valid },
  { weight: 300, arbitrary: mutated },
  { weight: 60, arbitrary: shapes },
  { weight: 40, arbitrary: deep },
  { weight: 3, arbitrary: huge },
  { weight: 5, arbitrary: many },
  { weight: 60, arbitrary: notJson },
  { weight: 20, arbitrary: bytes },
  { weight: 60, arbitrary: contentTypes },
  { weight: 40, arbitrary: encodings },
  { weight: 30, arbitrary: credentials },
);

/** Prefixes each event's message id with the run number, so no two requests of a run share a message. */
function uniqueIds(body: unknown, run: number): unknown {
  const unique = (event: unknown): unknown => {
    if (typeof event !== 'object' || event === null || Array.isArray(event)) return event;
    const message = (event as { message?: unknown }).message;
    if (typeof message !== 'object' || message === null) return event;
    const id = (message as { id?: unknown }).id;
    if (typeof id !== 'string' || id === '') return event;
    return { ...event, message: { ...message, id: `${run}~${id}` } };
  };
  return Array.isArray(body) ? body.map(unique) : unique(body);
}

function nested({ depth, shape }: { depth: number; shape: 'array' | 'object' }): string {
  return shape === 'array'
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

const AUTHORIZATIONS: Record<CallbackCase['authorization'], string | undefined> = {
  valid: AUTHORIZATION,
  none: undefined,
  wrong: `Basic ${Buffer.from('bandwidth:wrong').toString('base64')}`,
  garbage: 'Basic !!!',
};

/** The bytes and headers of a case, for the `run`-th request. */
export function renderCase(c: CallbackCase, run: number): { headers: Record<string, string>; body: Buffer } {
  let body: Buffer;
  if ('bytes' in c.body) body = Buffer.from(c.body.bytes);
  else if ('text' in c.body) body = Buffer.from(c.body.text, 'utf8');
  else {
    let text = JSON.stringify(uniqueIds(c.body.value, run));
    if (c.nest) text = text.replace('"@@nest@@"', nested(c.nest));
    if (c.padTo !== undefined) text += ' '.repeat(Math.max(0, c.padTo - Buffer.byteLength(text)));
    body = Buffer.from(text, 'utf8');
  }
  const headers: Record<string, string> = { 'user-agent': 'BandwidthAPI/v2' };
  const authorization = AUTHORIZATIONS[c.authorization];
  if (authorization !== undefined) headers.authorization = authorization;
  if (c.contentType !== null) headers['content-type'] = c.contentType;
  if (c.contentEncoding) {
    const { name, corrupt } = c.contentEncoding;
    headers['content-encoding'] = name;
    const codec = name.toLowerCase();
    if (codec === 'gzip') body = zlib.gzipSync(body);
    else if (codec === 'deflate') body = zlib.deflateSync(body);
    else if (codec === 'br') body = zlib.brotliCompressSync(body);
    if (corrupt) body = Buffer.concat([Buffer.from('garbage!'), body.subarray(8)]);
  }
  return { headers, body };
}
