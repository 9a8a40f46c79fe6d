/**
 * The bot-authoring API. A conversation is one long-running Temporal workflow; a bot is a workflow function that
 * calls {@link startConversation} once and then reads top to bottom like the chat:
 *
 * ```ts
 * export async function greeterBot(start: ConversationStart): Promise<void> {
 *   const chat = startConversation(start);
 *   await chat.waitForReply();
 *   const name = await chat.ask('Hi! What is your name?', { timeout: '1 hour' });
 *   await chat.say(name ? `Nice to meet you, ${name.text}!` : 'Text me any time.');
 * }
 * ```
 *
 * Bandwidth's asynchronous world (202 now, delivered or failed later, duplicated callbacks) becomes plain awaits:
 * `say` resolves when Bandwidth has accepted the message, and the returned handle's `delivered()` waits on a durable
 * timer for its delivered or failed callback.
 */
import {
  condition,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { Activities } from '../activities';
import { conversationId, encodeTag } from './ids';
import {
  deliveryStatusSignal,
  inboundMessageSignal,
  transcriptQuery,
  type DeliveryEvent,
  type InboundMessage,
  type MessageStatus,
  type TranscriptEntry,
} from './messages';
import { LastActivityAttribute, OurNumberAttribute, ParticipantsAttribute, StateAttribute } from './search-attributes';

/** What a conversation workflow is started with. The server builds it from the first inbound message. */
export interface ConversationStart {
  /** Our Bandwidth number (E.164). */
  ourNumber: string;
  /** The other participant(s) (E.164). */
  participants: string[];
  /** The Bandwidth messaging application to send through; the worker's default when omitted. */
  applicationId?: string;
  /**
   * Set the conversation's search attributes (default true). Only false on a server where they cannot be registered,
   * such as Temporal's time-skipping test server.
   */
  searchAttributes?: boolean;
}

/** How long to wait for a delivered or failed callback by default: Bandwidth itself gives up after 2 hours (9902). */
export const DEFAULT_DELIVERY_TIMEOUT: Duration = '3 hours';
/** How long `waitForReply` and `ask` wait by default. */
export const DEFAULT_REPLY_TIMEOUT: Duration = '1 day';
/** How many message ids the deduplication windows remember. */
const DEDUP_WINDOW = 2000;

/** The outcome of waiting for a message's delivery. */
export type DeliveryResult =
  | { status: 'delivered'; recipient: string; time: string }
  | { status: 'failed'; recipient: string; errorCode: number; description: string; time: string }
  | { status: 'timed-out' };

/** A message Bandwidth has accepted. */
export interface SentMessage {
  /** Bandwidth's message id. */
  messageId: string;
  segmentCount: number;
  /**
   * Waits, on a durable timer, for the message's `message-delivered` or `message-failed` callback.
   * @param options.timeout how long to wait; default {@link DEFAULT_DELIVERY_TIMEOUT}
   * @example
   * const receipt = await (await chat.say('Your code is 1234')).delivered();
   * if (receipt.status === 'failed') log.warn('not delivered', { code: receipt.errorCode });
   */
  delivered(options?: { timeout?: Duration }): Promise<DeliveryResult>;
}

export interface WaitOptions {
  /** How long to wait; default {@link DEFAULT_REPLY_TIMEOUT}. */
  timeout?: Duration;
}

/** A bot's handle on its conversation. Create it with {@link startConversation}. */
export interface Conversation {
  readonly id: string;
  readonly ourNumber: string;
  readonly participants: readonly string[];
  /**
   * Sends a text (or, with `media`, an MMS) to the conversation; resolves when Bandwidth has accepted it.
   * @example await chat.say('Thanks, see you tomorrow!');
   */
  say(message: string | { text: string; media?: string[] }): Promise<SentMessage>;
  /**
   * Resolves with the next message from a participant, or `null` when none arrives within `timeout`.
   * @example const reply = await chat.waitForReply({ timeout: '15 minutes' });
   */
  waitForReply(options?: WaitOptions): Promise<InboundMessage | null>;
  /**
   * Sends `question`, then waits for the answer: the reply, or `null` when none arrives within `timeout`.
   * @example const name = await chat.ask('What is your name?', { timeout: '1 hour' });
   */
  ask(question: string, options?: WaitOptions): Promise<InboundMessage | null>;
  /** Every message so far, oldest first (also served by the `transcript` query). */
  transcript(): readonly TranscriptEntry[];
}

const { sendMessage } = proxyLocalActivities<Activities>({
  // A local activity: the send runs inside the workflow task, which halves the reply latency and records one marker
  // event instead of three activity events (../shared/design/temporal-notes.md §A0).
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** A bounded set that forgets its oldest members: the deduplication window. */
class RecentSet {
  private readonly items = new Set<string>();
  constructor(private readonly limit: number) {}
  /** Adds `key`; false when it was already there. */
  add(key: string): boolean {
    if (this.items.has(key)) return false;
    this.items.add(key);
    if (this.items.size > this.limit) {
      const oldest = this.items.values().next().value;
      if (oldest !== undefined) this.items.delete(oldest);
    }
    return true;
  }
}

/**
 * Starts the conversation runtime inside a bot workflow: registers the signal and query handlers (before any await,
 * so the first inbound message, delivered with signal-with-start, is not missed) and returns the bot's handle.
 */
export function startConversation(start: ConversationStart): Conversation {
  const id = conversationId(start);
  const inbox: InboundMessage[] = [];
  const transcript: TranscriptEntry[] = [];
  const seenInbound = new RecentSet(DEDUP_WINDOW);
  const seenStatus = new RecentSet(DEDUP_WINDOW);
  /** Terminal delivery events by send id; kept until the sender's `delivered()` reads them. */
  const outcomes = new Map<string, DeliveryEvent>();
  const outboundBySendId = new Map<string, TranscriptEntry>();
  let sendSeq = 0;
  let waitingFor = 'starting';

  setHandler(inboundMessageSignal, (message) => {
    if (!seenInbound.add(message.messageId)) return; // Bandwidth delivers at least once: a duplicate is ignored
    inbox.push(message);
    transcript.push({
      direction: 'in',
      messageId: message.messageId,
      from: message.from,
      to: message.to,
      text: message.text,
      media: message.media,
      time: message.time,
      segmentCount: message.segmentCount,
      status: 'received',
    });
    refreshDetails();
  });

  setHandler(deliveryStatusSignal, (event) => {
    if (!seenStatus.add(`${event.messageId}|${event.type}|${event.recipient}`)) return;
    const entry = outboundBySendId.get(event.sendId);
    const status = statusOf(event);
    if (entry) {
      entry.recipients ??= {};
      entry.recipients[event.recipient] = {
        status,
        ...(event.errorCode !== undefined ? { errorCode: event.errorCode } : {}),
        description: event.description,
        time: event.time,
      };
      entry.status = overallStatus(entry);
      if (event.errorCode !== undefined) entry.errorCode = event.errorCode;
    }
    if (event.type === 'message-delivered' || event.type === 'message-failed') outcomes.set(event.sendId, event);
    refreshDetails();
  });

  setHandler(transcriptQuery, () => transcript);

  const indexed = start.searchAttributes !== false;
  if (indexed) {
    upsertSearchAttributes([
      { key: OurNumberAttribute, value: start.ourNumber },
      { key: ParticipantsAttribute, value: [...start.participants] },
    ]);
  }

  function setState(state: string): void {
    waitingFor = state;
    if (indexed) {
      upsertSearchAttributes([
        { key: StateAttribute, value: state },
        { key: LastActivityAttribute, value: new Date() },
      ]);
    }
    refreshDetails();
  }

  function refreshDetails(): void {
    const recent = transcript
      .slice(-5)
      .map((m) => `- ${m.direction === 'in' ? '⬅' : '➡'} ${m.time} \`${m.status}\` ${m.text.slice(0, 80)}`);
    setCurrentDetails(
      [
        `**${id}** (${workflowInfo().workflowType})`,
        '',
        `**Now:** ${waitingFor}`,
        '',
        '**Last messages**',
        ...recent,
      ].join('\n'),
    );
  }

  async function say(message: string | { text: string; media?: string[] }): Promise<SentMessage> {
    const { text, media = [] } = typeof message === 'string' ? { text: message } : message;
    sendSeq += 1;
    const sendId = `s${sendSeq}`;
    setState('sending');
    const entry: TranscriptEntry = {
      direction: 'out',
      messageId: null,
      from: start.ourNumber,
      to: [...start.participants],
      text,
      media,
      time: new Date().toISOString(),
      segmentCount: null,
      status: 'sending',
    };
    transcript.push(entry);
    outboundBySendId.set(sendId, entry);
    let result: { messageId: string; segmentCount: number; time: string };
    try {
      result = await sendMessage.executeWithOptions(
        { startToCloseTimeout: '30 seconds', summary: `send ${sendId}: ${text.slice(0, 40)}` },
        [
          {
            from: start.ourNumber,
            to: [...start.participants],
            text,
            media,
            tag: encodeTag({ conversationId: id, sendId, trackDelivery: true }),
            ...(start.applicationId ? { applicationId: start.applicationId } : {}),
          },
        ],
      );
      entry.messageId = result.messageId;
      entry.segmentCount = result.segmentCount;
      entry.time = result.time;
      if (entry.status === 'sending') entry.status = 'accepted';
    } catch (err) {
      entry.status = 'send-failed';
      throw err;
    } finally {
      refreshDetails();
    }
    return {
      messageId: result.messageId,
      segmentCount: result.segmentCount,
      async delivered({ timeout = DEFAULT_DELIVERY_TIMEOUT } = {}) {
        setState(`waiting for delivery of ${sendId}`);
        const arrived = await condition(() => outcomes.has(sendId), timeout, { summary: `delivery of ${sendId}` });
        const event = outcomes.get(sendId);
        if (!arrived || !event) return { status: 'timed-out' };
        outcomes.delete(sendId);
        return event.type === 'message-failed'
          ? {
              status: 'failed',
              recipient: event.recipient,
              errorCode: event.errorCode ?? 0,
              description: event.description,
              time: event.time,
            }
          : { status: 'delivered', recipient: event.recipient, time: event.time };
      },
    };
  }

  async function waitForReply({ timeout = DEFAULT_REPLY_TIMEOUT }: WaitOptions = {}): Promise<InboundMessage | null> {
    if (inbox.length === 0) {
      setState('waiting for a reply');
      await condition(() => inbox.length > 0, timeout, { summary: 'waiting for a reply' });
    }
    return inbox.shift() ?? null;
  }

  return {
    id,
    ourNumber: start.ourNumber,
    participants: start.participants,
    say,
    waitForReply,
    async ask(question, options) {
      await say(question);
      return waitForReply(options);
    },
    transcript: () => transcript,
  };
}

function statusOf(event: DeliveryEvent): MessageStatus {
  switch (event.type) {
    case 'message-sending':
      return 'sending';
    case 'message-sent':
      return 'sent';
    case 'message-delivered':
      return 'delivered';
    case 'message-failed':
      return 'failed';
  }
}

function overallStatus(entry: TranscriptEntry): MessageStatus {
  const statuses = Object.values(entry.recipients ?? {}).map((r) => r.status);
  const terminal = statuses.filter((s) => s === 'delivered' || s === 'failed');
  if (terminal.length < entry.to.length) return statuses.at(-1) ?? entry.status;
  if (terminal.every((s) => s === 'delivered')) return 'delivered';
  if (terminal.every((s) => s === 'failed')) return 'failed';
  return 'partially-delivered';
}
