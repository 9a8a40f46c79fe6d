/**
 * The bot-authoring API (`threadline/workflows`). A conversation is one long-running Temporal workflow; a bot is a
 * function that receives the conversation and reads top to bottom like the chat.
 *
 * ## Usage
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
 *
 * ## Where things are
 *
 * - `define-bot.ts`: {@link defineBot}; `conversation-api.ts`: the {@link Conversation} a bot receives;
 *   `conversation-start.ts`: what a conversation starts with, returns and carries across continue-as-new.
 * - `sent-message.ts`, `dialogue-options.ts`, `wait-event.ts`, `delivery.ts`, `media.ts`, `messages.ts`: the types
 *   the API takes and returns. `defaults.ts`: every default timeout and limit. `activity-options.ts`: activity
 *   timeouts and retry settings.
 * - `runtime/`: the implementation, one concept per file: `memory.ts` (what a conversation remembers),
 *   `bounded.ts`, `receipt-book.ts`, `signal-handlers.ts`, `sending.ts`, `sent-message-handle.ts`,
 *   `wait-events.ts`, `race.ts`, `visibility.ts` (search attributes and current details), `dialogue.ts` (`ask`,
 *   `choose`, ...), `media-copy.ts`, `checkpoint.ts` (continue-as-new), `send-window.ts` (quiet hours),
 *   `runtime.ts` (puts them together). `bot-options.ts`: what `defineBot` takes besides the dialogue;
 *   `segment-budget.ts`: the segment budget `say` checks texts against.
 */
export { defineBot, type BotWorkflow } from './define-bot';
export type { BotOptions, QuietHoursWindow, SendOptions, SendWindow } from './bot-options';
export {
  isSegmentBudgetExceeded,
  SEGMENT_BUDGET_EXCEEDED,
  type SegmentBudget,
  type SegmentBudgetExcess,
} from './segment-budget';
export type { Conversation } from './conversation-api';
export type { CarriedState, ConversationOutcome, ConversationStart } from './conversation-start';
export type { GroupDelivery, SentMessage } from './sent-message';
export type * from './dialogue-options';
export type { RaceResult, WaitEvent, WaitKind } from './wait-event';
export type { ChoiceOptions } from './choose';
export type { Delivered, DeliveryFailed, DeliveryResult, DeliveryTimedOut, FailureCategory } from './delivery';
export { MAX_MMS_ATTACHMENTS, type MediaCopyResult, type OutboundMedia, type StoredMedia } from './media';
export type { ExternalEvent, InboundMessage, MessageStatus, TranscriptEntry } from './messages';
export { CONVERSATION_STATES, type ConversationState } from './search-attributes';
export {
  DEFAULT_CHOOSE_ATTEMPTS,
  DEFAULT_DELIVERY_TIMEOUT,
  DEFAULT_MEDIA_COPY_TIMEOUT,
  DEFAULT_MMS_RECEIPT_TIMEOUT,
  DEFAULT_REPLY_TIMEOUT,
  DEFAULT_SEND_WINDOW,
  MAX_GROUP_RECIPIENTS,
  REPLY_WINDOW,
} from './defaults';
/** Retention and erasure: a bot author's own workflows module exports these too (workflows/data-lifecycle). */
export { contactErasure, contactErasureSweep, recordsPurge } from './data-lifecycle';
