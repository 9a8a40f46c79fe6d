/**
 * Starting one bot under test: its conversation, its Bandwidth (picked here, once, by `activities`), served by the
 * environment's worker, and the {@link BotChat} that drives it.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkerOptions } from '@temporalio/worker';
import type { ConversationStart } from '../workflows/conversation';
import { DEFAULT_OUR_NUMBER, type KitBandwidth } from './bandwidth';
import { BotChat } from './bot-chat';
import { createConversationWorkflow, type ConversationWorkflow } from './conversation-workflow';
import { createEmulatorBandwidth } from './emulator-bandwidth';
import { createFakeBandwidth } from './fake-bandwidth';
import type { RecordStore } from '../records';
import type { KitWorker } from './kit-worker';
import { DEFAULT_PRICE_TABLE, type PriceTable } from '../billing/price-table';
import type { UsageBudget } from './usage';

/**
 * How `BotTestEnvironment.startBot` sets up a conversation.
 *
 * @example
 * ```ts
 * const chat = await kit.startBot('groupEchoBot', {
 *   participants: ['+19195557001', '+19195557002'],
 *   alsoOurs: ['+19195550101'],
 *   autoDeliver: false,
 * });
 * ```
 */
export interface StartBotOptions<P = unknown> {
  /** Our number in the conversation (default `+19195550100`). */
  ourNumber?: string;
  /** The person texting the bot (or several, for a group). Default: a fresh number for each conversation. */
  participants?: string[];
  /** Start the conversation proactively with this opening message instead of waiting for a first text. */
  opening?: string;
  /** The bot's parameters (`chat.params` in the bot). */
  params?: P;
  /** Participants' time zones for quiet hours, by number (`ConversationStart.timeZones`). */
  timeZones?: Record<string, string>;
  /** Continue as new once the history has this many events (tests of long conversations). */
  maxHistoryEvents?: number;
  /** `'fake'` (default) records sends; `'emulator'` sends through the local Bandwidth emulator. */
  activities?: 'fake' | 'emulator';
  /** Report each reply delivered unless the test fails it (default true; fake activities only). */
  autoDeliver?: boolean;
  /**
   * Further numbers of ours in a group (fake activities only): like Bandwidth, the kit then delivers each text once
   * per number we own, each copy with its own message id, to the conversation of `ourNumber` (the lowest).
   */
  alsoOurs?: string[];
  /**
   * Make downloads of inbound media from (fake) Bandwidth fail: the first `n` attempts, or every one. Fake
   * Bandwidth also deletes media 48 hours (of workflow time) after the message, as the real one does.
   */
  failMediaDownloads?: number | 'always';
  /**
   * What messages cost in this conversation (default {@link DEFAULT_PRICE_TABLE}, the defaults of
   * `THREADLINE_PRICE_TABLE`): the transcript and `chat.usage()` carry it.
   */
  prices?: PriceTable;
  /**
   * The most this conversation may use: the bot's outbound `segments` and the whole conversation's `cost` (in the
   * price table's currency). The test fails as soon as the bot goes over it, at the next `expectReply`,
   * `expectNoReply` or `result` ({@link UsageBudget}).
   */
  budget?: UsageBudget;
}

/**
 * The bots a kit worker runs: a workflow bundle or a workflows path.
 *
 * @example
 * ```ts
 * const kit = await createBotTestEnvironment({ workflows: { workflowsPath: require.resolve('./my-bots') } });
 * ```
 */
export type KitWorkflows = Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>;

let participantSeq = 0;

/** Starts `bot` on the environment's worker, and returns the chat that drives it. */
export async function startBotChat(
  env: TestWorkflowEnvironment,
  worker: KitWorker,
  records: RecordStore,
  bot: string,
  options: StartBotOptions,
): Promise<BotChat> {
  // Each conversation under test gets its own participant, so its workflow id never collides with another test's.
  const participants = options.participants ?? [`+1919555${String(1000 + (++participantSeq % 9000))}`];
  const start: ConversationStart = {
    ourNumber: options.ourNumber ?? DEFAULT_OUR_NUMBER,
    participants,
    searchAttributes: false,
    ...(options.params !== undefined ? { params: options.params } : {}),
    ...(options.opening ? { opening: { text: options.opening } } : {}),
    ...(options.maxHistoryEvents ? { maxHistoryEvents: options.maxHistoryEvents } : {}),
    ...(options.timeZones ? { timeZones: options.timeZones } : {}),
  };
  const { taskQueue } = worker;
  const conversation = createConversationWorkflow({ client: env.client, bot, taskQueue, start });
  const bandwidth = await createBandwidth(env, conversation, records, bot, taskQueue, options);
  await worker.serve(conversation.workflowId, bandwidth.activities);
  const chat = new BotChat({ env, conversation, bandwidth, budget: options.budget });
  if (options.opening) await conversation.startProactively();
  return chat;
}

/** The one place the kit's mode matters: which Bandwidth the conversation talks to. */
async function createBandwidth(
  env: TestWorkflowEnvironment,
  conversation: ConversationWorkflow,
  records: RecordStore,
  bot: string,
  taskQueue: string,
  options: StartBotOptions,
): Promise<KitBandwidth> {
  if (options.activities === 'emulator') {
    return createEmulatorBandwidth({
      client: env.client,
      taskQueue,
      bot,
      start: conversation.start,
      records,
      prices: options.prices ?? DEFAULT_PRICE_TABLE,
    });
  }
  return createFakeBandwidth({
    conversation,
    now: () => env.currentTimeMs(),
    autoDeliver: options.autoDeliver,
    alsoOurs: options.alsoOurs,
    failMediaDownloads: options.failMediaDownloads,
    consent: records.optOuts,
    prices: options.prices ?? DEFAULT_PRICE_TABLE,
  });
}
