/**
 * The workers that hold the sending rates (pacing/send-rates.ts): one per configured rate, polling its task queue
 * (`<taskQueue>.send.<key>`) for `sendMessage` and `paceToken` only, with `maxTaskQueueActivitiesPerSecond` set to the
 * rate. The Temporal server enforces that limit for the whole task queue, whichever workers poll it, so every worker
 * process runs all of them and the pace holds however many there are. Every worker must be given the same rates: the
 * server applies the one the latest poller sent.
 */
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';
import { rateEntries, sendQueueName, type SendRates } from '../pacing/send-rates';

export interface SendQueueWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  /** The conversations' task queue: the rates' queues are named after it. */
  taskQueue: string;
  rates: SendRates;
  /** The worker's activities; only `sendMessage` and `paceToken` run on the rates' queues. */
  activities: Activities;
  dataConverter?: WorkerOptions['dataConverter'];
  /** Extra worker options (shutdown times, interceptors); applied last. */
  overrides?: Partial<WorkerOptions>;
}

/** One activity worker per configured rate; none when no rate is configured. */
export async function createSendQueueWorkers(options: SendQueueWorkerOptions): Promise<Worker[]> {
  const { sendMessage, paceToken } = options.activities;
  if (!paceToken) throw new Error('the sending rates need the paceToken activity (activities/pace-token.ts)');
  return Promise.all(
    rateEntries(options.rates).map(({ key, rate }) =>
      Worker.create({
        connection: options.connection,
        namespace: options.namespace ?? 'default',
        taskQueue: sendQueueName(options.taskQueue, key),
        activities: { sendMessage, paceToken },
        maxTaskQueueActivitiesPerSecond: rate.perSecond,
        ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
        ...options.overrides,
      }),
    ),
  );
}

/**
 * Workers that run and stop as one: `run()` resolves when all have stopped, and rejects with the first failure; when
 * one stops, on its own or failing, the others are shut down too, so a process never runs half its queues.
 */
export interface WorkerGroup {
  run(): Promise<void>;
  shutdown(): void;
  getState(): ReturnType<Worker['getState']>;
}

/** `main` and the rate workers as a {@link WorkerGroup}; its state is the main worker's. */
export function workerGroup(main: Worker, others: readonly Worker[]): WorkerGroup {
  const all = [main, ...others];
  const shutdown = () => {
    for (const worker of all) if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  return {
    async run() {
      const runs = all.map((worker) => worker.run().finally(shutdown));
      const results = await Promise.allSettled(runs);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
    shutdown,
    getState: () => main.getState(),
  };
}
