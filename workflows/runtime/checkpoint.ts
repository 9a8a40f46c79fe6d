/**
 * `chat.checkpoint(state)`: where a long conversation continues as new. When the history has grown large (Temporal
 * suggests it, or the start's `maxHistoryEvents`), it waits for running handlers to finish and for its sends to be
 * recorded, then continues as a new run carrying the bot's state and everything the conversation remembers.
 */
import { continueAsNew, workflowInfo } from '@temporalio/workflow';
import type { ConversationOutcome, ConversationStart } from '../conversation-start';
import { commitSends } from './commit-sends';
import type { ConversationContext } from './context';

export function createCheckpoint<S>({ start, memory }: ConversationContext) {
  return async function checkpoint(botState: S): Promise<void> {
    const info = workflowInfo();
    const due =
      info.continueAsNewSuggested ||
      (start.maxHistoryEvents !== undefined && info.historyLength >= start.maxHistoryEvents);
    if (!due) return;
    await commitSends(memory);
    const { opening: _opening, ...rest } = start;
    await continueAsNew<(s: ConversationStart<unknown, S>) => Promise<ConversationOutcome>>({
      ...rest,
      carried: memory.carry(botState),
    });
  };
}
