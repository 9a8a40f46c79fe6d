/**
 * Bots that exist only to prove the runtime's primitives, plus every real bot. Tests bundle this file instead of
 * workflows/index.ts.
 */
import type { Duration } from '@temporalio/common';
import {
  defineBot,
  isSegmentBudgetExceeded,
  type DeliveryResult,
  type SendWindow,
  type WaitEvent,
} from '../../workflows/conversation';

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
        await chat.say(
          `receipt: ${first.value.status}${first.value.status === 'failed' ? ` ${first.value.category}` : ''}`,
        );
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

/** Reads a text's media only after `params.days` days (default 3), and says what the copy gave it. */
export const mediaReportBot = defineBot<{ days?: number }>(async (chat) => {
  const message = chat.firstMessage ?? (await chat.waitForReply());
  if (!message) return;
  if (chat.params?.days) await chat.race({ later: chat.events.timer(`${chat.params.days} days`) });
  const copy = await chat.media(message, { timeout: '2 days' });
  if (copy.status === 'failed') await chat.say(`media failed: ${copy.reason}`);
  else
    await chat.say(`media ${copy.status}: ${copy.items.map((i) => `${i.id} ${i.contentType} ${i.size}`).join(', ')}`);
});

/** Sends one message to the whole group and reports each recipient's receipt. */
export const groupReceiptsBot = defineBot(async (chat) => {
  const sent = await chat.say('Hello, group!');
  const report = await sent.deliveredToAll({ timeout: '1 hour' });
  await chat.say(
    `delivered ${report.delivered.join(',') || '-'}; failed ${report.failed.map((f) => `${f.recipient}:${f.errorCode}:${f.category}`).join(',') || '-'}; invalid ${report.invalid.join(',') || '-'}; timed out ${report.timedOut.join(',') || '-'}`,
  );
});

/** Waits for a reply from one participant of a group, ignoring the others. */
export const fromBot = defineBot<{ from: string }>(async (chat) => {
  const reply = await chat.waitForReply({ from: chat.params!.from, timeout: '1 hour' });
  await chat.say(reply ? `${reply.from} said ${reply.text}` : 'nobody');
  const other = await chat.waitForReply({ timeout: '1 minute' });
  await chat.say(other ? `then ${other.from} said ${other.text}` : 'nothing else');
});

/** Echoes each text of a group once: shows how many inbound messages the bot sees. */
export const groupEchoBot = defineBot(async (chat) => {
  let message = chat.firstMessage;
  for (let i = 0; i < 3; i++) {
    message ??= await chat.waitForReply({ timeout: '1 hour' });
    if (!message) return;
    await chat.say(`heard ${message.from}: ${message.text}`);
    message = null;
  }
});

/** Stays when its contact opts out: tries once more (refused without a send), then waits for them to come back. */
export const stayOnOptOutBot = defineBot(
  async (chat) => {
    await chat.say('Hi! Text me anything.');
    const first = await chat.waitForReply({ timeout: '1 day' });
    if (first !== null) return;
    await chat.say(`Still there? (${chat.optedOut.join(', ')} opted out)`);
    const back = await chat.race({ reply: chat.events.reply(), later: chat.events.timer('1 day') });
    if (back.event === 'reply') await chat.say(`Welcome back: ${back.value.text}`);
  },
  { onOptOut: 'stay' },
);

/** Says one thing to the whole group, then reports to the group (if it can) how that went. */
export const groupAnnounceBot = defineBot(async (chat) => {
  const sent = await chat.say('Dinner at 7?');
  const receipt = await sent.delivered({ timeout: '1 hour' });
  if (receipt.status === 'failed') await chat.say(`blocked by ${receipt.blockedBy?.join(', ') ?? 'nobody'}`);
});

/** Answers the first text at once, then nudges after 30 minutes of silence: a reply, then a proactive message. */
export const nudgeBot = defineBot(async (chat) => {
  const first = chat.firstMessage ?? (await chat.waitForReply());
  if (!first) return;
  await chat.say(`Got it: ${first.text}`);
  const next = await chat.waitForReply({ timeout: '30 minutes' });
  await chat.say(next ? `And: ${next.text}` : 'Still there?');
});

/**
 * Started proactively without an opening: sends one notice, with the send window of `params.sendWindow` (default:
 * the bot's), after setting the first participant's time zone to `params.zone` if given.
 */
export const noticeBot = defineBot<{ sendWindow?: SendWindow; zone?: string }>(async (chat) => {
  if (chat.params?.zone) chat.setTimeZone(chat.participants[0]!, chat.params.zone);
  const sendWindow = chat.params?.sendWindow;
  await chat.say('Notice', sendWindow ? { sendWindow } : {});
});

/** Texts only in the evening: its own send window, 18:00 to 22:00, replaces the default. */
export const eveningBot = defineBot(
  async (chat) => {
    await chat.say('Good evening');
  },
  { sendWindow: { from: '18:00', to: '22:00' } },
);

/**
 * Sets the first participant's time zone to `params.zone`, continues as new at once (start it with
 * `maxHistoryEvents: 1`), then after `params.wait` sends a reminder: the zone must have crossed to the new run.
 */
export const movedZoneBot = defineBot<{ zone: string; wait: Duration }, { moved: true }>(async (chat) => {
  if (!chat.resumed) {
    chat.setTimeZone(chat.participants[0]!, chat.params!.zone);
    await chat.checkpoint({ moved: true });
  }
  await chat.race({ later: chat.events.timer(chat.params!.wait) });
  await chat.say('Reminder');
});

/** A text that needs UCS-2 (curly apostrophes) and takes two segments: 104 UTF-16 units, 67 a part. */
export const WORDY_TEXT = `${'It’s '.repeat(20)}done`;

/**
 * Answers with {@link WORDY_TEXT} under a budget that only warns, waits for a reply, then says goodbye; with
 * `params.checkpoint`, continues as new before waiting.
 */
export const wordyBot = defineBot<{ checkpoint?: boolean }, { said: true }>(
  async (chat) => {
    if (!chat.resumed) {
      await chat.say(WORDY_TEXT);
      if (chat.params?.checkpoint) await chat.checkpoint({ said: true });
    }
    await chat.waitForReply({ timeout: '1 hour' });
    await chat.say('Bye!');
  },
  { segmentBudget: { perMessage: 1, encoding: 'gsm7-only', onExceed: 'warn' } },
);

/**
 * Tries {@link WORDY_TEXT} under a budget that refuses it; catches the refusal and sends a short text instead, unless
 * `params.letItFail`.
 */
export const terseBot = defineBot<{ letItFail?: boolean }>(
  async (chat) => {
    try {
      await chat.say(WORDY_TEXT);
    } catch (err) {
      if (!isSegmentBudgetExceeded(err) || chat.params?.letItFail) throw err;
      await chat.say('Done.');
    }
  },
  { segmentBudget: { perMessage: 1, encoding: 'gsm7-only', onExceed: 'refuse' } },
);
