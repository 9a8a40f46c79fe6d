/**
 * What operators and load balancers see: liveness and readiness, Prometheus metrics, request ids, and logs that
 * carry no whole phone number and no message text at info level.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Connection } from '@temporalio/client';
import { createMemoryRecordStore, type RecordStore } from '../../records';
import { createApp } from '../../server/app';
import { maskPhone, maskPhones } from '../../observability/logging';
import { createMetrics } from '../../observability/metrics';
import { freePort } from '../../toolchain/temporal';
import { conversationId, encodeTag } from '../../workflows/ids';
import { connectToDevServer, uniqueTaskQueue } from '../helpers/temporal';
import { capturingLogger, inboundEvent, messageId, postCallbacks, serve, statusEvent, uniqueNumber } from './helpers';

describe('health, readiness and metrics', () => {
  let temporal: Awaited<ReturnType<typeof connectToDevServer>>;
  let records: RecordStore;
  const cleanup: string[] = [];
  before(async () => {
    temporal = await connectToDevServer();
    records = createMemoryRecordStore();
  });
  after(async () => {
    for (const id of cleanup) {
      await temporal.client.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined);
    }
    await records.close();
    await temporal.close();
  });

  it('is live and ready while Temporal and the records store answer', async () => {
    const server = await serve(
      createApp({
        temporal: temporal.client,
        taskQueue: 'ready',
        routeBot: () => 'greeterBot',
        records,
        logger: capturingLogger('silent').logger,
      }),
    );
    try {
      assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: 'ok' });
      const ready = await fetch(`${server.url}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { status: 'ready', checks: { temporal: 'ok', records: 'ok' } });
    } finally {
      await server.close();
    }
  });

  it('stays live but is not ready while Temporal is unreachable or the records store is closed', async () => {
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
    const closed = createMemoryRecordStore();
    await closed.close();
    const down = await serve(
      createApp({
        temporal: new Client({ connection }),
        taskQueue: 'nowhere',
        routeBot: () => 'greeterBot',
        records,
        logger: capturingLogger('silent').logger,
        readinessTimeoutMs: 500,
      }),
    );
    const noRecords = await serve(
      createApp({
        temporal: temporal.client,
        taskQueue: 'nowhere',
        routeBot: () => 'greeterBot',
        records: closed,
        logger: capturingLogger('silent').logger,
      }),
    );
    try {
      assert.equal((await fetch(`${down.url}/healthz`)).status, 200);
      const notReady = await fetch(`${down.url}/readyz`);
      assert.equal(notReady.status, 503);
      assert.deepEqual(await notReady.json(), {
        status: 'unavailable',
        checks: { temporal: 'unavailable', records: 'ok' },
      });
      const noStore = await fetch(`${noRecords.url}/readyz`);
      assert.equal(noStore.status, 503);
      assert.deepEqual(((await noStore.json()) as { checks: unknown }).checks, {
        temporal: 'ok',
        records: 'unavailable',
      });
    } finally {
      await down.close();
      await noRecords.close();
      await connection.close().catch(() => undefined);
    }
  });

  it('counts callbacks by type and outcome, hand-off latency and delivery outcomes by error code', async () => {
    const metrics = createMetrics();
    const server = await serve(
      createApp({
        temporal: temporal.client,
        taskQueue: uniqueTaskQueue('metrics'),
        routeBot: () => 'greeterBot',
        records,
        metrics,
        logger: capturingLogger('silent').logger,
      }),
    );
    try {
      const [ours, them] = [uniqueNumber(), uniqueNumber()];
      const id = conversationId({ ourNumber: ours, participants: [them] });
      cleanup.push(id);
      const tag = encodeTag({ conversationId: id, sendId: 's1', trackDelivery: true });
      const inbound = inboundEvent({ from: them, to: ours });
      assert.equal((await postCallbacks(server.url, [inbound])).status, 200);
      assert.equal((await postCallbacks(server.url, [inbound])).status, 200);
      const statuses = [
        statusEvent({ type: 'message-delivered', from: ours, to: them, tag }),
        statusEvent({ type: 'message-failed', from: ours, to: them, errorCode: 4720, tag: 'not-ours' }),
        statusEvent({ type: 'message-failed', from: ours, to: them, errorCode: 4720, id: messageId() }),
      ];
      assert.equal((await postCallbacks(server.url, statuses)).status, 200);
      assert.equal((await postCallbacks(server.url, 'nonsense')).status, 400);

      const response = await fetch(`${server.url}/metrics`);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
      const text = await response.text();
      const expected = [
        'threadline_callbacks_total{type="message-received",outcome="started-or-signalled"} 1',
        'threadline_callbacks_total{type="message-received",outcome="duplicate"} 1',
        'threadline_callbacks_total{type="message-delivered",outcome="signalled"} 1',
        'threadline_callbacks_total{type="message-failed",outcome="recorded-only"} 2',
        'threadline_callback_requests_total{status="200"} 3',
        'threadline_callback_requests_total{status="400"} 1',
        'threadline_delivery_outcomes_total{outcome="delivered",error_code="none"} 1',
        'threadline_delivery_outcomes_total{outcome="failed",error_code="4720"} 2',
        'threadline_handoff_seconds_count{type="message-received"} 1',
        'threadline_handoff_seconds_count{type="message-delivered"} 1',
      ];
      for (const line of expected) assert.ok(text.includes(line), `${line}\n---\n${text}`);
    } finally {
      await server.close();
    }
  });
});

describe('request ids and logs', () => {
  it('masks every phone number, and never logs message text at info level', async () => {
    assert.equal(maskPhone('+19195550123'), '+1919555****');
    assert.equal(
      maskPhones('sms:+19195550100:+19195550123,+447700900123'),
      'sms:+1919555****:+1919555****,+44770090****',
    );

    const temporal = await connectToDevServer();
    const info = capturingLogger('info');
    const debug = capturingLogger('debug');
    const [ours, them] = [uniqueNumber(), uniqueNumber()];
    const secret = 'my PIN is 4921, do not tell';
    const servers = await Promise.all(
      [info, debug].map(({ logger }) =>
        serve(
          createApp({
            temporal: temporal.client,
            taskQueue: uniqueTaskQueue('logs'),
            routeBot: () => 'greeterBot',
            records: createMemoryRecordStore(),
            logger,
          }),
        ),
      ),
    );
    try {
      for (const server of servers) {
        const body = [inboundEvent({ from: them, to: ours, text: secret })];
        const response = await postCallbacks(server.url, body);
        assert.equal(response.status, 200);
        await temporal.client.workflow.getHandle(conversationId({ ourNumber: ours, participants: [them] })).terminate();
      }
      const infoText = JSON.stringify(info.lines());
      assert.ok(info.lines().some((l) => l.msg === 'callback event handled'));
      assert.doesNotMatch(infoText, /\+\d{8,}/, 'no whole phone number');
      assert.ok(infoText.includes(maskPhone(them)), 'numbers appear masked');
      assert.ok(!infoText.includes(secret), 'no message text at info level');
      assert.ok(JSON.stringify(debug.lines()).includes(secret), 'message text only at debug level');
      assert.doesNotMatch(JSON.stringify(debug.lines()), /\+\d{8,}/);
    } finally {
      for (const server of servers) await server.close();
      await temporal.close();
    }
  });

  it("echoes the caller's request id, or gives the request one, and logs every line of the request with it", async () => {
    const { logger, lines } = capturingLogger('info');
    const server = await serve(
      createApp({
        temporal: new Client({ connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}` }) }),
        taskQueue: 'nowhere',
        routeBot: () => 'greeterBot',
        logger,
      }),
    );
    try {
      const given = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'lb-7f3a.42' } });
      assert.equal(given.headers.get('x-request-id'), 'lb-7f3a.42');
      const made = await fetch(`${server.url}/healthz`);
      assert.match(made.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
      const unsafe = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'a b"c<script>' } });
      assert.match(unsafe.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
      await postCallbacks(server.url, 'nonsense');
      const logged = lines().filter((l) => l.msg === 'request');
      assert.deepEqual(
        logged.map((l) => [l.requestId !== undefined, l.path, l.status]),
        [
          [true, '/healthz', 200],
          [true, '/healthz', 200],
          [true, '/healthz', 200],
          [true, '/callbacks/messaging', 400],
        ],
      );
      assert.equal(logged[0]!.requestId, 'lb-7f3a.42');
      const rejected = lines().find((l) => l.msg === 'rejected a malformed callback body');
      assert.equal(rejected?.requestId, logged[3]!.requestId, 'the request id is on every line of the request');
    } finally {
      await server.close();
    }
  });
});
