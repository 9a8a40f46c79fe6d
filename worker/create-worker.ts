/**
 * The Threadline worker: runs every bot workflow and the activities they call. A factory, so bin/worker.ts,
 * bin/start.ts and the tests build it the same way.
 */
import v8 from 'node:v8';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';
import { bundleWorkflowsApart } from './workflow-bundle';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  activities: Activities;
  /**
   * A pre-built bundle (faster start); otherwise workflows/index.ts is bundled at start, in a child process
   * (worker/workflow-bundle.ts).
   */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** The module that exports the bots by name, bundled at start when there is no `workflowBundle` (default: ours). */
  workflowsPath?: string;
  /** Payload codecs (encryption: temporal/data-converter.ts); Temporal's default converter when omitted. */
  dataConverter?: WorkerOptions['dataConverter'];
  /** Conversations kept in memory between turns; evicted ones are replayed from history on their next event. */
  maxCachedWorkflows?: number;
  /**
   * The V8 heap limit of the workflow thread (MiB), where the cached conversations live (worker/cache-size.ts
   * `workflowHeapMbFor`); V8's own when omitted. Set as the process-wide V8 flag `--max-old-space-size` while the
   * worker starts its workflow thread, and set back after: the process's main thread and threads started later keep
   * V8's own limit.
   */
  workflowHeapMb?: number;
  /**
   * The process's shutdown deadline (`THREADLINE_SHUTDOWN_TIMEOUT_MS`): asked to shut down, the worker lets what is
   * in flight finish for up to 30 % of it, then cancels the activities still running, and gives up waiting at 60 %
   * (the workflow tasks it leaves run again at the next start). Without it, the SDK waits as long as it takes.
   */
  shutdownTimeoutMs?: number;
  /**
   * Workflow interceptor modules bundled with the workflows when the worker bundles them itself (tracing,
   * observability/tracing.ts); a pre-built `workflowBundle` has whatever it was built with.
   */
  workflowInterceptorModules?: string[];
  /** Extra worker options (tuning, interceptors); applied last. */
  overrides?: Partial<WorkerOptions>;
}

export { workflowsPath } from './workflow-bundle';

export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  const workflowBundle =
    options.workflowBundle ??
    (await bundleWorkflowsApart(options.workflowsPath, {
      workflowInterceptorModules: options.workflowInterceptorModules,
    }));
  const create = () => Worker.create(workerOptions(options, workflowBundle));
  return options.workflowHeapMb === undefined ? create() : withThreadHeapLimit(options.workflowHeapMb, create);
}

/**
 * Runs `start` with V8's heap limit for new isolates set to `mb` MiB (the process-wide flag `--max-old-space-size`),
 * then sets it back to V8's own (0): the threads `start` starts and waits for (a worker's workflow thread, whose
 * isolate exists once `Worker.create` resolves) get the limit; the process's main thread and threads started later
 * (other workers, tests run after this one in the same process) keep V8's own. A lower limit makes V8 collect more
 * often, which costs CPU where it is not needed.
 */
export async function withThreadHeapLimit<T>(mb: number, start: () => Promise<T>): Promise<T> {
  v8.setFlagsFromString(`--max-old-space-size=${mb}`);
  try {
    return await start();
  } finally {
    v8.setFlagsFromString('--max-old-space-size=0');
  }
}

function workerOptions(
  options: CreateWorkerOptions,
  workflowBundle: NonNullable<WorkerOptions['workflowBundle']>,
): WorkerOptions {
  return {
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    workflowBundle,
    activities: options.activities,
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    ...(options.shutdownTimeoutMs !== undefined ? workerShutdownTimes(options.shutdownTimeoutMs) : {}),
    ...options.overrides,
  };
}

/** The worker's share of a shutdown deadline of `timeoutMs` (see {@link CreateWorkerOptions.shutdownTimeoutMs}). */
export function workerShutdownTimes(timeoutMs: number): Pick<WorkerOptions, 'shutdownGraceTime' | 'shutdownForceTime'> {
  return { shutdownGraceTime: Math.round(timeoutMs * 0.3), shutdownForceTime: Math.round(timeoutMs * 0.6) };
}

/** A logger for `bundleWorkflowCode` that keeps webpack's progress quiet and still reports problems on stderr. */
export const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => void process.stderr.write(`bundler: ${message}\n`),
  error: (message: string) => void process.stderr.write(`bundler: ${message}\n`),
};

/**
 * Starts Temporal's time-skipping test server through its `exec` wrapper (toolchain/temporal.ts). The SDK gives it
 * 5 s to open its port; the JVM is up in about 0.5 s here, and in 1.2 to 3.3 s with the 2-core machine oversubscribed
 * twice over, so one more try covers a worse moment without hiding a real failure.
 */
export async function startTimeSkippingEnvironment(testServerPath: string) {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const start = () =>
    TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: testServerPath } },
    });
  return start().catch(() => start());
}
