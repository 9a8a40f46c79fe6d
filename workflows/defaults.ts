/**
 * The conversation runtime's defaults and limits, in one place: how long waits last when a bot gives no timeout, and
 * how much a long-running conversation remembers (the message records keep everything; the workflow only the newest).
 */
import type { Duration } from '@temporalio/common';
import type { QuietHoursWindow } from './bot-options';

/**
 * How long `delivered()` waits by default: Bandwidth itself reports 9902 when no receipt comes within 2 hours.
 * @example
 * await sent.delivered(); // waits up to DEFAULT_DELIVERY_TIMEOUT
 * await sent.delivered({ timeout: '10 minutes' }); // or as long as you say
 */
export const DEFAULT_DELIVERY_TIMEOUT: Duration = '3 hours';
/**
 * How long `waitForReply`, `ask`, `choose` and `collectReplies` wait by default.
 * @example
 * const reply = await chat.waitForReply(); // null after DEFAULT_REPLY_TIMEOUT of silence
 * const soon = await chat.waitForReply({ timeout: '15 minutes' });
 */
export const DEFAULT_REPLY_TIMEOUT: Duration = '1 day';
/**
 * How long `sendMedia` waits for the MMS's delivery receipt before falling back to SMS by default.
 * @example
 * await chat.sendMedia(message); // falls back to SMS after DEFAULT_MMS_RECEIPT_TIMEOUT without a receipt
 * await chat.sendMedia(message, { receiptTimeout: '10 minutes' });
 */
export const DEFAULT_MMS_RECEIPT_TIMEOUT: Duration = '1 hour';
/**
 * How long `chat.media(message)` waits for the copy of an inbound message's media by default.
 * @example
 * const copy = await chat.media(photo); // waits up to DEFAULT_MEDIA_COPY_TIMEOUT
 * const quick = await chat.media(photo, { timeout: '5 minutes' });
 */
export const DEFAULT_MEDIA_COPY_TIMEOUT: Duration = '1 hour';
/**
 * How many answers `choose` reads before giving up by default.
 * @example
 * await chat.choose(['a', 'b'], { prompt: 'A or B?', maxAttempts: DEFAULT_CHOOSE_ATTEMPTS + 2 });
 */
export const DEFAULT_CHOOSE_ATTEMPTS = 3;

/**
 * When proactive messages may go out by default, in the recipient's local time: 08:00 to 21:00, the hours the US
 * Telephone Consumer Protection Act allows for telephone solicitations (47 CFR 64.1200(c)(1)), every day of the week.
 * @example
 * export const quietBot = defineBot(body, { sendWindow: { ...DEFAULT_SEND_WINDOW, to: '20:00' } });
 */
export const DEFAULT_SEND_WINDOW: QuietHoursWindow = { from: '08:00', to: '21:00' };
/**
 * A message sent within this long of a participant's last text is a reply, and quiet hours never hold it back; later
 * than that it is proactive.
 * @example
 * // a participant texted at 23:00; the bot's answer at 23:01 goes out at once, a nudge at 23:30 waits until 08:00
 * const reply = await chat.waitForReply({ timeout: REPLY_WINDOW });
 */
export const REPLY_WINDOW: Duration = '15 minutes';

/**
 * Bandwidth sends a group message to at most 10 recipients (reference §7).
 * @example
 * if (people.length > MAX_GROUP_RECIPIENTS) throw new Error('start one conversation per group of at most 10');
 */
export const MAX_GROUP_RECIPIENTS = 10;

/** Message ids, receipt keys and external-event ids remembered to drop duplicates (Bandwidth delivers at least once). */
export const DEDUP_WINDOW = 2000;
/** Messages kept in the workflow's transcript (and carried across continue-as-new); the record store keeps all. */
export const TRANSCRIPT_LIMIT = 1000;
/**
 * Sends whose delivery receipts the workflow remembers, and inbound messages whose media-copy outcomes it remembers
 * (older receipts still update the record store, not the workflow).
 */
export const TRACKED_MESSAGES = 200;
