/**
 * The bot-authoring API. A conversation is one long-running Temporal workflow; a bot is a function that receives
 * the conversation and reads top to bottom like the chat:
 *
 * ```ts
 * export const greeterBot = defineBot(async (chat) => {
 *   const name = await chat.ask('Hi! What is your name?', { timeout: '1 hour' });
 *   await chat.say(name ? `Nice to meet you, ${name.text}!` : 'Text me any time.');
 * });
 * ```
 *
 * Bandwidth's asynchronous world (202 now, delivered or failed later, callbacks delivered at least once) becomes plain
 * awaits: `say` resolves when Bandwidth has accepted the message, and its handle's `delivered()` waits for the
 * delivered or failed callback. Duplicated callbacks are ignored, history stays small (one durable timer for every
 * wait, see alarm.ts), and long conversations continue as new at `checkpoint`s without losing anything.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { Activities, MediaActivities } from '../activities';
import { Alarm } from './alarm';
import { listChoices, matchChoice, type ChoiceOptions } from './choose';
import {
  deliveryResultOf,
  isInvalidNumber,
  sendFailure,
  type DeliveryFailed,
  type DeliveryResult,
  type DeliveryTimedOut,
} from './delivery';
import { parseDuration } from './duration';
import { conversationId, encodeTag } from './ids';
import {
  deliveryStatusSignal,
  endConversationSignal,
  externalEventSignal,
  inboundMessageSignal,
  operatorMessageSignal,
  takeoverSignal,
  transcriptQuery,
  type DeliveryEvent,
  type ExternalEvent,
  type InboundMessage,
  type MessageStatus,
  type TranscriptEntry,
} from './messages';
import {
  MAX_MMS_ATTACHMENTS,
  mediaFileName,
  type MediaCopyResult,
  type OutboundMedia,
  type StoredMedia,
} from './media';
import { LastActivityAttribute, OurNumberAttribute, ParticipantsAttribute, StateAttribute } from './search-attributes';

export type { DeliveryResult, DeliveryFailed, DeliveryTimedOut, FailureCategory } from './delivery';
export type { MediaCopyResult, OutboundMedia, StoredMedia } from './media';

/** Bandwidth sends a group message to at most 10 recipients (reference §7). */
export const MAX_GROUP_RECIPIENTS = 10;
/** How long `sendMedia` waits for the MMS's delivery receipt before falling back to SMS by default. */
export const DEFAULT_MMS_RECEIPT_TIMEOUT: Duration = '1 hour';
export type { ChoiceOptions } from './choose';

/** How long `delivered()` waits by default: Bandwidth itself reports 9902 when no receipt comes within 2 hours. */
export const DEFAULT_DELIVERY_TIMEOUT: Duration = '3 hours';
/** How long `waitForReply`, `ask` and `choose` wait by default. */
export const DEFAULT_REPLY_TIMEOUT: Duration = '1 day';
const DEDUP_WINDOW = 2000;
/** Messages kept in the workflow's transcript (and carried across continue-as-new); the record store keeps all. */
const TRANSCRIPT_LIMIT = 1000;
/** Sends whose delivery receipts are remembered (older receipts still update the record store, not the workflow). */
const TRACKED_SENDS = 200;

/** What the conversation carries from one run to the next when it continues as new. */
export interface CarriedState<S = unknown> {
  botState: S;
  transcript: TranscriptEntry[];
  inbox: InboundMessage[];
  externalEvents: ExternalEvent[];
  seenInbound: string[];
  seenStatus: string[];
  seenExternal: string[];
  receipts: [string, DeliveryEvent[]][];
  /** Outcomes of inbound media copies, by message id. */
  mediaCopies?: [string, MediaCopyResult][];
  sendSeq: number;
  paused: boolean;
  runs: number;
}

/** What a conversation workflow is started with. The server builds it from the first inbound message. */
export interface ConversationStart<P = unknown, S = unknown> {
  /** Our Bandwidth number (E.164). */
  ourNumber: string;
  /** The other participant(s) (E.164). */
  participants: string[];
  /** The Bandwidth messaging application to send through; the worker's default when omitted. */
  applicationId?: string;
  /** A proactive conversation's first message, sent before the bot's code runs (reminders, surveys). */
  opening?: { text: string; media?: string[] };
  /** Bot-specific input, e.g. the appointment a reminder is about. */
  params?: P;
  /**
   * Set the conversation's search attributes (default true). False only on a server where they cannot be
   * registered, such as Temporal's time-skipping test server.
   */
  searchAttributes?: boolean;
  /** Continue as new at a `checkpoint` once the history has this many events (default: when Temporal suggests it). */
  maxHistoryEvents?: number;
  /** Set by the runtime when the conversation continues as new. */
  carried?: CarriedState<S>;
}

/** How a conversation ended. */
export interface ConversationOutcome {
  ended: 'bot-finished' | 'operator';
  reason?: string;
  messages: number;
}

/** A message Bandwidth has accepted (or refused: see `accepted`). */
export interface SentMessage {
  /** Threadline's id for this send within the conversation (`s1`, `s2`, ...). */
  readonly sendId: string;
  /** Bandwidth's message id; `null` when the send failed before Bandwidth accepted it. */
  readonly messageId: string | null;
  /** False when Bandwidth refused the request or its outcome is unknown; `delivered()` then says why. */
  readonly accepted: boolean;
  readonly segmentCount: number;
  /**
   * Waits for the delivered or failed callback (for a group, of the first recipient still pending; see `receipts`).
   * Resolves `timed-out` when none comes in time.
   * @param options.timeout default {@link DEFAULT_DELIVERY_TIMEOUT}
   * @example
   * const receipt = await (await chat.say('Your code is 1234')).delivered();
   * if (receipt.status === 'failed' && receipt.category === 'opted-out') return;
   */
  delivered(options?: { timeout?: Duration; recipient?: string }): Promise<DeliveryResult>;
  /** The receipts so far, by recipient (one entry per recipient of a group message once all have reported). */
  receipts(): Record<string, DeliveryResult | null>;
  /**
   * Waits until every recipient's receipt is in (or `timeout` passes) and reports each recipient separately: in a
   * group, Bandwidth delivers to the valid numbers and sends one `message-failed` for each invalid one (reference §7).
   * @param options.timeout default {@link DEFAULT_DELIVERY_TIMEOUT}
   * @example
   * const report = await (await chat.say('Dinner at 7?')).deliveredToAll();
   * if (report.invalid.length) await chat.say(`I can't reach ${report.invalid.join(', ')}.`);
   */
  deliveredToAll(options?: { timeout?: Duration }): Promise<GroupDelivery>;
}

/** Every recipient's outcome for one message, from {@link SentMessage.deliveredToAll}. */
export interface GroupDelivery {
  /** True when every recipient's receipt says delivered. */
  allDelivered: boolean;
  delivered: string[];
  failed: DeliveryFailed[];
  /** The failed recipients whose number is invalid (unallocated, deactivated, not a mobile number...). */
  invalid: string[];
  /** Recipients with no receipt by the timeout. */
  timedOut: string[];
  byRecipient: Record<string, DeliveryResult>;
}

export interface SendMediaOptions {
  /** How long to wait for the MMS's receipt before sending the SMS instead; default {@link DEFAULT_MMS_RECEIPT_TIMEOUT}. */
  receiptTimeout?: Duration;
  /** The SMS sent instead of the MMS; default: the text, then one link per media item on its own line. */
  fallbackText?: (text: string, links: string[]) => string;
}

/** What {@link Conversation.sendMedia} did. */
export type MediaSendResult =
  /** The MMS went out; `receipt` is its delivery result (a failure that no SMS would fix, such as an opt-out). */
  | { via: 'mms'; message: SentMessage; receipt: DeliveryResult }
  /** The MMS could not be delivered as MMS (or no receipt came in time), so the links went out by SMS. */
  | {
      via: 'sms';
      message: SentMessage;
      mms: SentMessage;
      reason: DeliveryFailed | DeliveryTimedOut;
      links: string[];
    };

export interface CollectOptions {
  /** How many different participants must reply. */
  count: number;
  /** Whose replies count; default every participant. */
  from?: readonly string[];
  /** How long to wait for all of them, in total; default {@link DEFAULT_REPLY_TIMEOUT}. */
  timeout?: Duration;
}

/** The result of {@link Conversation.collectReplies}. */
export interface CollectedReplies {
  /** True when `count` participants replied in time. */
  complete: boolean;
  /** The first reply of each participant who replied, in the order they came. */
  replies: InboundMessage[];
  /** Who has not replied. */
  waitingOn: string[];
}

export interface WaitOptions {
  /** How long to wait; default {@link DEFAULT_REPLY_TIMEOUT}. */
  timeout?: Duration;
  /** Only a message from this participant counts (group conversations). */
  from?: string;
}

export interface AskOptions extends WaitOptions {
  /**
   * When the reply timeout starts: `'send'` (default) when Bandwidth accepts the question; `'delivery'` when its
   * delivered callback arrives, so a slow carrier does not eat into the time the person has to answer.
   */
  timerStartsOn?: 'send' | 'delivery';
}

export interface ChooseOptions extends AskOptions {
  /** Sent first, if given. */
  prompt?: string;
  /** Sent after an answer that is not one of the options; default "Please reply with one of: ...". */
  retryPrompt?: string;
  /** How many answers to read before giving up with `null`; default 3. */
  maxAttempts?: number;
}

/** One thing a bot can wait for; build them with `chat.events`. */
export interface WaitEvent<T> {
  readonly label: string;
  /** @internal */ start(): void;
  /** @internal */ ready(): boolean;
  /** @internal */ take(): T;
  /** @internal */ stop(): void;
}

/** The result of {@link Conversation.race}: which event happened first, and its value. */
export type RaceResult<E extends Record<string, WaitEvent<unknown>>> = {
  [K in keyof E]: { event: K; value: E[K] extends WaitEvent<infer T> ? T : never };
}[keyof E];

/** A bot's handle on its conversation, passed to the function given to {@link defineBot}. */
export interface Conversation<P = unknown, S = unknown> {
  /** The workflow id, `sms:<our number>:<participants>`. */
  readonly id: string;
  readonly ourNumber: string;
  readonly participants: readonly string[];
  /** The `params` the conversation was started with. */
  readonly params: P | undefined;
  /** The state passed to the last `checkpoint` before the conversation continued as new; undefined on first run. */
  readonly resumed: S | undefined;
  /** The message that started the conversation, if a participant started it. */
  readonly firstMessage: InboundMessage | null;
  /**
   * Sends a text, or with `media` an MMS, to everyone in the conversation; resolves when Bandwidth has accepted it.
   * @example await chat.say({ text: 'Here is your receipt', media: ['https://example.com/r.png'] });
   */
  say(message: string | { text: string; media?: OutboundMedia[] }): Promise<SentMessage>;
  /**
   * Sends an MMS with one or more media items and makes sure the person gets them: when the MMS fails because the
   * handset or carrier can't take MMS (category `mms-unsupported`, a media error, or Bandwidth refusing the request),
   * or no receipt comes within `receiptTimeout` (accounts with MMS receipts off), it sends an SMS with a link for each
   * item instead (the item's `link`, default its URL). In a group (always MMS) it never falls back.
   * @example
   * const result = await chat.sendMedia({
   *   text: 'Your repair, before and after:',
   *   media: [{ url: 'https://cdn.example.com/before.jpg', link: 'https://example.com/r/1' }, 'https://cdn.example.com/after.jpg'],
   * });
   * if (result.via === 'sms') log(`fell back: ${result.reason.status}`);
   */
  sendMedia(message: { text: string; media: OutboundMedia[] }, options?: SendMediaOptions): Promise<MediaSendResult>;
  /**
   * The stored copies of an inbound message's media. The runtime copies them into the media store when the message
   * arrives (never waiting for the bot, so they outlive Bandwidth's 48 hours); this waits for that copy, up to
   * `timeout` (default 1 hour), and says if it failed after its retries.
   * @example
   * const photo = await chat.waitForReply();
   * const copy = photo ? await chat.media(photo) : null;
   * if (copy?.status === 'stored') await chat.say(`Got ${copy.items.length} file(s), thanks!`);
   */
  media(message: InboundMessage, options?: { timeout?: Duration }): Promise<MediaCopyResult>;
  /**
   * Waits until `count` different participants have replied ("2 of 3 said yes"), or `timeout` passes in total.
   * Later messages from someone who already replied stay unread for the next wait.
   * @example
   * const votes = await chat.collectReplies({ count: 2, timeout: '1 day' });
   * if (!votes.complete) await chat.say(`Still waiting on ${votes.waitingOn.join(', ')}`);
   */
  collectReplies(options: CollectOptions): Promise<CollectedReplies>;
  /**
   * The next message from a participant (or from `from`), or `null` when none arrives within `timeout`.
   * @example const reply = await chat.waitForReply({ timeout: '15 minutes' });
   */
  waitForReply(options?: WaitOptions): Promise<InboundMessage | null>;
  /**
   * Sends `question` and resolves with the answer, or `null` when none comes in time or the question could not be
   * delivered (then `chat.lastSent?.delivered()` says why).
   * @example const name = await chat.ask('What is your name?', { timeout: '1 hour', timerStartsOn: 'delivery' });
   */
  ask(question: string, options?: AskOptions): Promise<InboundMessage | null>;
  /**
   * Asks until the answer is one of `options` (by value, alias, number or unique prefix); `null` after
   * `maxAttempts` wrong answers or a timeout.
   * @example
   * const size = await chat.choose(['small', 'medium', 'large'], { prompt: 'Which size?', timeout: '15 minutes' });
   */
  choose<T extends string>(options: ChoiceOptions<T>, settings?: ChooseOptions): Promise<T | null>;
  /**
   * Waits for the first of several events, with a typed result naming which one happened.
   * @example
   * const first = await chat.race({
   *   reply: chat.events.reply(),
   *   paid: chat.events.external<{ amount: number }>('payment'),
   *   receipt: chat.events.delivery(sent),
   *   later: chat.events.timer('24 hours'),
   * });
   * if (first.event === 'paid') await chat.say(`Got ${first.value.amount}, thanks!`);
   */
  race<E extends Record<string, WaitEvent<unknown>>>(events: E): Promise<RaceResult<E>>;
  /** Builders for {@link race}. */
  readonly events: {
    /** A message from any participant, or from `from`. */
    reply(options?: { from?: string }): WaitEvent<InboundMessage>;
    /** A message's delivered or failed callback (for `recipient`, default: the first still pending). */
    delivery(message: SentMessage, options?: { recipient?: string }): WaitEvent<DeliveryResult>;
    /** An external event delivered with the `externalEvent` signal (a payment, an operator action). */
    external<T = unknown>(name: string): WaitEvent<T>;
    /** A durable timer. */
    timer(duration: Duration): WaitEvent<void>;
    /** The end (stored or failed) of the copy of an inbound message's media. */
    media(message: InboundMessage): WaitEvent<MediaCopyResult>;
  };
  /**
   * A safe point to continue as new: when the history has grown large (Temporal suggests it, or
   * `maxHistoryEvents`), the workflow continues as a new run carrying `state`, the transcript, unread messages,
   * pending receipts and the deduplication windows; the bot function then starts again with `chat.resumed === state`.
   * Call it at the top of a bot's main loop.
   */
  checkpoint(state: S): Promise<void>;
  /** The most recent message this bot sent. */
  readonly lastSent: SentMessage | null;
  /** Every message so far, oldest first (also served by the `transcript` query). */
  transcript(): readonly TranscriptEntry[];
}

const { sendMessage } = proxyLocalActivities<Activities>({
  // A local activity: the send runs inside the workflow task, which halves the reply latency and records one marker
  // event instead of three activity events (../shared/design/temporal-notes.md §A0). Only failures where Bandwidth
  // certainly did not take the message are retried (activities/index.ts).
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

const { copyInboundMedia } = proxyActivities<MediaActivities>({
  // A regular activity: a download can take a while and must survive a worker restart. Retried with back-off for
  // hours, all well inside Bandwidth's 48-hour media retention; a file already gone (404) fails at once.
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: '40 hours',
  retry: {
    initialInterval: '10 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 hour',
    maximumAttempts: 12,
    nonRetryableErrorTypes: ['MediaGone', 'MediaRejected'],
  },
});

/** Failures an SMS with links can fix: the handset or carrier can't take MMS or this media. */
const MEDIA_ERROR_CODES = new Set([4410, 4411, 4412, 4711, 4712]);

/**
 * The key shared by the copies Bandwidth delivers of one group message, one per number we own in the group: each copy
 * has its own message id and media URLs, but the same sender, time, text and file names.
 */
function groupCopyKey(message: InboundMessage): string {
  return ['group', message.from, message.time, message.text, ...message.media.map(mediaFileName)].join('|');
}

/** A bounded set that forgets its oldest members: a deduplication window. */
class RecentSet {
  private readonly items: Set<string>;
  constructor(
    private readonly limit: number,
    initial: string[] = [],
  ) {
    this.items = new Set(initial);
  }
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
  toJSON(): string[] {
    return [...this.items];
  }
}

/** A bot's workflow function, as {@link defineBot} returns it; the mark tells bots apart from other exports. */
export type BotWorkflow<P = unknown, S = unknown> = ((
  start: ConversationStart<P, S>,
) => Promise<ConversationOutcome>) & {
  readonly threadlineBot: true;
};

/**
 * Declares a bot. The returned function is the workflow; export it from workflows/index.ts under the bot's name
 * (the name is its workflow type, which the server's routing and the Temporal UI use).
 *
 * @typeParam P the `params` a proactive start passes
 * @typeParam S the state the bot carries across continue-as-new (`checkpoint`)
 * @example
 * export const echoBot = defineBot<unknown, { count: number }>(async (chat) => {
 *   let state = chat.resumed ?? { count: 0 };
 *   for (;;) {
 *     await chat.checkpoint(state);
 *     const message = await chat.waitForReply({ timeout: '30 days' });
 *     if (!message) return;
 *     state = { count: state.count + 1 };
 *     await chat.say(`#${state.count}: ${message.text}`);
 *   }
 * });
 */
export function defineBot<P = unknown, S = unknown>(
  body: (chat: Conversation<P, S>) => Promise<unknown>,
): BotWorkflow<P, S> {
  const bot = async function bot(start: ConversationStart<P, S>): Promise<ConversationOutcome> {
    const runtime = createRuntime<P, S>(start);
    let endReason: string | null = null;
    const scope = new CancellationScope();
    setHandler(endConversationSignal, ({ reason }) => {
      endReason = reason;
      scope.cancel();
    });
    try {
      await scope.run(async () => {
        await runtime.begin();
        await body(runtime.chat);
      });
    } catch (err) {
      if (!(endReason !== null && isCancellation(err))) throw err;
    }
    await condition(allHandlersFinished);
    runtime.finish(endReason === null ? 'ended' : 'ended-by-operator');
    return {
      ended: endReason === null ? 'bot-finished' : 'operator',
      ...(endReason !== null ? { reason: endReason } : {}),
      messages: runtime.chat.transcript().length,
    };
  };
  return Object.assign(bot, { threadlineBot: true as const });
}

function createRuntime<P, S>(start: ConversationStart<P, S>) {
  const id = conversationId(start);
  const carried = start.carried;
  const transcript: TranscriptEntry[] = carried?.transcript ?? [];
  const inbox: InboundMessage[] = carried?.inbox ?? [];
  const externalEvents: ExternalEvent[] = carried?.externalEvents ?? [];
  const seenInbound = new RecentSet(DEDUP_WINDOW, carried?.seenInbound);
  const seenStatus = new RecentSet(DEDUP_WINDOW, carried?.seenStatus);
  const seenExternal = new RecentSet(DEDUP_WINDOW, carried?.seenExternal);
  /** Terminal receipts per send id (bounded); an entry exists for every tracked send. */
  const receipts = new Map<string, DeliveryEvent[]>(carried?.receipts ?? []);
  const failedSends = new Map<string, DeliveryFailed>();
  const mediaCopies = new Map<string, MediaCopyResult>(carried?.mediaCopies ?? []);
  const outboundBySendId = new Map<string, TranscriptEntry>();
  let sendSeq = carried?.sendSeq ?? 0;
  let paused = carried?.paused ?? false;
  let state = 'starting';
  let lastSent: SentMessage | null = null;
  let firstMessage: InboundMessage | null = null;
  const alarm = new Alarm();
  const waitingFor = new Set<string>();
  const indexed = start.searchAttributes !== false;
  const lastIndexed = { state: '', activity: 0 };

  for (const entry of transcript) if (entry.sendId) outboundBySendId.set(entry.sendId, entry);

  setHandler(inboundMessageSignal, async (message) => {
    if (!seenInbound.add(message.messageId)) return; // delivered at least once: a duplicate is ignored
    // A group message reaches us once per number we own in the group, each copy with its own id: keep the first.
    if (message.to.length > 1 && !seenInbound.add(groupCopyKey(message))) return;
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
      ...(paused ? { duringTakeover: true } : {}),
    });
    trimTranscript();
    if (!paused) inbox.push(message); // during a takeover the operator answers, not the bot
    refreshDetails();
    if (message.media.length > 0) await copyMedia(message);
  });

  setHandler(deliveryStatusSignal, (event) => {
    if (!seenStatus.add(`${event.messageId}|${event.type}|${event.recipient}`)) return;
    const entry = outboundBySendId.get(event.sendId);
    const before = entry?.recipients?.[event.recipient]?.status;
    if (entry && !(before === 'failed' && event.type === 'message-delivered')) {
      entry.recipients ??= {};
      entry.recipients[event.recipient] = {
        status: statusOf(event),
        ...(event.errorCode !== undefined ? { errorCode: event.errorCode } : {}),
        description: event.description,
        time: event.time,
      };
      entry.status = overallStatus(entry);
      if (event.errorCode !== undefined) entry.errorCode = event.errorCode;
    }
    if (event.type === 'message-delivered' || event.type === 'message-failed') {
      const list = receipts.get(event.sendId) ?? [];
      const earlier = list.findIndex((r) => r.recipient === event.recipient);
      if (earlier < 0) list.push(event);
      // Bandwidth's old group bug (reference §7) sent an invalid number both failed and delivered: failed wins.
      else if (event.type === 'message-failed' && list[earlier]?.type === 'message-delivered') list[earlier] = event;
      receipts.set(event.sendId, list);
    }
    refreshDetails();
  });

  setHandler(externalEventSignal, (event) => {
    if (event.id !== undefined && !seenExternal.add(event.id)) return;
    externalEvents.push(event);
  });

  setHandler(takeoverSignal, ({ paused: pause, operator }) => {
    paused = pause;
    if (pause) inbox.length = 0;
    state = pause ? `paused by ${operator}` : state;
    index(); // operators look for paused conversations by ThreadlineState at once, not when the bot next waits
    refreshDetails();
  });

  setHandler(operatorMessageSignal, async ({ text, media, operator }) => {
    await send({ text, media: media ?? [] }, operator);
  });

  setHandler(transcriptQuery, () => transcript);

  if (indexed && !carried) {
    upsertSearchAttributes([
      { key: OurNumberAttribute, value: start.ourNumber },
      { key: ParticipantsAttribute, value: [...start.participants] },
    ]);
  }

  /** Copies an inbound message's media into the media store; the outcome waits in `mediaCopies` for the bot. */
  async function copyMedia(message: InboundMessage): Promise<void> {
    let result: MediaCopyResult;
    try {
      const items = await copyInboundMedia.executeWithOptions(
        { summary: `copy ${message.media.length} media file(s) of ${message.messageId}` },
        [{ messageId: message.messageId, media: message.media }],
      );
      result = { status: 'stored', items };
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      result = { status: 'failed', reason: err.cause?.message ?? err.message, items: [] };
    }
    mediaCopies.set(message.messageId, result);
    while (mediaCopies.size > TRACKED_SENDS) {
      const oldest = mediaCopies.keys().next().value;
      if (oldest === undefined) break;
      mediaCopies.delete(oldest);
    }
    const entry = transcript.find((m) => m.direction === 'in' && m.messageId === message.messageId);
    if (entry) entry.storedMedia = result.items.map((item: StoredMedia) => item.url);
    refreshDetails();
  }

  function trimTranscript(): void {
    if (transcript.length > TRANSCRIPT_LIMIT) transcript.splice(0, transcript.length - TRANSCRIPT_LIMIT);
  }

  /** Search attributes change only where the workflow blocks, and only when different: each upsert is an event. */
  function index(): void {
    if (!indexed) return;
    const coarse = paused ? 'paused' : state;
    const last = transcript.at(-1);
    const activity = last ? Date.parse(last.time) : 0;
    const updates = [];
    if (coarse !== lastIndexed.state) updates.push({ key: StateAttribute, value: coarse });
    if (activity > lastIndexed.activity) updates.push({ key: LastActivityAttribute, value: new Date(activity) });
    if (updates.length === 0) return;
    lastIndexed.state = coarse;
    lastIndexed.activity = Math.max(activity, lastIndexed.activity);
    upsertSearchAttributes(updates);
  }

  function refreshDetails(): void {
    const recent = transcript
      .slice(-5)
      .map((m) => `- ${m.direction === 'in' ? '⬅' : '➡'} ${m.time} \`${m.status}\` ${m.text.slice(0, 80)}`);
    const deadlines = alarm.pending().map((d) => `- ${d.label} until ${new Date(d.at).toISOString()}`);
    setCurrentDetails(
      [
        `**${id}** · ${workflowInfo().workflowType}${paused ? ' · **paused (human takeover)**' : ''}`,
        '',
        `**Now:** ${state}${waitingFor.size ? ` (${[...waitingFor].join('; ')})` : ''}`,
        // Blank lines around each list: the Web UI's Markdown renderer runs a list into the paragraph before it.
        ...(deadlines.length ? ['', '**Deadlines**', '', ...deadlines] : []),
        '',
        '**Last messages**',
        '',
        ...recent,
      ].join('\n'),
    );
  }

  async function send(message: { text: string; media: string[] }, operator?: string): Promise<SentMessage> {
    sendSeq += 1;
    const sendId = `s${sendSeq}`;
    const entry: TranscriptEntry = {
      direction: 'out',
      messageId: null,
      sendId,
      from: start.ourNumber,
      to: [...start.participants],
      text: message.text,
      media: message.media,
      time: new Date().toISOString(),
      segmentCount: null,
      status: 'sending',
      ...(operator ? { operator } : {}),
    };
    transcript.push(entry);
    trimTranscript();
    outboundBySendId.set(sendId, entry);
    receipts.set(sendId, []);
    while (receipts.size > TRACKED_SENDS) {
      const oldest = receipts.keys().next().value;
      if (oldest === undefined) break;
      receipts.delete(oldest);
      outboundBySendId.delete(oldest);
    }
    try {
      const result = await sendMessage.executeWithOptions(
        {
          startToCloseTimeout: '30 seconds',
          summary: `${operator ? `${operator}: ` : ''}${message.text.slice(0, 60)}`,
        },
        [
          {
            from: start.ourNumber,
            to: [...start.participants],
            text: message.text,
            media: message.media,
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
      // A local activity's final failure arrives as the ApplicationFailure itself, a regular activity's wrapped.
      const failure = err instanceof ActivityFailure ? err : err instanceof ApplicationFailure ? err : null;
      if (failure === null) throw err;
      const cause =
        failure instanceof ApplicationFailure
          ? failure
          : failure.cause instanceof ApplicationFailure
            ? failure.cause
            : null;
      const category = cause?.type === 'SendOutcomeUnknown' ? 'send-outcome-unknown' : 'rejected';
      entry.status = 'send-failed';
      const time = new Date().toISOString();
      for (const recipient of start.participants) {
        failedSends.set(
          `${sendId}|${recipient}`,
          sendFailure(recipient, category, cause?.message ?? failure.message, time),
        );
      }
    }
    refreshDetails();
    const handle: SentMessage = {
      sendId,
      messageId: entry.messageId,
      accepted: entry.messageId !== null,
      segmentCount: entry.segmentCount ?? 0,
      delivered: async ({ timeout = DEFAULT_DELIVERY_TIMEOUT, recipient } = {}) => {
        const outcome = await race({ receipt: deliveryEvent(handle, { recipient }), timeout: timerEvent(timeout) });
        return outcome.event === 'receipt'
          ? outcome.value
          : { status: 'timed-out', recipient: recipient ?? pendingRecipient(sendId) };
      },
      receipts: () =>
        Object.fromEntries(
          start.participants.map((r) => [r, failedSends.get(`${sendId}|${r}`) ?? receiptFor(sendId, r) ?? null]),
        ),
      deliveredToAll: async ({ timeout = DEFAULT_DELIVERY_TIMEOUT } = {}) => {
        const all: WaitEvent<void> = {
          label: `receipts of ${sendId} from all ${start.participants.length}`,
          start: () => undefined,
          stop: () => undefined,
          ready: () => Object.values(handle.receipts()).every((r) => r !== null),
          take: () => undefined,
        };
        await race({ all, timeout: timerEvent(timeout, 'group receipts timeout') });
        const byRecipient: Record<string, DeliveryResult> = {};
        for (const [recipient, result] of Object.entries(handle.receipts())) {
          byRecipient[recipient] = result ?? { status: 'timed-out', recipient };
        }
        const results = Object.values(byRecipient);
        const failed = results.filter((r): r is DeliveryFailed => r.status === 'failed');
        return {
          allDelivered: results.every((r) => r.status === 'delivered'),
          delivered: results.filter((r) => r.status === 'delivered').map((r) => r.recipient),
          failed,
          invalid: failed.filter((r) => isInvalidNumber(r.errorCode)).map((r) => r.recipient),
          timedOut: results.filter((r) => r.status === 'timed-out').map((r) => r.recipient),
          byRecipient,
        };
      },
    };
    return handle;
  }

  function receiptFor(sendId: string, recipient: string): DeliveryResult | undefined {
    const event = receipts.get(sendId)?.find((r) => r.recipient === recipient);
    return event ? deliveryResultOf(event) : undefined;
  }

  function pendingRecipient(sendId: string): string {
    return start.participants.find((r) => !receiptFor(sendId, r)) ?? start.participants[0] ?? '';
  }

  // --- events -------------------------------------------------------------------------------------------------

  function replyEvent({ from }: { from?: string } = {}): WaitEvent<InboundMessage> {
    const matches = (m: InboundMessage) => from === undefined || m.from === from;
    return {
      label: from ? `a reply from ${from}` : 'a reply',
      start: () => undefined,
      stop: () => undefined,
      ready: () => !paused && inbox.some(matches),
      take: () => inbox.splice(inbox.findIndex(matches), 1)[0]!,
    };
  }

  function repliesMatching(matches: (m: InboundMessage) => boolean, label: string): WaitEvent<InboundMessage> {
    return {
      label,
      start: () => undefined,
      stop: () => undefined,
      ready: () => !paused && inbox.some(matches),
      take: () => inbox.splice(inbox.findIndex(matches), 1)[0]!,
    };
  }

  function mediaEvent(message: InboundMessage): WaitEvent<MediaCopyResult> {
    const result = (): MediaCopyResult | undefined =>
      message.media.length === 0 ? { status: 'none', items: [] } : mediaCopies.get(message.messageId);
    return {
      label: `the media of ${message.messageId}`,
      start: () => undefined,
      stop: () => undefined,
      ready: () => result() !== undefined,
      take: () => result()!,
    };
  }

  function deliveryEvent(message: SentMessage, { recipient }: { recipient?: string } = {}): WaitEvent<DeliveryResult> {
    const who = () => recipient ?? pendingRecipient(message.sendId);
    const result = () => failedSends.get(`${message.sendId}|${who()}`) ?? receiptFor(message.sendId, who());
    return {
      label: `delivery of ${message.sendId}`,
      start: () => undefined,
      stop: () => undefined,
      ready: () => result() !== undefined,
      take: () => result()!,
    };
  }

  function externalEvent<T>(name: string): WaitEvent<T> {
    return {
      label: `the ${name} event`,
      start: () => undefined,
      stop: () => undefined,
      ready: () => externalEvents.some((e) => e.name === name),
      take: () =>
        externalEvents.splice(
          externalEvents.findIndex((e) => e.name === name),
          1,
        )[0]!.payload as T,
    };
  }

  function timerEvent(duration: Duration, label = `timer ${String(duration)}`): WaitEvent<void> {
    let alarmId: number | null = null;
    return {
      label,
      start: () => {
        alarmId = alarm.set(Date.now() + parseDuration(duration), label);
      },
      stop: () => {
        if (alarmId !== null) alarm.clear(alarmId);
        alarmId = null;
      },
      ready: () => alarmId !== null && alarm.passed(alarmId),
      take: () => undefined,
    };
  }

  async function race<E extends Record<string, WaitEvent<unknown>>>(events: E): Promise<RaceResult<E>> {
    const entries = Object.entries(events);
    const labels = entries.map(([, e]) => e.label);
    for (const [, e] of entries) e.start();
    for (const label of labels) waitingFor.add(label);
    try {
      const firstReady = () => entries.find(([, e]) => e.ready());
      if (!firstReady()) {
        index();
        refreshDetails();
        await condition(() => firstReady() !== undefined);
      }
      const [key, event] = firstReady()!;
      return { event: key, value: event.take() } as RaceResult<E>;
    } finally {
      for (const [, e] of entries) e.stop();
      for (const label of labels) waitingFor.delete(label);
      refreshDetails();
    }
  }

  // --- the bot's API ---------------------------------------------------------------------------------------------

  async function say(message: string | { text: string; media?: OutboundMedia[] }): Promise<SentMessage> {
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
    if (paused) {
      state = 'paused (the bot waits to speak)';
      index();
      await condition(() => !paused);
    }
    state = 'sending';
    lastSent = await send({ text, media });
    return lastSent;
  }

  async function waitForReply({ timeout = DEFAULT_REPLY_TIMEOUT, from }: WaitOptions = {}) {
    state = 'waiting for a reply';
    const first = await race({ reply: replyEvent({ from }), timeout: timerEvent(timeout, 'reply timeout') });
    return first.event === 'reply' ? first.value : null;
  }

  async function ask(question: string, options: AskOptions = {}): Promise<InboundMessage | null> {
    const sent = await say(question);
    if (!sent.accepted) return null;
    const { timeout = DEFAULT_REPLY_TIMEOUT, from, timerStartsOn = 'send' } = options;
    state = 'waiting for a reply';
    if (timerStartsOn === 'delivery') {
      const early = await race({
        reply: replyEvent({ from }),
        receipt: deliveryEvent(sent),
        noReceipt: timerEvent(DEFAULT_DELIVERY_TIMEOUT, 'delivery receipt timeout'),
      });
      if (early.event === 'reply') return early.value;
      if (early.event === 'receipt' && early.value.status === 'failed') return null;
    }
    // The question's receipt is watched while waiting: if it fails, nobody is going to answer.
    const failed: WaitEvent<DeliveryResult> = {
      ...deliveryEvent(sent),
      label: `failure of ${sent.sendId}`,
      ready: () => {
        const receipt = sent.receipts()[pendingRecipient(sent.sendId)] ?? Object.values(sent.receipts())[0];
        return start.participants.length === 1 && receipt?.status === 'failed';
      },
    };
    const first = await race({
      reply: replyEvent({ from }),
      failed,
      timeout: timerEvent(timeout, 'reply timeout'),
    });
    return first.event === 'reply' ? first.value : null;
  }

  async function choose<T extends string>(options: ChoiceOptions<T>, settings: ChooseOptions = {}): Promise<T | null> {
    const { prompt, maxAttempts = 3 } = settings;
    const retryPrompt = settings.retryPrompt ?? `Please reply with one of: ${listChoices(options)}.`;
    let question = prompt;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const answer = question === undefined ? await waitForReply(settings) : await ask(question, settings);
      if (answer === null) return null;
      const choice = matchChoice(options, answer.text);
      if (choice !== null) return choice;
      question = retryPrompt;
    }
    return null;
  }

  async function sendMedia(
    message: { text: string; media: OutboundMedia[] },
    { receiptTimeout = DEFAULT_MMS_RECEIPT_TIMEOUT, fallbackText }: SendMediaOptions = {},
  ): Promise<MediaSendResult> {
    const mms = await say(message);
    state = 'waiting for the MMS receipt';
    const receipt = await mms.delivered({ timeout: receiptTimeout });
    const fallBack =
      start.participants.length === 1 &&
      (receipt.status === 'timed-out' ||
        (receipt.status === 'failed' &&
          (receipt.category === 'mms-unsupported' ||
            receipt.category === 'rejected' ||
            MEDIA_ERROR_CODES.has(receipt.errorCode))));
    if (!fallBack) return { via: 'mms', message: mms, receipt };
    const links = message.media.map((item) => (typeof item === 'string' ? item : (item.link ?? item.url)));
    const text = fallbackText ? fallbackText(message.text, links) : [message.text, ...links].join('\n');
    const sms = await say(text);
    return { via: 'sms', message: sms, mms, reason: receipt, links };
  }

  async function media(message: InboundMessage, { timeout = '1 hour' }: { timeout?: Duration } = {}) {
    state = 'waiting for a media copy';
    const first = await race({ done: mediaEvent(message), timeout: timerEvent(timeout, 'media copy timeout') });
    return first.event === 'done' ? first.value : ({ status: 'pending', items: [] } as MediaCopyResult);
  }

  async function collectReplies({ count, from, timeout = DEFAULT_REPLY_TIMEOUT }: CollectOptions) {
    const pool = [...(from ?? start.participants)];
    if (!Number.isInteger(count) || count < 1 || count > pool.length) {
      throw ApplicationFailure.nonRetryable(
        `collectReplies: count must be between 1 and the ${pool.length} participant(s) it waits on; got ${count}`,
        'InvalidArgument',
      );
    }
    const replies: InboundMessage[] = [];
    const replied = new Set<string>();
    // One deadline for the whole collection, not one per reply.
    const deadline = timerEvent(timeout, `${count} of ${pool.length} replies timeout`);
    const overall: WaitEvent<void> = { ...deadline, start: () => undefined, stop: () => undefined };
    state = `waiting for ${count} of ${pool.length} participants`;
    deadline.start();
    try {
      while (replied.size < count) {
        const next = await race({
          reply: repliesMatching(
            (m) => pool.includes(m.from) && !replied.has(m.from),
            `replies from ${count - replied.size} more of ${pool.length}`,
          ),
          timeout: overall,
        });
        if (next.event === 'timeout') break;
        replied.add(next.value.from);
        replies.push(next.value);
      }
    } finally {
      deadline.stop();
    }
    return { complete: replied.size >= count, replies, waitingOn: pool.filter((p) => !replied.has(p)) };
  }

  async function checkpoint(botState: S): Promise<void> {
    const info = workflowInfo();
    const due =
      info.continueAsNewSuggested ||
      (start.maxHistoryEvents !== undefined && info.historyLength >= start.maxHistoryEvents);
    if (!due) return;
    await condition(allHandlersFinished);
    const next: CarriedState<S> = {
      botState,
      transcript,
      inbox,
      externalEvents,
      seenInbound: seenInbound.toJSON(),
      seenStatus: seenStatus.toJSON(),
      seenExternal: seenExternal.toJSON(),
      receipts: [...receipts.entries()],
      mediaCopies: [...mediaCopies.entries()],
      sendSeq,
      paused,
      runs: (carried?.runs ?? 1) + 1,
    };
    const { opening: _opening, ...rest } = start;
    await continueAsNew<(s: ConversationStart<P, S>) => Promise<ConversationOutcome>>({ ...rest, carried: next });
  }

  const chat: Conversation<P, S> = {
    id,
    ourNumber: start.ourNumber,
    participants: start.participants,
    params: start.params,
    resumed: carried?.botState,
    get firstMessage() {
      return firstMessage;
    },
    say,
    sendMedia,
    media,
    collectReplies,
    waitForReply,
    ask,
    choose,
    race,
    events: {
      reply: replyEvent,
      delivery: deliveryEvent,
      external: externalEvent,
      timer: (d) => timerEvent(d),
      media: mediaEvent,
    },
    checkpoint,
    get lastSent() {
      return lastSent;
    },
    transcript: () => transcript,
  };

  return {
    chat,
    /** Before the bot's code: a participant-started conversation consumes its first text; a proactive one sends its opening. */
    async begin(): Promise<void> {
      if (carried) return;
      // Signal-with-start delivers the first text with the start: signals of the first activation are buffered and
      // handed to their handlers as createRuntime registers them, so the inbox already holds it here.
      if (!start.opening) firstMessage = inbox.shift() ?? null;
      else await say(start.opening);
    },
    finish(final: string): void {
      state = final;
      index();
      refreshDetails();
    },
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
