/**
 * A conversation's totals for the operator API: messages, segments and cost so far. From its message records when
 * there are any (the ledger of everything Bandwidth billed: every message received or accepted, every carrier
 * surcharge), else from the transcript the workflow answered with.
 */
import { addUsage, emptyUsage, usageOf, type Usage } from '../../billing/usage';
import type { MessageRecord } from '../../records';
import type { TranscriptLine } from './schemas';

/** Usage summed from message records: segments of inbound and accepted outbound messages, cost of every record. */
export function usageOfRecords(records: readonly MessageRecord[]): Usage {
  const usage = emptyUsage();
  for (const r of records) {
    const message = r.kind === 'inbound' || r.kind === 'outbound';
    if (!message && r.kind !== 'status') continue;
    const priced = r.cost !== null && r.currency !== null ? { cost: r.cost, currency: r.currency } : {};
    if (!message && !('cost' in priced)) continue;
    addUsage(usage, r.direction ?? 'out', { segments: message ? (r.segmentCount ?? 0) : 0, message, ...priced });
  }
  return usage;
}

/** The totals the operator API answers with, and where they came from. */
export function conversationTotals(
  records: readonly MessageRecord[],
  transcript: readonly TranscriptLine[],
): Usage & { source: 'records' | 'transcript' } {
  if (records.length > 0) return { ...usageOfRecords(records), source: 'records' };
  return {
    ...usageOf(
      transcript.map((line) => ({
        ...line,
        cost: typeof line.cost === 'number' ? line.cost : undefined,
        currency: typeof line.currency === 'string' ? line.currency : undefined,
      })),
    ),
    source: 'transcript',
  };
}
