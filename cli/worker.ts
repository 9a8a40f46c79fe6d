/**
 * `npm run worker`: a Threadline worker on its own, for deployments where workers scale separately from the webhook
 * servers. Stateless: run as many as you like against the same Temporal namespace and task queue. Every message
 * Bandwidth accepts is recorded in the message records (DATABASE_URL); with WORKER_METRICS_PORT set, Prometheus
 * metrics (sends) are served at /metrics on that port, and with WORKER_SDK_METRICS_ADDRESS the Temporal SDK's own
 * (temporal_*); OTEL_* variables turn on traces (docs/operations.md, "Traces and metrics"). SIGINT or SIGTERM drains it within
 * THREADLINE_SHUTDOWN_TIMEOUT_MS (workflow tasks it cannot finish run again on another worker or at the next start);
 * it exits 1 if it could not stop, or if the worker stops by itself.
 */
import http from 'node:http';
import { ConfigError, loadConfig } from '../config/env';
import { createLogger } from '../observability/logging';
import { createMetrics } from '../observability/metrics';
import { startTracing } from '../observability/tracing';
import { openRecordStore } from '../stack';
import { workerFromConfig } from '../stack/from-config';
import { closePart, httpServerPart, workerPart } from '../stack/parts';
import { handleShutdownSignals } from '../stack/process-shutdown';
import {
  connectClient,
  connectNative,
  describeTemporalConnection,
  TemporalConnectionError,
} from '../temporal/connection';
import { installRuntimeWithoutSignalHandlers } from '../worker/runtime';
import { ensureSearchAttributes } from '../worker/search-attributes';
import { ensureRecordsPurgeSchedule } from '../worker/records-purge-schedule';
import { dataConverterFromConfig } from '../temporal/data-converter';
import { Client } from '@temporalio/client';

async function run(): Promise<void> {
  const config = loadConfig();
  const tracing = await startTracing(config.tracing, { defaultServiceName: 'threadline-worker' });
  installRuntimeWithoutSignalHandlers({ metricsAddress: config.workerSdkMetricsAddress });
  const logger = createLogger({ level: config.logLevel });
  const shutdown = handleShutdownSignals({ timeoutMs: config.shutdown.timeoutMs, info: (line) => logger.info(line) });
  shutdown.register([[closePart('traces', () => tracing.shutdown())]]);
  const connection = await connectClient(config.temporal.connection);
  await ensureSearchAttributes(connection, config.temporal.namespace);
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: dataConverterFromConfig(config),
  });
  const retentionDays = config.retention.recordsDays;
  const purge = await ensureRecordsPurgeSchedule(client, { taskQueue: config.temporal.taskQueue, retentionDays });
  if (purge === 'unchecked') logger.warn('could not check for a records-purge schedule to delete (retention is unset)');
  else logger.info({ schedule: purge, retentionDays }, 'records-purge schedule');
  await connection.close();
  const records = await openRecordStore(config);
  const metrics = createMetrics({ processMetrics: true });
  shutdown.register([[closePart('records store', () => records.close())]]);
  if (config.workerMetricsPort !== undefined) {
    const metricsServer = http.createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    shutdown.register([[httpServerPart('metrics server', metricsServer)]]);
    metricsServer.listen(config.workerMetricsPort, config.server.host);
  }
  const nativeConnection = await connectNative(config.temporal.connection);
  let running: Promise<void> = Promise.resolve();
  shutdown.register([
    [
      closePart('Temporal connection', async () => {
        await running.catch(() => undefined); // the worker holds the connection until it has stopped
        await nativeConnection.close();
      }),
    ],
  ]);
  const worker = await workerFromConfig(config, { connection: nativeConnection, records, metrics, logger, tracing });
  running = worker.run();
  shutdown.register([[workerPart(worker, running)]]);
  logger.info(
    { taskQueue: config.temporal.taskQueue, temporal: describeTemporalConnection(config.temporal.connection) },
    'worker started',
  );
  // Stopped by a signal, this is part of the shutdown; stopped by itself, the process stops too, and says so.
  running.then(
    () => void shutdown.stop('the worker stopped', 1),
    (err: unknown) => {
      logger.error({ err }, 'the worker failed');
      void shutdown.stop('the worker failed', 1);
    },
  );
}

/** Runs `threadline worker` (and `npm run worker`); on failure, says why on stderr and exits 1. */
export function main(): void {
  run().catch((err: unknown) => {
    process.stderr.write(
      `${err instanceof ConfigError || err instanceof TemporalConnectionError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  });
}
