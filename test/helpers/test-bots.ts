/**
 * The test bots (test/bots/index.ts: every real bot plus the bots that prove the runtime's primitives) as a workflow
 * bundle. `npm test` bundles them once for the whole run (about 2 CPU-seconds with webpack) and passes the file in
 * THREADLINE_TEST_BOTS_BUNDLE; outside it, and in `npm test -- --watch` (where a bot may have just changed), they are
 * bundled here from source.
 */
import path from 'node:path';
import { bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { quietBundlerLogger } from '../../worker/create-worker';
import { workflowBundlerOptions } from '../../worker/workflow-bundle';

/** Where the test bots are. */
export const testBotsPath = path.resolve(__dirname, '../bots/index.ts');

/** The test bots, for `WorkerOptions` or the kit's `workflows`. */
export async function testBots(): Promise<Required<Pick<WorkerOptions, 'workflowBundle'>>> {
  const codePath = process.env.THREADLINE_TEST_BOTS_BUNDLE;
  if (codePath) return { workflowBundle: { codePath } };
  return {
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: testBotsPath,
      logger: quietBundlerLogger,
      ...workflowBundlerOptions,
    }),
  };
}
