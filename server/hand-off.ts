/**
 * Bandwidth messaging callbacks → message records → Temporal.
 *
 * For one callback body:
 * 1. every event is recorded (one transaction; a redelivered event adds nothing), and a `message-failed` with error
 *    4775 also records the recipient's opt-out in the ledger (idempotent, keyed by message and recipient);
 * 2. every event not handed off before is handed to Temporal: `message-received` signal-with-starts the
 *    conversation's workflow; a terminal status event signals the workflow that sent the message, found through the
 *    message's tag; anything else is recorded only;
 * 3. the events that were handed off are remembered (`markHandedOff`), so a redelivery does not hand them over again.
 *
 * The caller answers 2xx only when all of that succeeded, so a failure makes Bandwidth retry and nothing is lost. A
 * body that failed half way is safe to receive again: its recorded events are not written twice, its handed-off
 * events are skipped, and the workflows deduplicate by message id anything that slips through (two servers receiving
 * the same redelivery at once). Step 3 is what stops a redelivered `message-received` from starting a second
 * conversation run after the first one has completed, which would make the bot answer twice.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { isKnownCallback, type CallbackEvent, type InboundCallback, type StatusCallback } from '../bandwidth/schemas';
import type { Metrics } from '../observability/metrics';
import {
  recordFromCallback,
  RecordInputError,
  recordKey,
  type ConsentChange,
  type MessageRecordInput,
  type RecordStore,
} from '../records';
import type { ConversationStart } from '../workflows/conversation';
import { conversationId, decodeTag, groupConversation } from '../workflows/ids';
import {
  deliveryStatusSignal,
  inboundMessageSignal,
  type DeliveryEvent,
  type InboundMessage,
} from '../workflows/messages';
import type { BotRouter } from './bot-router';
import { optOutFromCallback, policyFor, type ConsentSettings } from './consent';
import { indexedParticipants } from '../temporal/phone-hash';
import { countUsage, startMetadata, withRecordCost, type PriceTable } from './callback-cost';

export interface HandOffDeps {
  temporal: Client;
  taskQueue: string;
  routeBot: BotRouter;
  records: RecordStore;
  logger: Logger;
  metrics: Metrics;
  /** Our numbers, to tell the direction of callback types Threadline does not know. */
  ourNumbers?: readonly string[];
  /** Upper bound for one hand-off to Temporal: well inside Bandwidth's 10 s callback timeout (default 5 s). */
  handOffTimeoutMs?: number;
  /** Settings added to every conversation this server starts (the test kit turns search attributes off). */
  startOptions?: Pick<ConversationStart, 'searchAttributes' | 'maxHistoryEvents'>;
  /** Where an opt-out learned from a callback (error 4775) applies; default: per number. */
  consent?: ConsentSettings;
  /** How a participant's number is indexed in search attributes: hashed with `THREADLINE_HASH_PHONES_IN_SEARCH`. */
  indexPhone?: (e164: string) => string;
  /** What messages cost: records, conversations and metrics then carry it (`THREADLINE_PRICE_TABLE`). */
  prices?: PriceTable;
}

export type Outcome = 'started-or-signalled' | 'signalled' | 'recorded-only' | 'duplicate';

/** What happened to one callback event. */
export interface HandOffOutcome {
  event: string;
  outcome: Outcome;
  /** The record's idempotency key. */
  recordId: string;
  workflowId?: string;
  reason?: string;
}

/** A callback body could not be fully recorded or handed over; the caller answers 503 so Bandwidth retries. */
export class HandOffError extends Error {
  constructor(
    readonly stage: 'record' | 'temporal',
    cause: unknown,
  ) {
    super(
      stage === 'record'
        ? 'The message records store did not accept the callback'
        : 'Temporal did not accept a callback event',
      { cause },
    );
    this.name = 'HandOffError';
  }
}

type Action =
  | { kind: 'start'; bot: string; workflowId: string; start: ConversationStart; message: InboundMessage }
  | {
      kind: 'signal';
      workflowId: string;
      delivery: DeliveryEvent;
      /** Only if the conversation watches the message (it waits for this receipt): decided once it is recorded. */
      ifWatched?: boolean;
    }
  | { kind: 'record-only'; reason: string; workflowId?: string };

interface Planned {
  index: number;
  event: CallbackEvent;
  record: MessageRecordInput;
  recordId: string;
  action: Action;
  /** Events of one conversation are handed over in order; different conversations concurrently. */
  group: string;
}

/**
 * The conversation an inbound message belongs to. Bandwidth sends one copy of a group message per number of ours
 * among its recipients; every copy goes to the same conversation, whose "our number" is the lowest of ours in the
 * group (workflows/ids.ts `groupConversation`), and the workflow reads the copies once.
 */
export function inboundRoute(
  event: InboundCallback,
  ourNumbers: readonly string[] = [],
): { workflowId: string; start: ConversationStart } {
  const { ourNumber, participants } = groupConversation({
    receivedOn: event.to,
    from: event.message.from,
    recipients: event.message.to,
    ourNumbers,
  });
  const start: ConversationStart = { ourNumber, participants, applicationId: event.message.applicationId };
  return { workflowId: participants.length ? conversationId(start) : '', start };
}

/** The signal a `message-received` callback becomes for its conversation. */
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

/** The signal a status callback becomes for the conversation that sent the message (`sendId` from its tag). */
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

/** Temporal refuses a workflow id over 1,000 bytes (INVALID_ARGUMENT) or with a lone surrogate (not UTF-8). */
const MAX_WORKFLOW_ID_BYTES = 1000;
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Whether Temporal takes `id` as a workflow id. Bandwidth's numbers always make one; an event whose numbers or tag do
 * not is recorded only, since Temporal would refuse it on every redelivery for 24 hours.
 */
export function isUsableWorkflowId(id: string): boolean {
  return Buffer.byteLength(id, 'utf8') <= MAX_WORKFLOW_ID_BYTES && !LONE_SURROGATE.test(id);
}

function decide(deps: HandOffDeps, event: CallbackEvent): { action: Action; conversationId: string | null } {
  if (!isKnownCallback(event)) {
    const tag = decodeTag(typeof event.message?.tag === 'string' ? event.message.tag : undefined);
    const conversation = tag && isUsableWorkflowId(tag.conversationId) ? tag.conversationId : null;
    return {
      action: { kind: 'record-only', reason: `Threadline does not act on ${event.type} events` },
      conversationId: conversation,
    };
  }
  if (event.type === 'message-received') {
    if (event.message.direction !== 'in') {
      return {
        action: { kind: 'record-only', reason: 'an outbound message never starts a conversation' },
        conversationId: null,
      };
    }
    const { workflowId, start } = inboundRoute(event, deps.ourNumbers);
    if (start.participants.length === 0 || deps.ourNumbers?.includes(event.message.from)) {
      // Our own group reply arriving at another of our numbers must not start a conversation with ourselves.
      return { action: { kind: 'record-only', reason: 'a message from our own number' }, conversationId: null };
    }
    if (!isUsableWorkflowId(workflowId)) {
      return {
        action: { kind: 'record-only', reason: 'its numbers make no conversation id Temporal accepts' },
        conversationId: null,
      };
    }
    const bot = deps.routeBot({ ourNumber: start.ourNumber, applicationId: event.message.applicationId });
    if (bot === null) {
      return {
        action: { kind: 'record-only', reason: `no bot answers ${start.ourNumber}`, workflowId },
        conversationId: workflowId,
      };
    }
    let consent: ConversationStart['consent'];
    try {
      consent = policyFor(deps.consent, start);
    } catch (err) {
      // The application consent scope, and a message that names no application: its opt-outs have no home.
      return {
        action: { kind: 'record-only', reason: (err as Error).message, workflowId },
        conversationId: workflowId,
      };
    }
    return {
      action: { kind: 'start', bot, workflowId, start: { ...start, consent }, message: toInboundMessage(event) },
      conversationId: workflowId,
    };
  }
  const tag = decodeTag(event.message.tag);
  if (tag === null || event.message.direction !== 'out' || !isUsableWorkflowId(tag.conversationId)) {
    return { action: { kind: 'record-only', reason: 'not a message Threadline sent' }, conversationId: null };
  }
  const terminal = event.type === 'message-delivered' || event.type === 'message-failed';
  if (!terminal || !tag.trackDelivery) {
    // Nobody waits on it: signalling it would only grow the conversation's history. The record keeps it.
    return {
      action: { kind: 'record-only', reason: 'no conversation waits on it', workflowId: tag.conversationId },
      conversationId: tag.conversationId,
    };
  }
  return {
    action: {
      kind: 'signal',
      workflowId: tag.conversationId,
      delivery: toDeliveryEvent(event, tag.sendId),
      ...(tag.deliveredWhenWatched && event.type === 'message-delivered' ? { ifWatched: true } : {}),
    },
    conversationId: tag.conversationId,
  };
}

function plan(deps: HandOffDeps, event: CallbackEvent, index: number, receivedAt: string): Planned {
  const { action, conversationId: convo } = decide(deps, event);
  const record = recordFromCallback(event, {
    conversationId: convo,
    receivedAt,
    ...(deps.ourNumbers ? { ourNumbers: deps.ourNumbers } : {}),
    ...(deps.prices ? { prices: deps.prices } : {}),
  });
  withRecordCost(action, record);
  const group = action.kind === 'record-only' ? `record-only:${index}` : action.workflowId;
  return { index, event, record, recordId: recordKey(record), action, group };
}

async function execute(deps: HandOffDeps, p: Planned): Promise<Omit<HandOffOutcome, 'recordId'>> {
  const type = p.event.type;
  const deadline = Date.now() + (deps.handOffTimeoutMs ?? 5_000);
  const withDeadline = <T>(fn: () => Promise<T>) => deps.temporal.connection.withDeadline(deadline, fn);
  const action = p.action;
  switch (action.kind) {
    case 'record-only':
      return {
        event: type,
        outcome: 'recorded-only',
        reason: action.reason,
        ...(action.workflowId ? { workflowId: action.workflowId } : {}),
      };
    case 'start':
      await withDeadline(() =>
        deps.temporal.workflow.signalWithStart(action.bot, {
          workflowId: action.workflowId,
          taskQueue: deps.taskQueue,
          args: [{ ...action.start, ...deps.startOptions, ...indexedParticipants(deps, action.start.participants) }],
          signal: inboundMessageSignal,
          signalArgs: [action.message],
          ...startMetadata(action.start, action.bot, { text: action.message.from }),
        }),
      );
      return { event: type, outcome: 'started-or-signalled', workflowId: action.workflowId };
    case 'signal':
      try {
        await withDeadline(() =>
          deps.temporal.workflow.getHandle(action.workflowId).signal(deliveryStatusSignal, action.delivery),
        );
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) {
          return {
            event: type,
            outcome: 'recorded-only',
            reason: 'the conversation has ended',
            workflowId: action.workflowId,
          };
        }
        throw err;
      }
      return { event: type, outcome: 'signalled', workflowId: action.workflowId };
  }
}

/**
 * A delivered receipt of a message sent with `deliveredWhenWatched` is signalled only if its conversation watches the
 * message (it waits for the receipt: activities/watch-receipts.ts) or it carries a surcharge (which changes what the
 * conversation cost); otherwise it is recorded only. Read after the receipt is recorded, as the watch is written
 * before the receipts are read: one of the two sides sees the other.
 */
async function signalOnlyWatched(deps: HandOffDeps, planned: Planned[]): Promise<void> {
  const conditional = planned.flatMap((p) =>
    p.action.kind === 'signal' && p.action.ifWatched && !p.action.delivery.surcharge ? [{ p, action: p.action }] : [],
  );
  if (conditional.length === 0) return;
  const watched = await deps.records.watchedReceipts(conditional.map(({ action }) => action.delivery.messageId));
  for (const { p, action } of conditional) {
    if (watched.has(action.delivery.messageId)) continue;
    p.action = { kind: 'record-only', reason: 'no conversation waits for it', workflowId: action.workflowId };
  }
}

/** The opt-out a callback tells of, or null; also null (logged) when the consent scope cannot be worked out. */
function optOutOf(deps: HandOffDeps, event: CallbackEvent): ConsentChange | null {
  try {
    return optOutFromCallback(event, deps.consent);
  } catch (err) {
    deps.logger.warn({ err }, 'could not work out where the opt-out a 4775 tells of applies');
    return null;
  }
}

/**
 * Records every event of a callback body and hands every event not handed off before to Temporal; events of one
 * conversation in order, different conversations concurrently. Resolves with one outcome per event, in body order.
 *
 * @param receivedAtNs when the request arrived (`process.hrtime.bigint()`), for the hand-off latency histogram
 * @throws HandOffError when the records store or Temporal failed; events handed off before the failure are remembered
 */
export async function receiveCallbacks(
  deps: HandOffDeps,
  events: CallbackEvent[],
  receivedAtNs: bigint = process.hrtime.bigint(),
): Promise<HandOffOutcome[]> {
  const receivedAt = new Date().toISOString();
  const planned = events.map((event, index) => plan(deps, event, index, receivedAt));
  let already: Set<string>;
  try {
    const { duplicates } = await deps.records.append(planned.map((p) => p.record));
    // Also for a redelivered event: the first delivery may have failed between the two writes.
    for (const p of planned) {
      const optOut = optOutOf(deps, p.event);
      if (optOut === null) continue;
      const { inserted } = await deps.records.optOuts.record(optOut).catch((err: unknown) => {
        if (!(err instanceof RecordInputError)) throw err;
        // Its numbers or time cannot key a ledger entry; the status record keeps the failure, and a retry would not help.
        deps.logger.warn({ err, messageId: optOut.messageId }, 'could not record the opt-out a 4775 tells of');
        return { inserted: false };
      });
      if (inserted) {
        deps.logger.info(
          { messageId: optOut.messageId, scope: optOut.scope },
          'Bandwidth refused a send because the recipient opted out (4775): recorded the opt-out',
        );
      }
    }
    // An event recorded just now cannot have been handed off before (records are never deleted): only a body with a
    // redelivered event needs the lookup.
    already = duplicates === 0 ? new Set() : await deps.records.handedOff(planned.map((p) => p.recordId));
    await signalOnlyWatched(deps, planned);
  } catch (err) {
    for (const p of planned) deps.metrics.callbacks.inc({ type: p.event.type, outcome: 'unavailable' });
    throw new HandOffError('record', err);
  }

  const groups = new Map<string, Planned[]>();
  const seenInBody = new Set<string>();
  const outcomes: (HandOffOutcome | undefined)[] = new Array<HandOffOutcome | undefined>(planned.length);
  for (const p of planned) {
    if (already.has(p.recordId) || seenInBody.has(p.recordId)) {
      outcomes[p.index] = { event: p.event.type, outcome: 'duplicate', recordId: p.recordId };
      continue;
    }
    seenInBody.add(p.recordId);
    groups.set(p.group, [...(groups.get(p.group) ?? []), p]);
  }

  const done: string[] = [];
  let failure: { error: unknown } | null = null;
  await Promise.all(
    [...groups.values()].map(async (group) => {
      for (const p of group) {
        try {
          const outcome = await execute(deps, p);
          outcomes[p.index] = { ...outcome, recordId: p.recordId };
          if (outcome.outcome === 'started-or-signalled' || outcome.outcome === 'signalled') {
            deps.metrics.handoffSeconds.observe(
              { type: p.event.type },
              Number(process.hrtime.bigint() - receivedAtNs) / 1e9,
            );
          }
          done.push(p.recordId);
        } catch (error) {
          failure ??= { error };
          return; // keep this conversation's order: the rest of its events wait for the redelivery
        }
      }
    }),
  );

  if (done.length > 0) {
    // The events are recorded and handed over either way; without the marks a redelivery is handed over again and
    // the workflows deduplicate it, so a failure here is logged, not answered with a retry.
    await deps.records.markHandedOff(done).catch((err: unknown) => {
      deps.logger.warn({ err }, 'could not remember which callback events were handed off');
    });
  }

  for (const p of planned) {
    const outcome = outcomes[p.index];
    deps.metrics.callbacks.inc({ type: p.event.type, outcome: outcome?.outcome ?? 'unavailable' });
    if (outcome && outcome.outcome !== 'duplicate') countUsage(deps.metrics, p.record);
    if (outcome && outcome.outcome !== 'duplicate' && p.record.kind === 'status') {
      if (p.event.type === 'message-delivered') {
        deps.metrics.deliveryOutcomes.inc({ outcome: 'delivered', error_code: 'none' });
      } else if (p.event.type === 'message-failed') {
        deps.metrics.deliveryOutcomes.inc({ outcome: 'failed', error_code: String(p.record.errorCode ?? 'unknown') });
      }
    }
  }
  if (failure !== null) throw new HandOffError('temporal', (failure as { error: unknown }).error);
  return outcomes as HandOffOutcome[];
}
