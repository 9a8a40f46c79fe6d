import type { Logger } from 'pino';
import type { Config } from '../config/env';
import { createLogger as createMaskedLogger } from '../server/logging';

/** The process logger: pino, JSON lines on stdout, phone numbers masked (server/logging.ts). */
export function createLogger(level: Config['logLevel']): Logger {
  return createMaskedLogger({ level });
}
