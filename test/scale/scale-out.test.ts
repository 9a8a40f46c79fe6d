/**
 * Servers and workers are stateless: two webhook servers and two workers (separate Temporal connections, one task
 * queue) share one Temporal and one PostgreSQL records database, under thirty concurrent conversations. The emulator's
 * callbacks reach the servers through a round-robin proxy that also sends some bodies to both servers at once, and
 * the emulator itself delivers some callbacks twice. Every handset gets every reply exactly once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createBandwidthClient } from '../../bandwidth/client';
import { createEmulator, type Emulator } from '../../emulator';
import type { RecordStore } from '../../records';
import { createApp } from '../../server/app';
import { createMetrics, type Metrics } from '../../observability/metrics';
import { recordSends } from '../../stack/send-recorder';
import { conversationId } from '../../workflows/ids';
import { eventually } from '../helpers/eventually';
import { uniqueTaskQueue, workflowSource } from '../helpers/temporal';
import { postgresBackend, type TestDatabase } from '../records/helpers/backends';
import { capturingLogger, serve, type Served } from '../server/helpers';

const OUR = '+19195550100';
const ACCOUNT = '9900000';
const APPLICATION = '93de2206-9669-4e07-948d-329f4b722ee2';
const CREDENTIALS = { clientId: 'scale-test', clientSecret: 'scale-test-secret' };
const HANDSETS = 30;
const QUESTION = "Hi! I'm the Threadline greeter. What's your name?";

/** Forwards each callback to the next server in turn; every fourth body goes to both at once (a duplicate race). */
async function roundRobinProxy(targets: string[]): Promise<Served & { forwarded: number[] }> {
  const forwarded = targets.map(() => 0);
  let next = 0;
  const forward = async (i: number, req: http.IncomingMessage, body: Buffer) => {
    forwarded[i]! += 1;
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'authorization', 'user-agent']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const response = await fetch(`${targets[i]}${req.url}`, { method: req.method, headers, body });
    return { status: response.status, text: await response.text() };
  };
  const served = await serve((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const turn = next++;
      const first = turn % targets.length;
      const sends = [forward(first, req, body)];
      if (turn % 4 === 3) sends.push(forward((first + 1) % targets.length, req, body));
      Promise.all(sends).then(
        ([answer]) => res.writeHead(answer!.status, { 'content-type': 'application/json' }).end(answer!.text),
        () => res.writeHead(502).end(),
      );
    });
  });
  return { ...served, forwarded };
}

describe('two servers and two workers on one Temporal', () => {
  const taskQueue = uniqueTaskQueue('scale');
  const pg = postgresBackend();
  let db: TestDatabase;
  const stores: RecordStore[] = [];
  const connections: { close(): Promise<void> }[] = [];
  const servers: Served[] = [];
  const serverMetrics: Metrics[] = [];
  const workerMetrics: Metrics[] = [];
  const workers: { worker: Worker; running: Promise<void> }[] = [];
  let proxy: Awaited<ReturnType<typeof roundRobinProxy>>;
  let emulator: Emulator;
  let emulatorUrl: string;
  let client: Client;

  before(async () => {
    const address = process.env.TEMPORAL_ADDRESS;
    assert.ok(address, 'TEMPORAL_ADDRESS is set by npm test');
    await pg.start();
    db = await pg.createDatabase();
    const logger = capturingLogger('silent').logger;

    for (let i = 0; i < 2; i++) {
      const connection = await Connection.connect({ address });
      connections.push(connection);
      const records = await db.open();
      stores.push(records);
      const metrics = createMetrics();
      serverMetrics.push(metrics);
      servers.push(
        await serve(
          createApp({
            temporal: new Client({ connection }),
            taskQueue,
            routeBot: () => 'greeterBot',
            records,
            metrics,
            logger,
          }),
        ),
      );
    }
    client = new Client({ connection: connections[0] as Connection });
    proxy = await roundRobinProxy(servers.map((s) => s.url));

    emulator = createEmulator({
      defaults: {
        accountId: ACCOUNT,
        applicationId: APPLICATION,
        number: OUR,
        ...CREDENTIALS,
        callbackUrl: `${proxy.url}/callbacks/messaging`,
      },
      timeScale: 20,
    });
    emulatorUrl = (await emulator.listen(0)).url;
    const patched = await fetch(`${emulatorUrl}/emulator/settings`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      // At-least-once delivery: a quarter of the callbacks arrive twice, some batched, a few out of order.
      body: JSON.stringify({
        callbacks: { duplicateRate: 0.25, batchMaxEvents: 4, reorderRate: 0.1, retryScheduleSeconds: [2] },
      }),
    });
    assert.equal(patched.status, 200);

    for (let i = 0; i < 2; i++) {
      const nativeConnection = await NativeConnection.connect({ address });
      connections.push(nativeConnection);
      const records = await db.open();
      stores.push(records);
      const metrics = createMetrics();
      workerMetrics.push(metrics);
      const worker = await Worker.create({
        connection: nativeConnection,
        taskQueue,
        ...workflowSource(),
        activities: createActivities({
          bandwidth: createBandwidthClient({
            baseUrl: `${emulatorUrl}/api/v2`,
            accountId: ACCOUNT,
            auth: { kind: 'oauth2', ...CREDENTIALS, tokenUrl: `${emulatorUrl}/api/v1/oauth2/token` },
          }),
          applicationId: APPLICATION,
          onSent: recordSends({ records, metrics, logger }),
          records, // where a wait for a delivery receipt watches it, as the worker's own activities do
        }),
      });
      workers.push({ worker, running: worker.run() });
    }
  });
  after(async () => {
    for (const { worker } of workers) worker.shutdown();
    await Promise.all(workers.map((w) => w.running));
    await emulator?.close();
    await proxy?.close();
    for (const server of servers) await server.close();
    for (const connection of connections) await connection.close();
    for (const store of stores) await store.close();
    await db?.drop();
    await pg.stop();
  });

  const handsets = Array.from({ length: HANDSETS }, (_, i) => `+1984555${String(1000 + i)}`);

  async function text(from: string, body: string): Promise<void> {
    const response = await fetch(`${emulatorUrl}/emulator/handsets/${encodeURIComponent(from)}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: OUR, text: body }),
    });
    assert.equal(response.status, 202, await response.clone().text());
  }

  async function replies(phone: string): Promise<string[]> {
    const response = await fetch(`${emulatorUrl}/emulator/handsets/${encodeURIComponent(phone)}/messages`);
    const body = (await response.json()) as { messages: { text: string; fromHandset: boolean }[] };
    return body.messages.filter((m) => !m.fromHandset).map((m) => m.text);
  }

  async function allReplies(): Promise<Record<string, string[]>> {
    return Object.fromEntries(await Promise.all(handsets.map(async (h) => [h, await replies(h)] as const)));
  }

  const name = (i: number) => `Person ${i}`;
  const expected = (turns: 1 | 2) =>
    Object.fromEntries(
      handsets.map((h, i) => [h, turns === 1 ? [QUESTION] : [QUESTION, `Nice to meet you, ${name(i)}!`]]),
    );

  it('answers thirty concurrent conversations, each reply exactly once', async () => {
    await Promise.all(handsets.map((h) => text(h, 'hi')));
    await eventually(async () => assert.deepEqual(await allReplies(), expected(1)), {
      timeoutMs: 40_000,
      intervalMs: 250,
    });
    await Promise.all(handsets.map((h, i) => text(h, name(i))));
    await eventually(async () => assert.deepEqual(await allReplies(), expected(2)), {
      timeoutMs: 40_000,
      intervalMs: 250,
    });

    // Settled: every conversation has ended and the emulator has no callback left to deliver (duplicates included).
    const outcomes = await Promise.all(
      handsets.map((h) => client.workflow.getHandle(conversationId({ ourNumber: OUR, participants: [h] })).result()),
    );
    assert.ok(outcomes.every((o) => (o as { ended: string }).ended === 'bot-finished'));
    await eventually(
      async () => {
        const pending = (await (await fetch(`${emulatorUrl}/emulator/callbacks?state=pending`)).json()) as unknown[];
        assert.equal(pending.length, 0);
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    assert.deepEqual(await allReplies(), expected(2), 'no reply lost, none duplicated');

    // Both servers took callbacks, both workers sent replies, and each message was recorded once.
    assert.ok(
      proxy.forwarded.every((n) => n > 0),
      `callbacks per server: ${proxy.forwarded.join(', ')}`,
    );
    // Every text reached its workflow, through both servers. A text can be handed off more than once (a body the proxy
    // sent to both servers at once, a redelivery after a timeout); the workflow drops the copies by message id.
    const handedOff = await Promise.all(
      serverMetrics.map(async (m) => {
        const line = /threadline_callbacks_total\{type="message-received",outcome="started-or-signalled"\} (\d+)/;
        return Number(line.exec(await m.registry.metrics())?.[1] ?? 0);
      }),
    );
    assert.ok(
      handedOff.every((n) => n > 0) && handedOff[0]! + handedOff[1]! >= HANDSETS * 2,
      `texts handed off per server: ${handedOff.join(', ')}, for ${HANDSETS * 2} texts`,
    );
    const sends = await Promise.all(
      workerMetrics.map(async (m) =>
        Number(/threadline_sends_total\{outcome="recorded"\} (\d+)/.exec(await m.registry.metrics())?.[1] ?? 0),
      ),
    );
    assert.equal(sends[0]! + sends[1]!, HANDSETS * 2, `sends per worker: ${sends.join(', ')}`);
    assert.ok(
      sends.every((n) => n > 0),
      `sends per worker: ${sends.join(', ')}`,
    );
    const [inbound, outbound] = await Promise.all([
      stores[0]!.search({ ourNumber: OUR, kind: 'inbound', limit: 1000 }),
      stores[1]!.search({ ourNumber: OUR, kind: 'outbound', limit: 1000 }),
    ]);
    const ours = (records: { participants: string[] }[]) =>
      records.filter((r) => handsets.includes(r.participants[0]!));
    assert.equal(ours(inbound.records).length, HANDSETS * 2);
    assert.equal(ours(outbound.records).length, HANDSETS * 2);
  });
});
