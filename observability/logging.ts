/**
 * Structured logs (pino, JSON lines) that never carry a whole phone number: every string in a log line, its message
 * and its bindings has E.164 numbers masked (`+19195550123` → `+1919555****`), including numbers inside conversation
 * ids and error messages. Message text is never logged at info level; call sites log it at debug only.
 *
 * The server, the worker, the entry points and the benchmarks all log through {@link createLogger}; the server's
 * per-request logging is server/request-logging.ts.
 */
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
