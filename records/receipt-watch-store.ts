/**
 * Receipt watches on either backend (the statements spelled through the backend's {@link SqlRunner}, as the send
 * intents are). A conversation does not hear of a delivered receipt unless it waits for it: waiting, it watches the
 * message (one row, keyed by Bandwidth's message id), and the webhook server signals a delivered receipt only for a
 * watched message. Each side writes before it reads the other's row (the watch before reading the receipts recorded,
 * the receipt's record before reading the watches), so a receipt is always found by one of them, maybe by both.
 */
import { nowTime } from './event-time';
import type { SqlRunner } from './send-intent-store';

export interface ReceiptWatchRows {
  /** Marks the message watched (idempotent). */
  watch(messageId: string): Promise<void>;
  /** The subset of `messageIds` that are watched. */
  watched(messageIds: string[]): Promise<Set<string>>;
}

export function createReceiptWatchRows(db: SqlRunner, assertOpen: () => void): ReceiptWatchRows {
  return {
    async watch(messageId) {
      assertOpen();
      const p = db.params();
      await db.run(
        `INSERT INTO receipt_watches (message_id, watched_at) VALUES (${p.add(messageId)}, ${p.time(nowTime())})
         ON CONFLICT (message_id) DO NOTHING`,
        p.values,
      );
    },
    async watched(messageIds) {
      assertOpen();
      if (messageIds.length === 0) return new Set();
      const p = db.params();
      const list = [...new Set(messageIds)].map((id) => p.add(id)).join(', ');
      const rows = await db.all<{ message_id: string }>(
        `SELECT message_id FROM receipt_watches WHERE message_id IN (${list})`,
        p.values,
      );
      return new Set(rows.map((r) => r.message_id));
    },
  };
}
