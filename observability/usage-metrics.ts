/**
 * Counts what a message record adds to a number's usage: its segments (inbound and accepted outbound messages) and its
 * cost (the same, and the carrier surcharge of a status callback). Called once per record written: by the send
 * recorder for accepted sends, by the hand-off for callbacks that were not duplicates.
 */
import { billedKind } from '../billing/message-cost';
import type { MessageRecordInput } from '../records';
import type { Metrics } from './metrics';

export function countUsage(metrics: Pick<Metrics, 'segments' | 'cost'>, record: MessageRecordInput): void {
  const number = record.ourNumber ?? 'unknown';
  const direction = record.direction ?? 'out';
  const message = record.kind === 'inbound' || record.kind === 'outbound';
  if (message) {
    const kind = billedKind(record);
    metrics.segments.inc({ number, direction, kind }, kind === 'mms' ? 1 : Math.max(1, record.segmentCount ?? 1));
  }
  if ((message || record.kind === 'status') && record.cost != null && record.cost > 0 && record.currency) {
    metrics.cost.inc({ number, direction, currency: record.currency }, record.cost);
  }
}
