/**
 * Hands the price of a callback's message to its conversation with the signal: workflows never read the price table,
 * so what the record of an event says it costs travels with it (an inbound message's price, a delivery's surcharge).
 * The hand-off also counts each new record's usage (observability/usage-metrics.ts) and names a new conversation
 * (conversation-metadata.ts) through this file.
 */
import type { MessageRecordInput } from '../records';
export type { PriceTable } from '../billing/price-table';
export { countUsage } from '../observability/usage-metrics';
export { startMetadata } from './conversation-metadata';
import type { DeliveryEvent, InboundMessage } from '../workflows/messages';

/** Copies the record's cost onto the message or delivery event the action signals, in place. */
export function withRecordCost(
  action: { kind: string; message?: InboundMessage; delivery?: DeliveryEvent },
  record: MessageRecordInput,
): void {
  if (record.cost == null || !record.currency) return;
  const cost = { cost: record.cost, currency: record.currency };
  if (action.message) Object.assign(action.message, cost);
  if (action.delivery) action.delivery.surcharge = { ...cost, carrier: record.carrierName ?? '' };
}
