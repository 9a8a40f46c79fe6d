/**
 * A paced send that needs no pace token but whose own first attempt never starts (its rate's queue is not served at
 * all): the server gives up on the activity after its 25-hour window, and the conversation asks the send's intent what
 * became of it. No attempt wrote one, so nothing was sent, and the bot is told `expired` rather than "outcome unknown";
 * the intent, written `not-sent` then, stops any attempt still to come. The bot's report, not held to a rate, goes out.
 * The hours pass on the time-skipping test server, which does not skip past an activity task nobody polls: `env.sleep`
 * walks it forward, about 90 seconds here, hence the system tier (beside test/system/paced-send-expiry.test.ts, the
 * same day for a send waiting on its token).
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

describe('a paced send whose own queue is never served', () => {
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

  it('fails as expired once the server gives up on it, because its send intent shows no attempt', async () => {
    const taskQueue = uniqueTaskQueue('unserved');
    const log = sendLog();
    let rated = 1; // the first send is held to one rate (no token to pay) whose queue nobody serves
    const activities = createActivities({
      bandwidth: recording(acceptingBandwidth(), log),
      applicationId: 'app',
      records,
      intents: records.sendIntents,
      sendLimits: () => (rated-- > 0 ? [{ key: OUR, taskQueue: `${taskQueue}.send.${OUR}`, unit: 'message' }] : []),
    });
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, activities, ...bundle });
    const participant = '+19195557003';
    const start = { ourNumber: OUR, participants: [participant], searchAttributes: false };
    const transcript = await worker.runUntil(async () => {
      const handle = await env.client.workflow.signalWithStart('receiptBot', {
        workflowId: conversationId(start),
        taskQueue,
        args: [start],
        signal: inboundMessageSignal,
        signalArgs: [inboundMessage({ messageId: 'm-unserved', from: participant, to: [OUR], text: 'hi' })],
      });
      await env.sleep('26 hours'); // past the activity's 25-hour window
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
