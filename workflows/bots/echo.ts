import { defineBot } from '../conversation';

/**
 * Repeats every text back with a running count, for as long as the other side keeps texting (30 days of silence
 * end it). The smallest example of an unbounded conversation: it checkpoints its count at the top of every turn, so
 * it continues as new whenever its history grows large and can run for years.
 */
export const echoBot = defineBot<unknown, { count: number }>(async (chat) => {
  let state = chat.resumed ?? { count: 0 };
  let message = chat.resumed ? null : chat.firstMessage;
  for (;;) {
    await chat.checkpoint(state);
    message ??= await chat.waitForReply({ timeout: '30 days' });
    if (message === null) return;
    state = { count: state.count + 1 };
    await chat.say(`#${state.count}: ${message.text}`);
    message = null;
  }
});
