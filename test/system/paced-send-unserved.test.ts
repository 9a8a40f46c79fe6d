/**
 * A paced send that needs no pace token but whose own first attempt never starts (its rate's queue is not served at
 * all): the server gives up on the activity after its 25-hour window, and the conversation asks the send's intent what
 * became of it. No attempt wrote one, so nothing was sent, and the bot is told `expired` rather than "outcome unknown";
 * the intent, written `not-sent` then, stops any attempt still to come. The bot's report, not held to a rate, goes out.
 * The hours pass on the time-skipping test server, which does not skip past an activity task nobody polls: `env.sleep`
 * walks it forward, about 90 seconds here, hence the system tier (beside test/system/paced-send-expiry.test.ts, the
 * same day for a send waiting on its token).
 */
import { describe, it } from 'node:test';
import { assertExpiredAndReported, OUR_NUMBER, unservedPacedConversation } from '../pacing/helpers';

describe('a paced send whose own queue is never served', () => {
  it('fails as expired once the server gives up on it, because its send intent shows no attempt', async () => {
    assertExpiredAndReported(
      await unservedPacedConversation({
        // One rate, so no token to pay: the send itself waits on the queue, past the activity's 25-hour window.
        limits: (taskQueue) => [{ key: OUR_NUMBER, taskQueue: `${taskQueue}.send.${OUR_NUMBER}`, unit: 'message' }],
        participant: '+19195557003',
        hours: 26,
      }),
    );
  });
});
