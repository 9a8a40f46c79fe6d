/**
 * The operator API served over HTTP on a records backend, for tests that only need the API: a records database of the
 * backend, a real Temporal client, `createApp` with no bots, and an API checker that validates every call against the
 * served OpenAPI document. `close()` tears it all down in order.
 */
import type { Client } from '@temporalio/client';
import type { AppDeps } from '../../server/app';
import { createApp } from '../../server/app';
import type { RecordStore } from '../../records';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import type { BandwidthClient } from '../../bandwidth/client';
import { createBotRouter } from '../../server/bot-router';
import { knownBots } from '../../stack/bots';
import { recordSends } from '../../stack/send-recorder';
import { createMetrics } from '../../observability/metrics';
import { DEFAULT_PRICE_TABLE } from '../../billing/price-table';
import { connectToDevServer, workflowSource } from '../helpers/temporal';
import type { Backend, TestDatabase } from '../records/helpers/backends';
import { capturingLogger, serve, type Served } from './helpers';
import { createApiChecker, type ApiChecker } from './openapi-check';

export interface OperatorApp {
  temporal: Client;
  records: RecordStore;
  server: Served;
  api: ApiChecker;
  close(): Promise<void>;
}

export async function serveOperatorApp(
  backend: Backend,
  options: { token: string; taskQueue: string } & Partial<AppDeps>,
): Promise<OperatorApp> {
  await backend.start();
  const temporal = await connectToDevServer();
  const db: TestDatabase = await backend.createDatabase();
  const records = await db.open();
  const { token, taskQueue, ...deps } = options;
  const server = await serve(
    createApp({
      temporal: temporal.client,
      taskQueue,
      routeBot: () => null, // no conversation starts: callbacks are recorded only
      records,
      logger: capturingLogger('silent').logger,
      operatorToken: token,
      ...deps,
    }),
  );
  const api = await createApiChecker(server.url, token);
  return {
    temporal: temporal.client,
    records,
    server,
    api,
    async close() {
      await server.close();
      await records.close();
      await db.drop();
      await temporal.close();
      await backend.stop();
    },
  };
}

/**
 * The operator API in front of a worker running the bots (the echo bot answers unrouted numbers), on a Temporal
 * connection and records store the test owns, with Bandwidth stood in by `bandwidth`. `stop()` stops the server and
 * the worker; the test closes the records and the connection.
 */
export async function serveBotsAndOperatorApi(options: {
  temporal: Awaited<ReturnType<typeof connectToDevServer>>;
  records: RecordStore;
  bandwidth: BandwidthClient;
  taskQueue: string;
  token: string;
  ourNumber: string;
  applicationId: string;
}): Promise<{ server: Served; stop(): Promise<void> }> {
  const { temporal, records, taskQueue } = options;
  const logger = capturingLogger('silent').logger;
  // One registry for the app and the send recorder, and the default prices: totals and usage metrics are priced.
  const metrics = createMetrics();
  const prices = DEFAULT_PRICE_TABLE;
  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    taskQueue,
    ...workflowSource(),
    activities: createActivities({
      bandwidth: options.bandwidth,
      applicationId: options.applicationId,
      onSent: recordSends({ records, logger, metrics }),
      records, // the erasure activities (DELETE /contacts/{phone})
      prices,
      // A dev server runs on real time: quiet hours would hold proactive openings at night (quiet-hours.test.ts).
      quietHours: 'ignore',
    }),
  });
  const running = worker.run();
  const server = await serve(
    createApp({
      temporal: temporal.client,
      taskQueue,
      routeBot: createBotRouter({ routes: {}, defaultBot: 'echoBot', unrouted: 'default' }),
      records,
      logger,
      operatorToken: options.token,
      defaults: { ourNumber: options.ourNumber, applicationId: options.applicationId },
      knownBots: knownBots(),
      metrics,
      prices,
    }),
  );
  return {
    server,
    async stop() {
      await server.close();
      worker.shutdown();
      await running;
    },
  };
}
