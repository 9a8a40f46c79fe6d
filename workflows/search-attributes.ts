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
/** What the conversation is doing now: `waiting-for-reply`, `sending`, `waiting-for-delivery`, `ended`, ... */
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
