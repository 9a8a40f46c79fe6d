/**
 * A rate counted in segments, and a send held to two rates: a two-segment text from a number rated in segments per
 * second, in a campaign rated too, pays one token on its number's queue and two on the campaign's before it is sent
 * on its number's queue.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SendRates } from '../../pacing/send-rates';
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

const OUR = '+19195550181';
const TWO_SEGMENTS = `Your results are ready. ${'Please call us to book a follow-up appointment. '.repeat(3)}`;

describe('a two-segment text on a number rated in segments, in a rated campaign', () => {
  const taskQueue = uniqueTaskQueue('pacing-segments');
  const log = sendLog();
  const rates: SendRates = {
    numbers: { [OUR]: { unit: 'segment', perSecond: 4 } },
    campaigns: { CSEG181: { unit: 'segment', perSecond: 10, numbers: [OUR] } },
    account: null,
  };
  let temporal: Awaited<ReturnType<typeof connectToDevServer>>;
  let workers: PacedWorkerProcess;

  before(async () => {
    temporal = await connectToDevServer();
    workers = await startPacedWorkers({
      address: temporal.address,
      taskQueue,
      rates,
      bandwidth: recording(acceptingBandwidth(), log),
    });
  });
  after(async () => {
    await workers?.stop();
    await temporal?.close();
  });

  it('pays a token per further segment on each rate’s queue, then is sent on its number’s', async () => {
    assert.ok(TWO_SEGMENTS.length > 160 && TWO_SEGMENTS.length <= 306, 'the text is two GSM-7 segments');
    const id = await startProactive(temporal.client, {
      taskQueue,
      bot: 'echoBot',
      ourNumber: OUR,
      to: '+19845590001',
      text: TWO_SEGMENTS,
    });
    await eventually(() => assert.equal(log.accepted.length, 1), { timeoutMs: 30_000, intervalMs: 100 });

    const history = await temporal.client.workflow.getHandle(id).fetchHistory();
    const scheduled = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes)
      .filter((a) => a != null)
      .map((a) => `${a.activityType?.name} on ${a.taskQueue?.name?.slice(taskQueue.length)}`);
    assert.equal(scheduled.at(-1), `sendMessage on .send.${OUR}`, 'the tokens come first');
    assert.deepEqual(scheduled.sort(), [
      'paceToken on .send.+19195550181',
      'paceToken on .send.campaign:CSEG181',
      'paceToken on .send.campaign:CSEG181',
      'sendMessage on .send.+19195550181',
    ]);
  });
});
