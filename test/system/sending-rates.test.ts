/**
 * The sending rate holds across workers (issue 16): a burst of 500 proactive texts on a number rated 5 messages per
 * second, sent by two worker processes, goes out at the number's pace, about 100 seconds, with nothing refused by
 * Bandwidth. The emulator is set up as strictly as Bandwidth: the number and the account dequeue 5 per second and the
 * account's queue holds only 10 seconds of that, so anything sent much faster than the rate would be refused (429).
 * Halfway through, one of the people reminded texts back; the answer goes out before the backlog still waiting.
 *
 * Slow by nature: about 2 minutes, most of it the 100 seconds the rate takes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBandwidthClient } from '../../bandwidth/client';
import { createEmulator, type Emulator } from '../../emulator';
import { createMetrics } from '../../observability/metrics';
import { createMemoryRecordStore } from '../../records';
import { createApp } from '../../server/app';
import { eventually } from '../helpers/eventually';
import { connectToDevServer, uniqueTaskQueue } from '../helpers/temporal';
import { capturingLogger, serve, type Served } from '../server/helpers';
import { recording, sendLog, startPacedWorkers, startProactive, type PacedWorkerProcess } from '../pacing/helpers';

const OUR = '+19195550171';
const ACCOUNT = '9900171';
const APPLICATION = '5a1e5ca1-0000-4000-8000-000000000171';
const CREDENTIALS = { clientId: 'pacing-test', clientSecret: 'pacing-test-secret' };
const RATE = 5;
const BURST = 500;
const handset = (i: number) => `+1984558${String(1000 + i)}`;
const opening = (i: number) => `Reminder ${i}: your flu shot is due. Reply with a day that suits you.`;

describe('a burst of 500 sends on a number rated 5 per second, two workers', () => {
  const taskQueue = uniqueTaskQueue('pacing-burst');
  const records = createMemoryRecordStore();
  const log = sendLog();
  const workers: PacedWorkerProcess[] = [];
  let temporal: Awaited<ReturnType<typeof connectToDevServer>>;
  let app: Served;
  let emulator: Emulator;
  let emulatorUrl: string;

  async function emulatorAdmin(method: string, pathname: string, body: unknown): Promise<void> {
    const response = await fetch(`${emulatorUrl}/emulator${pathname}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 200, await response.text());
  }

  before(async () => {
    temporal = await connectToDevServer();
    app = await serve(
      createApp({
        temporal: temporal.client,
        taskQueue,
        routeBot: () => 'echoBot',
        records,
        metrics: createMetrics(),
        logger: capturingLogger('silent').logger,
      }),
    );
    emulator = createEmulator({
      defaults: {
        accountId: ACCOUNT,
        applicationId: APPLICATION,
        number: OUR,
        ...CREDENTIALS,
        callbackUrl: `${app.url}/callbacks/messaging`,
      },
      timeScale: 1,
    });
    emulatorUrl = (await emulator.listen(0)).url;
    // Bandwidth's limits, strictly: 5 per second for the number and the account, and a queue of 10 seconds of that.
    await emulatorAdmin('PATCH', `/accounts/${ACCOUNT}`, { limits: { messagesPerSecond: RATE, queueMinutes: 1 / 6 } });
    await emulatorAdmin('PATCH', `/numbers/${encodeURIComponent(OUR)}`, { messagesPerSecond: RATE });

    const rates = { numbers: { [OUR]: { unit: 'message' as const, perSecond: RATE } }, campaigns: {}, account: null };
    for (let i = 0; i < 2; i++) {
      const bandwidth = createBandwidthClient({
        baseUrl: `${emulatorUrl}/api/v2`,
        accountId: ACCOUNT,
        auth: { kind: 'oauth2', ...CREDENTIALS, tokenUrl: `${emulatorUrl}/api/v1/oauth2/token` },
      });
      workers.push(
        await startPacedWorkers({
          address: temporal.address,
          taskQueue,
          rates,
          bandwidth: recording(bandwidth, log),
          applicationId: APPLICATION,
          records,
        }),
      );
    }
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await emulator?.close();
    await app?.close();
    await temporal?.close();
    await records.close();
  });

  it('sends them at the number’s pace with none refused, and a reply goes out before the backlog', async (t) => {
    for (let i = 0; i < BURST; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          startProactive(temporal.client, {
            taskQueue,
            bot: 'echoBot',
            ourNumber: OUR,
            to: handset(i + j),
            text: opening(i + j),
          }),
        ),
      );
    }

    // A hundred reminders in, the first person reminded texts back.
    const first = await eventually(
      () => {
        assert.ok(log.accepted.length >= 100, `${log.accepted.length} of ${BURST} sent so far`);
        return log.accepted[0]!;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    const texted = await fetch(`${emulatorUrl}/emulator/handsets/${encodeURIComponent(first.to)}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: OUR, text: 'Thursday please' }),
    });
    assert.equal(texted.status, 202, await texted.text());
    const sentBeforeText = log.accepted.length;

    await eventually(() => assert.equal(log.accepted.length, BURST + 1, `${log.accepted.length} sent so far`), {
      timeoutMs: 240_000,
      intervalMs: 500,
    });
    assert.equal(log.refused, 0, 'Bandwidth refused none');

    const reminders = log.accepted.filter((s) => s.text.startsWith('Reminder'));
    const seconds = (reminders.at(-1)!.at - reminders[0]!.at) / 1000;
    // 500 at 5 per second is 100 s (the server's rate limiter lets about a second's worth go at once): not faster.
    assert.ok(seconds >= (0.9 * BURST) / RATE, `the burst took ${seconds} s: faster than ${RATE} per second`);

    const reply = log.accepted.findIndex((s) => s.text === '#1: Thursday please');
    assert.ok(reply >= 0, 'the reply was sent');
    const waitingBehind = log.accepted.length - 1 - reply;
    assert.ok(waitingBehind >= 200, `the reply went out with only ${waitingBehind} reminders behind it`);
    t.diagnostic(
      `${BURST} reminders in ${seconds} s; the reply went out ${reply - sentBeforeText} sends after the text, ahead of ${waitingBehind}`,
    );
  });
});
