/**
 * A paced send whose first attempt starts after its deadline (`notAfter`, a day after the conversation began to send
 * it) sends nothing and fails `SendExpired`, which the bot sees as `expired`, not "outcome unknown". A later attempt
 * follows one that may have reached Bandwidth, so it carries on as any retry does. The token side, end to end through
 * a conversation: test/system/paced-send-expiry.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities, type SendMessageInput } from '../../activities';
import { createRecordStore, type RecordStore } from '../../records';
import { SendFailureType } from '../../workflows/activity-failures';
import { acceptingBandwidth, recording, sendLog } from './helpers';

const OUR = '+19195550100';

function pacedInput(notAfter: string): SendMessageInput {
  return { from: OUR, to: ['+19195557001'], text: 'Your table is ready', tag: 't', paced: true, notAfter };
}

describe('a paced send past its day', () => {
  let records: RecordStore;
  before(async () => {
    records = await createRecordStore({ memory: true });
  });
  after(async () => {
    await records.close();
  });

  /** Runs the send activity as attempt `attempt` of a paced send due by `notAfter`; what Bandwidth accepted is in `log`. */
  function sendPaced(attempt: number, notAfter: string) {
    const log = sendLog();
    const activities = createActivities({
      bandwidth: recording(acceptingBandwidth(), log),
      applicationId: 'app',
      records,
    });
    const sent = new MockActivityEnvironment({ attempt }).run(
      (input: SendMessageInput) => activities.sendMessage(input),
      pacedInput(notAfter),
    );
    return { log, sent };
  }

  it('sends nothing when its first attempt starts after the deadline, and fails SendExpired', async () => {
    const { log, sent } = sendPaced(1, new Date(Date.now() - 1000).toISOString());
    const failure = await sent.then(
      () => assert.fail('a late first attempt must not send'),
      (err: unknown) => err,
    );
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, SendFailureType.Expired);
    assert.equal(failure.nonRetryable, true);
    assert.deepEqual(log.accepted, [], 'Bandwidth was never asked');
  });

  it('goes on as any retry does when an earlier attempt was made: that one may have reached Bandwidth', async () => {
    const { log, sent } = sendPaced(2, new Date(Date.now() - 1000).toISOString());
    await sent;
    assert.equal(log.accepted.length, 1);
  });

  it('sends as usual before the deadline', async () => {
    const { log, sent } = sendPaced(1, new Date(Date.now() + 60_000).toISOString());
    await sent;
    assert.equal(log.accepted.length, 1);
  });
});
