/**
 * What a message costs: a price table from configuration and the one function that prices a message with it.
 *
 * Bandwidth bills per SMS segment and per MMS, in each direction, plus carrier pass-through surcharges on 10DLC
 * traffic (which carrier handled a message is known only when a callback names it in `carrierName`). Prices differ
 * per contract, so the table is configuration (`THREADLINE_PRICE_TABLE`: inline JSON or a path to a JSON file); the
 * defaults are illustrative list prices, not anyone's contract.
 *
 * Amounts are decimal currency units (0.004 = four tenths of a cent). Sums are kept in integer millionths so that a
 * thousand messages add up without floating-point drift; {@link messageCost} returns currency units rounded to them.
 */
import { z } from 'zod';
import { fromMicros, toMicros } from './amounts';

const amount = z.number().finite().nonnegative();

/** Prices for one direction: per SMS segment and per MMS (an MMS is one message whatever its size). */
export const DirectionPricesSchema = z.strictObject({ smsSegment: amount, mms: amount });
export type DirectionPrices = z.infer<typeof DirectionPricesSchema>;

export const PriceTableSchema = z.strictObject({
  /** ISO 4217 code the amounts are in. */
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD')
    .default('USD'),
  outbound: DirectionPricesSchema,
  inbound: DirectionPricesSchema.default({ smsSegment: 0, mms: 0 }),
  /**
   * Surcharges per carrier, added to outbound messages whose callback named that carrier (`carrierName`, compared
   * case-insensitively after URL-decoding, e.g. `AT&T`, `T-Mobile`, `Verizon Wireless`).
   */
  carrierSurcharges: z.record(z.string().min(1), DirectionPricesSchema).default({}),
});
export type PriceTable = z.infer<typeof PriceTableSchema>;

/** Illustrative US list prices (2026): the defaults when `THREADLINE_PRICE_TABLE` is unset. */
export const DEFAULT_PRICE_TABLE: PriceTable = {
  currency: 'USD',
  outbound: { smsSegment: 0.004, mms: 0.015 },
  inbound: { smsSegment: 0.004, mms: 0.015 },
  carrierSurcharges: {
    'AT&T': { smsSegment: 0.002, mms: 0.0035 },
    'T-Mobile': { smsSegment: 0.003, mms: 0.01 },
    'Verizon Wireless': { smsSegment: 0.003, mms: 0.005 },
  },
};

/** What is priced: one message as Bandwidth bills it. */
export interface PricedMessage {
  direction: 'in' | 'out';
  /** MMS when it carries media or goes to a group; SMS otherwise. */
  kind: 'sms' | 'mms';
  /** SMS segments (1 for an MMS). */
  segments: number;
  /** The carrier a callback named, if any. */
  carrierName?: string | null;
}

/** The price of one message in millionths of the table's currency (integer, for sums). */
export function messageCostMicros(table: PriceTable, message: PricedMessage): number {
  const prices = message.direction === 'out' ? table.outbound : table.inbound;
  const perUnit = (p: DirectionPrices) => (message.kind === 'mms' ? toMicros(p.mms) : toMicros(p.smsSegment));
  const units = message.kind === 'mms' ? 1 : Math.max(1, message.segments);
  let micros = perUnit(prices) * units;
  const surcharge = message.direction === 'out' ? carrierSurcharge(table, message.carrierName) : undefined;
  if (surcharge) micros += perUnit(surcharge) * units;
  return micros;
}

/** The price of one message in the table's currency units, rounded to millionths. */
export function messageCost(table: PriceTable, message: PricedMessage): number {
  return fromMicros(messageCostMicros(table, message));
}

function carrierSurcharge(table: PriceTable, carrierName: string | null | undefined): DirectionPrices | undefined {
  if (!carrierName) return undefined;
  let name = carrierName;
  try {
    name = decodeURIComponent(carrierName);
  } catch {
    // not URL-encoded: use it as it is
  }
  const wanted = name.trim().toLowerCase();
  for (const [carrier, prices] of Object.entries(table.carrierSurcharges)) {
    if (carrier.trim().toLowerCase() === wanted) return prices;
  }
  return undefined;
}
