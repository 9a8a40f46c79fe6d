/**
 * Bad input at volume on the webhook edge: 10,000 generated requests to `POST /callbacks/messaging` (the app in
 * process over real HTTP, a recording Temporal client; nine in ten on SQLite records, one in ten on PostgreSQL). For
 * each, an oracle works out from the bytes alone what docs/operations.md says the answer is and which events reach
 * Temporal (callback-oracle.ts); the answer, the records written and every signal-with-start and signal must match
 * it exactly.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { RecordStore } from '../../records';
import { postgresBackend, sqliteMemoryBackend, type Backend, type TestDatabase } from '../records/helpers/backends';
import { createApp } from '../../server/app';
import { capturingLogger, inboundEvent, serve, statusEvent, type Served } from '../server/helpers';
import {
  AUTHORIZATION,
  callbackCases,
  CREDENTIALS,
  LONG_NUMBERS,
  OUR_NUMBERS,
  renderCase,
  RUNNING_CONVERSATIONS,
  UNROUTED_NUMBER,
  type CallbackCase,
} from './callback-cases';
import { expectedAnswer, type CallbackSetup, type ExpectedHandOff } from './callback-oracle';
import { assertRun, fuzzSettings, preview } from './fuzz-settings';
import { rawHttp } from './raw-http';
import { recordingTemporal, type RecordedCall } from './recording-temporal';

const FILE = 'test/fuzz/callbacks.test.ts';

/** Calls per conversation, in order: events of one conversation are handed over in body order. */
function byConversation(calls: (RecordedCall | ExpectedHandOff)[]): Map<string, unknown[]> {
  const grouped = new Map<string, unknown[]>();
  for (const call of calls) {
    const { kind, workflowId, signal, payload } = call;
    const workflowType = 'workflowType' in call ? call.workflowType : undefined;
    const list = grouped.get(workflowId) ?? [];
    list.push({ kind, signal, payload, ...(workflowType !== undefined ? { workflowType } : {}) });
    grouped.set(workflowId, list);
  }
  return grouped;
}

/** A case sending `body` as Bandwidth does. */
const valid = (body: unknown): CallbackCase => ({
  category: 'regression',
  note: '',
  body: { value: body },
  contentType: 'application/json; charset=utf-8',
  authorization: 'valid',
});

function describeCase(c: CallbackCase): string {
  const body = 'value' in c.body ? c.body.value : 'text' in c.body ? c.body.text : c.body.bytes;
  return `${c.category} (${c.note}): ${preview({ ...c, body })}`;
}

const { seed, runs: totalRuns } = fuzzSettings(10_000);

function fuzzCallbacks(backend: Backend, runs: number): void {
  const temporal = recordingTemporal(RUNNING_CONVERSATIONS);
  let database: TestDatabase;
  let records: RecordStore;
  const appended: number[] = [];
  const setup: CallbackSetup = {
    authorization: AUTHORIZATION,
    ourNumbers: OUR_NUMBERS,
    botFor: (ourNumber) => (ourNumber === UNROUTED_NUMBER ? null : 'echoBot'),
    taskQueue: 'fuzz',
    consentScope: 'application',
  };
  const http = rawHttp();
  let server: Served;

  before(async () => {
    await backend.start();
    database = await backend.createDatabase();
    records = await database.open();
    const append = records.append.bind(records);
    records.append = (inputs) => {
      appended.push(inputs.length);
      return append(inputs);
    };
    server = await serve(
      createApp({
        temporal: temporal.client,
        taskQueue: setup.taskQueue,
        routeBot: ({ ourNumber }) => setup.botFor(ourNumber),
        records,
        logger: capturingLogger('silent').logger,
        callbackAuth: CREDENTIALS,
        ourNumbers: OUR_NUMBERS,
        consent: { scope: setup.consentScope, accountId: 'fuzz-account' },
      }),
    );
  });
  after(async () => {
    http.close();
    await server?.close();
    await records?.close();
    await database?.drop();
    await backend.stop();
  });

  /** Sends a case and checks the answer, the records written and the hand-offs against the oracle. */
  async function check(c: CallbackCase, run: number): Promise<number> {
    const request = renderCase(c, run);
    const expected = expectedAnswer(request, setup);
    const [callsBefore, appendsBefore] = [temporal.calls.length, appended.length];
    const response = await http.request('POST', `${server.url}/callbacks/messaging`, request);
    const calls = temporal.calls.slice(callsBefore);
    const recorded = appended.slice(appendsBefore);
    const answer = JSON.parse(response.text) as { type?: string; description?: string };

    const why = expected.status === 200 ? 'a valid body' : expected.why;
    assert.equal(
      response.status,
      expected.status,
      `expected ${expected.status} (${why}): ${response.text.slice(0, 300)}`,
    );
    if (expected.status === 200) {
      assert.deepEqual(answer, { accepted: expected.accepted });
      assert.deepEqual(recorded, [expected.accepted], 'every event is recorded before the answer');
      assert.deepEqual(
        byConversation(calls),
        byConversation(expected.handOffs),
        'exactly the valid events reach Temporal',
      );
      for (const call of calls) if (call.kind === 'signalWithStart') assert.equal(call.taskQueue, setup.taskQueue);
    } else {
      assert.equal(answer.type, expected.type);
      assert.equal(typeof answer.description, 'string');
      assert.deepEqual(calls, [], 'nothing of a refused body reaches Temporal');
      assert.deepEqual(recorded, [], 'nothing of a refused body is recorded');
      if (expected.status === 401) assert.match(String(response.headers['www-authenticate']), /^Basic realm=/);
    }
    return response.status;
  }

  it('answers the bodies earlier fuzz runs caught it out on as documented', async () => {
    const inbound = inboundEvent({ from: '+19195550123', to: OUR_NUMBERS[0] });
    const delivered = (tag: string) => ({
      ...statusEvent({ type: 'message-delivered', from: OUR_NUMBERS[0], to: '+19195550123' }),
      message: { ...statusEvent({ type: 'message-delivered', from: OUR_NUMBERS[0], to: '+19195550123', tag }).message },
    });
    const optedOut = (changes: Record<string, unknown>, message: Record<string, unknown> = {}) => {
      const event = statusEvent({ type: 'message-failed', from: OUR_NUMBERS[0], to: '+19195550123', errorCode: 4775 });
      return { ...event, ...changes, message: { ...event.message, ...message } };
    };
    const cases: [string, CallbackCase][] = [
      [
        'a valid event carrying 5,000 levels of arrays (was 503: recording it overflowed the stack)',
        {
          ...valid([{ ...inbound, extra: '@@nest@@' }]),
          nest: { depth: 5_000, shape: 'array' },
        },
      ],
      [
        'a body that does not gunzip (was 500)',
        { ...valid([inbound]), contentEncoding: { name: 'gzip', corrupt: true } },
      ],
      [
        'a body that does not inflate as brotli (was 500)',
        {
          ...valid([inbound]),
          contentEncoding: { name: 'br', corrupt: true },
        },
      ],
      [
        'an inbound message whose numbers make a workflow id over 1,000 bytes (was 503 for ever)',
        valid([
          { ...inbound, message: { ...inbound.message, from: LONG_NUMBERS[1], to: [OUR_NUMBERS[0], LONG_NUMBERS[2]] } },
        ]),
      ],
      [
        'a delivery whose tag names a conversation id with a lone surrogate (was 503 for ever)',
        valid([delivered(`tl1|d|s1|sms:${OUR_NUMBERS[0]}:\udc00`)]),
      ],
      [
        'a 4775 failure with a time the opt-out ledger cannot read (was 503 for ever)',
        valid([optedOut({ time: '+010000-01-01T00:00:00.000Z' })]),
      ],
      ['a 4775 failure to a recipient that is not a number (was 503 for ever)', valid([optedOut({ to: ' ' })])],
      [
        'a 4775 failure naming no application under the application scope (was 503 for ever)',
        valid([optedOut({}, { applicationId: '' })]),
      ],
      [
        'a failure with a segment count and an error code beyond 32 bits (was 503 for ever on PostgreSQL)',
        valid([optedOut({ errorCode: 2 ** 40 }, { segmentCount: 2 ** 31 })]),
      ],
      [
        'a 300,000-character message id (was 503 for ever on PostgreSQL, which cannot index it)',
        valid([{ ...inbound, message: { ...inbound.message, id: 'x'.repeat(300_000) } }]),
      ],
      [
        'an unknown type of 300,000 characters (was 503 for ever on PostgreSQL)',
        valid([{ type: 't'.repeat(300_000) }]),
      ],
      [
        'an inbound message naming no application under the application scope (was 503 for ever)',
        valid([{ ...inbound, message: { ...inbound.message, applicationId: '' } }]),
      ],
    ];
    const failures: string[] = [];
    for (const [i, [what, c]] of cases.entries()) {
      await check(c, -1 - i).catch((err: unknown) => failures.push(`${what}: ${(err as Error).message}`));
    }
    assert.deepEqual(failures, []);
  });

  it(`answers ${runs} generated requests 4xx or 200 as documented, and hands over exactly their valid events`, async () => {
    const tally = new Map<string, number>();
    let run = 0;
    let failed = false;
    const started = Date.now();
    const details = await fc.check(
      fc.asyncProperty(callbackCases, async (c) => {
        run += 1;
        const status = await check(c, run).catch((err: unknown) => {
          failed = true;
          throw err;
        });
        if (!failed) tally.set(`${c.category} ${status}`, (tally.get(`${c.category} ${status}`) ?? 0) + 1);
      }),
      { seed, numRuns: runs },
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const counts = [...tally].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}: ${n}`);
    process.stderr.write(
      `[fuzz] callbacks on ${backend.name}: seed ${seed}, ${details.numRuns} requests in ${seconds} s, ` +
        `${temporal.calls.length} hand-offs; ${counts.join(', ')}\n`,
    );
    assertRun(details, FILE, ([c]) => describeCase(c));
  });

  it('is still up after the run: healthy, and hands over a plain callback', async () => {
    assert.equal((await http.request('GET', `${server.url}/healthz`)).status, 200);
    const event = inboundEvent({ from: '+19195550177', to: OUR_NUMBERS[0] });
    const before = temporal.calls.length;
    const response = await http.request('POST', `${server.url}/callbacks/messaging`, {
      headers: { 'content-type': 'application/json', authorization: AUTHORIZATION },
      body: JSON.stringify([event]),
    });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(
      temporal.calls.slice(before).map((c) => [c.kind, c.workflowId]),
      [['signalWithStart', `sms:${OUR_NUMBERS[0]}:+19195550177`]],
    );
  });
}

describe('POST /callbacks/messaging under generated input, on SQLite records', () => {
  fuzzCallbacks(sqliteMemoryBackend(), Math.ceil(totalRuns * 0.9));
});

describe('POST /callbacks/messaging under generated input, on PostgreSQL records', () => {
  fuzzCallbacks(postgresBackend(), Math.floor(totalRuns * 0.1));
});
