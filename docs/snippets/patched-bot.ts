import { patched } from '@temporalio/workflow';
import { defineBot } from '../../workflows/conversation';

/** Version 2 of a bot that used to say only "Thanks!": new conversations also get a link to the receipt. */
export const thanksBot = defineBot(async (chat) => {
  await chat.waitForReply({ timeout: '1 day' });
  if (patched('thanks-with-receipt-link')) {
    await chat.say('Thanks! Your receipt: https://example.com/r');
  } else {
    await chat.say('Thanks!'); // conversations that started on version 1 replay this branch
  }
});
