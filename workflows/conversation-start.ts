/**
 * What a conversation workflow is started with, what it returns, and what it carries from one run to the next when it
 * continues as new. The server builds the start from the first inbound message; operators from a proactive start.
 */
import type { ExternalEvent, InboundMessage, TranscriptEntry, DeliveryEvent } from './messages';
import type { ConsentPolicy } from './consent/policy';
import type { MediaCopyResult } from './media';
import type { Usage } from '../billing/usage';

/**
 * What the conversation carries from one run to the next when it continues as new.
 * @example
 * // built by `chat.checkpoint(state)`; a bot reads its own part back as `chat.resumed`
 * const count = chat.resumed?.count ?? 0;
 */
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
  /** Participants who opted out during the conversation. */
  optedOut?: string[];
  /** Contacts' time zones for quiet hours, by number (set at the start or by `chat.setTimeZone`). */
  timeZones?: Record<string, string>;
  /** Messages, segments and cost so far (absent in runs carried before Threadline priced messages). */
  usage?: Usage;
}

/**
 * What a conversation workflow is started with. The server builds it from the first inbound message.
 * @example
 * // a proactive start, as the operator API's POST /conversations makes it
 * const start: ConversationStart<{ when: string }> = {
 *   ourNumber: '+19195550100',
 *   participants: ['+19195550123'],
 *   opening: { text: 'Reminder: your appointment is tomorrow at 10. Reply C to confirm.' },
 *   params: { when: '2026-12-01T10:00:00Z' },
 * };
 */
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
   * Participants' time zones (IANA names, by number), e.g. from a CRM: quiet hours count in these instead of the
   * zones of their numbers. The bot can change them with `chat.setTimeZone`.
   */
  timeZones?: Record<string, string>;
  /**
   * Set the conversation's search attributes (default true). False only on a server where they cannot be
   * registered, such as Temporal's time-skipping test server.
   */
  searchAttributes?: boolean;
  /**
   * What the `ThreadlineParticipants` search attribute holds instead of the participants' numbers: their hashes, set
   * by the server when `THREADLINE_HASH_PHONES_IN_SEARCH` is on (temporal/phone-hash.ts). Default: the numbers.
   */
  indexedParticipants?: string[];
  /** Continue as new at a `checkpoint` once the history has this many events (default: when Temporal suggests it). */
  maxHistoryEvents?: number;
  /** Set by the runtime when the conversation continues as new. */
  carried?: CarriedState<S>;
  /**
   * Texts a finished run left unread (they came as it ended): this run receives them first, as if they had just
   * arrived, so a run never completes with a text nobody read.
   */
  unread?: InboundMessage[];
  /**
   * The consent policy (scope, keywords, answers), resolved by the server from the configuration; default: every
   * default, with opt-outs kept per our number.
   */
  consent?: ConsentPolicy;
}

/**
 * How a conversation ended.
 * @example
 * const outcome: ConversationOutcome = await client.workflow.result(conversationId(start));
 * if (outcome.ended === 'operator') console.log(`ended by an operator: ${outcome.reason}`);
 */
export interface ConversationOutcome {
  /**
   * `bot-finished`: the bot's function returned; `operator`: an operator ended it; `opted-out`: a participant opted
   * out (the bot's `onOptOut` is `'end'`); `keyword`: a consent keyword started it, so the bot never ran.
   */
  ended: 'bot-finished' | 'operator' | 'opted-out' | 'keyword';
  reason?: string;
  messages: number;
}
