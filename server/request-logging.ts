/**
 * Each HTTP request gets an id (the caller's `x-request-id` when it is a sane token, else a new UUID), echoed in the
 * response's `x-request-id` header and bound to every line logged for the request, and one access-log line when it
 * finishes. Lines go through the masking logger (observability/logging.ts).
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The request's logger, bound to its request id (set by {@link requestLogging}). */
export function requestLog(res: Response): Logger {
  return res.locals.log as Logger;
}

/**
 * Gives each request an id and a child logger, and logs one line per request when the response finishes: method,
 * route, status, duration. Query strings are left out (they may hold phone numbers, which the logger would mask, and
 * filters nobody needs in an access log).
 */
export function requestLogging(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const given = req.get('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', requestId);
    const log = logger.child({ requestId });
    res.locals.log = log;
    res.locals.requestId = requestId;
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const line = { method: req.method, path: req.path, status: res.statusCode, durationMs: +durationMs.toFixed(1) };
      if (res.statusCode >= 500) log.warn(line, 'request failed');
      else log.info(line, 'request');
    });
    next();
  };
}
