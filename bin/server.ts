/**
 * `npm run server`: the webhook server on its own. Stateless: run several behind a load balancer. It starts even
 * when Temporal is down (the connection is lazy) and answers 503 until Temporal is back, so Bandwidth retries.
 */
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config/env';
import { createApp } from '../server/app';
import { createLogger } from './logger';

function run(): void {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const connection = Connection.lazy({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const app = createApp({
    temporal: client,
    taskQueue: config.temporal.taskQueue,
    routeBot: () => config.defaultBot,
    logger,
  });
  const server = app.listen(config.server.port, config.server.host, () => {
    logger.info(
      { url: `http://${config.server.host}:${config.server.port}/callbacks/messaging` },
      'webhook server listening',
    );
  });
  const stop = () => server.close(() => void connection.close().finally(() => process.exit(0)));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

run();
