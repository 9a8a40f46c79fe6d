/**
 * `POST /callbacks/messaging`: the door Bandwidth knocks on. In order: Basic auth (401), content type and charset
 * (415), content encoding (415), body size (413), a body that decompresses (400), JSON (400), nesting depth (400), the
 * length of ids, numbers and tags (400), the callback schema (400 with the issues), then {@link receiveCallbacks}:
 * 200 once every event is recorded and handed to Temporal, 503 with `Retry-After` when the records store or Temporal
 * is not there.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { CallbackBodySchema } from '../bandwidth/schemas';
import { requireBasicAuth } from './auth';
import { MAX_CALLBACK_ID_LENGTH, MAX_CALLBACK_TAG_LENGTH, oversizedField } from './callback-field-limits';
import { nestedDeeperThan } from './json-depth';
import { HandOffError, receiveCallbacks, type HandOffDeps } from './hand-off';
import { requestLog } from './request-logging';

export interface CallbackRouteDeps extends HandOffDeps {
  /** Basic credentials Bandwidth sends with callbacks (the application's callback credentials); none: no auth. */
  callbackAuth?: { username: string; password: string };
  /** Largest callback body accepted (413 beyond); default 1 MB. */
  bodyLimit?: string;
  /** Seconds to ask the caller to wait before retrying after a 503 (default 5). */
  retryAfterSeconds?: number;
}

export const CALLBACK_PATH = '/callbacks/messaging';

/**
 * How deep arrays and objects may nest in a callback body (Bandwidth's own are 4 deep). Deeper bodies are refused
 * with 400: recording one would overflow the stack of every recursive step after the parse, and a 503 for it would
 * be retried for 24 hours.
 */
export const MAX_CALLBACK_DEPTH = 32;

export function callbackRouter(deps: CallbackRouteDeps): Router {
  const router = express.Router();
  const retryAfter = String(deps.retryAfterSeconds ?? 5);
  const answer = (res: Response, status: number, body: unknown) => {
    deps.metrics.callbackRequests.inc({ status: String(status) });
    res.status(status).json(body);
  };

  router.post(
    CALLBACK_PATH,
    (_req: Request, res: Response, next: NextFunction) => {
      res.locals.receivedAtNs = process.hrtime.bigint();
      next();
    },
    requireBasicAuth(deps.callbackAuth, () => deps.metrics.callbackRequests.inc({ status: '401' })),
    (req: Request, res: Response, next: NextFunction) => {
      // Bandwidth sends `application/json; charset=utf-8`; anything else is not a Bandwidth callback.
      if (req.is('application/json')) return next();
      answer(res, 415, {
        type: 'unsupported-media-type',
        description: `Callbacks must be application/json, got ${req.get('content-type') ?? 'no content type'}`,
      });
    },
    express.json({ limit: deps.bodyLimit ?? '1mb', type: 'application/json', strict: false }),
    async (req: Request, res: Response) => {
      const log = requestLog(res);
      if (nestedDeeperThan(req.body, MAX_CALLBACK_DEPTH)) {
        log.info({ maxDepth: MAX_CALLBACK_DEPTH }, 'rejected a callback body nested too deep');
        answer(res, 400, {
          type: 'invalid-callback',
          description: `The callback body nests arrays and objects deeper than ${MAX_CALLBACK_DEPTH} levels`,
        });
        return;
      }
      const oversized = oversizedField(req.body);
      if (oversized !== null) {
        log.info({ field: oversized }, 'rejected a callback body with an oversized id, number or tag');
        answer(res, 400, {
          type: 'invalid-callback',
          description:
            `${oversized} is too long: ids and numbers may be ${MAX_CALLBACK_ID_LENGTH} characters, ` +
            `tags ${MAX_CALLBACK_TAG_LENGTH}`,
        });
        return;
      }
      const parsed = CallbackBodySchema.safeParse(req.body);
      if (!parsed.success) {
        log.info({ issues: parsed.error.issues.length }, 'rejected a malformed callback body');
        answer(res, 400, {
          type: 'invalid-callback',
          description: 'The callback body is not a Bandwidth messaging callback array',
          issues: z.treeifyError(parsed.error),
        });
        return;
      }
      try {
        const outcomes = await receiveCallbacks(deps, parsed.data, res.locals.receivedAtNs as bigint);
        for (const [i, o] of outcomes.entries()) {
          const event = parsed.data[i];
          const messageId = event && 'message' in event ? event.message?.id : undefined;
          log.info(
            { callback: o.event, messageId, outcome: o.outcome, workflowId: o.workflowId, reason: o.reason },
            'callback event handled',
          );
          if (event && 'message' in event && typeof event.message?.text === 'string' && event.message.text !== '') {
            log.debug({ messageId, text: event.message.text }, 'callback message text');
          }
        }
        answer(res, 200, { accepted: outcomes.length });
      } catch (err) {
        const stage = err instanceof HandOffError ? err.stage : 'temporal';
        log.warn(
          { err: err instanceof HandOffError ? err.cause : err, stage },
          stage === 'record'
            ? 'the records store did not accept a callback; asking Bandwidth to retry'
            : 'Temporal did not accept a callback; asking Bandwidth to retry',
        );
        res.set('Retry-After', retryAfter);
        answer(res, 503, {
          type: 'temporarily-unavailable',
          description:
            stage === 'record'
              ? 'The message records store is unavailable; retry later'
              : 'Temporal is unavailable; retry later',
        });
      }
    },
  );

  // A malformed, oversized or undecodable body: 4xx with the parser's reason, never a 500.
  router.use(CALLBACK_PATH, (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const e = err as { type?: string; message?: string; status?: unknown };
    if (e.type === 'entity.parse.failed') {
      answer(res, 400, { type: 'invalid-json', description: e.message ?? 'malformed JSON' });
    } else if (e.type === 'entity.too.large') {
      answer(res, 413, { type: 'payload-too-large', description: e.message ?? 'body too large' });
    } else if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') {
      answer(res, 415, { type: 'unsupported-media-type', description: e.message ?? 'unsupported encoding' });
    } else if (e.status === 400) {
      // The body could not be read as sent: it does not decompress per its Content-Encoding, or it broke off.
      answer(res, 400, { type: 'invalid-body', description: `The body could not be read: ${e.message ?? 'unknown'}` });
    } else {
      next(err);
    }
  });
  return router;
}
