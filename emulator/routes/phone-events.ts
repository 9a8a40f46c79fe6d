/**
 * `GET /emulator/phone/events[?phone=+1...&phone=...]`: Server-Sent Events for the phone page. Each `message` event
 * is one handset message (phone-threads.ts's shape) that is new or changed: a text arrived, or one of ours moved on
 * to sending, sent, delivered or failed. Without `phone`, every handset's changes are sent. Pushed as the emulator
 * commits them (handset-feed.ts): nothing polls. A comment line every 25 s keeps proxies from closing the stream; the
 * stream ends when the emulator closes (an open page must not hold up its shutdown).
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { E164Schema } from '../../bandwidth/schemas';
import { type EmulatorContext } from '../context';
import { changedMessages } from '../phone-threads';

/** Query strings decode `+` as a space: `?phone=+1919...` arrives as ` 1919...`. */
const PhoneParamSchema = z.preprocess((v) => (typeof v === 'string' ? v.replace(/^ /, '+') : v), E164Schema);

const EventsQuerySchema = z.object({
  phone: z
    .union([PhoneParamSchema, z.array(PhoneParamSchema)])
    .optional()
    .transform((v) => (v === undefined ? undefined : new Set(Array.isArray(v) ? v : [v]))),
});

const HEARTBEAT_MS = 25_000;

export function phoneEventsRouter(ctx: EmulatorContext): Router {
  const router = express.Router();

  router.get('/emulator/phone/events', (req, res) => {
    const query = EventsQuerySchema.safeParse(req.query);
    if (!query.success) {
      res.status(400).json({
        error: 'invalid',
        issues: query.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`),
      });
      return;
    }
    const phones = query.data.phone;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 1000\n\n');
    const unsubscribe = ctx.engine.feed.subscribe(
      (changes) => {
        const wanted = phones ? changes.filter((c) => phones.has(c.phone)) : changes;
        for (const message of changedMessages(ctx, wanted)) {
          res.write(`event: message\nid: ${message.id}\ndata: ${JSON.stringify(message)}\n\n`);
        }
      },
      () => res.end(),
    );
    const heartbeat = setInterval(() => res.write(': still here\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });

  return router;
}
