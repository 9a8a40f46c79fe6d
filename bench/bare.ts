/**
 * What the latency and burst benchmarks share: the workflow bundle (Threadline's bots and the bare baseline's
 * workflows, bundled as a Threadline worker bundles them), and the bare Temporal baseline's client and worker on the
 * benchmark's dev server.
 */
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode, Worker, type NativeConnection } from '@temporalio/worker';
import { connectClient, connectNative, loadTemporalConnection } from '../temporal/connection';
import { quietBundlerLogger } from '../worker/create-worker';
import { workflowBundlerOptions } from '../worker/workflow-bundle';

/** bench/workflows: every bot and the bare baseline's workflows, with the options every Threadline bundle has. */
export function benchWorkflowBundle(): Promise<{ code: string }> {
  return bundleWorkflowCode({
    workflowsPath: path.join(__dirname, 'workflows/index.ts'),
    logger: quietBundlerLogger,
    ...workflowBundlerOptions,
  });
}

export interface BareTemporal {
  client: Client;
  native: NativeConnection;
  /** Stops the bare worker, then closes both connections. */
  stop(): Promise<void>;
}

/**
 * Connects to the dev server at `address` and runs the bare baseline's worker on `taskQueue`: its one activity,
 * `reply(n)`, calls `reply` with the workflow id and `n`.
 */
export async function startBareTemporal(
  address: string,
  bundle: { code: string },
  options: { taskQueue: string; maxCachedWorkflows?: number; reply: (workflowId: string, n: number) => void },
): Promise<BareTemporal> {
  const settings = loadTemporalConnection({ TEMPORAL_ADDRESS: address });
  const connection = await connectClient(settings);
  const native = await connectNative(settings);
  const worker = await Worker.create({
    connection: native,
    taskQueue: options.taskQueue,
    workflowBundle: bundle,
    ...(options.maxCachedWorkflows ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    activities: {
      async reply(n: number) {
        options.reply(Context.current().info.workflowExecution?.workflowId ?? '', n);
      },
    },
  });
  const running = worker.run();
  return {
    client: new Client({ connection }),
    native,
    async stop() {
      worker.shutdown();
      await running;
      await native.close();
      await connection.close();
    },
  };
}
