/**
 * Generated requests for the operator API, derived from its OpenAPI document: for every operation, requests built
 * from the documented parameter and body schemas (json-schema-arbitrary.ts), with numbers, conversation ids and
 * scopes drawn mostly from small pools so that requests meet running conversations and recorded opt-outs; and around
 * them one-field mutations of the body, wrong, missing, repeated and unknown query parameters, huge values, bad path
 * parameters (also sent without percent-encoding), bodies that are not JSON or not declared JSON, bodies where none
 * is expected, and missing or wrong tokens.
 */
import fc from 'fast-check';
import { conversationId } from '../../workflows/ids';
import {
  fuzzStrings,
  mutationsOf,
  noise,
  valuesOf,
  type JsonSchema,
  type SchemaArbitraryOptions,
} from './json-schema-arbitrary';

export const APPLICATION = 'fuzz-application';

/**
 * The numbers and conversations one run's requests meet. Numbers are under +999, a country code no one has, so no
 * other test's conversation is touched; each run has its own block of them (`block`), so a run never meets the
 * conversations of another on the same Temporal server, whose task queue no worker polls any more.
 */
export interface FuzzPools {
  ours: string;
  otherOurs: string;
  people: string[];
  /** Opted out of messages from `ours` before the run. */
  optedOut: string;
  conversations: string[];
  unknownConversation: string;
}

export function fuzzPools(block: number): FuzzPools {
  const number = (n: number) => `+999${String(block).padStart(3, '0')}${String(n).padStart(4, '0')}`;
  const [ours, otherOurs, optedOut] = [number(100), number(101), number(299)];
  const people = [number(201), number(202), number(203)];
  return {
    ours,
    otherOurs,
    people,
    optedOut,
    conversations: [
      conversationId({ ourNumber: ours, participants: [people[0]!] }),
      conversationId({ ourNumber: ours, participants: [people[1]!] }),
      conversationId({ ourNumber: ours, participants: [people[0]!, people[1]!] }),
      conversationId({ ourNumber: otherOurs, participants: [people[2]!] }),
      conversationId({ ourNumber: ours, participants: [optedOut] }),
    ],
    unknownConversation: conversationId({ ourNumber: ours, participants: [number(777)] }),
  };
}

export interface OperationDoc {
  operationId: string;
  method: 'get' | 'post' | 'delete';
  /** OpenAPI form: `/conversations/{conversationId}`. */
  path: string;
  parameters: { name: string; in: 'path' | 'query'; required: boolean; schema: JsonSchema }[];
  body?: JsonSchema;
  responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }>;
}

export interface OperatorRequest {
  operationId: string;
  method: string;
  /** Path parameters, sent percent-encoded unless `rawPath`. */
  params: Record<string, string>;
  rawPath: boolean;
  /** Query parameters in order; a name may repeat. */
  query: [string, string][];
  /** A JSON body, or raw text with its content type (null: none). */
  body?: { json: unknown } | { text: string; contentType: string | null };
  token: 'valid' | 'none' | 'wrong' | 'odd-spacing';
  /** Send the `cursor` the operation last returned instead of a generated one. */
  freshCursor: boolean;
  /** Address the conversation started most recently (and not ended since) instead of the generated one. */
  liveConversation: boolean;
  note: string;
}

/** What earlier answers of the run tell the next request. */
export interface RunState {
  /** The nextCursor the operation last returned. */
  cursor?: string;
  /** The conversation started most recently and not ended since. */
  conversation?: string;
}

/** Every operation of an OpenAPI document (paths relative to its server URL). */
export function operationsOf(document: Record<string, unknown>): OperationDoc[] {
  const paths = document.paths as Record<string, Record<string, Record<string, unknown>>>;
  return Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const content = (op.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined)?.content;
      return {
        operationId: op.operationId as string,
        method: method as OperationDoc['method'],
        path,
        parameters: (op.parameters ?? []) as OperationDoc['parameters'],
        ...(content?.['application/json'] ? { body: content['application/json'].schema } : {}),
        responses: op.responses as OperationDoc['responses'],
      };
    }),
  );
}

const e164 = fc.stringMatching(/^\+[1-9]\d{1,14}$/);

function poolArbitraries(pools: FuzzPools) {
  const { ours, otherOurs, people, optedOut, conversations, unknownConversation } = pools;
  return {
    people: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...people, optedOut) }, { weight: 1, arbitrary: e164 }),
    ourNumbers: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(ours, otherOurs) }, { weight: 1, arbitrary: e164 }),
    scopes: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(`number:${ours}`, `number:${otherOurs}`, `application:${APPLICATION}`) },
      { weight: 1, arbitrary: fc.constantFrom('account:acct-1', `number:${people[0]!}`) },
    ),
    conversationIds: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...conversations) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(unknownConversation, 'sms:+1:+2', `sms:${ours}:${people[2]!},${people[0]!}`),
      },
    ),
  };
}
const times = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString()),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('2024-06-20', '2024-02-30T00:00:00Z', 'now', '+010000-01-01T00:00:00Z', '24:00'),
  },
);
const operators = fc.oneof(
  fc.constantFrom('dana', 'crm-sync'),
  fuzzStrings.filter((s) => s.length > 0),
);

/** Bots that cannot start without `params` (their workflow task fails until it is given some). */
const BOTS_NEEDING_PARAMS = ['appointmentReminderBot'];

/** Domain values for parameters and body fields, by name (parameters) or body path. */
function overridesFor(pools: FuzzPools, knownBots: readonly string[]): Record<string, fc.Arbitrary<unknown>> {
  const bots = knownBots.filter((b) => !BOTS_NEEDING_PARAMS.includes(b));
  const { people, ourNumbers, scopes, conversationIds } = poolArbitraries(pools);
  return {
    conversationId: conversationIds,
    scope: scopes,
    contact: people,
    participant: people,
    ourNumber: ourNumbers,
    'participants[]': people,
    bot: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...bots) },
      { weight: 1, arbitrary: fc.constant('noSuchBot') },
    ),
    // A bot's own input is the bot's business: what it cannot read fails its workflow, not the API.
    params: fc.constantFrom(undefined, {}),
    applicationId: fc.constantFrom(APPLICATION, 'other-application'),
    operator: operators,
    from: times,
    to: times,
    messageId: fc.oneof(
      fc.constantFrom('m-1', 'm-2'),
      fuzzStrings.filter((s) => s.length > 0),
    ),
    // Mostly none: a made-up cursor is refused, and a real one comes from the last page (`freshCursor`).
    cursor: fc.oneof(
      { weight: 4, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fuzzStrings.filter((s) => s.length > 0) },
      { weight: 1, arbitrary: fc.constantFrom('WyIyMDI0IiwxXQ', 'abc.def') },
    ),
  };
}

/** A query value as it goes into a URL: arrays repeat the name, objects go as JSON. */
function queryEntries(name: string, value: unknown): [string, string][] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((v) => queryEntries(name, v));
  if (typeof value === 'object' && value !== null) return [[name, JSON.stringify(value)]];
  return [[name, String(value as string | number | boolean | null)]]; // eslint-disable-line @typescript-eslint/no-unnecessary-type-assertion
}

/** Path parameter values that are not what the operation takes, including some percent-encoding cannot carry. */
const badPathValues = fc.oneof(
  fuzzStrings.filter((s) => !/\p{Cs}/u.test(s)),
  fc.constantFrom('', ' ', '..', 'sms:', 'sms:+1', 'sms:+1:', 'sms:+1:+2,', 'number:', 'export', '%', '%ZZ', 'a/b'),
  fc.constantFrom('sms:+19195550100:+1919555012\u0000', `sms:+1:+${'2'.repeat(5_000)}`, '😀'.repeat(50)),
);

/** Requests for one operation. */
export function requestsFor(
  op: OperationDoc,
  pools: FuzzPools,
  knownBots: readonly string[],
): fc.Arbitrary<OperatorRequest> {
  const overrides = overridesFor(pools, knownBots);
  const options: SchemaArbitraryOptions = { overrides };
  const valueOf = (p: OperationDoc['parameters'][number]) => overrides[p.name] ?? valuesOf(p.schema, options);
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');

  const params = fc.record(Object.fromEntries(pathParams.map((p) => [p.name, valueOf(p).map(String)])));
  const query = fc.record(Object.fromEntries(queryParams.map((p) => [p.name, valueOf(p)])), {
    requiredKeys: queryParams.filter((p) => p.required).map((p) => p.name),
  });
  const body = op.body ? valuesOf(op.body, options) : fc.constant(undefined);
  const base = fc
    .record({
      params,
      query,
      body,
      freshCursor: fc.boolean(),
      liveConversation: fc.boolean(),
      token: fc.oneof(
        { weight: 30, arbitrary: fc.constant('valid' as const) },
        { weight: 1, arbitrary: fc.constantFrom('none' as const, 'wrong' as const, 'odd-spacing' as const) },
      ),
    })
    .map(({ params: p, query: q, body: b, freshCursor, liveConversation, token }): OperatorRequest => ({
      operationId: op.operationId,
      method: op.method.toUpperCase(),
      params: p,
      rawPath: false,
      query: Object.entries(q).flatMap(([k, v]) => queryEntries(k, v)),
      ...(b !== undefined ? { body: { json: b } } : {}),
      token,
      freshCursor,
      liveConversation,
      note: 'valid',
    }));

  const variants: fc.WeightedArbitrary<OperatorRequest>[] = [{ weight: 6, arbitrary: base }];
  if (op.body) {
    const mutated = mutationsOf(op.body, valuesOf(op.body, options));
    variants.push({
      weight: 5,
      arbitrary: fc.tuple(base, mutated).map(([r, m]) => ({ ...r, body: { json: m.value }, note: `body: ${m.note}` })),
    });
    const raw = fc.constantFrom<[string, string | null]>(
      ['', 'application/json'],
      ['{"text":', 'application/json'],
      ['[]', 'application/json'],
      ['null', 'application/json'],
      ['"text"', 'application/json'],
      ['{"reason":"x"}', 'text/plain'],
      ['{"reason":"x"}', null],
      ['reason=x', 'application/x-www-form-urlencoded'],
      ['{"reason":"x"}', 'application/json; charset=latin1'],
    );
    variants.push({
      weight: 1,
      arbitrary: fc.tuple(base, raw).map(([r, [text, contentType]]) => ({
        ...r,
        body: { text, contentType },
        note: `raw body ${JSON.stringify(text)} as ${contentType}`,
      })),
    });
    variants.push({
      weight: 1,
      arbitrary: fc
        .tuple(
          base,
          fc.constantFrom(5_000, 200_000, 300_000),
          fc.constantFrom('text', 'reason', 'operator', 'scope', 'applicationId', 'x'),
        )
        .map(([r, size, field]) => {
          const big = field === 'scope' ? `application:${noise(size)}` : noise(size);
          const json = { ...(r.body && 'json' in r.body ? (r.body.json as object) : {}), [field]: big };
          return { ...r, body: { json }, note: `a ${size}-character ${field}` };
        }),
    });
    const fields = Object.keys(op.body.properties ?? {});
    variants.push({
      weight: 1,
      arbitrary: fc
        .record({
          r: base,
          field: fc.constantFrom(...fields, 'extra'),
          depth: fc.oneof(fc.integer({ min: 2, max: 40 }), fc.constant(5_000)),
          objects: fc.boolean(),
        })
        .map(({ r, field, depth, objects }) => {
          const json = { ...(r.body && 'json' in r.body ? (r.body.json as object) : {}), [field]: '@@nest@@' };
          const nest = objects
            ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
            : `${'['.repeat(depth)}${']'.repeat(depth)}`;
          const text = JSON.stringify(json).replace('"@@nest@@"', nest);
          const note = `${depth} levels of ${objects ? 'objects' : 'arrays'} in ${field}`;
          return { ...r, body: { text, contentType: 'application/json' }, note };
        }),
    });
  } else {
    variants.push({
      weight: 1,
      arbitrary: fc
        .tuple(base, fc.jsonValue({ maxDepth: 2 }))
        .map(([r, json]) => ({ ...r, body: { json }, note: 'a body where none is expected' })),
    });
  }
  if (queryParams.length > 0) {
    const mutatedQuery = fc
      .constantFrom(...queryParams)
      .chain((p) =>
        fc.tuple(
          fc.constant(p),
          mutationsOf(p.schema, valueOf(p)),
          fc.constantFrom('replace' as const, 'drop' as const, 'repeat' as const),
        ),
      );
    variants.push({
      weight: 4,
      arbitrary: fc.tuple(base, mutatedQuery).map(([r, [p, m, how]]) => {
        const others = r.query.filter(([k]) => k !== p.name);
        const mine = r.query.filter(([k]) => k === p.name);
        if (how === 'drop') return { ...r, query: others, note: `query ${p.name} left out` };
        if (how === 'repeat' && mine.length > 0) {
          return { ...r, query: [...r.query, ...mine], note: `query ${p.name} twice` };
        }
        return { ...r, query: [...others, ...queryEntries(p.name, m.value)], note: `query ${p.name}: ${m.note}` };
      }),
    });
    variants.push({
      weight: 1,
      arbitrary: fc
        .tuple(base, fc.constantFrom(...queryParams), fc.constantFrom(4_000, 12_000))
        .map(([r, p, size]) => ({
          ...r,
          query: [...r.query.filter(([k]) => k !== p.name), [p.name, '9'.repeat(size)] as [string, string]],
          note: `a ${size}-character query ${p.name}`,
        })),
    });
  }
  variants.push({
    weight: 1,
    arbitrary: fc
      .tuple(base, fc.string({ minLength: 1, maxLength: 8 }), fuzzStrings)
      .map(([r, k, v]) => ({ ...r, query: [...r.query, [k, v] as [string, string]], note: `unknown query ${k}` })),
  });
  if (pathParams.length > 0) {
    variants.push({
      weight: 4,
      arbitrary: fc
        .tuple(base, fc.constantFrom(...pathParams), badPathValues, fc.boolean())
        .map(([r, p, value, rawPath]) => ({
          ...r,
          params: { ...r.params, [p.name]: value },
          rawPath,
          liveConversation: false,
          note: `path ${p.name} ${JSON.stringify(value.slice(0, 40))}${rawPath ? ' unencoded' : ''}`,
        })),
    });
  }
  return fc.oneof(...variants);
}

/** The request line's path and query, and the headers and body bytes, as sent. */
export function renderRequest(
  r: OperatorRequest,
  op: OperationDoc,
  token: string,
  state: RunState,
): { path: string; query: [string, string][]; headers: Record<string, string>; body?: string } {
  const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const live = name === 'conversationId' && r.liveConversation ? state.conversation : undefined;
    const value = live ?? r.params[name] ?? '';
    // Unencoded, but still a path: `?` would start the query and `#` a fragment.
    return r.rawPath ? value.replace(/[^\x21-\x7e]|[?#]/gu, (c) => encodeURIComponent(c)) : encodeURIComponent(value);
  });
  const query =
    r.freshCursor && state.cursor !== undefined
      ? [...r.query.filter(([k]) => k !== 'cursor'), ['cursor', state.cursor] as [string, string]]
      : r.query;
  const headers: Record<string, string> = {};
  if (r.token === 'valid') headers.authorization = `Bearer ${token}`;
  else if (r.token === 'wrong') headers.authorization = `Bearer ${token}x`;
  else if (r.token === 'odd-spacing') headers.authorization = `bearer   ${token}  `;
  let body: string | undefined;
  if (r.body && 'json' in r.body) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(r.body.json);
  } else if (r.body) {
    if (r.body.contentType !== null) headers['content-type'] = r.body.contentType;
    body = r.body.text;
  }
  return { path, query, headers, ...(body !== undefined ? { body } : {}) };
}
