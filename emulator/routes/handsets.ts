/**
 * The handset API: simulated phones. `POST /emulator/handsets/{phone}/messages` makes `{phone}` text our numbers;
 * `GET /emulator/handsets/{phone}/messages` lists what `{phone}` has received, with text and delivery status (our
 * messages, other handsets' group messages, and the toll-free network's own replies to STOP/START/UNSTOP).
 * `{phone}` may arrive URL-encoded (`%2B1919...`) or with a literal `+`.
 */
import express, { type Router } from 'express';
import { E164Schema } from '../../bandwidth/schemas';
import { type EmulatorContext } from '../context';
import { INBOX_SELECT, type InboxRow } from '../handset-inbox';
import { InboundError, sendFromHandset } from '../inbound';

export function handsetsRouter(ctx: EmulatorContext): Router {
  const router = express.Router();

  router.post('/emulator/handsets/:phone/messages', express.json({ limit: '20mb' }), async (req, res) => {
    const phone = parsePhone(req.params.phone);
    if (!phone) {
      res.status(400).json({ error: `'${req.params.phone}' is not an E.164 number` });
      return;
    }
    try {
      const result = await sendFromHandset(ctx, phone, req.body);
      res.status(202).json(result);
    } catch (err) {
      if (err instanceof InboundError) res.status(err.status).json({ error: err.message });
      else throw err;
    }
  });

  router.get('/emulator/handsets/:phone/messages', (req, res) => {
    const phone = parsePhone(req.params.phone);
    if (!phone) {
      res.status(400).json({ error: `'${req.params.phone}' is not an E.164 number` });
      return;
    }
    const rows = ctx.db
      .prepare(`${INBOX_SELECT} WHERE h.phone = ? AND h.direction != 'sent' ORDER BY h.id`)
      .all(phone) as InboxRow[];
    const messages = rows.map((r) => {
      const status = r.direction === 'out' ? (r.status ?? 'QUEUED') : 'DELIVERED';
      return {
        messageId: r.message_id,
        from: r.from_tn,
        to: JSON.parse(r.to_json) as string[],
        text: r.text ?? '',
        media: r.media_json ? (JSON.parse(r.media_json) as string[]) : [],
        time: new Date(r.time_ms).toISOString(),
        status,
        errorCode: r.error_code ?? 0,
        received: status === 'DELIVERED',
        fromHandset: r.direction === 'peer',
        fromNetwork: r.direction === 'network',
      };
    });
    const only = typeof req.query.status === 'string' ? req.query.status.toUpperCase() : undefined;
    res.json({ phone, messages: only ? messages.filter((m) => m.status === only) : messages });
  });

  return router;
}

/** Express has already percent-decoded the parameter; a literal `+` is kept as is. */
export function parsePhone(raw: unknown): string | undefined {
  const phone = String(raw).replace(/^ /, '+');
  return E164Schema.safeParse(phone).success ? phone : undefined;
}
