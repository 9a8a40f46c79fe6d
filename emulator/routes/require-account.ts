import { type NextFunction, type Request, type Response } from 'express';
import { type EmulatorContext } from '../context';
import { type Account } from '../directory-schemas';
import { forbidden, sendError, unauthorized } from '../http-errors';

/** Authenticates the request for `:accountId`; 401/403 with Bandwidth's bodies otherwise. */
export function requireAccount(ctx: EmulatorContext) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const accountId = String(req.params.accountId);
    const result = await ctx.tokens.authenticate(req, accountId);
    if (!result.ok) {
      if (result.status === 403) forbidden(res);
      else unauthorized(res);
      return;
    }
    res.locals.account = result.account;
    next();
  };
}

export function accountOf(res: Response): Account {
  return res.locals.account as Account;
}

/** 406 when the client accepts no JSON (JSON endpoints only). */
export function requireJsonAccept(req: Request, res: Response, next: NextFunction): void {
  if (req.headers.accept && !req.accepts('application/json')) {
    sendError(res, 406, 'not-acceptable', `Could not produce a response matching '${req.headers.accept}'`);
    return;
  }
  next();
}

/** 405 with an Allow header for methods a path does not support. */
export function methodNotAllowed(allowed: string[]) {
  return (req: Request, res: Response): void => {
    res.setHeader('Allow', allowed.join(', '));
    sendError(res, 405, 'method-not-allowed', `Request method '${req.method}' not supported`);
  };
}
