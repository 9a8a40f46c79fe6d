/**
 * The workflow of one conversation under test, reached the way the webhook server reaches it: signal-with-start for
 * inbound messages, a signal per delivery receipt, a plain start for a proactive conversation.
 */
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
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
  /**
   * Resolves once the conversation has handled everything delivered to it so far and waits for something new: no
   * workflow task is scheduled or running, and no activity is in flight (its history says so, on any server).
   */
  idle(options?: { timeoutMs?: number }): Promise<void>;
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
    async idle({ timeoutMs = 10_000 } = {}) {
      if (!handle) return;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { events } = await handle.fetchHistory();
        if (isIdle(events ?? [])) return;
        if (Date.now() > deadline) throw new Error(`${workflowId} is still busy after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
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

const { EventType } = temporal.api.enums.v1;
const TASK_OPENED = new Set([
  EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
]);
const TASK_CLOSED = new Set([
  EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
  EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
  EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
]);
const RUN_CLOSED = new Set([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
]);

/**
 * A timer this short fires in real time, moments from now (the 1 ms timer that commits a run's last sends before it
 * ends, workflows/runtime/commit-sends.ts): the run is not waiting yet, it is about to act.
 */
const IMMINENT_TIMER_MS = 1_000;

/**
 * True when a run's history shows nothing left to do: it closed, or every workflow and activity task it scheduled
 * has closed (a workflow task's started event comes between) and no timer it started is about to fire. A timer of
 * minutes or hours pending is waiting, not work.
 */
function isIdle(events: temporal.api.history.v1.IHistoryEvent[]): boolean {
  let open = 0;
  const imminentTimers = new Set<string>();
  for (const event of events) {
    const type = event.eventType ?? EventType.EVENT_TYPE_UNSPECIFIED;
    if (RUN_CLOSED.has(type)) return true;
    if (TASK_OPENED.has(type)) open += 1;
    else if (TASK_CLOSED.has(type)) open -= 1;
    const started = event.timerStartedEventAttributes;
    if (started?.timerId && tsToMs(started.startToFireTimeout) <= IMMINENT_TIMER_MS)
      imminentTimers.add(started.timerId);
    const ended = event.timerFiredEventAttributes ?? event.timerCanceledEventAttributes;
    if (ended?.timerId) imminentTimers.delete(ended.timerId);
  }
  return open === 0 && imminentTimers.size === 0;
}
