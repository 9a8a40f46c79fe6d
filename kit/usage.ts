/**
 * What a conversation under test used (messages, SMS segments, cost) and the budget a test can hold a bot to.
 */
import { formatCost, type Usage } from '../billing/usage';

/**
 * The most a conversation under test may use (`StartBotOptions.budget`): the test fails as soon as it goes over.
 * @example
 * ```ts
 * const chat = await kit.startBot('pizzaBot', { budget: { segments: 6, cost: 0.05 } });
 * ```
 */
export interface UsageBudget {
  /** The most SMS segments the bot may send in the whole conversation (an MMS or a group message counts 1). */
  segments?: number;
  /** The most the whole conversation may cost (both directions, surcharges included), in the price table's currency. */
  cost?: number;
}

/**
 * Thrown by the kit when a conversation goes over its budget, or over what `expectSegmentsAtMost` allows.
 * @example
 * ```ts
 * await assert.rejects(chat.expectSegmentsAtMost(1), UsageBudgetError);
 * ```
 */
export class UsageBudgetError extends Error {
  constructor(
    message: string,
    /** The conversation's usage when it went over. */
    readonly usage: Usage,
  ) {
    super(message);
    this.name = 'UsageBudgetError';
  }
}

/** `usage` in one line, for failure messages: `3 segments out (1 in) · 0.016 USD`. */
export function describeUsage(usage: Usage): string {
  return `${usage.segments.out} segments out (${usage.segments.in} in) · ${formatCost(usage.cost)}`;
}

/** Throws {@link UsageBudgetError} when `usage` is over `budget`. */
export function checkBudget(usage: Usage, budget: UsageBudget | undefined, what = 'the conversation'): void {
  if (!budget) return;
  const over: string[] = [];
  if (budget.segments !== undefined && usage.segments.out > budget.segments) {
    over.push(`the bot sent ${usage.segments.out} SMS segments, more than the ${budget.segments} budgeted`);
  }
  const cost = Object.values(usage.cost).reduce((a, b) => a + b, 0);
  if (budget.cost !== undefined && cost > budget.cost + 1e-9) {
    over.push(`it cost ${formatCost(usage.cost)}, more than the ${budget.cost} budgeted`);
  }
  if (over.length > 0) throw new UsageBudgetError(`${what} is over its budget: ${over.join('; ')}`, usage);
}
