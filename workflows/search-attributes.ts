/**
 * The typed search attributes every conversation carries, so operators can find conversations in the Temporal UI
 * and through visibility queries. They are never encoded by payload codecs, so they never hold message text.
 *
 * The dev server registers them at start (toolchain/temporal.ts); on a real cluster register them once with
 * `temporal operator search-attribute create --name ThreadlineOurNumber --type Keyword` (and so on; see README).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export type ConversationSearchAttributeKey = ReturnType<typeof defineSearchAttributeKey<SearchAttributeType>>;

/** Our Bandwidth number in this conversation (E.164). */
export const OurNumberAttribute = defineSearchAttributeKey('ThreadlineOurNumber', SearchAttributeType.KEYWORD);
/** The other participants' numbers (E.164). */
export const ParticipantsAttribute = defineSearchAttributeKey(
  'ThreadlineParticipants',
  SearchAttributeType.KEYWORD_LIST,
);
/** What the conversation is doing now: one of {@link CONVERSATION_STATES}. */
export const StateAttribute = defineSearchAttributeKey('ThreadlineState', SearchAttributeType.KEYWORD);
/** When the last message went in or out. */
export const LastActivityAttribute = defineSearchAttributeKey('ThreadlineLastActivity', SearchAttributeType.DATETIME);

export const conversationSearchAttributes: readonly ConversationSearchAttributeKey[] = [
  OurNumberAttribute,
  ParticipantsAttribute,
  StateAttribute,
  LastActivityAttribute,
];

const cliTypeNames: Record<SearchAttributeType, string> = {
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/** `Name=Type`, as `temporal server start-dev --search-attribute` and `operator search-attribute create` take it. */
export function searchAttributeFlag(key: ConversationSearchAttributeKey): string {
  return `${key.name}=${cliTypeNames[key.type]}`;
}

/**
 * Every value `ThreadlineState` takes: a closed set, so operators can filter on it (`ThreadlineState =
 * "waiting-for-reply"`). The prose (who paused it, what exactly it waits for) is in the Web UI's current details.
 * @example
 * // find paused conversations: temporal workflow list --query 'ThreadlineState = "paused"'
 * const states: readonly string[] = CONVERSATION_STATES;
 */
export const CONVERSATION_STATES = [
  /** Started, before its first wait. */
  'starting',
  /** Sending a message (a send that waits for Bandwidth, or for its turn). */
  'sending',
  /** Waiting for a participant's text (`waitForReply`, `ask`, `choose`, `collectReplies`, a race with a reply). */
  'waiting-for-reply',
  /** Waiting for a delivery receipt (`delivered()`, `deliveredToAll()`, `sendMedia`). */
  'waiting-for-delivery',
  /** Waiting for the copy of an inbound message's media (`chat.media`). */
  'waiting-for-media',
  /** Waiting for an external event (`chat.events.external`). */
  'waiting-for-event',
  /** Waiting on a timer alone (`chat.events.timer`). */
  'waiting-for-timer',
  /** A proactive message waits for the recipients' quiet hours to end (`sendWindow`). */
  'waiting-for-send-window',
  /** A human operator has taken over; the bot is paused. */
  'paused',
  /** The bot finished. */
  'ended',
  /** An operator ended the conversation. */
  'ended-by-operator',
] as const;

/**
 * What a conversation is doing now, as its `ThreadlineState` search attribute says.
 * @example
 * const state: ConversationState = 'waiting-for-reply';
 * await client.workflow.list({ query: `ThreadlineState = "${state}"` });
 */
export type ConversationState = (typeof CONVERSATION_STATES)[number];
