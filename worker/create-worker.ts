/**
 * The Threadline worker: runs every bot workflow and the activities they call. A factory, so bin/worker.ts,
 * bin/start.ts and the tests build it the same way.
 */
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  activities: Activities;
  /** A pre-built bundle (faster start); otherwise workflows/index.ts is bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Conversations kept in memory between turns; evicted ones are replayed from history on their next event. */
  maxCachedWorkflows?: number;
  /** Extra worker options (tuning, interceptors); applied last. */
  overrides?: Partial<WorkerOptions>;
}

export const workflowsPath = require.resolve('../workflows');

export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    activities: options.activities,
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    ...options.overrides,
  });
}
