/**
 * `defineBot`: turns a bot's dialogue function into a conversation workflow, and ends it cleanly when an operator
 * ends the conversation (the bot stops where it is, running handlers finish, the workflow completes).
 */
import { CancellationScope, continueAsNew, isCancellation, patched, setHandler } from '@temporalio/workflow';
import type { BotOptions } from './bot-options';
import type { Conversation } from './conversation-api';
import type { ConversationOutcome, ConversationStart } from './conversation-start';
import { endConversationSignal } from './messages';
import { createRuntime } from './runtime/runtime';

/** Histories recorded before a run could hand unread texts to the next replay as they were. */
export const CONTINUE_WITH_UNREAD_PATCH = 'continue-with-unread';

/**
 * A bot's workflow function, as {@link defineBot} returns it; the mark tells bots apart from other exports.
 * @example
 * // the worker's workflowsPath exports bots by name: the name is the workflow type
 * export const greeterBot: BotWorkflow = defineBot(async (chat) => { await chat.say('Hi!'); });
 */
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
 * @param options what the bot declares besides its dialogue: what it does when someone opts out, and its quiet hours
 * ({@link BotOptions})
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
  options: BotOptions = {},
): BotWorkflow<P, S> {
  const onOptOut = options.onOptOut ?? 'end';
  const bot = async function bot(start: ConversationStart<P, S>): Promise<ConversationOutcome> {
    const scope = new CancellationScope();
    // Set by handlers while the bot runs: an object, so the compiler does not assume it stays as initialised.
    const end: { why: ConversationOutcome['ended'] | null; reason: string | null } = { why: null, reason: null };
    /**
     * Ends the conversation where the bot is (once: the first reason wins), but not in the middle of one of its sends:
     * a send once started is seen through, so its outcome is recorded (and never made again).
     */
    const stop = (why: 'operator' | 'opted-out', reason: string | null = null) => {
      if (end.why !== null) return;
      Object.assign(end, { why, reason });
      void runtime.sendsSettled().then(() => scope.cancel());
    };
    const runtime = createRuntime<P, S>(start, options, {
      onOptOut: () => {
        if (onOptOut === 'end') stop('opted-out');
      },
    });
    setHandler(endConversationSignal, ({ reason }) => stop('operator', reason));
    try {
      await scope.run(async () => {
        if (await runtime.begin()) await body(runtime.chat);
        else end.why ??= 'keyword';
      });
    } catch (err) {
      if (!(end.why !== null && isCancellation(err))) throw err;
    }
    const outcome = end.why ?? 'bot-finished';
    await runtime.end(outcome === 'operator' ? 'ended-by-operator' : 'ended');
    const unread = runtime.unread();
    if (unread.length > 0 && outcome !== 'operator' && patched(CONTINUE_WITH_UNREAD_PATCH)) {
      // Texts came as this run ended: a fresh run of the bot reads them, rather than nobody.
      const { carried: _carried, opening: _opening, unread: _unread, ...fresh } = start;
      await continueAsNew<BotWorkflow<P, S>>({ ...fresh, unread });
    }
    return {
      ended: outcome,
      ...(end.reason !== null ? { reason: end.reason } : {}),
      messages: runtime.chat.transcript().length,
    };
  };
  return Object.assign(bot, { threadlineBot: true as const });
}
