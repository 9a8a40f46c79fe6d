/**
 * Prices the messages Threadline sees, with the price table from configuration ({@link PriceTable}): a message received,
 * a message Bandwidth accepted, and the carrier surcharge a status callback adds. Pure and deterministic, so the
 * webhook server, the activities and the test kit price alike; workflows never read the table, they are handed the
 * amounts (with the send's result, the inbound signal and the delivery signal).
 *
 * Every amount is in currency units rounded to millionths, with the table's currency beside it.
 */
import { fromMicros } from './amounts';
import { messageCostMicros, type PriceTable, type PricedMessage } from './price-table';

/** What one message (or one surcharge) costs. */
export interface Cost {
  /** Currency units, rounded to millionths (0.004 = four tenths of a cent). */
  cost: number;
  /** ISO 4217 code, from the price table. */
  currency: string;
}

/** The message as Bandwidth bills it: MMS when it carries media or goes to a group (reference §6), SMS otherwise. */
export function billedKind(message: { media?: readonly string[]; to: readonly string[] }): PricedMessage['kind'] {
  return (message.media?.length ?? 0) > 0 || message.to.length > 1 ? 'mms' : 'sms';
}

/**
 * A message Bandwidth accepted from us: billed once per recipient (a group MMS to three people is three MMS).
 * The carrier surcharge is not known yet: it comes with the status callbacks ({@link surchargeCost}).
 */
export function outboundCost(table: PriceTable, message: PricedCopy): Cost {
  return priced(table, 'out', message, Math.max(1, message.to.length));
}

/** A message received on one of our numbers (one copy: a group text reaching two of our numbers is two copies). */
export function inboundCost(table: PriceTable, message: PricedCopy): Cost {
  return priced(table, 'in', message, 1);
}

/** What a message is priced by. */
export type PricedCopy = { to: readonly string[]; media?: readonly string[]; segmentCount: number | null };

/** `copies` of one message in `direction`. */
function priced(table: PriceTable, direction: 'in' | 'out', message: PricedCopy, copies: number): Cost {
  const each = messageCostMicros(table, { direction, kind: billedKind(message), segments: message.segmentCount ?? 1 });
  return { cost: fromMicros(each * copies), currency: table.currency };
}

/**
 * The carrier surcharge a status callback adds for its one recipient, when it names a carrier the table has a
 * surcharge for (`carrierName`, URL-encoded as Bandwidth sends it); null otherwise.
 */
export function surchargeCost(
  table: PriceTable,
  message: { to: readonly string[]; media?: readonly string[]; segmentCount: number | null },
  carrierName: string | null | undefined,
): Cost | null {
  if (!carrierName) return null;
  const priced = { direction: 'out' as const, kind: billedKind(message), segments: message.segmentCount ?? 1 };
  const surcharge =
    messageCostMicros(table, { ...priced, carrierName }) - messageCostMicros(table, { ...priced, carrierName: null });
  return surcharge > 0 ? { cost: fromMicros(surcharge), currency: table.currency } : null;
}
