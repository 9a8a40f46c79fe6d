/**
 * Sending: `say` (the bot's, checked against Bandwidth's limits and held while a human has taken over) and `send`
 * (also the operator's), which records the message in the transcript, tracks its receipts and calls the
 * `sendMessage` local activity. A send that fails before Bandwidth takes it becomes a typed delivery failure for the
 * bot, never a failed workflow.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  condition,
  log,
  workflowInfo,
} from '@temporalio/workflow';
import { sendMessage } from '../activity-options';
import { SendFailureType } from '../activity-failures';
import type { SendOptions } from '../bot-options';
import { MAX_GROUP_RECIPIENTS } from '../defaults';
import { sendFailure } from '../delivery';
import { encodeTag, sendIntentKey } from '../ids';
import type { KeywordKind } from '../consent/keywords';
import { MAX_MMS_ATTACHMENTS, type OutboundMedia } from '../media';
import type { TranscriptEntry } from '../messages';
import type { SentMessage } from '../sent-message';
import type { SendMessageInput } from '../../activities';
import type { ConversationContext } from './context';
import type { Race } from './race';
import { sendPaced, sendPriority } from './pacing';
import { checkSegmentBudget } from '../segment-budget';
import { createSendWindowGate } from './send-window';
import { createSentMessageHandle } from './sent-message-handle';
import type { ReceiptWatch } from './receipt-watch';
import type { EventBuilders } from './wait-events';

/** How many earlier sends with receipts still unheard a send asks the records about (the newest). */
const EARLIER_SENDS_ASKED = 3;

/** How a message is sent, beyond its content. */
export interface OutboundOptions {
  /** The human operator who sends it (absent when the bot does). */
  operator?: string;
  /** Only these participants (a consent confirmation or help text goes to the one who texted the keyword). */
  to?: readonly string[];
  /** The answer to a consent keyword: the one message allowed after an opt-out, so the ledger is not checked. */
  consentReply?: KeywordKind;
  /** Why the text is over the bot's segment budget, when it is sent anyway (`onExceed: 'warn'`). */
  segmentWarning?: string;
}

export interface Sending {
  /** Sends to everyone in the conversation (or `options.to`). */
  send: (message: { text: string; media: string[] }, options?: OutboundOptions) => Promise<SentMessage>;
  /** The bot's `chat.say`. */
  say: (message: string | { text: string; media?: OutboundMedia[] }, options?: SendOptions) => Promise<SentMessage>;
}

export function createSending(
  ctx: ConversationContext,
  race: Race,
  events: EventBuilders,
  receiptWatch: ReceiptWatch,
): Sending {
  const { id, start, memory, visibility } = ctx;
  const sendWindow = createSendWindowGate(ctx, race, events);

  async function send(
    message: { text: string; media: string[] },
    { operator, to = start.participants, consentReply, segmentWarning }: OutboundOptions = {},
  ): Promise<SentMessage> {
    memory.sendSeq += 1;
    const sendId = `s${memory.sendSeq}`;
    const entry: TranscriptEntry = {
      direction: 'out',
      messageId: null,
      sendId,
      from: start.ourNumber,
      to: [...to],
      text: message.text,
      media: message.media,
      time: new Date().toISOString(),
      segmentCount: null,
      status: 'sending',
      ...(operator ? { operator } : {}),
      ...(consentReply ? { consentReply } : {}),
      ...(segmentWarning ? { segmentWarning } : {}),
    };
    memory.addToTranscript(entry);
    memory.receipts.track(sendId, entry);
    const blocked = consentReply ? [] : to.filter((contact) => memory.optedOut.has(contact));
    if (blocked.length > 0) {
      // Known opted out: nothing is attempted, and the bot is told who blocks the message.
      failSend(sendId, entry, SendFailureType.OptedOut, optedOutDescription(blocked), blocked);
      return createSentMessageHandle(ctx, race, events, receiptWatch, sendId, entry);
    }
    try {
      const summary = `${operator ? `${operator}: ` : ''}${message.text.slice(0, 60)}`;
      const input: SendMessageInput = {
        from: start.ourNumber,
        to: [...to],
        text: message.text,
        media: message.media,
        tag: encodeTag({
          conversationId: id,
          sendId,
          trackDelivery: true,
          deliveredWhenWatched: receiptWatch.deliveredWhenWatched(),
        }),
        ...(start.applicationId ? { applicationId: start.applicationId } : {}),
        consent: { scope: memory.consent.scope, ...(consentReply ? { reply: true } : {}) },
        intentKey: sendIntentKey(workflowInfo().runId, sendId),
        earlier: memory.receipts.unheard(EARLIER_SENDS_ASKED),
      };
      const sent = await sendMessage.executeWithOptions({ summary }, [input]);
      // A sender held to a sending rate: the send waits its turn on the rate's task queue (pacing.ts).
      const result =
        'paced' in sent ? await sendPaced(sent.paced, input, { summary, priorityKey: sendPriority(memory) }) : sent;
      for (const receipt of result.receipts ?? []) receiptWatch.apply(receipt);
      entry.messageId = result.messageId;
      entry.segmentCount = result.segmentCount;
      entry.time = result.time;
      memory.charge(entry, result);
      if (entry.status === 'sending') entry.status = 'accepted';
    } catch (err) {
      const cause = sendFailureOf(err);
      for (const contact of cause.optedOut) memory.optedOut.add(contact); // the ledger knew: later sends stop here
      failSend(sendId, entry, cause.type, cause.message, cause.optedOut);
    }
    memory.lastSendTask = workflowInfo().historyLength;
    visibility.refreshDetails();
    return createSentMessageHandle(ctx, race, events, receiptWatch, sendId, entry);
  }

  /** Marks a send failed before Bandwidth took it, with a typed failure for every recipient. */
  function failSend(
    sendId: string,
    entry: TranscriptEntry,
    type: string | undefined,
    description: string,
    optedOut: readonly string[],
  ): void {
    entry.status = 'send-failed';
    const category =
      type === SendFailureType.OptedOut
        ? 'opted-out'
        : type === SendFailureType.OutcomeUnknown || type === SendFailureType.ProofPending
          ? 'send-outcome-unknown'
          : type === SendFailureType.Expired
            ? 'expired'
            : 'rejected';
    const time = new Date().toISOString();
    memory.receipts.failSend(sendId, (recipient) => ({
      ...sendFailure(recipient, category, description, time),
      ...(optedOut.length > 0 ? { blockedBy: [...optedOut] } : {}),
    }));
    visibility.refreshDetails();
  }

  async function say(
    message: string | { text: string; media?: OutboundMedia[] },
    options: SendOptions = {},
  ): Promise<SentMessage> {
    const { text, media: items = [] } = typeof message === 'string' ? { text: message } : message;
    const media = items.map((item) => (typeof item === 'string' ? item : item.url));
    if (start.participants.length > MAX_GROUP_RECIPIENTS) {
      throw ApplicationFailure.nonRetryable(
        `A group message can go to at most ${MAX_GROUP_RECIPIENTS} recipients, and ${id} has ` +
          `${start.participants.length}: Bandwidth would refuse it. Split the group into smaller conversations.`,
        'TooManyRecipients',
      );
    }
    if (media.length > MAX_MMS_ATTACHMENTS) {
      throw ApplicationFailure.nonRetryable(
        `An MMS can carry at most ${MAX_MMS_ATTACHMENTS} media items; this one has ${media.length}.`,
        'TooManyAttachments',
      );
    }
    // An SMS only: an MMS or a group message is one message whatever its text.
    const sms = media.length === 0 && start.participants.length === 1;
    const segmentWarning = sms ? checkSegmentBudget(text, options.segmentBudget ?? ctx.options.segmentBudget) : null;
    if (segmentWarning) log.warn(segmentWarning); // no text or number in logs: the transcript entry has it
    if (memory.paused) {
      visibility.index(); // ThreadlineState shows `paused` while the human is in charge
      await condition(() => !memory.paused);
    }
    await sendWindow.hold(options.sendWindow);
    memory.state = 'sending';
    memory.botSending += 1;
    try {
      memory.lastSent = await send({ text, media }, segmentWarning ? { segmentWarning } : {});
    } finally {
      memory.botSending -= 1;
    }
    return memory.lastSent;
  }

  return { send, say };
}

/**
 * The failure a send ended with, or rethrows what is not a send failure. A local activity's final failure arrives as
 * the `ApplicationFailure` itself, a regular activity's wrapped in an `ActivityFailure`.
 */
function sendFailureOf(err: unknown): { type: string | undefined; message: string; optedOut: string[] } {
  // Out of time (the retry window closed while proof of an earlier attempt was still being looked for): nobody knows.
  if (err instanceof TimeoutFailure || (err instanceof ActivityFailure && err.cause instanceof TimeoutFailure))
    return { type: SendFailureType.OutcomeUnknown, message: err.message, optedOut: [] };
  if (!(err instanceof ApplicationFailure) && !(err instanceof ActivityFailure)) throw err;
  const failure = err instanceof ApplicationFailure ? err : err.cause instanceof ApplicationFailure ? err.cause : null;
  if (failure === null) return { type: undefined, message: err.message, optedOut: [] };
  const details = failure.details?.[0] as { optedOut?: unknown } | undefined;
  const optedOut = Array.isArray(details?.optedOut)
    ? details.optedOut.filter((c): c is string => typeof c === 'string')
    : [];
  return { type: failure.type ?? undefined, message: failure.message, optedOut };
}

function optedOutDescription(contacts: readonly string[]): string {
  return `Not sent: ${contacts.join(', ')} opted out (STOP); nothing goes to them until they opt back in.`;
}
