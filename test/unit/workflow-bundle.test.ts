/**
 * What the workflow bundle carries. Every module in it is evaluated in the workflow thread's V8 context, and a heavy
 * library there costs every workflow task: the bundle is parsed and kept by every worker, and its objects grow the
 * heap each garbage collection walks. Replaying a conversation (an evicted one answering) took 15 % longer while zod
 * rode in through the billing helpers, which the workflows import for one addition (billing/amounts.ts). The lint
 * rule on workflows/ sees only direct imports; this sees what they import in turn.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';
import { quietBundlerLogger } from '../../worker/create-worker';
import { workflowBundlerOptions, workflowsPath } from '../../worker/workflow-bundle';

/** The packages the SDK's workflow runtime brings itself: nothing else from node_modules belongs in the bundle. */
const ALLOWED_PACKAGES = ['@temporalio/common', '@temporalio/workflow', 'long', 'ms', 'nexus-rpc'];

async function bundleCode(): Promise<string> {
  const built = process.env.THREADLINE_TEST_WORKFLOW_BUNDLE; // npm test bundles workflows/index.ts once for every file
  if (built) return fs.readFileSync(built, 'utf8');
  return (await bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger, ...workflowBundlerOptions })).code;
}

/** The package of every node_modules module webpack put in the bundle (`"./node_modules/<package>/..."` keys). */
function packagesIn(code: string): Set<string> {
  const packages = new Set<string>();
  for (const [, name] of code.matchAll(/^\/\*\*\*\/ "\.\/node_modules\/((?:@[^/"]+\/)?[^/"]+)\//gm)) {
    if (name) packages.add(name);
  }
  return packages;
}

describe('the workflow bundle', () => {
  it('carries no library but what the Temporal workflow runtime needs', async () => {
    const packages = packagesIn(await bundleCode());
    assert.ok(packages.has('@temporalio/workflow'), 'the bundle lists its modules as webpack writes them');
    const foreign = [...packages].filter((p) => !ALLOWED_PACKAGES.includes(p));
    assert.deepEqual(
      foreign,
      [],
      `workflow code imports, directly or through a helper it imports, ${foreign.join(', ')}: keep such ` +
        'libraries at the edges (schemas in config/, server/, activities/) and give workflows a dependency-free module',
    );
  });
});
