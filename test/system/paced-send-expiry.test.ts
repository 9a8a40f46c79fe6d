/**
 * A paced send whose pace token never comes (its rate's queue is not served for a day) fails as `expired`: the send
 * itself was never scheduled, so nothing was sent, and the bot is told so rather than "outcome unknown". The bot's
 * report, not held to a rate, goes out. The day passes on the time-skipping test server, which does not skip past an
 * activity task nobody polls: `env.sleep` walks it forward, about 90 seconds here, hence the system tier.
 */
import { describe, it } from 'node:test';
import { assertExpiredAndReported, OUR_NUMBER, unservedPacedConversation } from '../pacing/helpers';

describe('a paced send whose token never comes', () => {
  it('fails as expired after a day, and the bot can say so', async () => {
    assertExpiredAndReported(
      await unservedPacedConversation({
        // Held to two rates: the account's token comes first, and never comes.
        limits: (taskQueue) => [
          { key: OUR_NUMBER, taskQueue: `${taskQueue}.send.${OUR_NUMBER}`, unit: 'message' },
          { key: 'account', taskQueue: `${taskQueue}.send.account`, unit: 'message' },
        ],
        participant: '+19195557002',
        hours: 25,
      }),
    );
  });
});
