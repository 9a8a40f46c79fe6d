/**
 * Bandwidth messaging callbacks → Temporal. `message-received` signal-with-starts the conversation's workflow; a
 * status callback signals the workflow that sent the message, found through the message's tag. The caller answers
 * 2xx only after every event has been handed over, so a failure makes Bandwidth retry and nothing is lost; the
 * workflows deduplicate what arrives twice.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { isKnownCallback, type CallbackEvent, type InboundCallback, type StatusCallback } from '../bandwidth/schemas';
import { conversationId, decodeTag } from '../workflows/ids';
import {
  deliveryStatusSignal,
  inboundMessageSignal,
  type DeliveryEvent,
  type InboundMessage,
} from '../workflows/messages';
import type { ConversationStart } from '../workflows/conversation';

/** Which bot (workflow type) answers a number. */
export type BotRouter = (route: { ourNumber: string; applicationId: string }) => string | null;

export interface HandOffDeps {
  temporal: Client;
  taskQueue: string;
  routeBot: BotRouter;
  logger: Logger;
  /** Upper bound for one hand-off to Temporal: well inside Bandwidth's 10 s callback timeout. */
  handOffTimeoutMs?: number;
}

/** What happened to one callback event. */
export type HandOffOutcome =
  | { event: string; outcome: 'started-or-signalled'; workflowId: string }
  | { event: string; outcome: 'signalled'; workflowId: string }
  | { event: string; outcome: 'recorded-only'; reason: string; workflowId?: string };

/** Hands every event to Temporal; events of one conversation in order, different conversations concurrently. */
export async function handOffAll(deps: HandOffDeps, events: CallbackEvent[]): Promise<HandOffOutcome[]> {
  const byConversation = new Map<string, { index: number; event: CallbackEvent }[]>();
  events.forEach((event, index) => {
    const key = routingKey(event);
    byConversation.set(key, [...(byConversation.get(key) ?? []), { index, event }]);
  });
  const outcomes: HandOffOutcome[] = new Array<HandOffOutcome>(events.length);
  await Promise.all(
    [...byConversation.values()].map(async (group) => {
      for (const { index, event } of group) outcomes[index] = await handOff(deps, event);
    }),
  );
  return outcomes;
}

function routingKey(event: CallbackEvent): string {
  if (!isKnownCallback(event)) return 'other';
  if (event.type === 'message-received') return inboundRoute(event).workflowId;
  return decodeTag(event.message.tag)?.conversationId ?? 'untracked';
}

/** The conversation an inbound message belongs to: our number and everyone else on the message. */
export function inboundRoute(event: InboundCallback): { workflowId: string; start: ConversationStart } {
  const ourNumber = event.to;
  const participants = [...new Set([event.message.from, ...event.message.to])].filter((n) => n !== ourNumber);
  const start: ConversationStart = { ourNumber, participants, applicationId: event.message.applicationId };
  return { workflowId: conversationId(start), start };
}

export function toInboundMessage(event: InboundCallback): InboundMessage {
  return {
    messageId: event.message.id,
    from: event.message.from,
    to: event.message.to,
    ourNumber: event.to,
    text: event.message.text ?? '',
    media: event.message.media ?? [],
    segmentCount: event.message.segmentCount,
    time: event.message.time,
  };
}

export function toDeliveryEvent(event: StatusCallback, sendId: string): DeliveryEvent {
  return {
    messageId: event.message.id,
    sendId,
    type: event.type,
    recipient: event.to,
    ...(event.type === 'message-failed' ? { errorCode: event.errorCode } : {}),
    description: event.description,
    time: event.time,
  };
}

async function handOff(deps: HandOffDeps, event: CallbackEvent): Promise<HandOffOutcome> {
  const deadline = Date.now() + (deps.handOffTimeoutMs ?? 5_000);
  const withDeadline = <T>(fn: () => Promise<T>) => deps.temporal.connection.withDeadline(deadline, fn);
  if (!isKnownCallback(event)) {
    return { event: event.type, outcome: 'recorded-only', reason: `Threadline does not act on ${event.type} events` };
  }
  if (event.type === 'message-received') {
    if (event.message.direction !== 'in') {
      return { event: event.type, outcome: 'recorded-only', reason: 'an outbound message never starts a conversation' };
    }
    const { workflowId, start } = inboundRoute(event);
    const bot = deps.routeBot({ ourNumber: start.ourNumber, applicationId: event.message.applicationId });
    if (bot === null) {
      return { event: event.type, outcome: 'recorded-only', reason: `no bot answers ${start.ourNumber}`, workflowId };
    }
    await withDeadline(() =>
      deps.temporal.workflow.signalWithStart(bot, {
        workflowId,
        taskQueue: deps.taskQueue,
        args: [start],
        signal: inboundMessageSignal,
        signalArgs: [toInboundMessage(event)],
        staticSummary: `SMS ${start.participants.join(', ')} ↔ ${start.ourNumber} (${bot})`,
      }),
    );
    return { event: event.type, outcome: 'started-or-signalled', workflowId };
  }
  const tag = decodeTag(event.message.tag);
  if (tag === null) {
    return { event: event.type, outcome: 'recorded-only', reason: 'not a message Threadline sent' };
  }
  const terminal = event.type === 'message-delivered' || event.type === 'message-failed';
  if (!terminal || !tag.trackDelivery) {
    // Nobody waits on it: signalling it would only grow the conversation's history.
    return {
      event: event.type,
      outcome: 'recorded-only',
      reason: 'no conversation waits on it',
      workflowId: tag.conversationId,
    };
  }
  try {
    await withDeadline(() =>
      deps.temporal.workflow
        .getHandle(tag.conversationId)
        .signal(deliveryStatusSignal, toDeliveryEvent(event, tag.sendId)),
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      return {
        event: event.type,
        outcome: 'recorded-only',
        reason: 'the conversation has ended',
        workflowId: tag.conversationId,
      };
    }
    throw err;
  }
  return { event: event.type, outcome: 'signalled', workflowId: tag.conversationId };
}
