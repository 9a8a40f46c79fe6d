/**
 * `npm run worker`: a Threadline worker on its own, for deployments where workers scale separately from the webhook
 * servers. Stateless: run as many as you like against the same Temporal namespace and task queue. Every message
 * Bandwidth accepts is recorded in the message records (DATABASE_URL); with WORKER_METRICS_PORT set, Prometheus
 * metrics (sends) are served at /metrics on that port.
 */
import http from 'node:http';
import { NativeConnection } from '@temporalio/worker';
import { Connection } from '@temporalio/client';
import { ConfigError, loadConfig } from '../config/env';
import { createLogger } from '../observability/logging';
import { createMetrics } from '../observability/metrics';
import { openRecordStore } from '../stack';
import { activitiesFromConfig } from '../stack/from-config';
import { createWorker } from '../worker/create-worker';
import { ensureSearchAttributes } from '../worker/search-attributes';

async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const connection = await Connection.connect({ address: config.temporal.address });
  await ensureSearchAttributes(connection, config.temporal.namespace);
  await connection.close();
  const records = await openRecordStore(config);
  const metrics = createMetrics({ processMetrics: true });
  let metricsServer: http.Server | undefined;
  if (config.workerMetricsPort !== undefined) {
    metricsServer = http.createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    metricsServer.listen(config.workerMetricsPort, config.server.host);
  }
  const nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
  try {
    const worker = await createWorker({
      connection: nativeConnection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      maxCachedWorkflows: config.maxCachedWorkflows,
      activities: activitiesFromConfig(config, { records, metrics, logger }),
    });
    logger.info({ taskQueue: config.temporal.taskQueue, address: config.temporal.address }, 'worker started');
    await worker.run();
  } finally {
    metricsServer?.close();
    await nativeConnection.close();
    await records.close();
  }
}

run().catch((err: unknown) => {
  process.stderr.write(
    `${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
