/**
 * Structured logs (pino, JSON lines) that never carry a whole phone number: every string in a log line, its message
 * and its bindings has E.164 numbers masked (`+19195550123` → `+1919555****`), including numbers inside conversation
 * ids and error messages. Message text is never logged at info level; call sites log it at debug only.
 *
 * Each HTTP request gets an id (the caller's `x-request-id` when it is a sane token, else a new UUID), echoed in the
 * response's `x-request-id` header and bound to every line logged for the request.
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import pino, { type DestinationStream, type Logger } from 'pino';

const PHONE = /\+\d{5,15}/g;

/** Masks the last four digits of an E.164 number: `+19195550123` → `+1919555****`. */
export function maskPhone(phone: string): string {
  return phone.length > 5 ? `${phone.slice(0, -4)}****` : '+****';
}

/** Masks every E.164 number inside `text`. */
export function maskPhones(text: string): string {
  return text.replace(PHONE, maskPhone);
}

function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPhones(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Error) {
    const err = value as Error & { code?: unknown };
    return {
      type: err.name,
      message: maskPhones(err.message),
      ...(err.stack ? { stack: maskPhones(err.stack) } : {}),
      ...(err.code !== undefined ? { code: err.code } : {}),
      ...(err.cause !== undefined ? { cause: maskDeep(err.cause, depth + 1) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1));
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v, depth + 1);
  return out;
}

export interface LoggerOptions {
  level: string;
  /** Where lines go (default: standard output). Tests pass a stream to read them back. */
  destination?: DestinationStream;
  base?: Record<string, unknown>;
}

/** The process logger: pino JSON lines with phone numbers masked everywhere. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: options.base ?? { service: 'threadline' },
      formatters: {
        log: (object) => maskDeep(object) as Record<string, unknown>,
        bindings: (bindings) => maskDeep(bindings) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? maskPhones(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    options.destination,
  );
}

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
