import pino, { type Logger } from 'pino';
import type { Config } from '../config/env';

/** The process logger: pino, JSON lines on stdout. */
export function createLogger(level: Config['logLevel']): Logger {
  return pino({ level, base: { service: 'threadline' } });
}
