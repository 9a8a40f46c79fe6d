/**
 * The workflow of one conversation under test, reached the way the webhook server reaches it: signal-with-start for
 * inbound messages, a signal per delivery receipt, a plain start for a proactive conversation.
 */
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { ConversationStart } from '../workflows/conversation';
import { conversationId } from '../workflows/ids';
import {
  deliveryStatusSignal,
  inboundMessageSignal,
  type DeliveryEvent,
  type InboundMessage,
} from '../workflows/messages';

export interface ConversationWorkflowOptions {
  client: Client;
  /** The bot's workflow type. */
  bot: string;
  taskQueue: string;
  start: ConversationStart;
}

export interface ConversationWorkflow {
  readonly start: ConversationStart;
  readonly workflowId: string;
  /** The conversation's handle; null until it has started. */
  readonly handle: WorkflowHandle | null;
  /** Starts the conversation without a text: the bot speaks first. */
  startProactively(): Promise<void>;
  /** Delivers an inbound message, starting the conversation if it is not running. */
  deliverInbound(message: InboundMessage): Promise<void>;
  /** Delivers a receipt; like the server, only records (drops) a receipt for a conversation that has ended. */
  deliverReceipt(event: DeliveryEvent): Promise<void>;
  /** The conversation was started elsewhere (through the webhook server): follow it by its workflow id. */
  follow(): void;
  /** Terminates the conversation if it is still running. */
  stop(): Promise<void>;
}

export function createConversationWorkflow({
  client,
  bot,
  taskQueue,
  start,
}: ConversationWorkflowOptions): ConversationWorkflow {
  const workflowId = conversationId(start);
  let handle: WorkflowHandle | null = null;
  return {
    start,
    workflowId,
    get handle() {
      return handle;
    },
    async startProactively() {
      if (handle) throw new Error('the conversation has already started');
      handle = await client.workflow.start(bot, { workflowId, taskQueue, args: [start] });
    },
    async deliverInbound(message) {
      handle = await client.workflow.signalWithStart(bot, {
        workflowId,
        taskQueue,
        args: [start],
        signal: inboundMessageSignal,
        signalArgs: [message],
      });
    },
    async deliverReceipt(event) {
      if (!handle) throw new Error('the conversation has not started: send a text first');
      const { status } = await handle.describe();
      if (status.name !== 'RUNNING') return;
      try {
        await handle.signal(deliveryStatusSignal, event);
      } catch (err) {
        // The conversation ended between the check and the signal: the server would only record this receipt too.
        if (err instanceof WorkflowNotFoundError || /completed workflow/i.test(String(err))) return;
        throw err;
      }
    },
    follow() {
      handle ??= client.workflow.getHandle(workflowId);
    },
    async stop() {
      if (!handle) return;
      const { status } = await handle.describe().catch(() => ({ status: { name: 'UNKNOWN' } }));
      if (status.name === 'RUNNING') await handle.terminate('test finished').catch(() => undefined);
    },
  };
}
