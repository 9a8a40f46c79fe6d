/**
 * Forgets what Bandwidth would no longer show, so a long-running emulator stays small: messages older than the
 * search window (once every recipient reached a terminal state), finished callbacks and their attempts after two
 * days, handset inboxes after the search window, and expired media.
 */
import { type EmulatorContext } from './context';
import { purgeExpiredMedia } from './media-store';

export function housekeeping(ctx: EmulatorContext): void {
  const now = ctx.clock.now();
  const messagesBefore = now - (ctx.settings().searchWindowDays + 1) * 86_400_000;
  const callbacksBefore = now - 2 * 86_400_000;
  ctx.db.transaction(() => {
    ctx.db
      .prepare(
        `DELETE FROM messages WHERE time_ms < ? AND id NOT IN (SELECT message_id FROM recipients WHERE terminal = 0)
           AND id NOT IN (SELECT message_id FROM queue) AND id NOT IN (SELECT message_id FROM events)`,
      )
      .run(messagesBefore);
    ctx.db.prepare('DELETE FROM recipients WHERE message_id NOT IN (SELECT id FROM messages)').run();
    ctx.db.prepare('DELETE FROM handset_inbox WHERE time_ms < ?').run(messagesBefore);
    ctx.db.prepare(`DELETE FROM callbacks WHERE state != 'pending' AND created_ms < ?`).run(callbacksBefore);
    ctx.db.prepare('DELETE FROM callback_attempts WHERE callback_id NOT IN (SELECT id FROM callbacks)').run();
  })();
  ctx.engine.messages.clearCache();
  purgeExpiredMedia(ctx);
}
