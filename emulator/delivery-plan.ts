/**
 * What happens to one recipient of an outbound message once it leaves the queue: the status events Bandwidth would
 * send and when. Pure: the outcome depends only on the message, the account's features, the destination's scripted
 * behaviour, magic numbers and whether the destination opted out of our toll-free sender, so tests can reason about
 * it exactly.
 */
import { lookupErrorCode } from '../bandwidth/error-codes';
import { type Account, type Behavior, type PhoneNumber } from './directory-schemas';
import { type StoredMessage } from './message-store';
import { type Settings } from './settings';

export type StatusEventType = 'message-sending' | 'message-sent' | 'message-delivered' | 'message-failed';

export interface PlannedEvent {
  /** Emulated milliseconds after dequeue. */
  offsetMs: number;
  type: StatusEventType;
  errorCode?: number;
  description: string;
}

/** `destination-rejected-due-to-user-opt-out`: the toll-free network's answer to a handset that texted STOP. */
const OPTED_OUT = 4775;

const MAGIC_NUMBER = /^\+1\d{3}555(\d{4})$/;

/**
 * The error code a magic destination number asks for: `+1AAA555CCCC` where CCCC is a code in Bandwidth's error
 * table fails with that code. Any other number delivers.
 */
export function magicErrorCode(tn: string): number | undefined {
  const m = MAGIC_NUMBER.exec(tn);
  if (!m) return undefined;
  const code = Number(m[1]);
  return lookupErrorCode(code) ? code : undefined;
}

const CARRIERS = ['AT&T', 'Verizon Wireless', 'T-Mobile US', 'US Cellular'];

/** A stable, plausible carrier for a number (the same number always maps to the same carrier). */
export function carrierFor(tn: string, behavior?: Behavior): string {
  if (behavior?.carrierName) return behavior.carrierName;
  let h = 0;
  for (const ch of tn) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return CARRIERS[h % CARRIERS.length] ?? 'AT&T';
}

export interface PlanInput {
  message: StoredMessage;
  tn: string;
  account: Account;
  fromNumber?: PhoneNumber;
  behavior?: Behavior;
  timing: Settings['timing'];
  /** A Bandwidth-side rejection found before planning (media unavailable or too large). */
  rejectCode?: number;
  /** The recipient texted STOP to our toll-free sender: the network rejects the message with 4775. */
  optedOut?: boolean;
}

/** The status events for one recipient, in time order. Exactly one terminal event unless the legacy bug is asked. */
export function planDelivery({
  message,
  tn,
  account,
  fromNumber,
  behavior,
  timing,
  rejectCode,
  optedOut,
}: PlanInput): PlannedEvent[] {
  const mms = message.messageType === 'mms';
  const group = message.to.length > 1;
  const receipts = !mms || account.features.mmsDeliveryReceipts;
  const extra = behavior?.delayMs ?? 0;

  let failCode =
    rejectCode ??
    (optedOut ? OPTED_OUT : undefined) ??
    behavior?.failWith ??
    (behavior?.invalid ? 4406 : undefined) ??
    magicErrorCode(tn);
  const noReceipt = behavior?.noReceipt === true || failCode === 9902;
  if (failCode === 9902) failCode = undefined;

  const failed = (offsetMs: number, code: number): PlannedEvent => ({
    offsetMs,
    type: 'message-failed',
    errorCode: code,
    description: lookupErrorCode(code)?.name ?? 'unknown-error',
  });

  // Bandwidth rejects before the hand-off: a lone message-failed.
  if (failCode !== undefined && !isCarrierSide(failCode)) {
    const events = [failed(timing.sendingDelayMs + extra, failCode)];
    if (group && behavior?.invalid && behavior.legacyGroupBug) {
      events.push(delivered(timing.deliveryDelayMs + extra, 'Message delivered to carrier.'));
    }
    return events;
  }

  const events: PlannedEvent[] = [];
  if (mms || group || account.features.smsSending) {
    events.push({
      offsetMs: timing.sendingDelayMs,
      type: 'message-sending',
      description: 'Message is sending to carrier',
    });
  }
  if (!mms && account.features.smsSent) {
    events.push({
      offsetMs: Math.max(timing.sentDelayMs, timing.sendingDelayMs),
      type: 'message-sent',
      description: 'Message sent to carrier',
    });
  }
  const at = Math.max(timing.deliveryDelayMs, timing.sentDelayMs, timing.sendingDelayMs) + extra;
  if (!receipts) {
    // Without MMS delivery receipts, "delivered" only means Bandwidth handed the message to its MMSC.
    events.push(delivered(at, 'Message delivered to MMSC.'));
  } else if (noReceipt) {
    events.push(failed(timing.sendingDelayMs + timing.receiptTimeoutMs + extra, 9902));
  } else if (failCode !== undefined) {
    events.push(failed(at, failCode));
    if (group && behavior?.invalid && behavior.legacyGroupBug) {
      events.push(delivered(at + 1, 'Message delivered to carrier.'));
    }
  } else {
    const toHandset = fromNumber?.product === 'TOLL_FREE' || fromNumber?.product?.includes('SHORT_CODE') === true;
    events.push(delivered(at, toHandset ? 'Message delivered to handset.' : 'Message delivered to carrier.'));
  }
  return events;
}

function delivered(offsetMs: number, description: string): PlannedEvent {
  return { offsetMs, type: 'message-delivered', description };
}

/** Codes reported by the carrier after the hand-off (47xx, 56xx, 9xxx); unknown codes are treated as carrier-side. */
function isCarrierSide(code: number): boolean {
  const info = lookupErrorCode(code);
  if (!info) return true;
  return info.source === 'carrier';
}
