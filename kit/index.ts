/**
 * The test kit for bot authors: drive a bot like a transcript on Temporal's time-skipping test server, where hours
 * of timers pass in milliseconds.
 *
 * ```ts
 * import { createBotTestEnvironment } from 'threadline/kit';
 *
 * const env = await createBotTestEnvironment();          // once per test file
 * const chat = await env.startBot('pizzaBot');
 * await chat.text('hi');
 * await chat.expectReply(/size/);
 * await chat.advance('16 minutes');
 * await chat.expectReply(/still there/);
 * await chat.failDelivery(4720);
 * await chat.close();
 * await env.teardown();
 * ```
 *
 * The test server's clock starts at noon in New York (`startClock`), so what depends on the time of day, such as
 * quiet hours, never depends on when the tests run; `kit.advanceTo('22:00', 'America/New_York')` moves it on.
 *
 * Sends go to a fake Bandwidth (the default: every reply is recorded and, unless the test fails it, reported
 * delivered) or to the real emulator (`activities: 'emulator'`), whose callbacks come back through the real webhook
 * server.
 *
 * Inside: `environment.ts` (the test server and runtime), `start-bot.ts` (one bot under test: its worker and its
 * Bandwidth), `bot-chat.ts` (the chat driver), `bandwidth.ts` (what the driver needs from Bandwidth) with
 * `fake-bandwidth.ts` and `emulator-bandwidth.ts`, `conversation-workflow.ts` (the conversation's workflow, reached
 * as the webhook server reaches it) and `inbound-message.ts` (the inbound-message builder).
 */
import type { MediaObject as StoredMediaObject } from '../media/store';
import type { Usage as ConversationUsage } from '../billing/usage';
import type { ConversationOutcome as WorkflowConversationOutcome } from '../workflows/conversation';
import type {
  InboundMessage as WorkflowInboundMessage,
  TranscriptEntry as WorkflowTranscriptEntry,
} from '../workflows/messages';

export { createBotTestEnvironment, type BotTestEnvironment, type KitEnvironmentOptions } from './environment';
export type { KitWorkflows, StartBotOptions } from './start-bot';
export { BotChat } from './bot-chat';
export type { KitMedia, Reply } from './bandwidth';
export { inboundMessage, type InboundMessageFields } from './inbound-message';
export { UsageBudgetError, type UsageBudget } from './usage';

/**
 * A text (or MMS) from a participant to our number, as the conversation receives it; build one with
 * {@link inboundMessage}.
 *
 * @example
 * ```ts
 * const message: InboundMessage = inboundMessage({ from: '+19195550123', text: 'hi' });
 * await chat.deliverInbound(message);
 * ```
 */
export type InboundMessage = WorkflowInboundMessage;

/**
 * One line of a conversation's transcript, from `chat.transcript()`.
 *
 * @example
 * ```ts
 * const [first]: TranscriptEntry[] = await chat.transcript();
 * assert.deepEqual([first?.direction, first?.status], ['in', 'received']);
 * ```
 */
export type TranscriptEntry = WorkflowTranscriptEntry;

/**
 * How a conversation ended, from `chat.result()`.
 *
 * @example
 * ```ts
 * const outcome: ConversationOutcome = await chat.result();
 * assert.equal(outcome.ended, 'bot-finished');
 * ```
 */
export type ConversationOutcome = WorkflowConversationOutcome;

/**
 * A file in the conversation's media store, from `chat.storedMedia(id)`.
 *
 * @example
 * ```ts
 * const stored: MediaObject | null = await chat.storedMedia('kit-in-1/0/tap.jpg');
 * assert.equal(stored?.bytes.toString(), 'jpeg bytes');
 * ```
 */
export type MediaObject = StoredMediaObject;

/**
 * What a conversation under test used, from `chat.usage()`: messages, SMS segments and cost in each direction.
 *
 * @example
 * ```ts
 * const usage: Usage = await chat.usage();
 * assert.ok(usage.segments.out <= 3, `the bot sent ${usage.segments.out} segments`);
 * ```
 */
export type Usage = ConversationUsage;
