/**
 * The workflow bundle a worker runs: every bot (workflows/index.ts), bundled by webpack, in two ways that make a
 * conversation cheaper to start, to replay and to keep cached:
 *
 * - **Shared runtime.** Temporal's reusable V8 context evaluates a bundle's modules again for every workflow it
 *   creates, unless they are preloaded. The conversation runtime (workflows/conversation.ts and everything it
 *   imports: the dialogue helpers, consent keywords, the one timer) keeps nothing at module level, so it is preloaded
 *   once per workflow thread and shared, and its code stays warm. The bots themselves are not: a bot's module may keep
 *   state of its own, and each conversation must have its own.
 * - **Bundled apart.** webpack needs about 100 MB while it bundles and the process would keep most of it; bundling in
 *   a short-lived child process keeps the worker's resident memory to what it runs.
 */
import { execFile } from 'node:child_process';
import type { BundleOptions } from '@temporalio/worker';

/** The worker's workflows: every bot, exported by name. */
export const workflowsPath = require.resolve('../workflows');

/** What every Threadline bundle is built with (the worker's, the test run's, the kit's). */
export const workflowBundlerOptions: Required<Pick<BundleOptions, 'preloadModules'>> = {
  preloadModules: [require.resolve('../workflows/conversation')],
};

/** Largest bundle the child may hand back (with its inline source map the bundle is 2.3 MB, 4.2 MB with tracing). */
const MAX_BUNDLE_BYTES = 64 * 2 ** 20;

/**
 * The child's program: bundles with the SDK's bundler (which compiles the TypeScript itself) and writes the code to
 * standard output; problems go to standard error.
 */
const BUNDLER_PROGRAM = `
const [workerModule, workflowsPath, options] = process.argv.slice(1);
const { bundleWorkflowCode } = require(workerModule);
const report = (message) => process.stderr.write('bundler: ' + message + '\\n');
const logger = { log() {}, trace() {}, debug() {}, info() {}, warn: report, error: report };
bundleWorkflowCode({ workflowsPath, logger, ...JSON.parse(options) }).then(
  (bundle) => process.stdout.write(bundle.code),
  (err) => { report(err && err.stack ? err.stack : String(err)); process.exitCode = 1; },
);
`;

/**
 * Bundles `path` (default: every bot) with {@link workflowBundlerOptions} in a child process; resolves with the code
 * for `WorkerOptions.workflowBundle`. `extra.workflowInterceptorModules` adds workflow interceptors to the bundle
 * (tracing, observability/tracing.ts); without them the bundle is the same as ever.
 */
export function bundleWorkflowsApart(
  path = workflowsPath,
  extra: Pick<BundleOptions, 'workflowInterceptorModules'> = {},
): Promise<{ code: string }> {
  const args = ['-e', BUNDLER_PROGRAM, require.resolve('@temporalio/worker'), path];
  const interceptors = extra.workflowInterceptorModules ?? [];
  args.push(
    JSON.stringify({
      ...workflowBundlerOptions,
      ...(interceptors.length > 0 ? { workflowInterceptorModules: interceptors } : {}),
    }),
  );
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: MAX_BUNDLE_BYTES }, (err, stdout, stderr) => {
      if (stderr) process.stderr.write(stderr);
      if (err) reject(new Error(`Bundling the workflows at ${path} failed: ${err.message}`, { cause: err }));
      else resolve({ code: stdout });
    });
  });
}
