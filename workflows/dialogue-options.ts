/**
 * Options and results of the dialogue helpers (`waitForReply`, `ask`, `choose`, `collectReplies`, `sendMedia`).
 */
import type { Duration } from '@temporalio/common';
import type { DeliveryFailed, DeliveryResult, DeliveryTimedOut } from './delivery';
import type { InboundMessage } from './messages';
import type { SentMessage } from './sent-message';

export interface SendMediaOptions {
  /** How long to wait for the MMS's receipt before sending the SMS instead; default {@link DEFAULT_MMS_RECEIPT_TIMEOUT}. */
  receiptTimeout?: Duration;
  /** The SMS sent instead of the MMS; default: the text, then one link per media item on its own line. */
  fallbackText?: (text: string, links: string[]) => string;
}

/** What {@link Conversation.sendMedia} did. */
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

export interface CollectOptions {
  /** How many different participants must reply. */
  count: number;
  /** Whose replies count; default every participant. */
  from?: readonly string[];
  /** How long to wait for all of them, in total; default {@link DEFAULT_REPLY_TIMEOUT}. */
  timeout?: Duration;
}

/** The result of {@link Conversation.collectReplies}. */
export interface CollectedReplies {
  /** True when `count` participants replied in time. */
  complete: boolean;
  /** The first reply of each participant who replied, in the order they came. */
  replies: InboundMessage[];
  /** Who has not replied. */
  waitingOn: string[];
}

export interface WaitOptions {
  /** How long to wait; default {@link DEFAULT_REPLY_TIMEOUT}. */
  timeout?: Duration;
  /** Only a message from this participant counts (group conversations). */
  from?: string;
}

export interface AskOptions extends WaitOptions {
  /**
   * When the reply timeout starts: `'send'` (default) when Bandwidth accepts the question; `'delivery'` when its
   * delivered callback arrives, so a slow carrier does not eat into the time the person has to answer.
   */
  timerStartsOn?: 'send' | 'delivery';
}

export interface ChooseOptions extends AskOptions {
  /** Sent first, if given. */
  prompt?: string;
  /** Sent after an answer that is not one of the options; default "Please reply with one of: ...". */
  retryPrompt?: string;
  /** How many answers to read before giving up with `null`; default 3. */
  maxAttempts?: number;
}
