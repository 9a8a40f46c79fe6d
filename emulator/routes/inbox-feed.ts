/**
 * The inbox feed: what every handset received, in the order the emulator took it, after a cursor.
 * `GET /emulator/inbox?after={id}&limit={n}&wait={ms}` answers `{ messages, next, latest }`: the rows of every
 * handset's inbox (our messages, other handsets' group messages, the toll-free network's replies) with an id above
 * `after`, oldest first, each with its delivery status, error code, carrier, segment count and message type; `next` is
 * the cursor to pass on, `latest` the newest id there is. With `wait`, an empty answer is held until a row arrives or
 * `wait` ms (at most 2,000) have passed, so one reader can follow every handset at once without polling each
 * (the load-test tool, load/reply-feed.ts). `limit=0` reads only the cursor.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { type EmulatorContext } from '../context';
import { INBOX_SELECT, type InboxRow } from '../handset-inbox';

const QuerySchema = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(0).max(5000).default(1000),
  wait: z.coerce.number().int().min(0).max(2000).default(0),
});

/** How often a held request looks for new rows (an indexed read of the newest id: microseconds). */
const WAIT_CHECK_MS = 5;

export function inboxFeedRouter(ctx: EmulatorContext): Router {
  const router = express.Router();
  const rowsAfter = ctx.db.prepare(`${INBOX_SELECT} WHERE h.id > ? ORDER BY h.id LIMIT ?`);
  const latestId = ctx.db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM handset_inbox');
  const latest = () => (latestId.get() as { id: number }).id;

  router.get('/emulator/inbox', async (req, res) => {
    const parsed = QuerySchema.safeParse(req.query);
    if (!parsed.success) {
      res.status(400).json({ error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      return;
    }
    const { after, limit, wait } = parsed.data;
    const until = Date.now() + wait;
    while (limit > 0 && wait > 0 && latest() <= after && Date.now() < until && !res.destroyed) {
      await new Promise((resolve) => setTimeout(resolve, WAIT_CHECK_MS));
    }
    const read = limit > 0 ? (rowsAfter.all(after, limit) as InboxRow[]) : [];
    // A handset's own texts (kept for the phone page) are not something it received: the cursor passes over them.
    const rows = read.filter((r) => r.direction !== 'sent');
    res.json({
      messages: rows.map((r) => ({
        id: r.id,
        phone: r.phone,
        messageId: r.message_id,
        direction: r.direction,
        from: r.from_tn,
        to: JSON.parse(r.to_json) as string[],
        text: r.text ?? '',
        media: r.media_json ? (JSON.parse(r.media_json) as string[]) : [],
        time: new Date(r.time_ms).toISOString(),
        status: r.direction === 'out' ? (r.status ?? 'QUEUED') : 'DELIVERED',
        errorCode: r.error_code ?? 0,
        /** No status will follow: delivered or failed for good. */
        terminal: r.direction === 'out' ? r.terminal === 1 : true,
        carrierName: r.carrier_name,
        segmentCount: r.segment_count ?? 1,
        messageType: r.message_type === 'mms' ? 'mms' : 'sms',
      })),
      next: read.length > 0 ? read[read.length - 1]!.id : after,
      latest: latest(),
    });
  });
  return router;
}
