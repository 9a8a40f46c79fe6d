/**
 * Replies go before proactive sends, at a small scale: a number rated 2 messages per second has a backlog of sixteen
 * reminders waiting in Temporal when one of the people reminded texts back. The answer to that text is sent before the
 * reminders still waiting, not after all of them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inboundMessage } from '../../kit';
import { inboundMessageSignal } from '../../workflows/messages';
import { eventually } from '../helpers/eventually';
import { connectToDevServer, uniqueTaskQueue } from '../helpers/temporal';
import {
  acceptingBandwidth,
  recording,
  sendLog,
  startPacedWorkers,
  startProactive,
  type PacedWorkerProcess,
} from './helpers';

const OUR = '+19195550161';
const REMINDERS = 16;
const handset = (i: number) => `+1984557${String(1000 + i)}`;

describe('a reply on a number with a backlog of proactive sends', () => {
  const taskQueue = uniqueTaskQueue('pacing-priority');
  const log = sendLog();
  let temporal: Awaited<ReturnType<typeof connectToDevServer>>;
  let workers: PacedWorkerProcess;

  before(async () => {
    temporal = await connectToDevServer();
    workers = await startPacedWorkers({
      address: temporal.address,
      taskQueue,
      rates: { numbers: { [OUR]: { unit: 'message', perSecond: 2 } }, campaigns: {}, account: null },
      bandwidth: recording(acceptingBandwidth(), log),
    });
  });
  after(async () => {
    await workers?.stop();
    await temporal?.close();
  });

  it('is sent before the reminders still waiting', async () => {
    const ids = await Promise.all(
      Array.from({ length: REMINDERS }, (_, i) =>
        startProactive(temporal.client, {
          taskQueue,
          bot: 'echoBot',
          ourNumber: OUR,
          to: handset(i),
          text: `Reminder ${i}: your appointment is tomorrow.`,
        }),
      ),
    );
    // The first reminder is out; its recipient answers while the others wait their turn.
    const first = await eventually(() => {
      assert.ok(log.accepted.length > 0, 'a reminder went out');
      return log.accepted[0]!;
    });
    const who = handset(Number(/^Reminder (\d+)/.exec(first.text)![1]));
    await temporal.client.workflow
      .getHandle(ids[handsets().indexOf(who)]!)
      .signal(inboundMessageSignal, inboundMessage({ from: who, to: [OUR], text: 'Can I move it to 3pm?' }));

    await eventually(() => assert.equal(log.accepted.length, REMINDERS + 1), { timeoutMs: 60_000, intervalMs: 200 });
    const reply = log.accepted.findIndex((s) => s.text === '#1: Can I move it to 3pm?');
    const remindersAfter = log.accepted.slice(reply + 1).length;
    assert.equal(log.refused, 0);
    assert.ok(
      remindersAfter >= REMINDERS / 2,
      `the reply went out with ${remindersAfter} of ${REMINDERS} reminders still waiting (order: ${log.accepted
        .map((s) => s.text.slice(0, 11))
        .join(', ')})`,
    );
  });
});

function handsets(): string[] {
  return Array.from({ length: REMINDERS }, (_, i) => handset(i));
}
