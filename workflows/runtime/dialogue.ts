/**
 * The dialogue helpers (`waitForReply`, `ask`, `choose`, `collectReplies`, `sendMedia`, `media`), written against a
 * narrow core (`say`, `race`, the event builders), the way grammY's forms sit on `wait`: nothing here touches the
 * conversation's memory, so each helper reads as the wait it is.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { SendOptions } from '../bot-options';
import { listChoices, matchChoice, type ChoiceOptions } from '../choose';
import {
  DEFAULT_CHOOSE_ATTEMPTS,
  DEFAULT_DELIVERY_TIMEOUT,
  DEFAULT_MEDIA_COPY_TIMEOUT,
  DEFAULT_MMS_RECEIPT_TIMEOUT,
  DEFAULT_REPLY_TIMEOUT,
} from '../defaults';
import { canFallBackToSms, type DeliveryResult } from '../delivery';
import type {
  AskOptions,
  ChooseOptions,
  CollectedReplies,
  CollectOptions,
  MediaSendResult,
  SendMediaOptions,
  WaitOptions,
} from '../dialogue-options';
import type { MediaCopyResult, OutboundMedia } from '../media';
import type { InboundMessage } from '../messages';
import type { SentMessage } from '../sent-message';
import type { WaitEvent } from '../wait-event';
import type { Race } from './race';
import type { EventBuilders } from './wait-events';

/** What the dialogue helpers need from the conversation. */
export interface DialogueCore {
  readonly participants: readonly string[];
  say: (message: string | { text: string; media?: OutboundMedia[] }, options?: SendOptions) => Promise<SentMessage>;
  race: Race;
  events: Pick<EventBuilders, 'reply' | 'replyMatching' | 'delivery' | 'timer' | 'media' | 'optOut'>;
}

export function createDialogue({ participants, say, race, events }: DialogueCore) {
  async function waitForReply({ timeout = DEFAULT_REPLY_TIMEOUT, from }: WaitOptions = {}) {
    const first = await race({
      reply: events.reply({ from }),
      optedOut: events.optOut(),
      timeout: events.timer(timeout, 'reply timeout'),
    });
    return first.event === 'reply' ? first.value : null;
  }

  async function ask(question: string, options: AskOptions = {}): Promise<InboundMessage | null> {
    const sent = await say(question, { sendWindow: options.sendWindow });
    if (!sent.accepted) return null;
    const { timeout = DEFAULT_REPLY_TIMEOUT, from, timerStartsOn = 'send' } = options;
    if (timerStartsOn === 'delivery') {
      const early = await race({
        reply: events.reply({ from }),
        optedOut: events.optOut(),
        receipt: events.delivery(sent),
        noReceipt: events.timer(DEFAULT_DELIVERY_TIMEOUT, 'delivery receipt timeout'),
      });
      if (early.event === 'reply') return early.value;
      if (early.event === 'receipt' && early.value.status === 'failed') return null;
    }
    // The question's receipt is watched while waiting: if it fails, nobody is going to answer (in a group, others may).
    // Failed receipts reach the conversation unwatched: no `prepare`, so its delivered receipt is recorded only.
    const [only] = participants;
    const failed: WaitEvent<DeliveryResult> = {
      ...events.delivery(sent),
      prepare: undefined,
      label: `failure of ${sent.sendId}`,
      ready: () => participants.length === 1 && only !== undefined && sent.receipts()[only]?.status === 'failed',
    };
    const first = await race({
      reply: events.reply({ from }),
      failed,
      optedOut: events.optOut(),
      timeout: events.timer(timeout, 'reply timeout'),
    });
    return first.event === 'reply' ? first.value : null;
  }

  async function choose<T extends string>(options: ChoiceOptions<T>, settings: ChooseOptions = {}): Promise<T | null> {
    const { prompt, maxAttempts = DEFAULT_CHOOSE_ATTEMPTS } = settings;
    const retryPrompt = settings.retryPrompt ?? `Please reply with one of: ${listChoices(options)}.`;
    let question = prompt;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const answer = question === undefined ? await waitForReply(settings) : await ask(question, settings);
      if (answer === null) return null;
      const choice = matchChoice(options, answer.text);
      if (choice !== null) return choice;
      question = retryPrompt;
    }
    return null;
  }

  async function collectReplies({
    count,
    from,
    timeout = DEFAULT_REPLY_TIMEOUT,
  }: CollectOptions): Promise<CollectedReplies> {
    const pool = [...(from ?? participants)];
    if (!Number.isInteger(count) || count < 1 || count > pool.length) {
      throw ApplicationFailure.nonRetryable(
        `collectReplies: count must be between 1 and the ${pool.length} participant(s) it waits on; got ${count}`,
        'InvalidArgument',
      );
    }
    const replies: InboundMessage[] = [];
    const replied = new Set<string>();
    // One deadline for the whole collection, not one per reply: started here, so each race only reads it.
    const deadline = events.timer(timeout, `${count} of ${pool.length} replies timeout`);
    const overall: WaitEvent<void> = { ...deadline, start: () => undefined, stop: () => undefined };
    deadline.start();
    try {
      while (replied.size < count) {
        const next = await race({
          reply: events.replyMatching(
            (m) => pool.includes(m.from) && !replied.has(m.from),
            `replies from ${count - replied.size} more of ${pool.length}`,
          ),
          optedOut: events.optOut(),
          timeout: overall,
        });
        if (next.event !== 'reply') break;
        replied.add(next.value.from);
        replies.push(next.value);
      }
    } finally {
      deadline.stop();
    }
    return { complete: replied.size >= count, replies, waitingOn: pool.filter((p) => !replied.has(p)) };
  }

  async function sendMedia(
    message: { text: string; media: OutboundMedia[] },
    { receiptTimeout = DEFAULT_MMS_RECEIPT_TIMEOUT, fallbackText, sendWindow }: SendMediaOptions = {},
  ): Promise<MediaSendResult> {
    const mms = await say(message, { sendWindow });
    const receipt = await mms.delivered({ timeout: receiptTimeout });
    const fallBack =
      participants.length === 1 &&
      (receipt.status === 'timed-out' || (receipt.status === 'failed' && canFallBackToSms(receipt)));
    if (!fallBack) return { via: 'mms', message: mms, receipt };
    const links = message.media.map((item) => (typeof item === 'string' ? item : (item.link ?? item.url)));
    const text = fallbackText ? fallbackText(message.text, links) : [message.text, ...links].join('\n');
    const sms = await say(text, { sendWindow });
    return { via: 'sms', message: sms, mms, reason: receipt, links };
  }

  async function media(
    message: InboundMessage,
    { timeout = DEFAULT_MEDIA_COPY_TIMEOUT }: { timeout?: Duration } = {},
  ): Promise<MediaCopyResult> {
    const first = await race({ done: events.media(message), timeout: events.timer(timeout, 'media copy timeout') });
    return first.event === 'done' ? first.value : { status: 'pending', items: [] };
  }

  return { waitForReply, ask, choose, collectReplies, sendMedia, media };
}
