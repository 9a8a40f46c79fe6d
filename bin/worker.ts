/**
 * `npm run worker`: a Threadline worker on its own, for deployments where workers scale separately from the webhook
 * servers. Stateless: run as many as you like against the same Temporal namespace and task queue.
 */
import { NativeConnection } from '@temporalio/worker';
import { Connection } from '@temporalio/client';
import { createActivities } from '../activities';
import { createBandwidthClient } from '../bandwidth/client';
import { loadConfig } from '../config/env';
import { createWorker } from '../worker/create-worker';
import { ensureSearchAttributes } from '../worker/search-attributes';
import { createLogger } from './logger';

async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const connection = await Connection.connect({ address: config.temporal.address });
  await ensureSearchAttributes(connection, config.temporal.namespace);
  await connection.close();
  const nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
  try {
    const worker = await createWorker({
      connection: nativeConnection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      activities: createActivities({
        bandwidth: createBandwidthClient(config.bandwidth),
        applicationId: config.bandwidth.applicationId,
      }),
    });
    logger.info({ taskQueue: config.temporal.taskQueue, address: config.temporal.address }, 'worker started');
    await worker.run();
  } finally {
    await nativeConnection.close();
  }
}

run().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
