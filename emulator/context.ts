import { type Logger } from 'pino';
import { type ApiFaults } from './api-faults';
import { type TokenService } from './auth';
import { type ScaledClock } from './clock';
import { type Db } from './database';
import { type Directory } from './directory';
import { type Engine } from './engine';
import { type ConversationLink } from './phone-threads';
import { type Settings } from './settings';

/** Everything a route needs, built once by createEmulator. */
export interface EmulatorContext {
  db: Db;
  clock: ScaledClock;
  directory: Directory;
  engine: Engine;
  tokens: TokenService;
  /** Fault injection on the API itself (settings.apiFaults). */
  apiFaults: ApiFaults;
  logger: Logger;
  settings(): Settings;
  updateSettings(patch: unknown): Settings;
  /** The emulator's own base URL (scheme, host and port), used for media URLs. */
  publicUrl(): string;
  /** Where a phone-page thread's conversation is shown (the Temporal Web UI); none hides the link. */
  conversationLink?: ConversationLink;
}
