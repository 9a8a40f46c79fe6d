/**
 * Sending rates per sender: what Bandwidth lets one of our numbers, a 10DLC campaign or the whole account send per
 * second, and the Temporal task queue that holds each rate. Sends from a rated sender run as activities on their rate's
 * task queue, which every worker polls with `maxTaskQueueActivitiesPerSecond` set to the rate: the Temporal server
 * hands out that queue's tasks no faster than the rate, however many workers poll it, and the sends that must wait
 * wait there, durably, instead of in Bandwidth's queue. docs/operations.md, "Sending rates", has the whole design.
 *
 * Plain data and functions, so workflow code can import the types.
 */

/** What a rate counts: messages (one per recipient) or SMS segments (10DLC campaigns and toll-free numbers). */
export type SendRateUnit = 'message' | 'segment';

/** One sender's rate. */
export interface SendRate {
  unit: SendRateUnit;
  /** Units per second (may be below 1: 0.5 is one every two seconds). */
  perSecond: number;
}

/**
 * Every configured rate (`THREADLINE_SEND_RATES`, config/pacing-settings.ts): per number (E.164), per campaign (with
 * the numbers it covers) and for the whole account. A send is held to every rate that covers its sender.
 */
export interface SendRates {
  numbers: Record<string, SendRate>;
  campaigns: Record<string, SendRate & { numbers: string[] }>;
  account: SendRate | null;
}

/** No rates: every send goes straight to Bandwidth, as a local activity of the conversation (the default). */
export const NO_SEND_RATES: SendRates = { numbers: {}, campaigns: {}, account: null };

/** One rate a send is held to: the task queue that holds it and what it counts. */
export interface SendLimit {
  /** The rate's key: a number (`+19195550100`), `campaign:<id>` or `account`. */
  key: string;
  taskQueue: string;
  unit: SendRateUnit;
}

/**
 * The task queue of one rate, named after the worker's task queue: `<taskQueue>.send.<key>`, e.g.
 * `threadline.send.+19195550100`, `threadline.send.campaign:C1A2B3C`, `threadline.send.account`.
 */
export function sendQueueName(taskQueue: string, key: string): string {
  return `${taskQueue}.send.${key}`;
}

/** Every configured rate with its key, most specific first (numbers, campaigns, then the account). */
export function rateEntries(rates: SendRates): { key: string; rate: SendRate }[] {
  return [
    ...Object.entries(rates.numbers).map(([key, rate]) => ({ key, rate })),
    ...Object.entries(rates.campaigns).map(([id, { unit, perSecond }]) => ({
      key: `campaign:${id}`,
      rate: { unit, perSecond },
    })),
    ...(rates.account ? [{ key: 'account', rate: rates.account }] : []),
  ];
}

/**
 * The rates a send from `from` is held to, most specific first: its number's, its campaigns', the account's. Empty when
 * none covers it. The send itself runs on the first one's task queue; the others are paid with tokens.
 */
export function sendLimitsFor(rates: SendRates, taskQueue: string, from: string): SendLimit[] {
  const limit = (key: string, rate: SendRate): SendLimit => ({
    key,
    taskQueue: sendQueueName(taskQueue, key),
    unit: rate.unit,
  });
  const limits: SendLimit[] = [];
  const own = rates.numbers[from];
  if (own) limits.push(limit(from, own));
  for (const [id, campaign] of Object.entries(rates.campaigns)) {
    if (campaign.numbers.includes(from)) limits.push(limit(`campaign:${id}`, campaign));
  }
  if (rates.account) limits.push(limit('account', rates.account));
  return limits;
}

/**
 * How many units of a rate one message uses, as Bandwidth counts them (reference §6, §8): a group message or an MMS
 * counts once per recipient; an SMS counts once for a message rate and once per segment for a segment rate.
 */
export function sendUnits(
  unit: SendRateUnit,
  message: { to: readonly string[]; segments: number; mms: boolean },
): number {
  const recipients = Math.max(1, message.to.length);
  if (unit === 'message' || message.mms || recipients > 1) return recipients;
  return Math.max(1, message.segments);
}
