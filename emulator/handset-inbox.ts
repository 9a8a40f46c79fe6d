/**
 * The handset inbox table (`handset_inbox`), read one way: every reader (the handset API, the inbox feed, the phone
 * page) selects {@link INBOX_SELECT} with its own `WHERE` and gets {@link InboxRow}s, each joined to the delivery state
 * of our message to that handset and to the message's segment count and type. Written one way too:
 * {@link inboxWriter}'s one prepared statement.
 */
import type { Db } from './database';

/** One handset's copy of a message. */
export interface InboxRow {
  id: number;
  phone: string;
  message_id: string;
  /**
   * `out`: our message to the handset; `peer`: another handset's group message; `network`: the toll-free network's
   * reply; `sent`: the handset's own text (kept for the phone page; not something it received).
   */
  direction: 'out' | 'peer' | 'network' | 'sent';
  from_tn: string;
  to_json: string;
  text: string | null;
  media_json: string | null;
  time_ms: number;
  /** Delivery state of our message to this handset (`out` rows only; null otherwise). */
  status: string | null;
  error_code: number | null;
  carrier_name: string | null;
  terminal: number | null;
  updated_ms: number | null;
  segment_count: number | null;
  message_type: string | null;
}

/** `SELECT … FROM handset_inbox h …` giving {@link InboxRow}s; add `WHERE` and `ORDER BY`. */
export const INBOX_SELECT = `SELECT h.id, h.phone, h.message_id, h.direction, h.from_tn, h.to_json, h.text, h.media_json,
    h.time_ms, r.status, r.error_code, r.carrier_name, r.terminal, r.updated_ms, m.segment_count, m.message_type
  FROM handset_inbox h
    LEFT JOIN recipients r ON h.direction = 'out' AND r.message_id = h.message_id AND r.tn = h.phone
    LEFT JOIN messages m ON m.id = h.message_id`;

/** A message as one handset's inbox keeps it. */
export interface InboxEntry {
  phone: string;
  messageId: string;
  direction: InboxRow['direction'];
  from: string;
  to: readonly string[];
  text: string | null;
  media: readonly string[] | null;
  timeMs: number;
}

/** Adds entries to the handset inbox, through one statement prepared once. */
export function inboxWriter(db: Db): (entry: InboxEntry) => void {
  const insert = db.prepare(
    `INSERT INTO handset_inbox (phone, message_id, direction, from_tn, to_json, text, media_json, time_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return (e) => {
    insert.run(
      e.phone,
      e.messageId,
      e.direction,
      e.from,
      JSON.stringify(e.to),
      e.text,
      e.media ? JSON.stringify(e.media) : null,
      e.timeMs,
    );
  };
}
