/**
 * `npm run server`: the webhook server and operator API on their own. Stateless: run several behind a load balancer,
 * sharing Temporal and the records database (DATABASE_URL). It starts even when Temporal is down (the connection is
 * lazy): callbacks get 503 and /readyz fails until Temporal is back, so Bandwidth retries and nothing is lost.
 * SIGINT or SIGTERM: it stops listening at once, answers the requests in flight, and exits within
 * THREADLINE_SHUTDOWN_TIMEOUT_MS.
 */
import { Client } from '@temporalio/client';
import { ConfigError, loadConfig } from '../config/env';
import { createLogger } from '../observability/logging';
import { createMetrics } from '../observability/metrics';
import { startTracing } from '../observability/tracing';
import { createApp } from '../server/app';
import { keepIdleConnections } from '../server/keep-alive';
import { openRecordStore } from '../stack';
import { appDepsFromConfig } from '../stack/from-config';
import { closePart, httpServerPart } from '../stack/parts';
import { handleShutdownSignals } from '../stack/process-shutdown';
import { lazyClientConnection } from '../temporal/connection';
import { dataConverterFromConfig } from '../temporal/data-converter';

async function run(): Promise<void> {
  const config = loadConfig();
  const tracing = await startTracing(config.tracing, { defaultServiceName: 'threadline-server' });
  const logger = createLogger({ level: config.logLevel });
  const shutdown = handleShutdownSignals({ timeoutMs: config.shutdown.timeoutMs, info: (line) => logger.info(line) });
  shutdown.register([[closePart('traces', () => tracing.shutdown())]]);
  const records = await openRecordStore(config);
  const connection = lazyClientConnection(config.temporal.connection);
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    interceptors: tracing.clientInterceptors,
    dataConverter: dataConverterFromConfig(config),
  });
  const app = createApp(
    appDepsFromConfig(config, { client, records, metrics: createMetrics({ processMetrics: true }), logger }),
  );
  const server = app.listen(config.server.port, config.server.host, () => {
    const base = `http://${config.server.host}:${config.server.port}`;
    logger.info(
      { callbacks: `${base}/callbacks/messaging`, operatorApi: `${base}/api/v1`, metrics: `${base}/metrics` },
      'webhook server listening',
    );
  });
  keepIdleConnections(server, config.server.keepAliveTimeoutMs);
  shutdown.register([
    [httpServerPart('webhook server', server)],
    [closePart('Temporal connection', () => connection.close()), closePart('records store', () => records.close())],
  ]);
}

/** Runs `threadline server` (and `npm run server`); on failure, says why on stderr and exits 1. */
export function main(): void {
  run().catch((err: unknown) => {
    process.stderr.write(
      `${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  });
}
