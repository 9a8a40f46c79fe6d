/**
 * Bad input at volume on the operator API: its own OpenAPI document drives a fuzz run. For every operation, requests
 * generated from the documented parameter and body schemas, valid and not (operator-cases.ts), go over real HTTP to
 * the app on a real Temporal dev server with a worker running the real bots (Bandwidth faked at the client); every
 * answer must be a documented status of the operation it reached, with a documented body and headers, a 2xx only for
 * a request the document describes, and never a 500 (operator-exchange.ts). Two thirds of the requests go to an app
 * on SQLite records, a third to one on PostgreSQL (text there cannot hold NUL, and its errors differ).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { RecordStore } from '../../records';
import { knownBots } from '../../stack/bots';
import { connectToDevServer, uniqueTaskQueue } from '../helpers/temporal';
import { inboundEvent, type Served } from '../server/helpers';
import { assertRun, fuzzSettings, preview } from './fuzz-settings';
import { noise } from './json-schema-arbitrary';
import { postgresBackend, sqliteMemoryBackend, type Backend } from '../records/helpers/backends';
import {
  APPLICATION,
  fuzzPools,
  operationsOf,
  renderRequest,
  requestsFor,
  type RunState,
  type OperationDoc,
  type OperatorRequest,
} from './operator-cases';
import { API_PREFIX, createExchangeJudge, type ExchangeJudge } from './operator-exchange';
import { rawHttp } from './raw-http';
import { acceptingBandwidth } from '../helpers/accepting-bandwidth';
import { serveBotsAndOperatorApi } from '../server/operator-app';

const FILE = 'test/fuzz/operator-api.test.ts';

/** The path `op` (one of the conversation operations) is requested at for `conversationId`. */
const pathOf = (conversationId: string, op: OperationDoc) =>
  op.path.replace('{conversationId}', encodeURIComponent(conversationId));
const TOKEN = 'operator-fuzz-token-0123456789';

const { seed, runs: totalRuns } = fuzzSettings(3_000);

function fuzzOperatorApi(backend: Backend, block: number, runs: number): void {
  const pools = fuzzPools(block);
  const { ours, people, optedOut } = pools;
  const taskQueue = uniqueTaskQueue('operator-fuzz');
  const http = rawHttp();
  let temporal: Awaited<ReturnType<typeof connectToDevServer>>;
  let database: Awaited<ReturnType<Backend['createDatabase']>>;
  let records: RecordStore;
  let stack: Awaited<ReturnType<typeof serveBotsAndOperatorApi>>;
  let server: Served;
  let document: Record<string, unknown>;
  let operations: OperationDoc[];
  let judge: ExchangeJudge;

  const send = async (r: OperatorRequest, op: OperationDoc, state: RunState = {}) => {
    const rendered = renderRequest(r, op, TOKEN, state);
    const search = new URLSearchParams(rendered.query).toString();
    const response = await http.request(
      r.method,
      `${server.url}${API_PREFIX}${rendered.path}${search ? `?${search}` : ''}`,
      {
        headers: rendered.headers,
        ...(rendered.body !== undefined ? { body: rendered.body } : {}),
      },
    );
    return { rendered, response };
  };
  const valid = (operationId: string, fields: Partial<OperatorRequest>): OperatorRequest => ({
    operationId,
    method: 'POST',
    params: {},
    rawPath: false,
    query: [],
    token: 'valid',
    freshCursor: false,
    liveConversation: false,
    note: 'setup',
    ...fields,
  });

  before(async () => {
    await backend.start();
    temporal = await connectToDevServer();
    database = await backend.createDatabase();
    records = await database.open();
    stack = await serveBotsAndOperatorApi({
      temporal,
      records,
      bandwidth: acceptingBandwidth().client,
      taskQueue,
      token: TOKEN,
      ourNumber: ours,
      applicationId: APPLICATION,
    });
    server = stack.server;
    // Not over the fuzz agent: building the judge can block for longer than the server keeps an idle connection, and
    // the agent's next request would then meet a connection the server is closing (ECONNRESET).
    document = (await (await fetch(`${server.url}${API_PREFIX}/openapi.json`)).json()) as Record<string, unknown>;
    operations = operationsOf(document);
    judge = await createExchangeJudge(document, operations);

    // What the requests meet: a running conversation with its records, an inbound message, an opt-out.
    const op = (id: string) => operations.find((o) => o.operationId === id)!;
    const started = await send(
      valid('startConversation', { body: { json: { participants: [people[0]], opening: { text: 'hello' } } } }),
      op('startConversation'),
    );
    assert.equal(started.response.status, 201, started.response.text);
    const inbound = inboundEvent({ from: people[1]!, to: ours, text: 'hi there' });
    const callback = await http.request('POST', `${server.url}/callbacks/messaging`, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ ...inbound, message: { ...inbound.message, applicationId: APPLICATION } }]),
    });
    assert.equal(callback.status, 200, callback.text);
    const optOut = await send(
      valid('addOptOut', { body: { json: { contact: optedOut, reason: 'asked', operator: 'dana' } } }),
      op('addOptOut'),
    );
    assert.equal(optOut.response.status, 201, optOut.response.text);
  });
  after(async () => {
    for (const id of pools.conversations) {
      await temporal?.client.workflow
        .getHandle(id)
        .terminate('fuzz run over')
        .catch(() => undefined);
    }
    http.close();
    await stack?.stop();
    await records?.close();
    await database?.drop();
    await temporal?.close();
    await backend.stop();
  });

  it('answers the requests earlier fuzz runs caught it out on as documented', async () => {
    const op = (id: string) => operations.find((o) => o.operationId === id)!;
    const [conversation] = pools.conversations as [string];
    const deepParams = `{"participants":["${people[2]!}"],"params":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}`;
    const cases: [string, OperatorRequest, number][] = [
      [
        'a path parameter that is not percent-encoding (was 500)',
        {
          ...valid('getConversation', { method: 'GET', params: { conversationId: '%ZZ' }, rawPath: true }),
        },
        400,
      ],
      [
        "a bot's params nested 5,000 levels deep (was 500: the stack overflowed on the way to Temporal)",
        {
          ...valid('startConversation', { body: { text: deepParams, contentType: 'application/json' } }),
        },
        400,
      ],
      [
        'a body in a charset other than UTF-8 (was 500)',
        {
          ...valid('endConversation', {
            params: { conversationId: conversation },
            body: { text: '{"reason":"done"}', contentType: 'application/json; charset=latin1' },
          }),
        },
        415,
      ],
      [
        'a search for text holding NUL (was 500 on PostgreSQL)',
        {
          ...valid('searchRecords', { method: 'GET', query: [['eventType', '\u0000']] }),
        },
        400,
      ],
      [
        'an opt-out lookup in a scope holding NUL (was 500 on PostgreSQL)',
        {
          ...valid('getOptOut', { method: 'GET', params: { scope: 'application:a\u0000', contact: people[0]! } }),
        },
        400,
      ],
      [
        'a search for an error code beyond 32 bits (was 500 on PostgreSQL)',
        {
          ...valid('searchRecords', { method: 'GET', query: [['errorCode', String(-Number.MAX_SAFE_INTEGER)]] }),
        },
        400,
      ],
      [
        'an opt-out in a 5,000-character scope (was 500 on PostgreSQL, which cannot index it)',
        {
          ...valid('addOptOut', {
            body: {
              json: { contact: people[2]!, scope: `application:${noise(5_000)}`, reason: 'r', operator: 'dana' },
            },
          }),
        },
        400,
      ],
      [
        'a search with a 300 kB JSON body, which it has no use for (was 413, not documented for it)',
        {
          ...valid('searchRecords', { method: 'GET', body: { json: { pad: 'x'.repeat(300_000) } } }),
        },
        200,
      ],
    ];
    const failures: string[] = [];
    for (const [what, request, status] of cases) {
      const { rendered, response } = await send(request, op(request.operationId));
      try {
        judge.judge({ method: request.method, ...rendered }, response, TOKEN);
        assert.equal(response.status, status, response.text.slice(0, 300));
      } catch (err) {
        failures.push(`${what}: ${(err as Error).message}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('documents null in every nullable enum, so a conversation not yet in a state matches its own schema', () => {
    const missing: string[] = [];
    const visit = (node: unknown, at: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const schema = node as { nullable?: unknown; enum?: unknown[] };
      if (schema.nullable === true && Array.isArray(schema.enum) && !schema.enum.includes(null)) missing.push(at);
      for (const [key, child] of Object.entries(node)) visit(child, `${at}/${key}`);
    };
    visit(document.paths, '#/paths');
    assert.deepEqual(missing, []);
  });

  it(`answers ${runs} generated requests with documented statuses, bodies and headers, and never a 500`, async () => {
    const byOperation = new Map(operations.map((o) => [o.operationId, o]));
    const requests = fc.oneof(...operations.map((o) => requestsFor(o, pools, knownBots())));
    const statuses = new Map<string, Map<number, number>>();
    const cursors = new Map<string, string>();
    // The conversations started and not ended since, newest last: the seeded ones first.
    const live = [pools.conversations[0]!, pools.conversations[1]!];
    let failed = false;
    const started = Date.now();
    const details = await fc.check(
      fc.asyncProperty(requests, async (r) => {
        const op = byOperation.get(r.operationId)!;
        const state: RunState = { cursor: cursors.get(r.operationId), conversation: live.at(-1) };
        const { rendered, response } = await send(r, op, state);
        try {
          const { operationId, body } = judge.judge({ method: r.method, ...rendered }, response, TOKEN);
          const answer = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
          if (operationId && response.status === 200 && typeof answer.nextCursor === 'string') {
            cursors.set(operationId, answer.nextCursor);
          }
          const id = typeof answer.conversationId === 'string' ? answer.conversationId : null;
          if (id && operationId === 'startConversation' && response.status === 201) live.push(id);
          const ended = operationId === 'endConversation' && response.status === 202;
          const gone = answer.type === 'conversation-not-running' || answer.type === 'conversation-not-found';
          if (ended || gone) live.splice(0, live.length, ...live.filter((c) => rendered.path !== pathOf(c, op)));
          if (!failed) {
            const seen = statuses.get(operationId ?? '(none)') ?? new Map<number, number>();
            seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
            statuses.set(operationId ?? '(none)', seen);
          }
        } catch (err) {
          failed = true;
          throw err;
        }
      }),
      { seed, numRuns: runs },
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const summary = [...statuses]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([id, seen]) =>
          `${id} ${[...seen]
            .sort(([a], [b]) => a - b)
            .map(([s, n]) => `${s}×${n}`)
            .join(' ')}`,
      );
    process.stderr.write(
      `[fuzz] operator API on ${backend.name}: seed ${seed}, ${details.numRuns} requests in ${seconds} s; ${summary.join('; ')}\n`,
    );
    assertRun(details, FILE, ([r]) => `${r.operationId} (${r.note}): ${preview(r)}`);

    if (runs >= 1_000) {
      for (const op of operations) {
        const seen = [...(statuses.get(op.operationId)?.keys() ?? [])];
        assert.ok(
          seen.some((s) => s >= 200 && s < 300),
          `${op.operationId} never answered 2xx`,
        );
        if (op.operationId !== 'getOpenApiDocument')
          assert.ok(seen.includes(400), `${op.operationId} never answered 400`);
      }
    }
  });

  it('is still up after the run: healthy, and serves a plain search', async () => {
    assert.equal((await http.request('GET', `${server.url}/healthz`)).status, 200);
    const search = await http.request(
      'GET',
      `${server.url}${API_PREFIX}/records?ourNumber=${encodeURIComponent(ours)}`,
      {
        headers: { authorization: `Bearer ${TOKEN}` },
      },
    );
    assert.equal(search.status, 200, search.text);
    assert.ok((JSON.parse(search.text) as { records: unknown[] }).records.length > 0);
  });
}

describe('the operator API under requests generated from its OpenAPI document, on SQLite records', () => {
  fuzzOperatorApi(sqliteMemoryBackend(), 1, Math.ceil((totalRuns * 2) / 3));
});

describe('the operator API under requests generated from its OpenAPI document, on PostgreSQL records', () => {
  fuzzOperatorApi(postgresBackend(), 2, Math.floor(totalRuns / 3));
});
