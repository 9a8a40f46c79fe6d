/**
 * A conversation's usage: messages, SMS segments and cost so far, in each direction. Summed from transcript entries
 * (the workflow's, or one rebuilt from message records) or kept running in the workflow. Pure, and safe in workflow
 * code.
 */
import { addAmounts } from './amounts';

/** Messages, segments and cost of a conversation (or a test conversation in the kit). */
export interface Usage {
  messages: { in: number; out: number };
  /** SMS segments as Bandwidth counts them (an MMS or a group message is 1). */
  segments: { in: number; out: number };
  /** Cost by currency (ISO 4217 code → currency units): usually one currency; empty when nothing was priced. */
  cost: Record<string, number>;
}

/** What a usage sum reads from a message: a transcript entry, a transcript line of the operator API. */
export interface UsageLine {
  direction: 'in' | 'out';
  segmentCount: number | null;
  status?: string;
  cost?: number | undefined;
  currency?: string | undefined;
}

export function emptyUsage(): Usage {
  return { messages: { in: 0, out: 0 }, segments: { in: 0, out: 0 }, cost: {} };
}

/** Adds one message (or, with `message: false`, only its cost, such as a carrier surcharge) to `usage`, in place. */
export function addUsage(
  usage: Usage,
  direction: 'in' | 'out',
  {
    segments = 0,
    cost,
    currency,
    message = true,
  }: { segments?: number; cost?: number; currency?: string; message?: boolean },
): Usage {
  if (message) usage.messages[direction] += 1;
  usage.segments[direction] += segments;
  if (cost !== undefined && currency !== undefined) usage.cost[currency] = addAmounts(usage.cost[currency], cost);
  return usage;
}

/**
 * The usage of a transcript: every message received, and every message Bandwidth accepted (a send that failed before
 * Bandwidth took it costs nothing and is not counted).
 */
export function usageOf(lines: readonly UsageLine[]): Usage {
  const usage = emptyUsage();
  for (const line of lines) {
    if (line.direction === 'out' && (line.status === 'send-failed' || line.status === 'sending')) continue;
    addUsage(usage, line.direction, {
      segments: line.segmentCount ?? 0,
      ...(line.cost !== undefined && line.currency !== undefined ? { cost: line.cost, currency: line.currency } : {}),
    });
  }
  return usage;
}

/** `1.234 USD`, or `—` when nothing was priced; several currencies joined with ` + `. */
export function formatCost(cost: Record<string, number>): string {
  const parts = Object.entries(cost).map(([currency, amount]) => `${String(amount)} ${currency}`);
  return parts.length ? parts.join(' + ') : '—';
}
