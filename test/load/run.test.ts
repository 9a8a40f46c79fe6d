/**
 * The load-test tool against a real stack (a dev server, the webhook server, a worker and the embedded emulator, as
 * `npm start` runs them): `threadline load` runs the greeter dialogue on three handsets and reports every
 * conversation, its latencies, segments and cost; a delivery failure injected through the emulator's admin API and a
 * reply that is not the expected one are counted by code and reason.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fromMicros } from '../../billing/amounts';
import { messageCostMicros, PriceTableSchema } from '../../billing/price-table';
import { load } from '../../cli/load';
import { DEFAULT_APPLICATION_ID } from '../../config/env';
import { newParticipant } from '../../load/callback-load';
import type { LoadReport } from '../../load/report';
import { runLoad } from '../../load/runner';
import { parseLoadScript } from '../../load/script';
import { type Stack } from '../../stack';
import { startTestStack } from '../helpers/stack';

const OUR = '+19195550100';
const QUESTION = "Hi! I'm the Threadline greeter. What's your name?";
const ROOT = path.resolve(__dirname, '../..');

describe('threadline load, against a stack with the greeter bot', () => {
  let stack: Stack;
  let dir: string;

  before(async () => {
    ({ stack, dataDir: dir } = await startTestStack('load'));
  });
  after(async () => {
    await stack?.stop();
  });

  it('runs the dialogue on every handset and reports conversations, latencies, segments and cost', async () => {
    const prices = {
      currency: 'EUR',
      outbound: { smsSegment: 0.01, mms: 0.02 },
      inbound: { smsSegment: 0.001, mms: 0 },
    };
    const pricesFile = path.join(dir, 'prices.json');
    fs.writeFileSync(pricesFile, JSON.stringify(prices));
    const out = path.join(dir, 'greeter-report');
    const printed: string[] = [];

    await load(
      path.join(ROOT, 'load/scripts/greeter.json'),
      {
        emulatorUrl: stack.emulatorUrl!,
        botNumber: OUR,
        handsets: '3',
        firstHandset: '2700000',
        liftRateLimit: true,
        prices: pricesFile,
        out,
      },
      (line) => printed.push(line),
    );

    const report = JSON.parse(fs.readFileSync(`${out}.json`, 'utf8')) as LoadReport;
    assert.deepEqual(report.conversations, {
      started: 3,
      completed: 3,
      failed: 0,
      perSecond: report.conversations.perSecond,
    });
    assert.ok(report.conversations.perSecond > 0);
    assert.equal(report.replyLatencyMs.n, 6, 'two replies per conversation');
    assert.ok(report.replyLatencyMs.p50 > 0 && report.replyLatencyMs.p99 >= report.replyLatencyMs.p50);
    assert.equal(report.firstReplyMs.n, 3);
    assert.equal(report.steps[1]!.expect, JSON.stringify(QUESTION));
    assert.equal(report.steps[4]!.latencyMs!.n, 3);
    assert.deepEqual(report.failures, []);

    // Segments and cost: what billing/price-table.ts charges for hi and Ada in, the question and greeting out.
    assert.deepEqual(report.messages, {
      inbound: { messages: 6, segments: 6 },
      outbound: { messages: 6, segments: 6, byStatus: { DELIVERED: 6 } },
    });
    const table = PriceTableSchema.parse(prices);
    const inbound = 6 * messageCostMicros(table, { direction: 'in', kind: 'sms', segments: 1 });
    const outbound = 6 * messageCostMicros(table, { direction: 'out', kind: 'sms', segments: 1 });
    assert.deepEqual(
      [report.cost.currency, report.cost.priceTable, report.cost.inbound, report.cost.outbound, report.cost.total],
      ['EUR', pricesFile, fromMicros(inbound), fromMicros(outbound), fromMicros(inbound + outbound)],
    );
    assert.equal(report.cost.total, 0.066);
    assert.match(printed.join('\n'), /greeter: 3 of 3 conversations completed, 0 failed/);

    // The HTML report stands alone: its charts are inline SVG, nothing is fetched from elsewhere.
    const html = fs.readFileSync(`${out}.html`, 'utf8');
    assert.equal(html.match(/<svg /g)?.length, 4);
    for (const title of [
      'Conversations ended, per second',
      'Reply latency, ms',
      'Failures by reason',
      'SMS segments',
    ]) {
      assert.ok(html.includes(title), title);
    }
    assert.doesNotMatch(html, /(src|href)="https?:/);
  });

  it('counts a delivery failure injected through the emulator by its error code and name', async () => {
    const [failing, fine] = [newParticipant(2_700_100), newParticipant(2_700_101)];
    const behavior = await fetch(`${stack.emulatorUrl}/emulator/behaviors/${encodeURIComponent(failing)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ failWith: 4720 }),
    });
    assert.equal(behavior.status, 200, await behavior.text());

    const report = await runLoad({
      emulatorUrl: stack.emulatorUrl!,
      botNumber: OUR,
      script: parseLoadScript({ name: 'first reply', steps: [{ send: 'hi' }, { expect: 'any', timeout: '30s' }] }),
      handsets: 2,
      firstHandset: 2_700_100,
      settleMs: 30_000,
    });

    assert.equal(report.conversations.completed, 1);
    assert.equal(report.conversations.failed, 1);
    assert.deepEqual(
      report.failures.map((f) => [f.reason, f.code, f.name, f.count, f.examples[0]!.handset]),
      [['delivery-failed', 4720, 'invalid-destination-address', 1, failing]],
    );
    assert.ok((report.messages.outbound.byStatus.FAILED ?? 0) >= 1);
    assert.equal(report.messages.outbound.byStatus.DELIVERED, 1, `${fine} got its reply`);
  });

  it('posts the texts straight to the webhook server as callbacks, as the capacity benchmark does', async () => {
    const report = await runLoad({
      emulatorUrl: stack.emulatorUrl!,
      botNumber: OUR,
      script: parseLoadScript({ steps: [{ send: 'hi' }, { expect: { text: QUESTION } }] }),
      handsets: 4,
      concurrency: 4,
      inFlight: 2,
      firstHandset: 2_700_300,
      injection: {
        via: 'webhook',
        url: `${stack.serverUrl}/callbacks/messaging`,
        applicationId: DEFAULT_APPLICATION_ID,
      },
      settleMs: 0,
    });

    assert.equal(report.conversations.completed, 4, JSON.stringify(report.failures));
    assert.equal(report.sends.count, 4);
    assert.equal(report.firstReplyMs.n, 4);
  });

  it('counts a reply that is not the expected one, with what it said', async () => {
    const report = await runLoad({
      emulatorUrl: stack.emulatorUrl!,
      botNumber: OUR,
      script: parseLoadScript({ steps: [{ send: 'hi' }, { expect: { text: 'Bonjour' }, timeout: '30s' }] }),
      handsets: 1,
      firstHandset: 2_700_200,
      settleMs: 0,
    });

    assert.deepEqual(report.conversations.started, 1);
    assert.deepEqual(report.conversations.failed, 1);
    assert.deepEqual(report.failures, [
      {
        reason: 'unexpected-reply',
        count: 1,
        examples: [{ handset: newParticipant(2_700_200), step: 1, detail: QUESTION }],
      },
    ]);
    assert.equal(report.steps[1]!.failures, 1);
  });
});
