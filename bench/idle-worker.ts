/**
 * The worker process of bench/idle.ts: a Threadline worker built as `npm run worker` builds it (worker/create-worker.ts,
 * workflows bundled at start, the configuration's cache size and shutdown deadline), alone in its process, with fake
 * Bandwidth-facing activities: the send answers as Bandwidth's 202 would and tells the parent over IPC which reply it
 * sent. Answers `{ type: 'memory' }` with its memory after a full garbage collection (run with --expose-gc).
 *
 * Environment: TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE, WORKER_MAX_CACHED_WORKFLOWS, WORKER_SDK_METRICS_ADDRESS
 * (config/env.ts).
 */
import { loadConfig } from '../config/env';
import { createSendWindowActivities, type Activities, type SendMessageInput } from '../activities';
import { connectNative } from '../temporal/connection';
import { dataConverterFromConfig } from '../temporal/data-converter';
import { createWorker } from '../worker/create-worker';
import { installRuntimeWithoutSignalHandlers } from '../worker/runtime';
import { decodeTag } from '../workflows/ids';

export type IdleWorkerMessage =
  | { type: 'ready'; maxCachedWorkflows: number; workflowHeapMb: number | null }
  | { type: 'replied'; conversationId: string; text: string }
  | { type: 'memory'; rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };

const send = (message: IdleWorkerMessage) => process.send?.(message);

async function run(): Promise<void> {
  const config = loadConfig();
  // As `npm run worker` installs it (cli/worker.ts): the SDK's metrics served only when an address is configured.
  installRuntimeWithoutSignalHandlers({ metricsAddress: config.workerSdkMetricsAddress });
  const connection = await connectNative(config.temporal.connection);
  let sent = 0;
  const activities: Activities = {
    ...createSendWindowActivities({}),
    async sendMessage(input: SendMessageInput) {
      send({ type: 'replied', conversationId: decodeTag(input.tag)?.conversationId ?? '', text: input.text ?? '' });
      sent += 1;
      return { messageId: `idle-${process.pid}-${sent}`, segmentCount: 1, time: new Date().toISOString() };
    },
    async copyInboundMedia() {
      return [];
    },
    async watchReceipts() {
      return []; // the echo bot never waits for a receipt
    },
  };
  const worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    maxCachedWorkflows: config.maxCachedWorkflows,
    ...(config.workflowHeapMb !== null ? { workflowHeapMb: config.workflowHeapMb } : {}),
    shutdownTimeoutMs: config.shutdown.timeoutMs,
    activities,
    dataConverter: dataConverterFromConfig(config),
  });
  const running = worker.run();
  process.on('message', (message: { type: string }) => {
    if (message.type === 'memory') {
      (globalThis as { gc?: () => void }).gc?.();
      const m = process.memoryUsage();
      send({
        type: 'memory',
        rss: m.rss,
        heapUsed: m.heapUsed,
        heapTotal: m.heapTotal,
        external: m.external,
        arrayBuffers: m.arrayBuffers,
      });
    }
    if (message.type === 'stop') worker.shutdown();
  });
  send({ type: 'ready', maxCachedWorkflows: config.maxCachedWorkflows, workflowHeapMb: config.workflowHeapMb });
  await running;
  await connection.close();
  process.disconnect?.();
}

run().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
