/**
 * Delivery outcomes as bots see them: typed, with Bandwidth's error code, its description and a category from the
 * error table (bandwidth/error-codes.ts), so a bot can branch on "opted out" or "can't take MMS" without knowing codes.
 */
import { describeErrorCode, type ErrorCategory } from '../bandwidth/error-codes';
import type { DeliveryEvent } from './messages';

/**
 * Why a message was not delivered.
 * @example
 * const receipt = await sent.delivered();
 * if (receipt.status === 'failed' && receipt.category === 'mms-unsupported') await chat.say('Here is the link instead: ...');
 */
export type FailureCategory =
  | ErrorCategory
  /** Bandwidth refused the request itself (HTTP 4xx): nothing was sent. */
  | 'rejected'
  /** The send's outcome is unknown (a timeout after the request left): Threadline does not resend on its own. */
  | 'send-outcome-unknown'
  /** A paced send waited its sending rate's queue past its deadline (a day): nothing was sent. */
  | 'expired';
// 'opted-out' is both Bandwidth's 4775 and Threadline's own ledger: a send to an opted-out contact is never attempted.

/**
 * A message reached the recipient's handset (the `message-delivered` callback).
 * @example
 * const receipt = await sent.delivered();
 * if (receipt.status === 'delivered') console.log(`delivered at ${receipt.time}`);
 */
export interface Delivered {
  status: 'delivered';
  recipient: string;
  time: string;
}

/**
 * A message that did not reach the recipient: Bandwidth's error code, its name and description, and a category.
 * @example
 * const receipt = await sent.delivered();
 * if (receipt.status === 'failed' && receipt.category === 'opted-out') return; // they said STOP
 */
export interface DeliveryFailed {
  status: 'failed';
  recipient: string;
  /** Bandwidth's error code (0 when the send never reached Bandwidth's queue). */
  errorCode: number;
  /** Bandwidth's short name for the code, e.g. `destination-rejected-due-to-user-opt-out`. */
  errorName: string;
  description: string;
  category: FailureCategory;
  time: string;
  /** Category `opted-out` from Threadline's ledger: the recipients whose opt-out stopped the message (a group's member). */
  blockedBy?: string[];
}

/**
 * No receipt came in time (a carrier may still deliver it later).
 * @example
 * const receipt = await sent.delivered({ timeout: '30 minutes' });
 * if (receipt.status === 'timed-out') console.log(`no receipt yet from ${receipt.recipient}`);
 */
export interface DeliveryTimedOut {
  status: 'timed-out';
  recipient: string;
}

/**
 * The outcome of one message for one recipient.
 * @example
 * const receipt: DeliveryResult = await (await chat.say('See you at 10')).delivered();
 * if (receipt.status === 'timed-out') await chat.say('Just checking you got my last message.');
 */
export type DeliveryResult = Delivered | DeliveryFailed | DeliveryTimedOut;

export function deliveryResultOf(event: DeliveryEvent): Delivered | DeliveryFailed {
  if (event.type !== 'message-failed') return { status: 'delivered', recipient: event.recipient, time: event.time };
  const info = describeErrorCode(event.errorCode ?? 0);
  return {
    status: 'failed',
    recipient: event.recipient,
    errorCode: info.code,
    errorName: info.name,
    description: event.description || info.description,
    category: info.category,
    time: event.time,
  };
}

export function sendFailure(
  recipient: string,
  category: 'rejected' | 'send-outcome-unknown' | 'opted-out' | 'expired',
  description: string,
  time: string,
): DeliveryFailed {
  return {
    status: 'failed',
    recipient,
    errorCode: 0,
    errorName: category,
    description,
    category,
    time,
  };
}

/**
 * True when `errorCode` says the number is invalid (unallocated, deactivated, not able to take messages): in a group,
 * the others still get the message (§7).
 */
export function isInvalidNumber(errorCode: number): boolean {
  return describeErrorCode(errorCode).invalidNumber;
}

/**
 * True when an SMS with links can reach the person instead of this failed MMS: Bandwidth refused the request, or the
 * handset or carrier can't take MMS or this media.
 */
export function canFallBackToSms(failure: DeliveryFailed): boolean {
  return failure.category === 'rejected' || describeErrorCode(failure.errorCode).mmsFallback;
}
