/**
 * The operator API over real HTTP, on a real Temporal server with a worker running the real bots (Bandwidth faked at
 * the client). Every exchange is checked against the OpenAPI document the server serves, and the last test proves
 * every operation was exercised: the document matches what the server does.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CONVERSATION_STATES } from '../../workflows/search-attributes';
import { createMemoryRecordStore, type RecordStore } from '../../records';
import { conversationId, encodeTag } from '../../workflows/ids';
import { acceptingBandwidth } from '../helpers/accepting-bandwidth';
import { eventually } from '../helpers/eventually';
import { connectToDevServer, uniqueTaskQueue } from '../helpers/temporal';
import { serveBotsAndOperatorApi } from './operator-app';
import { createApiChecker, type ApiChecker } from './openapi-check';
import { APPLICATION_ID, inboundEvent, postCallbacks, statusEvent, uniqueNumber, type Served } from './helpers';

const TOKEN = 'operator-api-test-token-0123456789';

interface Transcript {
  transcript: { direction: string; text: string; status: string; operator?: string; duringTakeover?: boolean }[];
  transcriptSource: string;
  workflow: { status: string; state: string | null } | null;
}

describe('the operator API', () => {
  let temporal: Awaited<ReturnType<typeof connectToDevServer>>;
  let records: RecordStore;
  let server: Served;
  let api: ApiChecker;
  let stack: Awaited<ReturnType<typeof serveBotsAndOperatorApi>>;
  const bandwidth = acceptingBandwidth();
  const taskQueue = uniqueTaskQueue('operator');
  const ours = uniqueNumber();
  const cleanup = new Set<string>();

  const sentTo = (phone: string) => bandwidth.sent.filter((m) => m.to.includes(phone)).map((m) => m.text);
  const path = (id: string) => `/conversations/${encodeURIComponent(id)}`;

  before(async () => {
    temporal = await connectToDevServer();
    records = createMemoryRecordStore();
    stack = await serveBotsAndOperatorApi({
      temporal,
      records,
      bandwidth: bandwidth.client,
      taskQueue,
      token: TOKEN,
      ourNumber: ours,
      applicationId: APPLICATION_ID,
    });
    server = stack.server;
    api = await createApiChecker(server.url, TOKEN);
  });
  after(async () => {
    for (const id of cleanup) {
      await temporal.client.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined);
    }
    await stack?.stop();
    await records?.close();
    await temporal?.close();
  });

  it('serves a valid OpenAPI 3 document without a token, and refuses every operation without the right token', async () => {
    assert.equal(api.document.openapi, '3.0.3');
    const operations = api.operationIds();
    assert.deepEqual(operations.sort(), [
      'addOptOut',
      'endConversation',
      'eraseContact',
      'exportOptOuts',
      'exportRecords',
      'getConversation',
      'getOpenApiDocument',
      'getOptOut',
      'listConversations',
      'listErasures',
      'listOptOuts',
      'removeOptOut',
      'searchRecords',
      'sendOperatorMessage',
      'startConversation',
      'takeOver',
    ]);
    const id = path(conversationId({ ourNumber: ours, participants: [uniqueNumber()] }));
    const optOut = `/opt-outs/number:${ours}/${uniqueNumber()}`;
    const calls: ['GET' | 'POST' | 'DELETE', string][] = [
      ['POST', '/conversations'],
      ['GET', '/conversations'],
      ['GET', id],
      ['POST', `${id}/messages`],
      ['POST', `${id}/takeover`],
      ['POST', `${id}/end`],
      ['GET', '/records'],
      ['GET', '/records/export'],
      ['GET', '/opt-outs'],
      ['POST', '/opt-outs'],
      ['GET', optOut],
      ['DELETE', optOut],
      ['GET', '/opt-outs/export'],
      ['DELETE', `/contacts/${encodeURIComponent(uniqueNumber())}?operator=dana`],
      ['GET', '/erasures'],
    ];
    for (const token of [null, 'wrong-token', `${TOKEN}x`]) {
      for (const [method, p] of calls) {
        const answer = await api.call(method, p, { token, body: method === 'POST' ? {} : undefined });
        assert.equal(answer.status, 401, `${method} ${p} with ${String(token)}`);
        assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer realm="threadline"/);
      }
    }
    assert.equal((await api.call('GET', '/openapi.json', { token: null })).status, 200);
  });

  it('starts a proactive conversation that sends its opening, and refuses a second one while it runs', async () => {
    const ada = uniqueNumber();
    const id = conversationId({ ourNumber: ours, participants: [ada] });
    cleanup.add(id);
    const started = await api.call('POST', '/conversations', {
      body: { participants: [ada], bot: 'echoBot', opening: { text: 'Your table is ready' } },
    });
    assert.equal(started.status, 201, started.text);
    assert.deepEqual(
      { ...(started.body as object), runId: undefined },
      {
        conversationId: id,
        runId: undefined,
        bot: 'echoBot',
        ourNumber: ours,
        participants: [ada],
      },
    );
    assert.equal(started.headers.get('location'), `/api/v1${path(id)}`);
    await eventually(() => assert.deepEqual(sentTo(ada), ['Your table is ready']));

    const again = await api.call('POST', '/conversations', { body: { participants: [ada], bot: 'echoBot' } });
    assert.equal(again.status, 409);
    assert.equal((again.body as { type: string }).type, 'conversation-running');

    const conversation = await eventually(async () => {
      const answer = await api.call('GET', path(id));
      assert.equal(answer.status, 200);
      const body = answer.body as Transcript;
      assert.equal(body.transcript[0]?.status, 'accepted');
      return body;
    });
    assert.equal(conversation.transcriptSource, 'workflow');
    assert.equal(conversation.workflow?.status, 'running');
    assert.deepEqual(
      conversation.transcript.map((m) => [m.direction, m.text]),
      [['out', 'Your table is ready']],
    );
  });

  it('refuses to start a conversation with anyone opted out in its scope, naming them, and sends nothing', async () => {
    const [eve, fay] = [uniqueNumber(), uniqueNumber()];
    const added = await api.call('POST', '/opt-outs', {
      body: { contact: fay, reason: 'asked us by phone to stop texting', operator: 'dana' },
    });
    assert.equal(added.status, 201, added.text);

    for (const participants of [[fay], [eve, fay]]) {
      const refused = await api.call('POST', '/conversations', {
        body: { participants, bot: 'echoBot', opening: { text: 'Your table is ready' } },
      });
      assert.equal(refused.status, 409, refused.text);
      assert.equal((refused.body as { type: string }).type, 'opted-out');
      assert.deepEqual((refused.body as { optedOut: string[] }).optedOut, [fay]);
      assert.match((refused.body as { description: string }).description, new RegExp(`number:\\${ours}`));
      const id = conversationId({ ourNumber: ours, participants });
      await assert.rejects(temporal.client.workflow.getHandle(id).describe(), /not found/i, 'nothing was started');
    }
    // The opt-out is per number: another of our numbers may still start one with Fay.
    const elsewhere = uniqueNumber();
    const allowed = await api.call('POST', '/conversations', {
      body: { ourNumber: elsewhere, participants: [fay], bot: 'echoBot', opening: { text: 'Hello from elsewhere' } },
    });
    assert.equal(allowed.status, 201, allowed.text);
    cleanup.add(conversationId({ ourNumber: elsewhere, participants: [fay] }));
    await eventually(() => assert.deepEqual(sentTo(fay), ['Hello from elsewhere']));
  });

  it("refuses an operator's message into a conversation whose participant has since opted out", async () => {
    const gil = uniqueNumber();
    const id = conversationId({ ourNumber: ours, participants: [gil] });
    cleanup.add(id);
    assert.equal((await postCallbacks(server.url, [inboundEvent({ from: gil, to: ours, text: 'hi' })])).status, 200);
    await eventually(() => assert.deepEqual(sentTo(gil), ['#1: hi']));

    // Gil's STOP reached us another way (Bandwidth's 4775 on a later send, say): the ledger has it.
    await records.optOuts.record({
      id: `test:${gil}`,
      scope: `number:${ours}`,
      contact: gil,
      action: 'opt-out',
      source: 'keyword',
      time: new Date().toISOString(),
      keyword: 'STOP',
    });
    const refused = await api.call('POST', `${path(id)}/messages`, {
      body: { text: 'Still there?', operator: 'dana' },
    });
    assert.equal(refused.status, 409, refused.text);
    assert.deepEqual(
      { type: (refused.body as { type: string }).type, optedOut: (refused.body as { optedOut: string[] }).optedOut },
      { type: 'opted-out', optedOut: [gil] },
    );
    // Only the operator's message is refused; the conversation itself still takes signals.
    const paused = await api.call('POST', `${path(id)}/takeover`, { body: { paused: true, operator: 'dana' } });
    assert.equal(paused.status, 202);
    const conversation = (await api.call('GET', path(id))).body as Transcript;
    assert.deepEqual(
      conversation.transcript.map((m) => m.text),
      ['hi', '#1: hi'],
      'nothing was sent',
    );
    assert.deepEqual(sentTo(gil), ['#1: hi']);
  });

  it('passes params to the bot it starts, and starts the routed bot when the request names none', async () => {
    const ben = uniqueNumber();
    const id = conversationId({ ourNumber: ours, participants: [ben] });
    cleanup.add(id);
    const started = await api.call('POST', '/conversations', {
      body: {
        participants: [ben, ours],
        bot: 'appointmentReminderBot',
        params: { name: 'Ben', when: 'Tue 3 Dec at 10:30', alternatives: ['Wed 4 Dec at 9:00'] },
      },
    });
    assert.equal(started.status, 201, started.text);
    await eventually(() =>
      assert.match(sentTo(ben)[0] ?? '', /^Hi Ben, this is a reminder of your appointment on Tue 3 Dec/),
    );
    const routed = uniqueNumber();
    const defaulted = await api.call('POST', '/conversations', { body: { participants: [routed] } });
    assert.equal(defaulted.status, 201);
    assert.equal((defaulted.body as { bot: string }).bot, 'echoBot', 'the default bot answers unrouted numbers');
    cleanup.add(conversationId({ ourNumber: ours, participants: [routed] }));
  });

  it('answers 400 with the issues for a bad request', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['not E.164', { participants: ['919-555-0100'] }, /participants/],
      ['no participants', { participants: [] }, /participants/],
      ['unknown field', { participants: [uniqueNumber()], urgent: true }, /urgent|Unrecognized/i],
      ['empty opening', { participants: [uniqueNumber()], opening: { text: '' } }, /opening/],
      ['unknown bot', { participants: [uniqueNumber()], bot: 'pizaBot' }, /pizaBot/],
      ['only ourselves', { participants: [ours] }, /participants/],
    ];
    for (const [what, body, issue] of cases) {
      const answer = await api.call('POST', '/conversations', { body, validRequest: false });
      assert.equal(answer.status, 400, what);
      assert.match(JSON.stringify(answer.body), issue, what);
    }
    const badId = await api.call('GET', '/conversations/not-a-conversation', { validRequest: false });
    assert.equal(badId.status, 400);
    const badJson = await fetch(`${server.url}/api/v1/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{"participants":',
    });
    assert.equal(badJson.status, 400);
    assert.equal(((await badJson.json()) as { type: string }).type, 'invalid-json');
    const badLimit = await api.call('GET', '/conversations', { query: { limit: 0 }, validRequest: false });
    assert.equal(badLimit.status, 400);
    for (const cursor of ['bm90LWEtdG9rZW4', 'bm90LWEtdG9rZW4.AAAAAAAAAAAAAAAA', '.']) {
      const badCursor = await api.call('GET', '/conversations', { query: { cursor } });
      assert.equal(badCursor.status, 400, cursor);
      assert.match((badCursor.body as { description: string }).description, /cursor/);
    }
  });

  it('lists conversations by our number, participant, state and status, a page at a time', async () => {
    const shop = uniqueNumber();
    const people = [uniqueNumber(), uniqueNumber(), uniqueNumber()];
    for (const person of people) {
      const answer = await api.call('POST', '/conversations', {
        body: { ourNumber: shop, participants: [person], bot: 'echoBot' },
      });
      assert.equal(answer.status, 201);
      cleanup.add(conversationId({ ourNumber: shop, participants: [person] }));
    }
    type Page = {
      conversations: { conversationId: string; participants: string[]; state: string | null; status: string }[];
      nextCursor: string | null;
    };
    const all = await eventually(async () => {
      const answer = await api.call('GET', '/conversations', { query: { ourNumber: shop } });
      const page = answer.body as Page;
      assert.equal(page.conversations.length, 3);
      assert.ok(
        page.conversations.every((c) => c.state !== null),
        'every conversation has indexed its state',
      );
      return page;
    });
    assert.deepEqual(all.conversations.map((c) => c.participants[0]).sort(), [...people].sort());
    assert.ok(all.conversations.every((c) => c.status === 'running'));

    const first = (await api.call('GET', '/conversations', { query: { ourNumber: shop, limit: 2 } })).body as Page;
    assert.equal(first.conversations.length, 2);
    assert.ok(first.nextCursor);
    const second = (
      await api.call('GET', '/conversations', { query: { ourNumber: shop, limit: 2, cursor: first.nextCursor } })
    ).body as Page;
    assert.equal(second.conversations.length, 1);
    assert.equal(second.nextCursor, null);
    assert.deepEqual(
      new Set([...first.conversations, ...second.conversations].map((c) => c.conversationId)),
      new Set(all.conversations.map((c) => c.conversationId)),
    );

    const byParticipant = (await api.call('GET', '/conversations', { query: { participant: people[1] } })).body as Page;
    assert.deepEqual(
      byParticipant.conversations.map((c) => c.participants),
      [[people[1]]],
    );
    const state = all.conversations[0]!.state!;
    const byState = (await api.call('GET', '/conversations', { query: { ourNumber: shop, state } })).body as Page;
    assert.ok(byState.conversations.length >= 1 && byState.conversations.every((c) => c.state === state));
    assert.ok(
      all.conversations.every((c) => (CONVERSATION_STATES as readonly (string | null)[]).includes(c.state)),
      'ThreadlineState holds only the documented values',
    );
    const noState = await api.call('GET', '/conversations', { query: { ourNumber: shop, state: 'no such state' } });
    assert.equal(noState.status, 400, 'a state outside the closed set is a clear error, not an empty page');
    const waiting = (await api.call('GET', '/conversations', { query: { ourNumber: shop, state: 'paused' } }))
      .body as Page;
    assert.equal(waiting.conversations.length, 0);
    const closed = (await api.call('GET', '/conversations', { query: { ourNumber: shop, status: 'closed' } }))
      .body as Page;
    assert.equal(closed.conversations.length, 0);
    const running = (await api.call('GET', '/conversations', { query: { ourNumber: shop, status: 'running' } }))
      .body as Page;
    assert.equal(running.conversations.length, 3);
  });

  it('lets a human take over, answer, hand back to the bot, and end the conversation', async () => {
    const cy = uniqueNumber();
    const id = conversationId({ ourNumber: ours, participants: [cy] });
    cleanup.add(id);
    const text = async (body: string) =>
      assert.equal((await postCallbacks(server.url, [inboundEvent({ from: cy, to: ours, text: body })])).status, 200);

    await text('one');
    await eventually(() => assert.deepEqual(sentTo(cy), ['#1: one']));

    const paused = await api.call('POST', `${path(id)}/takeover`, { body: { paused: true, operator: 'dana' } });
    assert.equal(paused.status, 202);
    assert.deepEqual(
      { ...(paused.body as object), runId: undefined },
      { conversationId: id, runId: undefined, accepted: true },
    );
    await text('is anyone there?');
    const human = await api.call('POST', `${path(id)}/messages`, {
      body: { text: 'Dana here, how can I help?', operator: 'dana' },
    });
    assert.equal(human.status, 202);
    await eventually(() => assert.deepEqual(sentTo(cy), ['#1: one', 'Dana here, how can I help?']));
    const during = (await api.call('GET', path(id))).body as Transcript;
    assert.deepEqual(
      during.transcript.map((m) => [m.direction, m.text, m.operator ?? null, m.duringTakeover ?? false]),
      [
        ['in', 'one', null, false],
        ['out', '#1: one', null, false],
        ['in', 'is anyone there?', null, true],
        ['out', 'Dana here, how can I help?', 'dana', false],
      ],
    );

    assert.equal(
      (await api.call('POST', `${path(id)}/takeover`, { body: { paused: false, operator: 'dana' } })).status,
      202,
    );
    await text('two');
    await eventually(() => assert.deepEqual(sentTo(cy).at(-1), '#2: two'));

    const ended = await api.call('POST', `${path(id)}/end`, { body: { reason: 'resolved by Dana' } });
    assert.equal(ended.status, 202);
    const result: unknown = await temporal.client.workflow.getHandle(id).result();
    assert.deepEqual(result, { ended: 'operator', reason: 'resolved by Dana', messages: 6 });

    const late = await api.call('POST', `${path(id)}/messages`, { body: { text: 'still there?', operator: 'dana' } });
    assert.equal(late.status, 409);
    assert.equal((late.body as { type: string }).type, 'conversation-not-running');
    assert.equal((await api.call('POST', `${path(id)}/end`, { body: { reason: 'again' } })).status, 409);
    const after = (await api.call('GET', path(id))).body as Transcript;
    assert.equal(after.workflow?.status, 'completed');
    assert.equal(after.transcript.length, 6);

    const nobody = path(conversationId({ ourNumber: ours, participants: [uniqueNumber()] }));
    for (const [suffix, body] of [
      ['/messages', { text: 'hello?', operator: 'dana' }],
      ['/takeover', { paused: true, operator: 'dana' }],
      ['/end', { reason: 'nothing to end' }],
    ] as const) {
      const answer = await api.call('POST', `${nobody}${suffix}`, { body });
      assert.equal(answer.status, 404, suffix);
    }
    assert.equal((await api.call('GET', nobody)).status, 404);
    for (const body of [{ text: '', operator: 'dana' }, { text: 'hi' }]) {
      const answer = await api.call('POST', `${path(id)}/messages`, { body, validRequest: false });
      assert.equal(answer.status, 400);
    }
  });

  it("keeps a conversation's messages and delivery statuses after Temporal has removed the workflow", async () => {
    const dee = uniqueNumber();
    const id = conversationId({ ourNumber: ours, participants: [dee] });
    assert.equal((await postCallbacks(server.url, [inboundEvent({ from: dee, to: ours, text: 'hello' })])).status, 200);
    await eventually(() => assert.deepEqual(sentTo(dee), ['#1: hello']));
    const sent = bandwidth.sent.find((m) => m.to.includes(dee))!;
    const tag = encodeTag({ conversationId: id, sendId: 's1', trackDelivery: true });
    const statuses = [
      statusEvent({ type: 'message-sending', from: ours, to: dee, id: sent.id, tag }),
      statusEvent({ type: 'message-failed', from: ours, to: dee, id: sent.id, tag, errorCode: 4720 }),
    ];
    assert.equal((await postCallbacks(server.url, statuses)).status, 200);

    // What Temporal's retention does to a closed conversation, now: delete terminates it and removes its history.
    const handle = temporal.client.workflow.getHandle(id);
    const { runId } = await handle.describe();
    await temporal.client.workflowService.deleteWorkflowExecution({
      namespace: temporal.client.options.namespace,
      workflowExecution: { workflowId: id, runId },
    });
    await eventually(() => assert.rejects(handle.describe(), /not found/i));

    const kept = await api.call('GET', path(id));
    assert.equal(kept.status, 200);
    const body = kept.body as Transcript & { transcript: { recipients?: Record<string, { errorCode?: number }> }[] };
    assert.equal(body.workflow, null);
    assert.equal(body.transcriptSource, 'records');
    assert.deepEqual(
      body.transcript.map((m) => [m.direction, m.text, m.status]),
      [
        ['in', 'hello', 'received'],
        ['out', '#1: hello', 'failed'],
      ],
    );
    assert.equal(body.transcript[1]!.recipients?.[dee]?.errorCode, 4720);

    const found = await api.call('GET', '/records', { query: { conversationId: id } });
    assert.deepEqual(
      (found.body as { records: { eventType: string }[] }).records.map((r) => r.eventType),
      ['message-received', 'send-accepted', 'message-sending', 'message-failed'],
    );
  });

  it('erases a contact: their conversation ends and is deleted, and the audit lists the erasure', async () => {
    const ada = uniqueNumber();
    const id = conversationId({ ourNumber: ours, participants: [ada] });
    const started = await api.call('POST', '/conversations', {
      body: { participants: [ada], bot: 'echoBot', opening: { text: 'Your repair is done' } },
    });
    assert.equal(started.status, 201, started.text);
    await eventually(() => assert.equal(sentTo(ada).length, 1));
    type Erasure = {
      id?: string;
      erasureId: string;
      completedAt: string | null;
      erased: { conversationsEnded: number };
    };
    // 200 when done within the request's wait; 202 while it runs, and then the audit says when it is done.
    const answer = await api.call('DELETE', `/contacts/${encodeURIComponent(ada)}?operator=dana&reason=ticket-1`);
    assert.ok([200, 202].includes(answer.status), answer.text);
    const { erasureId } = answer.body as Erasure;
    const erased =
      answer.status === 200
        ? (answer.body as Erasure)
        : await eventually(
            async () => {
              const listed = (await api.call('GET', '/erasures?limit=10')).body as { erasures: Erasure[] };
              const entry = listed.erasures.find((e) => e.id === erasureId);
              assert.ok(entry?.completedAt, JSON.stringify(entry));
              return { ...entry, erasureId };
            },
            { timeoutMs: 120_000, intervalMs: 500 },
          );
    assert.equal(erased.erased.conversationsEnded, 1);
    await assert.rejects(temporal.client.workflow.getHandle(id).describe(), /not found/i);
    assert.deepEqual((await records.search({ participant: ada })).records, []);
    const audit = await api.call('GET', '/erasures?limit=10');
    assert.equal(audit.status, 200, audit.text);
    const entries = (audit.body as { erasures: { id: string; requestedBy: string }[] }).erasures;
    assert.deepEqual(
      entries.filter((e) => e.id === erased.erasureId).map((e) => e.requestedBy),
      ['dana'],
    );
  });

  it("totals a conversation's messages, segments and cost, a carrier's surcharge included, and counts them per number", async () => {
    const eve = uniqueNumber();
    const id = conversationId({ ourNumber: ours, participants: [eve] });
    cleanup.add(id);
    assert.equal((await postCallbacks(server.url, [inboundEvent({ from: eve, to: ours, text: 'hello' })])).status, 200);
    await eventually(() => assert.deepEqual(sentTo(eve), ['#1: hello']));
    const sent = bandwidth.sent.find((m) => m.to.includes(eve))!;
    const tag = encodeTag({ conversationId: id, sendId: 's1', trackDelivery: true });
    const delivered = { ...statusEvent({ type: 'message-delivered', from: ours, to: eve, id: sent.id, tag }) };
    assert.equal((await postCallbacks(server.url, [{ ...delivered, carrierName: 'T-Mobile' }])).status, 200);

    const expected = { messages: { in: 1, out: 1 }, segments: { in: 1, out: 1 }, cost: { USD: 0.011 } };
    const body = await eventually(async () => {
      const answer = (await api.call('GET', path(id))).body as Omit<Transcript, 'transcript'> & {
        transcript: { direction: string; cost?: number; currency?: string }[];
        totals: typeof expected & { source: string };
      };
      assert.deepEqual(answer.totals, { ...expected, source: 'records' });
      assert.deepEqual(
        answer.transcript.map((m) => [m.direction, m.cost, m.currency]),
        [
          ['in', 0.004, 'USD'],
          ['out', 0.007, 'USD'], // 0.004 a segment, and T-Mobile's 0.003
        ],
      );
      return answer;
    });
    assert.equal(body.transcriptSource, 'workflow');

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const number = ours.replace('+', '\\+');
    assert.match(
      metrics,
      new RegExp(`threadline_segments_total\\{number="${number}",direction="in",kind="sms"\\} \\d+`),
    );
    assert.match(
      metrics,
      new RegExp(`threadline_segments_total\\{number="${number}",direction="out",kind="sms"\\} \\d+`),
    );
    assert.match(
      metrics,
      new RegExp(`threadline_cost_total\\{number="${number}",direction="out",currency="USD"\\} [\\d.]+`),
    );
  });

  it('exercised every operation of the document with a successful answer', () => {
    const succeeded = new Set([...api.seen].filter((s) => /\s2\d\d$/.test(s)).map((s) => s.split(' ')[0]));
    const elsewhere = ['searchRecords', 'exportRecords', 'listOptOuts', 'getOptOut', 'removeOptOut', 'exportOptOuts'];
    const missing = api
      .operationIds()
      .filter((op) => !elsewhere.includes(op))
      .filter((op) => !succeeded.has(op));
    assert.deepEqual(
      missing,
      [],
      'the records and opt-out operations are exercised on every backend by records-api.test.ts and opt-outs-api.test.ts',
    );
  });
});
