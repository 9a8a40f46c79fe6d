/**
 * A local emulator of Bandwidth's Messaging API v2, Media API and messaging webhooks.
 *
 * ```ts
 * const emulator = createEmulator({
 *   defaults: { accountId: '9900000', applicationId, number: '+19195550100', clientId, clientSecret, callbackUrl },
 *   timeScale: 1000,
 * });
 * const { url } = await emulator.listen(0);
 * // point bandwidth-sdk at `${url}/api/v2` (or `url`), text it from a handset:
 * await fetch(`${url}/emulator/handsets/%2B19195550123/messages`, { method: 'POST', ... });
 * await emulator.close();
 * ```
 *
 * Open its URL in a browser for the phone page: handsets texting the bot, its replies arriving live.
 * See docs/emulator.md for the admin and handset APIs, magic numbers, the time scale and the config file.
 */
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import pino, { type Logger } from 'pino';
import { ApiFaults } from './api-faults';
import { TokenService } from './auth';
import { ScaledClock } from './clock';
import { applyConfigFile, loadConfigFile } from './config-file';
import { type EmulatorContext } from './context';
import { getMeta, openDatabase, setMeta } from './database';
import { Directory } from './directory';
import { Engine } from './engine';
import { handleFast } from './fast-path';
import { housekeeping } from './housekeeping';
import { sendError, sendPathNotFound } from './http-errors';
import { inspectOutboundMedia } from './media-inspector';
import { adminRouter } from './routes/admin';
import { handsetsRouter } from './routes/handsets';
import { inboxFeedRouter } from './routes/inbox-feed';
import { mediaRouter } from './routes/media';
import { messagesRouter } from './routes/messages';
import { oauthRouter } from './routes/oauth';
import { optOutsRouter } from './routes/opt-outs';
import { phoneRouter } from './routes/phone';
import { phoneEventsRouter } from './routes/phone-events';
import { type ConversationLink } from './phone-threads';
import { mergeSettings, SettingsSchema, type Settings } from './settings';

/**
 * What the emulator seeds on start: the default account with its OAuth2 credentials (and Basic API user, when given),
 * its application with the callback URL (and callback credentials), and its numbers.
 */
export type { ConversationLink, PhoneThread } from './phone-threads';

export interface EmulatorDefaults {
  accountId: string;
  applicationId: string;
  number: string;
  clientId: string;
  clientSecret: string;
  username?: string;
  password?: string;
  callbackUrl: string;
  callbackUsername?: string;
  callbackPassword?: string;
  /** More numbers of the default account on the default application (Threadline's routed numbers). */
  otherNumbers?: string[];
}

export interface EmulatorOptions {
  defaults: EmulatorDefaults;
  /** 1 = real time; 1000 = 1000x faster. Scales every simulated delay, back-off, expiry and token lifetime. */
  timeScale?: number;
  /** Directory for the SQLite database; omit for an in-memory emulator. */
  dataDir?: string;
  /** JSON config file with accounts, applications, numbers, behaviours and settings (see docs/emulator.md). */
  configFile?: string;
  logger?: Logger;
  /** Base URL the emulator is reached at, for media URLs; defaults to the address `listen` binds. */
  publicUrl?: string;
  /**
   * Where the phone page (`GET /`) links a thread to its conversation, e.g. the Temporal Web UI's page of the
   * workflow; without it the page shows no link. The emulator knows no workflow ids: whoever runs it derives them.
   */
  conversationLink?: ConversationLink;
}

export interface Emulator {
  app: Express;
  listen(port: number, host?: string): Promise<{ url: string }>;
  /**
   * Sends nothing more: no callback, no message leaves the queue; callbacks in flight finish. The API still answers,
   * and what it accepts is stored for the next start. The first step of a shutdown.
   */
  pause(): void;
  /**
   * Stops for good: pauses, waits for callbacks in flight and closes the HTTP server (letting requests in flight
   * finish), saves the clock and closes the database. With `force`, it waits only until `force` aborts, then cuts
   * short the callbacks still in flight (they are due again at once, for the next start) and closes every
   * connection; without it, callbacks in flight finish and connections are closed at once. Everything pending stays
   * in the data directory, so an emulator started on it carries on.
   */
  close(options?: { force?: AbortSignal }): Promise<void>;
}

export function createEmulator(options: EmulatorOptions): Emulator {
  const logger = options.logger ?? pino({ level: 'silent' });
  const db = openDatabase(options.dataDir);
  const lastClock = Number(getMeta(db, 'clock_ms') ?? 0);
  const clock = new ScaledClock(options.timeScale ?? 1, Math.max(Date.now(), lastClock));
  const directory = new Directory(db);
  const file = options.configFile ? loadConfigFile(options.configFile) : undefined;

  let settings: Settings = SettingsSchema.parse(JSON.parse(getMeta(db, 'settings') ?? '{}'));
  if (file?.settings) settings = mergeSettings(settings, file.settings);
  setMeta(db, 'settings', JSON.stringify(settings));

  seedDefaults(directory, options.defaults);
  if (file) applyConfigFile(directory, file);

  let boundUrl: string | undefined;
  const engine = new Engine(db, clock, directory, () => settings, logger);
  const ctx: EmulatorContext = {
    db,
    clock,
    directory,
    engine,
    tokens: new TokenService(db, clock, directory),
    apiFaults: new ApiFaults(() => settings, engine.random),
    logger,
    settings: () => settings,
    updateSettings(patch) {
      settings = mergeSettings(settings, patch);
      setMeta(db, 'settings', JSON.stringify(settings));
      engine.kick();
      return settings;
    },
    publicUrl: () => (options.publicUrl ?? boundUrl ?? 'http://127.0.0.1').replace(/\/+$/, ''),
    ...(options.conversationLink ? { conversationLink: options.conversationLink } : {}),
  };

  engine.setMediaInspector((message) => inspectOutboundMedia(ctx, message));

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(oauthRouter(ctx));
  app.use(handsetsRouter(ctx));
  app.use(inboxFeedRouter(ctx));
  app.use(adminRouter(ctx));
  app.use(optOutsRouter(ctx));
  app.use(phoneRouter(ctx));
  app.use(phoneEventsRouter(ctx));
  for (const prefix of ['/api/v2', '/']) {
    app.use(prefix, messagesRouter(ctx));
    app.use(prefix, mediaRouter(ctx));
  }
  app.use((req: Request, res: Response) => sendPathNotFound(res, req.path, clock.iso()));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.parse.failed') {
      sendError(res, 400, 'request-validation', 'Your request could not be accepted: the body is not valid JSON');
      return;
    }
    if (e.type === 'entity.too.large') {
      sendError(res, 400, 'request-validation', 'Your request could not be accepted: the body is too large');
      return;
    }
    logger.error({ err, path: req.path }, 'emulator request failed');
    sendError(res, 500, 'internal-server-error', 'An internal error occurred');
  });

  engine.start();
  const clockSaver = setInterval(() => setMeta(db, 'clock_ms', String(clock.now())), 1000);
  clockSaver.unref();
  const cleaner = setInterval(() => housekeeping(ctx), 60_000);
  cleaner.unref();

  let server: http.Server | undefined;
  let closing: Promise<void> | undefined;
  return {
    app,
    listen(port: number, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        const s = http.createServer((req, res) => {
          if (!handleFast(ctx, req, res)) app(req, res);
        });
        s.keepAliveTimeout = 30_000;
        // While closing, a connection is closed as soon as its request is answered, not kept alive.
        s.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) =>
          res.once('finish', () => {
            if (closing) setImmediate(() => s.closeIdleConnections());
          }),
        );
        s.once('error', reject);
        s.listen(port, host, () => {
          server = s;
          const addr = s.address() as AddressInfo;
          const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
          boundUrl = `http://${shownHost}:${addr.port}`;
          logger.info({ url: boundUrl }, 'Bandwidth emulator listening');
          resolve({ url: boundUrl });
        });
      });
    },
    pause() {
      engine.pause();
    },
    close(options = {}) {
      closing ??= (async () => {
        // Requests held by an injected fault would otherwise keep their connections (and this close) waiting.
        ctx.apiFaults.close();
        // So do the phone page's event streams, which never end on their own.
        engine.feed.close();
        clearInterval(clockSaver);
        clearInterval(cleaner);
        const serverClosed = server ? closeServer(server, options.force) : Promise.resolve();
        await engine.close(options.force);
        await serverClosed;
        setMeta(db, 'clock_ms', String(clock.now()));
        db.close();
      })();
      return closing;
    },
  };
}

/**
 * Stops listening at once; requests in flight finish and their connections close as they go idle (see `listen`).
 * Without `force`, or once it aborts, every connection is closed.
 */
function closeServer(server: http.Server, force: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    if (!force || force.aborted) server.closeAllConnections();
    else force.addEventListener('abort', () => server.closeAllConnections(), { once: true });
  });
}

/** Makes sure the default account, its credentials, application and number exist as the defaults say. */
function seedDefaults(directory: Directory, d: EmulatorDefaults): void {
  const existing = directory.account(d.accountId);
  const credentials = (existing?.credentials ?? []).filter((c) => c.clientId !== d.clientId);
  credentials.unshift({ clientId: d.clientId, clientSecret: d.clientSecret, messagingRole: true });
  const apiUsers = (existing?.apiUsers ?? []).filter((u) => u.username !== d.username);
  if (d.username && d.password) apiUsers.unshift({ username: d.username, password: d.password, messagingRole: true });
  directory.putAccount({ ...(existing ?? { id: d.accountId, name: 'Default account' }), credentials, apiUsers });
  const callbackCredentials =
    d.callbackUsername && d.callbackPassword
      ? { username: d.callbackUsername, password: d.callbackPassword }
      : undefined;
  const app = directory.application(d.applicationId);
  directory.putApplication({
    ...(app ?? { id: d.applicationId, name: 'Default application' }),
    accountId: d.accountId,
    inboundCallbackUrl: d.callbackUrl,
    statusCallbackUrl: d.callbackUrl,
    inboundCallbackCredentials: callbackCredentials,
    statusCallbackCredentials: callbackCredentials,
  });
  for (const tn of [d.number, ...(d.otherNumbers ?? [])]) {
    const number = directory.number(tn);
    directory.putNumber({ ...(number ?? { number: tn }), accountId: d.accountId, applicationId: d.applicationId });
  }
}
