/**
 * The handle `say` returns for a message Bandwidth accepted (or refused): its ids and segment count, and waits for its
 * delivery receipts, one recipient or a whole group.
 */
import type { Duration } from '@temporalio/common';
import type { DeliveryFailed, DeliveryResult } from './delivery';

/**
 * A message Bandwidth has accepted (or refused: see `accepted`).
 * @example
 * const sent: SentMessage = await chat.say('Your code is 1234');
 * const receipt = await sent.delivered({ timeout: '10 minutes' });
 * if (receipt.status !== 'delivered') await chat.say('Did you get the code? Reply RESEND if not.');
 */
export interface SentMessage {
  /** Threadline's id for this send within the conversation (`s1`, `s2`, ...). */
  readonly sendId: string;
  /** Bandwidth's message id; `null` when the send failed before Bandwidth accepted it. */
  readonly messageId: string | null;
  /** False when Bandwidth refused the request or its outcome is unknown; `delivered()` then says why. */
  readonly accepted: boolean;
  readonly segmentCount: number;
  /**
   * Waits for the delivered or failed callback (for a group, of the first recipient still pending; see `receipts`).
   * Resolves `timed-out` when none comes in time.
   * @param options.timeout default {@link DEFAULT_DELIVERY_TIMEOUT}
   * @example
   * const receipt = await (await chat.say('Your code is 1234')).delivered();
   * if (receipt.status === 'failed' && receipt.category === 'opted-out') return;
   */
  delivered(options?: { timeout?: Duration; recipient?: string }): Promise<DeliveryResult>;
  /**
   * The receipts the conversation has heard so far, by recipient (one entry per recipient of a group message once all
   * have reported). Failures come at once; a delivered receipt once `delivered()` or `deliveredToAll()` waits for it,
   * or with the conversation's next send (a receipt nobody waits for does not wake the conversation).
   */
  receipts(): Record<string, DeliveryResult | null>;
  /**
   * Waits until every recipient's receipt is in (or `timeout` passes) and reports each recipient separately: in a
   * group, Bandwidth delivers to the valid numbers and sends one `message-failed` for each invalid one (reference §7).
   * @param options.timeout default {@link DEFAULT_DELIVERY_TIMEOUT}
   * @example
   * const report = await (await chat.say('Dinner at 7?')).deliveredToAll();
   * if (report.invalid.length) await chat.say(`I can't reach ${report.invalid.join(', ')}.`);
   */
  deliveredToAll(options?: { timeout?: Duration }): Promise<GroupDelivery>;
}

/**
 * Every recipient's outcome for one message, from {@link SentMessage.deliveredToAll}.
 * @example
 * const report: GroupDelivery = await (await chat.say('Dinner at 7?')).deliveredToAll();
 * if (!report.allDelivered) await chat.say(`Not reached: ${[...report.invalid, ...report.timedOut].join(', ')}`);
 */
export interface GroupDelivery {
  /** True when every recipient's receipt says delivered. */
  allDelivered: boolean;
  delivered: string[];
  failed: DeliveryFailed[];
  /** The failed recipients whose number is invalid (unallocated, deactivated, not a mobile number...). */
  invalid: string[];
  /** Recipients with no receipt by the timeout. */
  timedOut: string[];
  byRecipient: Record<string, DeliveryResult>;
}
