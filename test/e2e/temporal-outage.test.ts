/**
 * Temporal goes away in the middle of conversations and comes back: the webhook server answers the emulator's
 * callbacks with 503 while it is down (recording them), the emulator retries as Bandwidth does, and once Temporal is
 * back every message is processed exactly once: each handset gets each reply once, and each message is recorded once.
 *
 * This test runs its own dev server on a SQLite file, stops it, and starts it again on the same port and file.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../config/env';
import { startStack, type Stack } from '../../stack';
import { freePort, startDevServer, type DevServer } from '../../toolchain/temporal';
import { conversationId } from '../../workflows/ids';
import { eventually } from '../helpers/eventually';
import { uniqueTaskQueue, workflowSource } from '../helpers/temporal';
import { handsetInbox, handsetText } from '../helpers/handsets';

const OUR = '+19195550100';
const QUESTION = "Hi! I'm the Threadline greeter. What's your name?";

describe('Temporal stopped mid-stream', () => {
  let dev: DevServer;
  let stack: Stack;
  let port: number;
  let dbFile: string;
  const cli = process.env.TEMPORAL_CLI;

  const startTemporal = () =>
    startDevServer({ cli: cli!, port, uiPort: null, dbFile, synchronous: 'OFF', log: () => undefined });

  before(async () => {
    assert.ok(cli, 'TEMPORAL_CLI is set by npm test');
    const dataDir = fs.mkdtempSync(path.join(process.env.THREADLINE_TEST_TMP ?? '/tmp', 'outage-'));
    port = await freePort();
    dbFile = path.join(dataDir, 'temporal.sqlite');
    dev = await startTemporal();
    const config = loadConfig({
      TEMPORAL_ADDRESS: dev.address,
      TEMPORAL_TASK_QUEUE: uniqueTaskQueue('outage'),
      THREADLINE_DATA_DIR: dataDir,
      PORT: '0',
      EMULATOR_PORT: '0',
      EMULATOR_TIME_SCALE: '10',
      LOG_LEVEL: 'silent',
    });
    stack = await startStack({
      config,
      persistEmulator: false,
      workflowBundle: workflowSource().workflowBundle,
      server: { handOffTimeoutMs: 300 },
    });
    // Retry a refused callback every 2 emulated seconds (200 ms here) rather than Bandwidth's undocumented back-off.
    const patched = await fetch(`${stack.emulatorUrl}/emulator/settings`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ callbacks: { retryScheduleSeconds: [2] } }),
    });
    assert.equal(patched.status, 200);
  });
  after(async () => {
    await stack?.stop();
    await dev?.stop();
  });

  const text = (from: string, body: string) => handsetText(stack.emulatorUrl!, from, OUR, body);
  const replies = async (phone: string) => (await handsetInbox(stack.emulatorUrl!, phone)).map((m) => m.text);

  async function refusedCallbacks(): Promise<number> {
    const text = await (await fetch(`${stack.serverUrl}/metrics`)).text();
    return Number(/threadline_callback_requests_total\{status="503"\} (\d+)/.exec(text)?.[1] ?? 0);
  }

  it('answers 503 while Temporal is down, then processes every message exactly once after it returns', async () => {
    const [ada, bo, cy] = ['+19195550301', '+19195550302', '+19195550303'];
    const sent: string[] = [await text(ada, 'hi')];
    await eventually(async () => assert.deepEqual(await replies(ada), [QUESTION]));

    await dev.stop();
    assert.equal((await fetch(`${stack.serverUrl}/readyz`)).status, 503);
    sent.push(await text(ada, 'Ada'), await text(bo, 'hi'), await text(cy, 'hi'));
    await eventually(async () => assert.ok((await refusedCallbacks()) >= 3, 'the callbacks were refused'), {
      timeoutMs: 15_000,
    });
    // Refused, but recorded: what Bandwidth has told us is never only in flight.
    for (const id of sent.slice(1)) {
      await eventually(async () => assert.equal((await stack.records.search({ messageId: id })).records.length, 1));
    }

    dev = await startTemporal();
    await eventually(
      async () => {
        assert.deepEqual(await replies(ada), [QUESTION, 'Nice to meet you, Ada!']);
        assert.deepEqual(await replies(bo), [QUESTION]);
        assert.deepEqual(await replies(cy), [QUESTION]);
      },
      { timeoutMs: 45_000, intervalMs: 200 },
    );
    assert.equal((await fetch(`${stack.serverUrl}/readyz`)).status, 200);

    // Everything has settled once the emulator has no callback left to deliver and each conversation's transcript
    // is complete; then nothing was answered twice and nothing was recorded twice.
    await eventually(
      async () => {
        const pending = (await (
          await fetch(`${stack.emulatorUrl}/emulator/callbacks?state=pending`)
        ).json()) as unknown[];
        assert.equal(pending.length, 0);
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const ended: unknown = await stack.client.workflow
      .getHandle(conversationId({ ourNumber: OUR, participants: [ada] }))
      .result();
    assert.deepEqual(ended, { ended: 'bot-finished', messages: 4 });
    for (const phone of [bo, cy]) {
      const transcript = await stack.client.workflow
        .getHandle(conversationId({ ourNumber: OUR, participants: [phone] }))
        .query('transcript');
      assert.deepEqual(
        (transcript as { direction: string; text: string }[]).map((m) => [m.direction, m.text]),
        [
          ['in', 'hi'],
          ['out', QUESTION],
        ],
      );
    }
    assert.deepEqual(await replies(ada), [QUESTION, 'Nice to meet you, Ada!']);
    assert.deepEqual(await replies(bo), [QUESTION]);
    assert.deepEqual(await replies(cy), [QUESTION]);
    for (const id of sent) assert.equal((await stack.records.search({ messageId: id })).records.length, 1);
    const outbound = await stack.records.search({ kind: 'outbound' });
    assert.equal(outbound.records.length, 4, 'four replies sent, each recorded once');
  });
});
