/**
 * The send activity's retry policy, proven through a bot on the time-skipping server against a Bandwidth that
 * misbehaves: a retry after an ambiguous failure never sends twice, and only failures where Bandwidth certainly did
 * not take the message are retried.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { createBandwidthClient } from '../../bandwidth/client';
import { createRecordStore, type RecordStore } from '../../records';
import { transcriptQuery } from '../../workflows/messages';
import { createTimeSkippingEnv, uniqueTaskQueue } from '../helpers/temporal';
import { testBots, textTheReceiptBot } from '../helpers/test-bots';

/** What the fake Bandwidth does with its n-th create-message request. */
type Behaviour = (request: number) => 'accept' | 'refuse-503' | 'refuse-400' | 'hang';

describe('sending through a misbehaving Bandwidth', () => {
  let env: TestWorkflowEnvironment;
  let bundle: Awaited<ReturnType<typeof testBots>>;
  let server: http.Server;
  let url: string;
  let behaviour: Behaviour;
  let requests: number;
  let texts: string[] = [];
  let records: RecordStore;

  before(async () => {
    records = await createRecordStore({ memory: true });
    env = await createTimeSkippingEnv();
    bundle = await testBots();
    server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        requests += 1;
        const body = JSON.parse(raw) as { to: string[]; from: string; text: string };
        const json = (status: number, value: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(value));
        };
        switch (behaviour(requests)) {
          case 'accept':
            texts.push(body.text);
            return json(202, {
              id: `1718900000000${String(requests).padStart(16, '0')}`,
              segmentCount: 1,
              time: new Date().toISOString(),
              ...body,
            });
          case 'refuse-503':
            return json(503, { type: 'service-unavailable', description: 'try later' });
          case 'refuse-400':
            return json(400, { type: 'request-validation', description: 'Your request could not be accepted' });
          case 'hang':
            return; // takes the request and never answers
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await records?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await env?.teardown();
  });

  async function runReceiptBot(participant: string, timeoutMs = 5_000) {
    requests = 0;
    texts = [];
    const taskQueue = uniqueTaskQueue('send');
    const activities = createActivities({
      bandwidth: createBandwidthClient({
        baseUrl: url,
        accountId: '9900000',
        auth: { kind: 'basic', username: 'u', password: 'p' },
        timeoutMs,
      }),
      applicationId: 'app',
      records, // where the bot's wait for its receipt is watched (none come: the test sends no callbacks)
    });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      activities,
      ...bundle,
    });
    return worker.runUntil(async () => {
      const handle = await textTheReceiptBot(env.client, {
        taskQueue,
        ourNumber: '+19195550100',
        participant,
        messageId: `m-${participant}`,
      });
      await handle.result();
      return handle.query(transcriptQuery);
    });
  }

  it('retries a 503 (Bandwidth sent nothing) and sends exactly once', async () => {
    behaviour = (n) => (n <= 2 ? 'refuse-503' : 'accept');
    const transcript = await runReceiptBot('+19195558001');
    assert.equal(requests, 4, 'two refusals, the question accepted, then the bot report');
    assert.deepEqual(texts, ['Hello?', 'result timed-out']);
    assert.equal(transcript[1]?.status, 'accepted');
  });

  it('does not retry a timeout after the request left: the outcome is unknown, and the bot is told', async () => {
    behaviour = (n) => (n === 1 ? 'hang' : 'accept');
    const transcript = await runReceiptBot('+19195558002', 300);
    assert.equal(requests, 2, 'the question once (a retry could have sent it twice), then the bot report');
    assert.equal(transcript[1]?.status, 'send-failed');
    assert.deepEqual(texts, ['failed 0 send-outcome-unknown send-outcome-unknown accepted=false']);
  });

  it('does not retry a 400: the request itself is wrong', async () => {
    behaviour = (n) => (n === 1 ? 'refuse-400' : 'accept');
    const transcript = await runReceiptBot('+19195558003');
    assert.equal(requests, 2, 'the question once, then the bot report');
    assert.equal(transcript[1]?.status, 'send-failed');
    assert.deepEqual(texts, ['failed 0 rejected rejected accepted=false']);
  });
});
