/**
 * The webhook edge over real HTTP and a real Temporal server: what it answers for the reference's payloads, every
 * event type, malformed, oversized, wrongly typed and unauthenticated bodies; that every event is recorded before the
 * answer; that it asks Bandwidth to retry (503) rather than acknowledge what Temporal has not accepted; and that a
 * redelivered callback is never handed over twice.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Connection, ServiceError, type WorkflowSignalWithStartOptions } from '@temporalio/client';
import { DEFAULT_PRICE_TABLE } from '../../billing/price-table';
import { createMemoryRecordStore, type RecordStore } from '../../records';
import { createApp, type AppDeps } from '../../server/app';
import { createMetrics, type Metrics } from '../../observability/metrics';
import { createBotRouter } from '../../server/bot-router';
import { freePort } from '../../toolchain/temporal';
import { conversationId, encodeTag } from '../../workflows/ids';
import { connectToDevServer, uniqueTaskQueue } from '../helpers/temporal';
import {
  deliveredBody,
  failedBody,
  groupSendingBody,
  inboundBody,
  inboundGroupBody,
  readBody,
  sentBody,
} from '../records/helpers/bandwidth-examples';
import {
  APPLICATION_ID,
  basicAuth,
  capturingLogger,
  inboundEvent,
  messageId,
  postCallbacks,
  serve,
  signalsOf,
  statusEvent,
  uniqueNumber,
  type Served,
} from './helpers';

const silent = capturingLogger('silent').logger;

describe('POST /callbacks/messaging with Temporal up', () => {
  let temporal: Awaited<ReturnType<typeof connectToDevServer>>;
  let records: RecordStore;
  let metrics: Metrics;
  let server: Served;
  const taskQueue = uniqueTaskQueue('edge');
  const started = new Set<string>();

  const deps = (): AppDeps => ({
    temporal: temporal.client,
    taskQueue,
    routeBot: () => 'greeterBot',
    records,
    metrics,
    logger: silent,
    prices: DEFAULT_PRICE_TABLE, // a receipt naming a carrier then carries its surcharge
  });
  const describeWorkflow = (id: string) => {
    started.add(id);
    return temporal.client.workflow.getHandle(id).describe();
  };

  before(async () => {
    temporal = await connectToDevServer();
    records = createMemoryRecordStore();
    metrics = createMetrics();
    server = await serve(createApp(deps()));
    // The reference payloads use fixed numbers other test files use too: no conversation of theirs may still run.
    for (const event of [...inboundBody, ...inboundGroupBody]) {
      const others = [event.message.from, ...event.message.to].filter((n) => n !== event.to);
      await temporal.client.workflow
        .getHandle(conversationId({ ourNumber: event.to, participants: others }))
        .terminate('a test before left it running')
        .catch(() => undefined);
    }
  });
  after(async () => {
    for (const id of started) {
      await temporal.client.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined);
    }
    await server?.close();
    await records?.close();
    await temporal?.close();
  });

  it("records and hands over the reference's example payloads, sent as arrays", async () => {
    for (const body of [
      deliveredBody,
      failedBody,
      groupSendingBody,
      sentBody,
      readBody,
      inboundBody,
      inboundGroupBody,
    ]) {
      const response = await postCallbacks(server.url, body);
      assert.equal(response.status, 200, await response.clone().text());
      assert.deepEqual(await response.json(), { accepted: body.length });
    }
    const kinds = async (id: string) => (await records.search({ messageId: id })).records.map((r) => r.kind).sort();
    assert.deepEqual(await kinds('1718900000000k3j2h4g5f6d7s8a9'), ['other', 'status', 'status']); // read, sent, delivered
    assert.deepEqual(await kinds('1718900000100p0o9i8u7y6t5r4e3'), ['status']);
    assert.deepEqual(await kinds('1718900401000q1w2e3r4t5y6u7i8'), ['status', 'status']); // one per group recipient
    assert.deepEqual(await kinds('1718900700000z9x8c7v6b5n4m3l2'), ['inbound']);
    const [failed] = (await records.search({ status: 'failed' })).records;
    assert.equal(failed?.errorCode, 4406);

    const stop = await describeWorkflow(conversationId({ ourNumber: '+19195550100', participants: ['+19195550123'] }));
    assert.equal(stop.type, 'greeterBot');
    assert.equal(stop.taskQueue, taskQueue);
    // An inbound group reaches each of our numbers as its own event: one conversation per number of ours.
    for (const event of inboundGroupBody) {
      const others = [event.message.from, ...event.message.to].filter((n) => n !== event.to);
      const group = await describeWorkflow(conversationId({ ourNumber: event.to, participants: others }));
      assert.equal(group.status.name, 'RUNNING');
      const signals = await signalsOf(temporal.client, group.workflowId);
      assert.deepEqual(
        signals.map(([name, message]) => [name, (message as { messageId: string }).messageId]),
        [['inboundMessage', event.message.id]],
      );
    }
  });

  it('acknowledges and records every event type, including those Threadline does not act on', async () => {
    const ours = uniqueNumber();
    const them = uniqueNumber();
    const rbm = (type: string, direction: 'in' | 'out', extra: Record<string, unknown> = {}) => ({
      type,
      time: new Date().toISOString(),
      description: type,
      to: direction === 'in' ? ours : them,
      message: {
        id: messageId(),
        owner: ours,
        applicationId: APPLICATION_ID,
        time: new Date().toISOString(),
        segmentCount: 1,
        direction,
        to: [direction === 'in' ? ours : them],
        from: direction === 'in' ? them : ours,
        channel: 'RBM',
        ...extra,
      },
    });
    const events = [
      inboundEvent({ from: them, to: ours }),
      ...(['message-sending', 'message-sent', 'message-delivered'] as const).map((type) =>
        statusEvent({ type, from: ours, to: them }),
      ),
      statusEvent({ type: 'message-failed', from: ours, to: them, errorCode: 4720 }),
      { ...rbm('message-read', 'out'), eventTime: new Date().toISOString() },
      rbm('suggestion-response', 'in', { suggestionResponse: { text: 'Yes', postbackData: 'yes' } }),
      rbm('requested-location-response', 'in', { locationResponse: { latitude: 35.9, longitude: -78.9 } }),
      rbm('message-from-the-future', 'out'),
    ];
    for (const event of events) {
      const response = await postCallbacks(server.url, [event]);
      assert.equal(response.status, 200, `${event.type}: ${await response.clone().text()}`);
    }
    const recorded = (await records.search({ ourNumber: ours })).records;
    assert.deepEqual(
      recorded.map((r) => [r.eventType, r.kind]),
      [
        ['message-received', 'inbound'],
        ['message-sending', 'status'],
        ['message-sent', 'status'],
        ['message-delivered', 'status'],
        ['message-failed', 'status'],
        ['message-read', 'other'],
        ['suggestion-response', 'other'],
        ['requested-location-response', 'other'],
        ['message-from-the-future', 'other'],
      ],
    );
    await describeWorkflow(conversationId({ ourNumber: ours, participants: [them] }));
  });

  it('accepts a single event object as well as an array', async () => {
    const ours = uniqueNumber();
    const them = uniqueNumber();
    const response = await postCallbacks(server.url, inboundEvent({ from: them, to: ours }));
    assert.equal(response.status, 200);
    assert.equal(
      (await describeWorkflow(conversationId({ ourNumber: ours, participants: [them] }))).type,
      'greeterBot',
    );
  });

  it('signals a terminal status to the conversation that sent the message, found through its tag', async () => {
    const ours = uniqueNumber();
    const them = uniqueNumber();
    const id = conversationId({ ourNumber: ours, participants: [them] });
    assert.equal((await postCallbacks(server.url, [inboundEvent({ from: them, to: ours })])).status, 200);
    const tag = encodeTag({ conversationId: id, sendId: 's1', trackDelivery: true });
    const sent = messageId();
    const body = [
      statusEvent({ type: 'message-sending', from: ours, to: them, id: sent, tag }),
      statusEvent({ type: 'message-delivered', from: ours, to: them, id: sent, tag }),
      statusEvent({ type: 'message-delivered', from: ours, to: them, tag: 'order-42' }),
      statusEvent({
        type: 'message-failed',
        from: ours,
        to: them,
        tag: encodeTag({ conversationId: id, sendId: 's2', trackDelivery: false }),
        errorCode: 4406,
      }),
    ];
    assert.equal((await postCallbacks(server.url, body)).status, 200);
    const signals = await signalsOf(temporal.client, (await describeWorkflow(id)).workflowId);
    assert.deepEqual(
      signals.map(([name, arg]) => [name, (arg as { sendId?: string; type?: string }).sendId ?? null]),
      [
        ['inboundMessage', null],
        ['deliveryStatus', 's1'],
      ],
      'only the tracked terminal event of a Threadline message reaches the workflow',
    );
    const statuses = (await records.search({ participant: them, kind: 'status' })).records;
    assert.equal(statuses.length, 4, 'every status event is recorded, signalled or not');
    assert.ok(statuses.every((r) => r.conversationId === id || r.tag === 'order-42'));
  });

  it('signals a delivered receipt only for a message its conversation watches; a failure and a surcharge always', async () => {
    const ours = uniqueNumber();
    const them = uniqueNumber();
    const id = conversationId({ ourNumber: ours, participants: [them] });
    assert.equal((await postCallbacks(server.url, [inboundEvent({ from: them, to: ours })])).status, 200);
    const tag = (sendId: string) =>
      encodeTag({ conversationId: id, sendId, trackDelivery: true, deliveredWhenWatched: true });
    const [unwatched, watchedFirst, failed, priced] = [messageId(), messageId(), messageId(), messageId()];
    await records.watchReceipts(watchedFirst); // the bot waits for it: its wait watched the message first
    const delivered = (id: string, sendId: string) =>
      statusEvent({ type: 'message-delivered', from: ours, to: them, id, tag: tag(sendId) });
    const body = [
      delivered(unwatched, 's1'),
      delivered(watchedFirst, 's2'),
      statusEvent({ type: 'message-failed', from: ours, to: them, id: failed, tag: tag('s3'), errorCode: 4406 }),
      { ...delivered(priced, 's4'), carrierName: 'T-Mobile' },
    ];
    assert.equal((await postCallbacks(server.url, body)).status, 200);
    const signals = await signalsOf(temporal.client, (await describeWorkflow(id)).workflowId);
    assert.deepEqual(
      signals.map(([name, arg]) => [name, (arg as { sendId?: string }).sendId ?? null]),
      [
        ['inboundMessage', null],
        ['deliveryStatus', 's2'],
        ['deliveryStatus', 's3'],
        ['deliveryStatus', 's4'],
      ],
      'the unwatched delivered receipt (s1) is recorded only',
    );
    const statuses = (await records.search({ conversationId: id, kind: 'status' })).records;
    assert.equal(statuses.length, 4, 'every status event is recorded, signalled or not');

    // Watched after it was recorded: the watch itself returns it (activities/watch-receipts.ts), and a redelivery of
    // the callback is not handed over again.
    assert.deepEqual(
      (await records.watchReceipts(unwatched)).map((r) => r.eventType),
      ['message-delivered'],
    );
    assert.equal((await postCallbacks(server.url, [body[0]])).status, 200);
    assert.equal((await signalsOf(temporal.client, id)).length, 4);
  });

  it('never starts a conversation from our own outbound message', async () => {
    const ours = uniqueNumber();
    const them = uniqueNumber();
    const echo = inboundEvent({ from: ours, to: them });
    echo.message.direction = 'out';
    assert.equal((await postCallbacks(server.url, [echo])).status, 200);
    await assert.rejects(
      temporal.client.workflow.getHandle(conversationId({ ourNumber: them, participants: [ours] })).describe(),
      /not found/i,
    );
    assert.equal((await records.search({ messageId: echo.message.id })).records.length, 1);
  });

  it('does not start a second conversation run when a handed-off message arrives again after the first run ended', async () => {
    const ours = uniqueNumber();
    const them = uniqueNumber();
    const id = conversationId({ ourNumber: ours, participants: [them] });
    const first = inboundEvent({ from: them, to: ours, text: 'hi' });
    assert.equal((await postCallbacks(server.url, [first])).status, 200);
    const run = await describeWorkflow(id);
    await temporal.client.workflow.getHandle(id).terminate('the conversation ended');

    // Bandwidth redelivers the same callback (at least once): acknowledged, recorded once, and no new run.
    const again = await postCallbacks(server.url, [first]);
    assert.equal(again.status, 200);
    const after = await describeWorkflow(id);
    assert.equal(after.runId, run.runId);
    assert.equal(after.status.name, 'TERMINATED');
    assert.equal((await records.search({ messageId: first.message.id })).records.length, 1);
    assert.match(
      await metrics.registry.metrics(),
      /threadline_callbacks_total\{type="message-received",outcome="duplicate"\} [1-9]/,
    );

    // A new message from the same person starts the next conversation.
    assert.equal((await postCallbacks(server.url, [inboundEvent({ from: them, to: ours, text: 'back' })])).status, 200);
    const next = await describeWorkflow(id);
    assert.notEqual(next.runId, run.runId);
    assert.equal(next.status.name, 'RUNNING');
  });

  it('hands over the rest of a partly handed-over body when it arrives again, and nothing twice', async () => {
    const ours = uniqueNumber();
    const [ann, ben] = [uniqueNumber(), uniqueNumber()];
    const [annId, benId] = [ann, ben].map((p) => conversationId({ ourNumber: ours, participants: [p] })) as [
      string,
      string,
    ];
    // A client whose first signal-with-start for Ben's conversation fails, as when Temporal drops mid-body.
    const flaky = new Client({ connection: temporal.client.connection });
    const signalWithStart = flaky.workflow.signalWithStart.bind(flaky.workflow);
    let failures = 0;
    flaky.workflow.signalWithStart = ((workflow: string, options: WorkflowSignalWithStartOptions) => {
      if (options.workflowId === benId && failures++ === 0) {
        return Promise.reject(new ServiceError('simulated: Temporal went away'));
      }
      return signalWithStart(workflow, options);
    }) as typeof flaky.workflow.signalWithStart;
    const flakyServer = await serve(createApp({ ...deps(), temporal: flaky }));
    try {
      const body = [
        inboundEvent({ from: ann, to: ours, text: 'one' }),
        inboundEvent({ from: ben, to: ours, text: 'two' }),
        inboundEvent({ from: ann, to: ours, text: 'three' }),
      ];
      const first = await postCallbacks(flakyServer.url, body);
      assert.equal(first.status, 503);
      assert.equal(first.headers.get('retry-after'), '5');
      const second = await postCallbacks(flakyServer.url, body);
      assert.equal(second.status, 200);
      const third = await postCallbacks(flakyServer.url, body); // and once more, after success
      assert.equal(third.status, 200);

      const texts = async (id: string) =>
        (await signalsOf(temporal.client, (await describeWorkflow(id)).workflowId)).map(
          ([, m]) => (m as { text: string }).text,
        );
      assert.deepEqual(await texts(annId), ['one', 'three']);
      assert.deepEqual(await texts(benId), ['two']);
      assert.equal((await records.search({ ourNumber: ours })).records.length, 3);
    } finally {
      await flakyServer.close();
    }
  });

  it('routes our numbers and applications to their bots, and only records what no bot answers', async () => {
    const [routed, byApp, unrouted, them] = [uniqueNumber(), uniqueNumber(), uniqueNumber(), uniqueNumber()];
    const routing = createBotRouter({
      routes: { [routed]: 'pizzaBot', 'app:survey-app': 'surveyBot' },
      defaultBot: 'greeterBot',
      unrouted: 'ignore',
    });
    const routingServer = await serve(createApp({ ...deps(), routeBot: routing }));
    try {
      const viaApp = inboundEvent({ from: them, to: byApp });
      viaApp.message.applicationId = 'survey-app';
      const body = [inboundEvent({ from: them, to: routed }), viaApp, inboundEvent({ from: them, to: unrouted })];
      assert.equal((await postCallbacks(routingServer.url, body)).status, 200);
      assert.equal(
        (await describeWorkflow(conversationId({ ourNumber: routed, participants: [them] }))).type,
        'pizzaBot',
      );
      assert.equal(
        (await describeWorkflow(conversationId({ ourNumber: byApp, participants: [them] }))).type,
        'surveyBot',
      );
      const ignored = conversationId({ ourNumber: unrouted, participants: [them] });
      await assert.rejects(temporal.client.workflow.getHandle(ignored).describe(), /not found/i);
      const [record] = (await records.search({ ourNumber: unrouted })).records;
      assert.equal(record?.conversationId, ignored, 'the record still names the conversation it belongs to');
    } finally {
      await routingServer.close();
    }
  });

  it('answers 400 with the validation issues for a malformed or wrongly typed body', async () => {
    const ours = uniqueNumber();
    const event = inboundEvent({ from: uniqueNumber(), to: ours });
    const cases: unknown[] = [
      [{ type: 'message-received', to: ours }],
      [{ ...event, message: { ...event.message, segmentCount: '1' } }],
      [{ ...event, message: { ...event.message, direction: 'sideways' } }],
      [statusEvent({ type: 'message-delivered', from: ours, to: uniqueNumber() }), { description: 'no type' }],
      { ...statusEvent({ type: 'message-failed', from: ours, to: uniqueNumber(), errorCode: 1 }), errorCode: 'x' },
      [],
      'hello',
      42,
    ];
    for (const body of cases) {
      const response = await postCallbacks(server.url, body);
      assert.equal(response.status, 400, JSON.stringify(body));
      const answer = (await response.json()) as { type: string; issues: unknown };
      assert.equal(answer.type, 'invalid-callback');
      assert.ok(answer.issues, 'the issues say what is wrong');
    }
    const wrong = await postCallbacks(server.url, [{ type: 'message-received', to: ours }]);
    assert.match(JSON.stringify(((await wrong.json()) as { issues: unknown }).issues), /message/);
    assert.equal((await records.search({ ourNumber: ours })).records.length, 0, 'nothing of a bad body is recorded');
  });

  it('answers 400 for a body that is not JSON, 413 for one too large and 415 for one that is not JSON at all', async () => {
    const small = await serve(createApp({ ...deps(), bodyLimit: '2kb' }));
    try {
      assert.equal((await postCallbacks(server.url, null, { raw: '[{"type":' })).status, 400);
      const big = [inboundEvent({ from: uniqueNumber(), to: uniqueNumber(), text: 'x'.repeat(4096) })];
      const tooLarge = await postCallbacks(small.url, big);
      assert.equal(tooLarge.status, 413);
      assert.equal(((await tooLarge.json()) as { type: string }).type, 'payload-too-large');
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', null]) {
        const response = await postCallbacks(server.url, [inboundEvent({ from: uniqueNumber(), to: uniqueNumber() })], {
          contentType,
        });
        assert.equal(response.status, 415, String(contentType));
      }
      const plain = await postCallbacks(server.url, inboundBody, { contentType: 'application/json' });
      assert.equal(plain.status, 200, 'application/json without a charset is JSON too');
    } finally {
      await small.close();
    }
  });

  it('requires the callback credentials when they are configured, comparing them in constant time', async () => {
    const secured = await serve(
      createApp({ ...deps(), callbackAuth: { username: 'bandwidth', password: 's3cret-pass' } }),
    );
    try {
      const body = [inboundEvent({ from: uniqueNumber(), to: uniqueNumber() })];
      for (const authorization of [
        undefined,
        basicAuth('bandwidth', 'wrong'),
        basicAuth('someone', 's3cret-pass'),
        basicAuth('bandwidth', 's3cret-pass-and-more'),
        'Basic !!!',
        'Bearer s3cret-pass',
      ]) {
        const response = await postCallbacks(secured.url, body, authorization ? { authorization } : {});
        assert.equal(response.status, 401, String(authorization));
        assert.match(response.headers.get('www-authenticate') ?? '', /^Basic realm=/);
      }
      const garbage = await postCallbacks(secured.url, null, { raw: 'not json' });
      assert.equal(garbage.status, 401, 'credentials are checked before the body is read');
      assert.equal((await records.search({ messageId: body[0]!.message.id })).records.length, 0);
      const ok = await postCallbacks(secured.url, body, { authorization: basicAuth('bandwidth', 's3cret-pass') });
      assert.equal(ok.status, 200);
      started.add(conversationId({ ourNumber: body[0]!.to, participants: [body[0]!.message.from] }));
    } finally {
      await secured.close();
    }
  });
});

describe('POST /callbacks/messaging when Temporal or the records store is unreachable', () => {
  it('records the events, then answers 503 with Retry-After, so Bandwidth retries and nothing is lost', async () => {
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
    const records = createMemoryRecordStore();
    const metrics = createMetrics();
    const server = await serve(
      createApp({
        temporal: new Client({ connection }),
        taskQueue: 'nowhere',
        routeBot: () => 'greeterBot',
        records,
        metrics,
        logger: silent,
        handOffTimeoutMs: 500,
      }),
    );
    try {
      const event = inboundEvent({ from: uniqueNumber(), to: uniqueNumber() });
      for (let attempt = 0; attempt < 2; attempt++) {
        const response = await postCallbacks(server.url, [event]);
        assert.equal(response.status, 503);
        assert.equal(response.headers.get('retry-after'), '5');
        assert.equal(((await response.json()) as { type: string }).type, 'temporarily-unavailable');
      }
      assert.equal((await records.search({ messageId: event.message.id })).records.length, 1);
      assert.match(await metrics.registry.metrics(), /threadline_callback_requests_total\{status="503"\} 2/);
    } finally {
      await server.close();
      await records.close();
      await connection.close().catch(() => undefined);
    }
  });

  it('answers 503 when the records store cannot record the events', async () => {
    const temporal = await connectToDevServer();
    const records = createMemoryRecordStore();
    await records.close();
    const server = await serve(
      createApp({
        temporal: temporal.client,
        taskQueue: 'nowhere',
        routeBot: () => 'greeterBot',
        records,
        logger: silent,
      }),
    );
    try {
      const them = uniqueNumber();
      const ours = uniqueNumber();
      const response = await postCallbacks(server.url, [inboundEvent({ from: them, to: ours })]);
      assert.equal(response.status, 503);
      assert.match(((await response.json()) as { description: string }).description, /records/);
      await assert.rejects(
        temporal.client.workflow.getHandle(conversationId({ ourNumber: ours, participants: [them] })).describe(),
        /not found/i,
        'nothing is handed to Temporal that is not recorded',
      );
    } finally {
      await server.close();
      await temporal.close();
    }
  });
});
