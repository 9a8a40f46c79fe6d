/**
 * `Conversation`: a bot's handle on its conversation, the `chat` in `defineBot(async (chat) => ...)`. Every method is
 * documented here, where bot authors look; the runtime that implements it is in runtime/.
 */
import type { Duration } from '@temporalio/common';
import type { SendOptions } from './bot-options';
import type { ChoiceOptions } from './choose';
import type {
  AskOptions,
  ChooseOptions,
  CollectedReplies,
  CollectOptions,
  MediaSendResult,
  SendMediaOptions,
  WaitOptions,
} from './dialogue-options';
import type { DeliveryResult } from './delivery';
import type { MediaCopyResult, OutboundMedia } from './media';
import type { InboundMessage, TranscriptEntry } from './messages';
import type { SentMessage } from './sent-message';
import type { RaceResult, WaitEvent } from './wait-event';

/**
 * A bot's handle on its conversation, passed to the function given to {@link defineBot}.
 * @example
 * export const shopBot = defineBot(async (chat: Conversation) => {
 *   const size = await chat.choose(['small', 'large'], { prompt: 'Which size?' });
 *   await chat.say(size ? `One ${size} coming up.` : 'Text us any time.');
 * });
 */
export interface Conversation<P = unknown, S = unknown> {
  /** The workflow id, `sms:<our number>:<participants>`. */
  readonly id: string;
  readonly ourNumber: string;
  readonly participants: readonly string[];
  /** The `params` the conversation was started with. */
  readonly params: P | undefined;
  /** The state passed to the last `checkpoint` before the conversation continued as new; undefined on first run. */
  readonly resumed: S | undefined;
  /** The message that started the conversation, if a participant started it. */
  readonly firstMessage: InboundMessage | null;
  /**
   * Sends a text, or with `media` an MMS, to everyone in the conversation; resolves when Bandwidth has accepted it.
   * A proactive message (no participant texted within {@link REPLY_WINDOW}) first waits for the recipients' send
   * window: the bot's `sendWindow`, or `options.sendWindow` for this message ({@link SendOptions.sendWindow}).
   * @example
   * await chat.say({ text: 'Here is your receipt', media: ['https://example.com/r.png'] });
   * await chat.say('Your code is 123456', { sendWindow: 'any-time' });
   */
  say(message: string | { text: string; media?: OutboundMedia[] }, options?: SendOptions): Promise<SentMessage>;
  /**
   * Sends an MMS with one or more media items and makes sure the person gets them: when the MMS fails because the
   * handset or carrier can't take MMS (category `mms-unsupported`, a media error, or Bandwidth refusing the request),
   * or no receipt comes within `receiptTimeout` (accounts with MMS receipts off), it sends an SMS with a link for each
   * item instead (the item's `link`, default its URL). In a group (always MMS) it never falls back.
   * @example
   * const result = await chat.sendMedia({
   *   text: 'Your repair, before and after:',
   *   media: [{ url: 'https://cdn.example.com/before.jpg', link: 'https://example.com/r/1' }, 'https://cdn.example.com/after.jpg'],
   * });
   * if (result.via === 'sms') log(`fell back: ${result.reason.status}`);
   */
  sendMedia(message: { text: string; media: OutboundMedia[] }, options?: SendMediaOptions): Promise<MediaSendResult>;
  /**
   * The stored copies of an inbound message's media. The runtime copies them into the media store when the message
   * arrives (never waiting for the bot, so they outlive Bandwidth's 48 hours); this waits for that copy, up to
   * `timeout` (default 1 hour), and says if it failed after its retries.
   * @example
   * const photo = await chat.waitForReply();
   * const copy = photo ? await chat.media(photo) : null;
   * if (copy?.status === 'stored') await chat.say(`Got ${copy.items.length} file(s), thanks!`);
   */
  media(message: InboundMessage, options?: { timeout?: Duration }): Promise<MediaCopyResult>;
  /**
   * Waits until `count` different participants have replied ("2 of 3 said yes"), or `timeout` passes in total.
   * Later messages from someone who already replied stay unread for the next wait.
   * @example
   * const votes = await chat.collectReplies({ count: 2, timeout: '1 day' });
   * if (!votes.complete) await chat.say(`Still waiting on ${votes.waitingOn.join(', ')}`);
   */
  collectReplies(options: CollectOptions): Promise<CollectedReplies>;
  /**
   * The next message from a participant (or from `from`), or `null` when none arrives within `timeout`.
   * @example const reply = await chat.waitForReply({ timeout: '15 minutes' });
   */
  waitForReply(options?: WaitOptions): Promise<InboundMessage | null>;
  /**
   * Sends `question` and resolves with the answer, or `null` when none comes in time or the question could not be
   * delivered (then `chat.lastSent?.delivered()` says why).
   * @example const name = await chat.ask('What is your name?', { timeout: '1 hour', timerStartsOn: 'delivery' });
   */
  ask(question: string, options?: AskOptions): Promise<InboundMessage | null>;
  /**
   * Asks until the answer is one of `options` (by value, alias, number or unique prefix); `null` after
   * `maxAttempts` wrong answers or a timeout.
   * @example
   * const size = await chat.choose(['small', 'medium', 'large'], { prompt: 'Which size?', timeout: '15 minutes' });
   */
  choose<T extends string>(options: ChoiceOptions<T>, settings?: ChooseOptions): Promise<T | null>;
  /**
   * Waits for the first of several events, with a typed result naming which one happened.
   * @example
   * const first = await chat.race({
   *   reply: chat.events.reply(),
   *   paid: chat.events.external<{ amount: number }>('payment'),
   *   receipt: chat.events.delivery(sent),
   *   later: chat.events.timer('24 hours'),
   * });
   * if (first.event === 'paid') await chat.say(`Got ${first.value.amount}, thanks!`);
   */
  race<E extends Record<string, WaitEvent<unknown>>>(events: E): Promise<RaceResult<E>>;
  /** Builders for {@link race}. */
  readonly events: {
    /** A message from any participant, or from `from`. */
    reply(options?: { from?: string }): WaitEvent<InboundMessage>;
    /** A message's delivered or failed callback (for `recipient`, default: the first still pending). */
    delivery(message: SentMessage, options?: { recipient?: string }): WaitEvent<DeliveryResult>;
    /** An external event delivered with the `externalEvent` signal (a payment, an operator action). */
    external<T = unknown>(name: string): WaitEvent<T>;
    /** A durable timer. */
    timer(duration: Duration): WaitEvent<void>;
    /** The end (stored or failed) of the copy of an inbound message's media. */
    media(message: InboundMessage): WaitEvent<MediaCopyResult>;
    /** A participant has opted out (STOP); yields who. For bots declared with `onOptOut: 'stay'`. */
    optOut(): WaitEvent<string[]>;
  };
  /**
   * A safe point to continue as new: when the history has grown large (Temporal suggests it, or
   * `maxHistoryEvents`), the workflow continues as a new run carrying `state`, the transcript, unread messages,
   * pending receipts and the deduplication windows; the bot function then starts again with `chat.resumed === state`.
   * Call it at the top of a bot's main loop.
   */
  checkpoint(state: S): Promise<void>;
  /**
   * The participants who have opted out (STOP) during this conversation. With `onOptOut: 'stay'` the bot keeps
   * running: its reply waits (`waitForReply`, `ask`, `choose`, `collectReplies`) give up at once, and its sends to them
   * fail with category `opted-out` without being attempted, until they opt back in (START).
   * @example
   * const answer = await chat.waitForReply();
   * if (answer === null && chat.optedOut.length > 0) return; // they said STOP
   */
  readonly optedOut: readonly string[];
  /**
   * Sets the time zone `contact`'s quiet hours count in (an IANA name), instead of the zones of their number;
   * `null` goes back to the number's. Carried across continue-as-new. A zone the worker does not know is ignored
   * (logged) and the number's zones are used.
   * @example
   * const where = await chat.ask('Which time zone are you in? (e.g. America/Denver)');
   * if (where) chat.setTimeZone(where.from, where.text.trim());
   */
  setTimeZone(contact: string, timeZone: string | null): void;
  /** The most recent message this bot sent. */
  readonly lastSent: SentMessage | null;
  /** Every message so far, oldest first (also served by the `transcript` query). */
  transcript(): readonly TranscriptEntry[];
}
