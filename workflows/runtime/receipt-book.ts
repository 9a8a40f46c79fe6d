/**
 * What the conversation knows about the messages it sent: each send's transcript entry, the delivered and failed
 * receipts per recipient (Bandwidth sends one status per recipient of a group message), and the sends that failed
 * before Bandwidth took them. Bounded: only the newest sends are tracked; older receipts still reach the records.
 */
import { MAX_GROUP_RECIPIENTS, TRACKED_MESSAGES } from '../defaults';
import { deliveryResultOf, type DeliveryFailed, type DeliveryResult } from '../delivery';
import type { DeliveryEvent, MessageStatus, TranscriptEntry } from '../messages';
import { BoundedMap } from './bounded';

export class ReceiptBook {
  private readonly outbound = new Map<string, TranscriptEntry>();
  /** Terminal receipts (delivered or failed) per send id; an entry exists for every tracked send. */
  private readonly receipts: BoundedMap<string, DeliveryEvent[]>;
  /** Sends that never reached Bandwidth's queue, per `sendId|recipient`. */
  private readonly failedSends = new BoundedMap<string, DeliveryFailed>(TRACKED_MESSAGES * MAX_GROUP_RECIPIENTS);

  constructor(
    private readonly participants: readonly string[],
    transcript: readonly TranscriptEntry[],
    carried: [string, DeliveryEvent[]][] = [],
  ) {
    for (const entry of transcript) if (entry.sendId) this.outbound.set(entry.sendId, entry);
    this.receipts = new BoundedMap(TRACKED_MESSAGES, carried, (sendId) => this.outbound.delete(sendId));
  }

  /** Starts tracking a send (before it goes out, so receipts racing the send's result find it). */
  track(sendId: string, entry: TranscriptEntry): void {
    this.outbound.set(sendId, entry);
    this.receipts.set(sendId, []);
  }

  /** The transcript entry of a tracked send. */
  entry(sendId: string): TranscriptEntry | undefined {
    return this.outbound.get(sendId);
  }

  /** Records that a send failed before Bandwidth took it: every recipient gets `failure`. */
  failSend(sendId: string, failure: (recipient: string) => DeliveryFailed): void {
    for (const recipient of this.participants) this.failedSends.set(`${sendId}|${recipient}`, failure(recipient));
  }

  /** Applies a status callback to the send's transcript entry and, if terminal, to its receipts. */
  record(event: DeliveryEvent): void {
    const entry = this.outbound.get(event.sendId);
    const before = entry?.recipients?.[event.recipient]?.status;
    if (entry && !(before === 'failed' && event.type === 'message-delivered')) {
      entry.recipients ??= {};
      entry.recipients[event.recipient] = {
        status: statusOf(event),
        ...(event.errorCode !== undefined ? { errorCode: event.errorCode } : {}),
        description: event.description,
        time: event.time,
      };
      entry.status = overallStatus(entry);
      if (event.errorCode !== undefined) entry.errorCode = event.errorCode;
    }
    if (event.type !== 'message-delivered' && event.type !== 'message-failed') return;
    const list = this.receipts.get(event.sendId);
    if (list === undefined) return; // a send no longer tracked: the records keep its receipt
    const earlier = list.findIndex((r) => r.recipient === event.recipient);
    if (earlier < 0) list.push(event);
    // Bandwidth's old group bug (reference §7) sent an invalid number both failed and delivered: failed wins.
    else if (event.type === 'message-failed' && list[earlier]?.type === 'message-delivered') list[earlier] = event;
  }

  /** The outcome for one recipient of a send, once known. */
  result(sendId: string, recipient: string): DeliveryResult | undefined {
    return this.failedSends.get(`${sendId}|${recipient}`) ?? this.receiptFor(sendId, recipient);
  }

  /** Every recipient's outcome so far (`null` while pending). */
  all(sendId: string): Record<string, DeliveryResult | null> {
    return Object.fromEntries(this.participants.map((r) => [r, this.result(sendId, r) ?? null]));
  }

  /**
   * The newest sends (at most `limit`) that Bandwidth took and whose receipts have not all come in, newest first: a
   * send asks for what was recorded of them (activities/send-message.ts `earlier`).
   */
  unheard(limit: number): { messageId: string; sendId: string }[] {
    const found: { messageId: string; sendId: string }[] = [];
    for (const [sendId, entry] of [...this.outbound].reverse()) {
      if (found.length >= limit) break;
      if (entry.messageId && entry.to.some((r) => this.result(sendId, r) === undefined)) {
        found.push({ messageId: entry.messageId, sendId });
      }
    }
    return found;
  }

  /** The first recipient whose receipt has not come in yet (the first recipient once all have). */
  pendingRecipient(sendId: string): string {
    return this.participants.find((r) => !this.receiptFor(sendId, r)) ?? this.participants[0] ?? '';
  }

  toJSON(): [string, DeliveryEvent[]][] {
    return this.receipts.toJSON();
  }

  private receiptFor(sendId: string, recipient: string): DeliveryResult | undefined {
    const event = this.receipts.get(sendId)?.find((r) => r.recipient === recipient);
    return event ? deliveryResultOf(event) : undefined;
  }
}

function statusOf(event: DeliveryEvent): MessageStatus {
  switch (event.type) {
    case 'message-sending':
      return 'sending';
    case 'message-sent':
      return 'sent';
    case 'message-delivered':
      return 'delivered';
    case 'message-failed':
      return 'failed';
  }
}

function overallStatus(entry: TranscriptEntry): MessageStatus {
  const statuses = Object.values(entry.recipients ?? {}).map((r) => r.status);
  const terminal = statuses.filter((s) => s === 'delivered' || s === 'failed');
  if (terminal.length < entry.to.length) return statuses.at(-1) ?? entry.status;
  if (terminal.every((s) => s === 'delivered')) return 'delivered';
  if (terminal.every((s) => s === 'failed')) return 'failed';
  return 'partially-delivered';
}
