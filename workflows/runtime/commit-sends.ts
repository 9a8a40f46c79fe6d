/**
 * Ending a run without sending anything twice. A send is a local activity: its result is written to history (a marker)
 * only when the workflow task that ran it completes. If that same task also ends the run (the bot returns, or
 * continues as new) and a signal arrives meanwhile (a delivery receipt, say), Temporal rejects the whole completion,
 * the marker with it, and the retried task sends the text again. So a run that sent something in its last task
 * first closes that task with a 1 ms timer, and ends in the next one, where a rejected completion loses nothing.
 */
import { allHandlersFinished, condition, patched, sleep, workflowInfo } from '@temporalio/workflow';
import type { ConversationMemory } from './memory';

/** Histories recorded before this change end without the extra task; `patched` keeps them replaying. */
export const COMMIT_SENDS_PATCH = 'commit-sends-before-ending-a-run';

/** Waits for running handlers, then makes sure no send of the current workflow task is still unrecorded. */
export async function commitSends(memory: ConversationMemory): Promise<void> {
  for (;;) {
    await condition(allHandlersFinished);
    // The history length is that of the task's start, the same in every activation of one task.
    if (memory.lastSendTask !== workflowInfo().historyLength) return;
    if (!patched(COMMIT_SENDS_PATCH)) return;
    await sleep(1);
  }
}
