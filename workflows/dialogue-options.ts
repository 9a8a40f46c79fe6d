/**
 * Options and results of the dialogue helpers (`waitForReply`, `ask`, `choose`, `collectReplies`, `sendMedia`).
 */
import type { Duration } from '@temporalio/common';
import type { SendOptions } from './bot-options';
import type { DeliveryFailed, DeliveryResult, DeliveryTimedOut } from './delivery';
import type { InboundMessage } from './messages';
import type { SentMessage } from './sent-message';

/**
 * Options of {@link Conversation.sendMedia}: how long to wait for the MMS receipt, and the SMS sent instead.
 * @example
 * await chat.sendMedia(
 *   { text: 'Your photos', media: ['https://cdn.example.com/1.jpg'] },
 *   { receiptTimeout: '10 minutes', fallbackText: (text, links) => `${text}: ${links.join(' ')}` },
 * );
 */
export interface SendMediaOptions extends SendOptions {
  /** How long to wait for the MMS's receipt before sending the SMS instead; default {@link DEFAULT_MMS_RECEIPT_TIMEOUT}. */
  receiptTimeout?: Duration;
  /** The SMS sent instead of the MMS; default: the text, then one link per media item on its own line. */
  fallbackText?: (text: string, links: string[]) => string;
}

/**
 * What {@link Conversation.sendMedia} did.
 * @example
 * const result: MediaSendResult = await chat.sendMedia({ text: 'Your receipt', media: ['https://example.com/r.png'] });
 * if (result.via === 'sms') await chat.say(`(sent as a link: ${result.reason.status})`);
 */
export type MediaSendResult =
  /** The MMS went out; `receipt` is its delivery result (a failure that no SMS would fix, such as an opt-out). */
  | { via: 'mms'; message: SentMessage; receipt: DeliveryResult }
  /** The MMS could not be delivered as MMS (or no receipt came in time), so the links went out by SMS. */
  | {
      via: 'sms';
      message: SentMessage;
      mms: SentMessage;
      reason: DeliveryFailed | DeliveryTimedOut;
      links: string[];
    };

/**
 * Options of {@link Conversation.collectReplies}: how many must reply, whose replies count, and for how long.
 * @example
 * const votes = await chat.collectReplies({ count: 2, from: chat.participants.slice(0, 3), timeout: '2 hours' });
 */
export interface CollectOptions {
  /** How many different participants must reply. */
  count: number;
  /** Whose replies count; default every participant. */
  from?: readonly string[];
  /** How long to wait for all of them, in total; default {@link DEFAULT_REPLY_TIMEOUT}. */
  timeout?: Duration;
}

/**
 * The result of {@link Conversation.collectReplies}.
 * @example
 * const votes: CollectedReplies = await chat.collectReplies({ count: 2, timeout: '1 day' });
 * if (votes.complete) await chat.say(`${votes.replies.length} of you are in!`);
 */
export interface CollectedReplies {
  /** True when `count` participants replied in time. */
  complete: boolean;
  /** The first reply of each participant who replied, in the order they came. */
  replies: InboundMessage[];
  /** Who has not replied. */
  waitingOn: string[];
}

/**
 * Options of {@link Conversation.waitForReply}: how long to wait, and whose message counts.
 * @example
 * const answer = await chat.waitForReply({ timeout: '15 minutes', from: '+19195550123' });
 */
export interface WaitOptions {
  /** How long to wait; default {@link DEFAULT_REPLY_TIMEOUT}. */
  timeout?: Duration;
  /** Only a message from this participant counts (group conversations). */
  from?: string;
}

/**
 * Options of {@link Conversation.ask}: a reply timeout, whose reply counts, and when the timeout starts.
 * @example
 * const name = await chat.ask('What is your name?', { timeout: '1 hour', timerStartsOn: 'delivery' });
 */
export interface AskOptions extends WaitOptions, SendOptions {
  /**
   * When the reply timeout starts: `'send'` (default) when Bandwidth accepts the question; `'delivery'` when its
   * delivered callback arrives, so a slow carrier does not eat into the time the person has to answer.
   */
  timerStartsOn?: 'send' | 'delivery';
}

/**
 * Options of {@link Conversation.choose}: the prompt, the re-prompt, and how many answers to read.
 * @example
 * const size = await chat.choose(['small', 'large'], {
 *   prompt: 'Small or large?',
 *   retryPrompt: 'Sorry, small or large?',
 *   maxAttempts: 2,
 *   timeout: '15 minutes',
 * });
 */
export interface ChooseOptions extends AskOptions {
  /** Sent first, if given. */
  prompt?: string;
  /** Sent after an answer that is not one of the options; default "Please reply with one of: ...". */
  retryPrompt?: string;
  /** How many answers to read before giving up with `null`; default 3. */
  maxAttempts?: number;
}
