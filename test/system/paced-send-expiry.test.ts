/**
 * A paced send whose pace token never comes (its rate's queue is not served for a day) fails as `expired`: the send
 * itself was never scheduled, so nothing was sent, and the bot is told so rather than "outcome unknown". The bot's
 * report, not held to a rate, goes out. The day passes on the time-skipping test server, which does not skip past an
 * activity task nobody polls: `env.sleep` walks it forward, about 90 seconds here, hence the system tier.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createRecordStore, type RecordStore } from '../../records';
import { inboundMessage } from '../../kit';
import { conversationId } from '../../workflows/ids';
import { inboundMessageSignal, transcriptQuery } from '../../workflows/messages';
import { createTimeSkippingEnv, uniqueTaskQueue } from '../helpers/temporal';
import { testBots } from '../helpers/test-bots';
import { acceptingBandwidth, recording, sendLog } from '../pacing/helpers';

const OUR = '+19195550100';

describe('a paced send whose token never comes', () => {
  let env: TestWorkflowEnvironment;
  let bundle: Awaited<ReturnType<typeof testBots>>;
  let records: RecordStore;
  before(async () => {
    records = await createRecordStore({ memory: true });
    env = await createTimeSkippingEnv();
    bundle = await testBots();
  });
  after(async () => {
    await records?.close();
    await env?.teardown();
  });

  it('fails as expired after a day, and the bot can say so', async () => {
    const taskQueue = uniqueTaskQueue('expiry');
    const log = sendLog();
    let rated = 1; // the first send is held to two rates whose queues nobody serves; the bot's report is not
    const activities = createActivities({
      bandwidth: recording(acceptingBandwidth(), log),
      applicationId: 'app',
      records,
      // Exactly once, as every configured worker sends: the skipped day can outlast the workflow task that sends the
      // report, and its local activity then runs again, finding the report already accepted.
      intents: records.sendIntents,
      sendLimits: () =>
        rated-- > 0
          ? [
              { key: OUR, taskQueue: `${taskQueue}.send.${OUR}`, unit: 'message' },
              { key: 'account', taskQueue: `${taskQueue}.send.account`, unit: 'message' },
            ]
          : [],
    });
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, activities, ...bundle });
    const participant = '+19195557002';
    const start = { ourNumber: OUR, participants: [participant], searchAttributes: false };
    const transcript = await worker.runUntil(async () => {
      const handle = await env.client.workflow.signalWithStart('receiptBot', {
        workflowId: conversationId(start),
        taskQueue,
        args: [start],
        signal: inboundMessageSignal,
        signalArgs: [inboundMessage({ messageId: 'm-expiry', from: participant, to: [OUR], text: 'hi' })],
      });
      await env.sleep('25 hours');
      await handle.result();
      return handle.query(transcriptQuery);
    });
    const question = transcript.find((e) => e.direction === 'out' && e.text === 'Hello?');
    assert.equal(question?.status, 'send-failed');
    assert.deepEqual(
      log.accepted.map((a) => a.text),
      ['failed 0 expired expired accepted=false'],
      'the question was never sent; the report says why',
    );
  });
});
