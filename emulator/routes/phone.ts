/**
 * The phone page: `GET /` serves it (plain HTML, CSS and ES modules from emulator/phone/, no build step), and
 * `/emulator/phone/...` gives it what it needs besides the handset API it sends with: our numbers and the handsets,
 * creating and naming handsets, a handset's messages in the page's shape, stored media without the account's
 * credentials, and (phone-events.ts) a stream of changes. None of it is Bandwidth's API, which stays as it was.
 */
import path from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { type EmulatorContext } from '../context';
import { getMedia } from '../media-store';
import { deleteHandset, listHandsets, putHandset } from '../phone-handsets';
import { phoneMessages } from '../phone-threads';
import { parsePhone } from './handsets';

/** Where the page's files are, beside this folder (also in dist/, where the build copies them). */
export const PHONE_PAGE_DIR = path.join(__dirname, '..', 'phone');

/** Bandwidth allows at most 10 recipients on a group message. */
export const MAX_GROUP_RECIPIENTS = 10;

const HandsetBodySchema = z
  .object({ name: z.string().trim().max(40, 'a name is at most 40 characters').nullable().optional() })
  .strict();

export function phoneRouter(ctx: EmulatorContext): Router {
  const router = express.Router();

  router.get('/', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.sendFile(path.join(PHONE_PAGE_DIR, 'index.html'));
  });
  router.use('/phone', express.static(PHONE_PAGE_DIR, { index: false, maxAge: 0 }));

  router.get('/emulator/phone', (_req, res) => {
    const ourNumbers = ctx.directory
      .listNumbers()
      .filter((n) => n.applicationId !== undefined)
      .map((n) => n.number)
      .sort();
    res.json({
      ourNumbers,
      handsets: listHandsets(ctx),
      maxRecipients: MAX_GROUP_RECIPIENTS,
      webUiLinks: ctx.conversationLink !== undefined,
    });
  });

  router.put('/emulator/phone/handsets/:phone', express.json(), (req, res) => {
    const phone = phoneOrAnswer(req, res);
    if (!phone) return;
    if (ctx.directory.number(phone)) {
      res.status(409).json({ error: `${phone} is one of our Bandwidth numbers, not a handset` });
      return;
    }
    const body = HandsetBodySchema.safeParse(req.body ?? {});
    if (!body.success) {
      res.status(400).json({ error: 'invalid', issues: body.error.issues.map((i) => issueText(i)) });
      return;
    }
    const created = putHandset(ctx, phone, body.data.name || null);
    res.status(created ? 201 : 200).json({ phone, name: body.data.name || null });
  });

  router.delete('/emulator/phone/handsets/:phone', (req, res) => {
    const phone = phoneOrAnswer(req, res);
    if (!phone) return;
    if (deleteHandset(ctx, phone)) res.status(204).end();
    else res.status(404).json({ error: `no handset ${phone} was created on the phone page` });
  });

  router.get('/emulator/phone/handsets/:phone/messages', (req, res) => {
    const phone = phoneOrAnswer(req, res);
    if (!phone) return;
    res.json({ phone, messages: phoneMessages(ctx, phone) });
  });

  router.get('/emulator/phone/media/:accountId/*mediaId', (req, res) => {
    const raw = (req.params as Record<string, string | string[]>).mediaId;
    const mediaId = Array.isArray(raw) ? raw.join('/') : String(raw);
    const media = getMedia(ctx, req.params.accountId, mediaId);
    if (!media) {
      res.status(404).json({ error: `no media '${mediaId}' on account ${req.params.accountId} (or it expired)` });
      return;
    }
    res.setHeader('Content-Type', media.contentType);
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.end(media.content);
  });

  return router;
}

/** The route's `{phone}` as E.164, or undefined after answering 400. */
export function phoneOrAnswer(req: Request, res: Response): string | undefined {
  const phone = parsePhone(req.params.phone);
  if (!phone) res.status(400).json({ error: `'${String(req.params.phone)}' is not an E.164 number like +19195550123` });
  return phone;
}

function issueText(issue: z.core.$ZodIssue): string {
  return `${issue.path.join('.') || 'body'}: ${issue.message}`;
}
