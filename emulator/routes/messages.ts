/**
 * `POST /users/{accountId}/messages` (create) and `GET /users/{accountId}/messages` (search), mounted under both
 * `/api/v2` and the root.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { type EmulatorContext } from '../context';
import { acceptCreateMessage } from '../create-message';
import { sendError } from '../http-errors';
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

async function createMessage(ctx: EmulatorContext, req: Request, res: Response): Promise<void> {
  const result = await acceptCreateMessage(ctx, accountOf(res), req.body);
  if ('withholdMs' in result) {
    ctx.apiFaults.withhold(res, result.withholdMs);
    return;
  }
  res.set(result.headers ?? {});
  res.status(result.status).json(result.body);
}
