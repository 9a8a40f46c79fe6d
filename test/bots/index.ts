/**
 * Bots that exist only to prove the runtime's primitives, plus every real bot. Tests bundle this file instead of
 * workflows/index.ts.
 */
import { defineBot, type DeliveryResult, type WaitEvent } from '../../workflows/conversation';

/** A receipt the bot has already handled: never ready again. */
const alreadySeen: WaitEvent<DeliveryResult> = {
  label: 'a receipt already handled',
  start: () => undefined,
  stop: () => undefined,
  ready: () => false,
  take: () => {
    throw new Error('never ready');
  },
};

export * from '../../workflows';

/** Races a reply, a payment, the first message's receipt and a timer, and says which came first. */
export const raceBot = defineBot(async (chat) => {
  const sent = await chat.say('Pay or reply within an hour.');
  let receiptSeen = false;
  for (let round = 0; round < 4; round++) {
    const first = await chat.race({
      reply: chat.events.reply(),
      paid: chat.events.external<{ amount: number }>('payment'),
      receipt: receiptSeen ? alreadySeen : chat.events.delivery(sent),
      timeout: chat.events.timer('1 hour'),
    });
    switch (first.event) {
      case 'reply':
        await chat.say(`reply: ${first.value.text}`);
        break;
      case 'paid':
        await chat.say(`paid: ${first.value.amount}`);
        break;
      case 'receipt':
        receiptSeen = true;
        await chat.say(`receipt: ${first.value.status}${first.value.status === 'failed' ? ` ${first.value.category}` : ''}`);
        break;
      case 'timeout':
        await chat.say('timeout');
        return;
    }
  }
});

/** Asks with the reply timer starting at delivery, and reports what happened. */
export const deliveryTimerBot = defineBot(async (chat) => {
  const answer = await chat.ask('Question?', { timeout: '10 minutes', timerStartsOn: 'delivery' });
  const receipt = chat.lastSent ? await chat.lastSent.delivered({ timeout: '1 second' }) : null;
  await chat.say(answer ? `answer: ${answer.text}` : `no answer (${receipt?.status ?? 'not sent'})`);
});

/** Sends one message and reports its delivery result, typed. */
export const receiptBot = defineBot(async (chat) => {
  const sent = await chat.say('Hello?');
  const receipt = await sent.delivered({ timeout: '1 hour' });
  if (receipt.status === 'failed') {
    await chat.say(`failed ${receipt.errorCode} ${receipt.errorName} ${receipt.category} accepted=${sent.accepted}`);
  } else {
    await chat.say(`result ${receipt.status}`);
  }
});
