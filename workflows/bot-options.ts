/**
 * What a bot declares besides its dialogue: how it behaves when a participant opts out, and when it may text people
 * who did not just text it (quiet hours).
 */

/** A daily window in the recipient's local time, `HH:MM` to `HH:MM` (24-hour clock; `to` after `from`). */
export interface QuietHoursWindow {
  /** When sending may start, e.g. `'08:00'`. */
  from: string;
  /** When sending must stop, e.g. `'21:00'`. */
  to: string;
}

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
   * When proactive messages may go out, in the recipient's local time; default 08:00 to 21:00. A reply to a text the
   * contact sent a moment ago is never held back.
   */
  sendWindow?: QuietHoursWindow;
}
