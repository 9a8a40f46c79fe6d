/**
 * The test bots (test/bots/index.ts: every real bot plus the bots that prove the runtime's primitives) as a workflow
 * bundle. `npm test` bundles them once for the whole run (about 2 CPU-seconds with webpack) and passes the file in
 * THREADLINE_TEST_BOTS_BUNDLE; outside it, and in `npm test -- --watch` (where a bot may have just changed), they are
 * bundled here from source.
 */
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { inboundMessage } from '../../kit';
import { quietBundlerLogger } from '../../worker/create-worker';
import { workflowBundlerOptions } from '../../worker/workflow-bundle';
import { conversationId } from '../../workflows/ids';
import { inboundMessageSignal } from '../../workflows/messages';

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

/**
 * A participant texts `hi` to our number, which starts the receipt bot's conversation (signal-with-start, as the
 * webhook server does; no search attributes, which the time-skipping server does not have).
 */
export function textTheReceiptBot(
  client: Client,
  options: { taskQueue: string; ourNumber: string; participant: string; messageId: string },
) {
  const start = { ourNumber: options.ourNumber, participants: [options.participant], searchAttributes: false };
  return client.workflow.signalWithStart('receiptBot', {
    workflowId: conversationId(start),
    taskQueue: options.taskQueue,
    args: [start],
    signal: inboundMessageSignal,
    signalArgs: [
      inboundMessage({
        messageId: options.messageId,
        from: options.participant,
        to: [options.ourNumber],
        text: 'hi',
      }),
    ],
  });
}
