import { type Request, type RequestHandler, type Response } from 'express';
import { type EmulatorContext } from '../context';
import { sendError } from '../http-errors';
import { SearchRateLimiter, searchMessages } from '../message-search';
import { accountOf } from './require-account';

/** Handler for `GET /users/{accountId}/messages`. */
export function searchRouteHandler(ctx: EmulatorContext): RequestHandler {
  const limiter = new SearchRateLimiter();
  return (req: Request, res: Response) => {
    const account = accountOf(res);
    const verdict = limiter.hit(
      req.ip ?? req.socket.remoteAddress ?? 'unknown',
      ctx.clock.now(),
      account.limits.searchRequestsPerWindow,
      account.limits.searchWindowSeconds,
    );
    if (!verdict.allowed) {
      res.setHeader('Retry-After', String(verdict.retryAfterSeconds));
      sendError(
        res,
        429,
        'rate_limit_exceeded',
        'Rate limit exceeded. Wait for Retry-After time before sending another request.',
      );
      return;
    }
    const selfUrl = `${ctx.publicUrl()}${req.originalUrl}`;
    const result = searchMessages(ctx, account, req.query, selfUrl);
    if (!result.ok) {
      sendError(res, 400, 'request-validation', result.description, result.fieldErrors);
      return;
    }
    res.json(result.body);
  };
}
