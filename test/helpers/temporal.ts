/**
 * Shared Temporal plumbing for tests. `npm test` (test/run.ts) starts one dev server, installs the time-skipping
 * test server and bundles the workflows once, and passes them here through the environment.
 */
import {
  Runtime,
  DefaultLogger,
  NativeConnection,
  makeTelemetryFilterString,
  type WorkerOptions,
} from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTimeSkippingEnvironment } from '../../worker/create-worker';

Runtime.install({
  logger: new DefaultLogger('WARN'),
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
});

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with \`npm test\`, which starts Temporal for them`);
  return value;
}

/** The workflow bundle built once per test run (falls back to bundling workflows/index.ts). */
export function workflowSource(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  const codePath = process.env.THREADLINE_TEST_WORKFLOW_BUNDLE;
  return codePath ? { workflowBundle: { codePath } } : { workflowsPath: require.resolve('../../workflows') };
}

/**
 * A time-skipping environment on Temporal's Java test server (installed by toolchain/temporal.ts). That server has
 * no custom search attributes, so conversations started on it pass `searchAttributes: false`.
 */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return startTimeSkippingEnvironment(required('THREADLINE_TEST_SERVER'));
}

/** Connections to the run's real dev server. */
export async function connectToDevServer(): Promise<{
  address: string;
  client: Client;
  nativeConnection: NativeConnection;
  close(): Promise<void>;
}> {
  const address = required('TEMPORAL_ADDRESS');
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    address,
    client: new Client({ connection }),
    nativeConnection,
    async close() {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

/** A task queue unique to one test, so tests never pick up each other's workflows. */
export function uniqueTaskQueue(name: string): string {
  return `${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
