/**
 * The webhook server and operator API: an express app built by a factory, with no `listen()`; bin/server.ts,
 * stack/index.ts and the tests listen. Stateless: every instance shares Temporal and the records database, so run as
 * many as you like behind a load balancer.
 *
 * | path | |
 * | --- | --- |
 * | `POST /callbacks/messaging` | Bandwidth's callbacks (server/callback-route.ts) |
 * | `/api/v1/...` | the operator API, bearer token (server/operator/api.ts); `GET /api/v1/openapi.json` |
 * | `GET /healthz`, `GET /readyz` | liveness; readiness (Temporal and the records store answer) |
 * | `GET /metrics` | Prometheus metrics |
 * | `POST /codec/encode`, `POST /codec/decode` | the codec server for the Web UI, with encrypted payloads (server/codec-route.ts) |
 */
import type { Client } from '@temporalio/client';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { createMetrics, type Metrics } from '../observability/metrics';
import { createMemoryRecordStore, type RecordStore } from '../records';
import { callbackRouter } from './callback-route';
import { CODEC_PREFIX } from '../temporal/data-converter';
import { codecRouter, type CodecRouteDeps } from './codec-route';
import { healthRouter } from './health';
import { requestLogging } from './request-logging';
import { OPERATOR_API_PREFIX, operatorApiRouter } from './operator/api';
import type { BotRouter } from './bot-router';
import type { ConsentSettings } from './consent';
import type { HandOffDeps } from './hand-off';

export interface AppDeps {
  temporal: Client;
  taskQueue: string;
  routeBot: BotRouter;
  logger: Logger;
  /**
   * Where every callback event is recorded before it is acknowledged. Default: a store in memory, which only suits
   * tests (the processes in bin/ always pass the configured database).
   */
  records?: RecordStore;
  /** The operator API's bearer token (`OPERATOR_TOKEN`); without one the operator API is not served. */
  operatorToken?: string;
  /** Our default number and Bandwidth application, for proactive starts that name none. */
  defaults?: { ourNumber: string; applicationId: string };
  /** Default: a fresh registry. Pass the worker's to serve both from one `/metrics` (npm start). */
  metrics?: Metrics;
  /** Basic credentials Bandwidth sends with callbacks; none: callbacks need no auth. */
  callbackAuth?: { username: string; password: string };
  /** Our numbers, to tell the direction of callback types Threadline does not know. */
  ourNumbers?: readonly string[];
  /** Settings added to every conversation this server starts (the test kit turns search attributes off). */
  startOptions?: HandOffDeps['startOptions'];
  /** Where opt-outs apply (`THREADLINE_CONSENT_SCOPE`) and our account; default: per number. */
  consent?: ConsentSettings;
  /** The bots the workers run; proactive starts naming another bot are refused. */
  knownBots?: readonly string[];
  /** How participants' numbers are indexed in search attributes (hashed with `THREADLINE_HASH_PHONES_IN_SEARCH`). */
  indexPhone?: HandOffDeps['indexPhone'];
  /** What messages cost (`THREADLINE_PRICE_TABLE`): records, conversations, totals and metrics carry it. */
  prices?: HandOffDeps['prices'];
  /** The codec server for the Web UI when payloads are encrypted (server/codec-route.ts); not served without. */
  codec?: Omit<CodecRouteDeps, 'logger'>;
  /** Largest callback body accepted (413 beyond); default 1 MB. */
  bodyLimit?: string;
  /** Upper bound for handing one event to Temporal (default 5 s, inside Bandwidth's 10 s callback timeout). */
  handOffTimeoutMs?: number;
  /** Deadline of each readiness check (default 2 s). */
  readinessTimeoutMs?: number;
  /** Seconds a 503 asks the caller to wait (default 5). */
  retryAfterSeconds?: number;
}

export function createApp(options: AppDeps): express.Express {
  const deps = { ...options, records: options.records ?? createMemoryRecordStore() };
  const metrics = deps.metrics ?? createMetrics();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLogging(deps.logger));

  app.use(healthRouter(deps));
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  app.use(callbackRouter({ ...deps, metrics }));
  if (deps.codec) app.use(CODEC_PREFIX, codecRouter({ ...deps.codec, logger: deps.logger }));
  if (deps.operatorToken !== undefined) {
    app.use(OPERATOR_API_PREFIX, operatorApiRouter({ ...deps, token: deps.operatorToken, metrics }));
  }

  app.use((req: Request, res: Response) => {
    res.status(404).json({ type: 'not-found', description: `Nothing at ${req.method} ${req.path}` });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    deps.logger.error({ err }, 'request failed');
    if (!res.headersSent) res.status(500).json({ type: 'internal-error', description: 'The request failed' });
  });
  return app;
}
