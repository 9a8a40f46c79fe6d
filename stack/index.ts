/**
 * The whole Threadline stack in one process, on an existing Temporal server: the webhook server, the worker, and
 * (by default) the embedded Bandwidth emulator. `npm start` (bin/start.ts) runs it beside a dev server; the
 * end-to-end tests run it against the test run's dev server on ephemeral ports.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { Config } from '../config/env';
import { createEmulator, type Emulator } from '../emulator';
import { createLogger } from '../observability/logging';
import { createMetrics, type Metrics } from '../observability/metrics';
import { tracingOff, type Tracing } from '../observability/tracing';
import { createRecordStore, recordStoreTarget, type RecordStore } from '../records';
import { createApp, type AppDeps } from '../server/app';
import { keepIdleConnections } from '../server/keep-alive';
import { connectClient, connectNative } from '../temporal/connection';
import { dataConverterFromConfig } from '../temporal/data-converter';
import { ensureRecordsPurgeSchedule } from '../worker/records-purge-schedule';
import { ensureSearchAttributes } from '../worker/search-attributes';
import { emulatorDefaultsFromConfig } from './emulator-defaults';
import { appDepsFromConfig, workerFromConfig } from './from-config';
import { closePart, emulatorPart, httpServerPart, workerPart } from './parts';
import { shutDown, type ShutdownReport, type Stages } from './shutdown';
import { webUiConversationLink } from './web-ui-links';

export interface StackOptions {
  config: Config;
  logger?: Logger;
  /** Run the embedded emulator (default: when Threadline is configured to use it). */
  emulator?: boolean;
  /** Keep emulator state in the data directory (default true); false keeps it in memory (tests). */
  persistEmulator?: boolean;
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** The message records store; default: the configured one (DATABASE_URL, else SQLite in the data directory). */
  records?: RecordStore;
  /** The process's tracing (observability/tracing.ts), started by its entry point; default: none. */
  tracing?: Tracing;
  /** Webhook server tuning (tests): hand-off deadline, Retry-After. */
  server?: Pick<AppDeps, 'handOffTimeoutMs' | 'retryAfterSeconds' | 'readinessTimeoutMs'>;
  /** The Temporal Web UI's URL: the emulator's phone page links each thread to its conversation there. */
  temporalUiUrl?: string;
}

export interface Stack {
  serverUrl: string;
  emulatorUrl: string | null;
  client: Client;
  records: RecordStore;
  metrics: Metrics;
  /** The operator API's bearer token. */
  operatorToken: string;
  /**
   * Its parts in the order they stop (stack/shutdown.ts): intake first (the webhook server stops listening, the
   * emulator stops sending), then the webhook server's requests in flight and the worker drain together, then the
   * emulator closes (the worker sent through it until then), then the connections and the records store.
   */
  stages: Stages;
  /** Stops every part within the configured deadline (`THREADLINE_SHUTDOWN_TIMEOUT_MS`); resolves with the report. */
  stop(): Promise<ShutdownReport>;
}

/** The configured message records store: PostgreSQL at DATABASE_URL, else SQLite in the data directory. */
export function openRecordStore(config: Config): Promise<RecordStore> {
  return createRecordStore(recordStoreTarget({ dataDir: config.dataDir, databaseUrl: config.records.databaseUrl }), {
    storeText: config.records.storeText,
  });
}

function listen(server: http.Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      resolve(`http://${host}:${address.port}`);
    });
  });
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const logger = options.logger ?? createLogger({ level: options.config.logLevel });
  let config = options.config;
  const records = options.records ?? (await openRecordStore(config));
  const metrics = createMetrics({ processMetrics: true });
  const connection = await connectClient(config.temporal.connection);
  const tracing = options.tracing ?? tracingOff;
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    interceptors: tracing.clientInterceptors,
    dataConverter: dataConverterFromConfig(config),
  });
  const registered = await ensureSearchAttributes(connection, config.temporal.namespace);
  if (registered.length > 0) logger.info({ registered }, 'registered search attributes');
  const retentionDays = config.retention.recordsDays;
  const purge = await ensureRecordsPurgeSchedule(client, { taskQueue: config.temporal.taskQueue, retentionDays });
  if (purge === 'unchecked') logger.warn('could not check for a records-purge schedule to delete (retention is unset)');
  else logger.info({ schedule: purge, retentionDays }, 'records-purge schedule');

  const appDeps = appDepsFromConfig(config, {
    client,
    records,
    metrics,
    logger: logger.child({ component: 'server' }),
  });
  const httpServer = http.createServer(
    createApp({
      ...appDeps,
      ...options.server,
    }),
  );
  keepIdleConnections(httpServer, config.server.keepAliveTimeoutMs);
  const webhookServer = httpServerPart('webhook server', httpServer);
  const serverUrl = await listen(httpServer, config.server.port, config.server.host);

  let emulator: Emulator | null = null;
  let emulatorUrl: string | null = null;
  if (options.emulator ?? config.bandwidth.usesEmulator) {
    // With ephemeral ports (tests), the emulator's callbacks go to wherever the server really listens.
    const callbackUrl = config.server.port === 0 ? `${serverUrl}/callbacks/messaging` : config.emulator.callbackUrl;
    emulator = createEmulator({
      defaults: { ...emulatorDefaultsFromConfig(config), callbackUrl },
      timeScale: config.emulator.timeScale,
      ...(options.persistEmulator === false ? {} : { dataDir: config.dataDir }),
      ...(config.emulator.configFile ? { configFile: config.emulator.configFile } : {}),
      logger: logger.child({ component: 'emulator' }),
      ...(options.temporalUiUrl
        ? { conversationLink: webUiConversationLink(options.temporalUiUrl, config.temporal.namespace) }
        : {}),
    });
    emulatorUrl = (await emulator.listen(config.emulator.port, '127.0.0.1')).url;
    if (config.emulator.port === 0) {
      const base = `${emulatorUrl}/api/v2`;
      const auth =
        config.bandwidth.auth.kind === 'oauth2'
          ? { ...config.bandwidth.auth, tokenUrl: `${emulatorUrl}/api/v1/oauth2/token` }
          : config.bandwidth.auth;
      config = { ...config, bandwidth: { ...config.bandwidth, baseUrl: base, auth } };
    }
  }

  const nativeConnection = await connectNative(config.temporal.connection);
  const worker = await workerFromConfig(
    config,
    { connection: nativeConnection, records, metrics, logger: logger.child({ component: 'worker' }), tracing },
    options.workflowBundle ? { workflowBundle: options.workflowBundle } : {},
  );
  const running = worker.run();
  running.catch((err: unknown) => logger.error({ err }, 'worker stopped with an error'));

  const stages: Stages = [
    [webhookServer, workerPart(worker, running)],
    emulator ? [emulatorPart(emulator)] : [],
    [
      closePart('Temporal connections', async () => {
        await running.catch(() => undefined); // the worker holds the native connection until it has stopped
        await nativeConnection.close();
        await connection.close();
      }),
      ...(options.records ? [] : [closePart('records store', () => records.close())]),
    ],
  ];
  return {
    serverUrl,
    emulatorUrl,
    client,
    records,
    metrics,
    operatorToken: appDeps.operatorToken!,
    stages,
    async stop() {
      const report = await shutDown(stages, { timeoutMs: config.shutdown.timeoutMs });
      for (const f of report.failures) logger.warn({ part: f.part, reason: f.reason }, 'a part did not stop');
      return report;
    },
  };
}
