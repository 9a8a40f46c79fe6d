/**
 * `POST /users/{accountId}/messages` (create) and `GET /users/{accountId}/messages` (search), mounted under both
 * `/api/v2` and the root.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { segmentCount, smsSegmentInfo } from '../../bandwidth/segments';
import { type EmulatorContext } from '../context';
import { validateCreateMessage } from '../create-message-validation';
import { sendError } from '../http-errors';
import { newMessageId } from '../ids';
import { type StoredMessage } from '../message-store';
import { searchRouteHandler } from './message-search';
import { accountOf, methodNotAllowed, requireAccount, requireJsonAccept } from './require-account';

export function messagesRouter(ctx: EmulatorContext): Router {
  const router = express.Router();
  const path = '/users/:accountId/messages';
  const auth = requireAccount(ctx);

  router.post(
    path,
    auth,
    requireJsonAccept,
    requireJsonBody,
    express.json({ limit: '1mb', strict: false }),
    (req, res) => createMessage(ctx, req, res),
  );
  router.get(path, auth, requireJsonAccept, searchRouteHandler(ctx));
  router.all(path, methodNotAllowed(['GET', 'POST']));
  return router;
}

/** 415 unless the body is declared as JSON. */
function requireJsonBody(req: Request, res: Response, next: NextFunction): void {
  if (!req.is(['application/json', 'application/*+json'])) {
    const given = req.headers['content-type'] ?? '';
    sendError(
      res,
      415,
      'unsupported-content-type',
      `Content type '${given}' not supported. Please use 'application/json'`,
    );
    return;
  }
  next();
}

function createMessage(ctx: EmulatorContext, req: Request, res: Response): void {
  const account = accountOf(res);
  const now = ctx.clock.now();
  const result = validateCreateMessage(req.body, account, ctx.directory, now);
  if (!result.ok) {
    sendError(res, 400, 'request-validation', 'Your request could not be accepted', result.fieldErrors);
    return;
  }
  const v = result.value;
  const isMms = (v.media?.length ?? 0) > 0 || v.to.length > 1;
  const segments = segmentCount({ text: v.text, media: v.media, to: v.to });
  // Rate limits count segments; a group message costs one unit per recipient.
  const units = isMms ? v.to.length : segments;
  if (ctx.engine.queue.wouldOverflow(account.id, units)) {
    const perMinute = Math.round(account.limits.messagesPerSecond * 60);
    const capacity = ctx.engine.queue.capacity(account.id);
    sendError(
      res,
      429,
      'max-message-queue-size-exceeded',
      `The SMS queue for your account is full and cannot accept more messages right now. Your allowed rate is ` +
        `${perMinute} messages per minute. The capacity of this queue is ${capacity} messages ` +
        `(${account.limits.queueMinutes} minutes). Reduce your message sending rate, or contact support to increase ` +
        `your allowed rate.`,
    );
    return;
  }
  const message: StoredMessage = {
    id: newMessageId(now),
    accountId: account.id,
    applicationId: v.applicationId,
    direction: 'out',
    from: v.from,
    to: v.to,
    owner: v.from,
    timeMs: now,
    segmentCount: segments,
    messageType: isMms ? 'mms' : 'sms',
    tag: v.tag,
    priority: v.priority,
    expiration: v.expiration,
    media: v.media,
    messageLength: v.text ? [...v.text].length : 0,
    messageSize:
      (v.text ? Buffer.byteLength(v.text) : 0) + (v.media ?? []).reduce((n, m) => n + Buffer.byteLength(m), 0),
    product: v.from.startsWith('+') ? (ctx.directory.number(v.from)?.product ?? 'LOCAL_A2P') : 'ALPHA_NUMERIC',
  };
  ctx.engine.acceptOutbound(message, units, v.text);
  const body: Record<string, unknown> = {
    id: message.id,
    owner: message.owner,
    applicationId: message.applicationId,
    time: new Date(now).toISOString(),
    segmentCount: segments,
    direction: 'out',
    to: v.to,
    from: v.from,
  };
  if (v.media) body.media = v.media;
  if (v.text !== undefined) body.text = v.text;
  if (v.tag !== undefined) body.tag = v.tag;
  body.priority = v.priority;
  if (v.expiration !== undefined) body.expiration = v.expiration;
  res.status(202).json(body);
  if (!isMms && v.text) ctx.logger.trace({ id: message.id, ...smsSegmentInfo(v.text) }, 'message accepted');
}
