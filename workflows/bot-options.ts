/**
 * What a bot declares besides its dialogue: how it behaves when a participant opts out, and when it may text people
 * who did not just text it (quiet hours).
 */
import type { SegmentBudget } from './segment-budget';

/**
 * A daily window in the recipient's local time, `HH:MM` to `HH:MM` (24-hour clock; `to` after `from`): proactive
 * messages go out only inside it. Every day counts the same (weekends and holidays too).
 * @example
 * const businessHours: QuietHoursWindow = { from: '09:00', to: '17:30' };
 */
export interface QuietHoursWindow {
  /** When sending may start, e.g. `'08:00'`. */
  from: string;
  /** When sending must stop, e.g. `'21:00'`. */
  to: string;
}

/**
 * When proactive messages may go out: a {@link QuietHoursWindow} in each recipient's local time, or `'any-time'` (no
 * quiet hours: for messages the person asked to get whenever they happen, such as a one-time code). Set per bot in
 * {@link BotOptions} and per send (`chat.say(text, { sendWindow })`); the default is {@link DEFAULT_SEND_WINDOW}.
 * @example
 * await chat.say('Your code is 123456', { sendWindow: 'any-time' });
 * await chat.say('Your order shipped', { sendWindow: { from: '09:00', to: '20:00' } });
 */
export type SendWindow = QuietHoursWindow | 'any-time';

/**
 * Options of {@link defineBot}.
 * @example
 * export const reminderBot = defineBot(body, { onOptOut: 'stay', sendWindow: { from: '09:00', to: '20:00' } });
 */
export interface BotOptions {
  /**
   * When a participant opts out (STOP): `'end'` (default) ends the conversation after the confirmation; `'stay'` keeps
   * the bot running, silent towards that contact (its waits resolve, its sends fail with category `opted-out`).
   */
  onOptOut?: 'end' | 'stay';
  /**
   * When proactive messages may go out, in the recipient's local time; default 08:00 to 21:00
   * ({@link DEFAULT_SEND_WINDOW}). A reply to a text the contact sent a moment ago ({@link REPLY_WINDOW}) is never
   * held back; see {@link SendOptions.sendWindow} for what counts as proactive.
   */
  sendWindow?: SendWindow;
  /**
   * How many SMS segments one of the bot's texts may take, and whether it may turn into UCS-2; over it, `say` warns
   * or refuses ({@link SegmentBudget}). Default: no budget.
   */
  segmentBudget?: SegmentBudget;
}

/**
 * Options of a single send (`say`, and through them `ask`, `choose` and `sendMedia`).
 * @example
 * await chat.say('The store closes in an hour!', { sendWindow: { from: '10:00', to: '20:00' } });
 */
export interface SendOptions {
  /**
   * Quiet hours for this message, replacing the bot's {@link BotOptions.sendWindow}. They apply only to a proactive
   * message: one sent when no participant has texted within {@link REPLY_WINDOW} (a proactive start's opening, a
   * reminder after a long wait, a nudge after silence). Outside the window the message waits, durably, until the
   * window opens for every recipient: the conversation shows `ThreadlineState` `waiting-for-send-window`, and its
   * current details say until when, in whose time zone. A recipient's zone comes from their number (for a number
   * that may be in several zones, the window must be open in all of them), or from `chat.setTimeZone`. In a group, a
   * text from any participant makes the next messages replies: everyone received that text at the same moment.
   * Messages an operator sends are theirs to time and are never held.
   */
  sendWindow?: SendWindow;
  /** The segment budget for this text, replacing the bot's {@link BotOptions.segmentBudget}; `false`: none. */
  segmentBudget?: SegmentBudget | false;
}
