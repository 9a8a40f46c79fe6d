/**
 * `watchReceipts`: a conversation about to wait for a message's delivery receipts tells the records store it waits
 * (from then on the webhook server signals the message's delivered receipts too) and learns the ones recorded before.
 * Without a wait, a delivered receipt is recorded only: waking a conversation for a receipt nobody waits for costs a
 * workflow task per message. Failed receipts always reach the conversation (server/hand-off.ts).
 */
import { log } from '@temporalio/activity';
import { isTerminalStatus, type MessageRecord, type RecordStore } from '../records';
import type { DeliveryEvent, DeliveryEventType } from '../workflows/messages';

export interface WatchReceiptsInput {
  /** Bandwidth's id of the message. */
  messageId: string;
  /** The send within the conversation (its tag's), which the receipts are filed under. */
  sendId: string;
}

/** A send whose receipts are asked for: its Bandwidth message id, and the send id they are filed under. */
export interface ReceiptsOf {
  messageId: string;
  sendId: string;
}

/**
 * The delivered and failed receipts recorded for these sends. Reading them is a courtesy to the transcript: when the
 * records store cannot answer, the send that asked is not failed for it (the receipts come with a later one), and the
 * failure is logged.
 */
export async function recordedReceipts(
  deps: { records?: Pick<RecordStore, 'search'> },
  sends: readonly ReceiptsOf[] = [],
): Promise<DeliveryEvent[]> {
  if (!deps.records || sends.length === 0) return [];
  const { records } = deps;
  try {
    const pages = await Promise.all(sends.map((s) => records.search({ messageId: s.messageId, kind: 'status' })));
    return pages.flatMap((page, i) =>
      page.records.filter((r) => isTerminalStatus(r.eventType)).map((r) => deliveryEventOf(r, sends[i]!.sendId)),
    );
  } catch (err) {
    log.warn('could not read the receipts of earlier sends; a later send brings them', { error: String(err) });
    return [];
  }
}

export function createWatchReceipts(deps: { records?: Pick<RecordStore, 'watchReceipts'> }) {
  return {
    async watchReceipts({ messageId, sendId }: WatchReceiptsInput): Promise<DeliveryEvent[]> {
      if (!deps.records) throw new Error('watchReceipts needs the records store: the worker has none (deps.records)');
      const records = await deps.records.watchReceipts(messageId);
      return records.map((record) => deliveryEventOf(record, sendId));
    },
  };
}

/** A delivered or failed status record as the signal the webhook server would have sent for it. */
export function deliveryEventOf(record: MessageRecord, sendId: string): DeliveryEvent {
  const type = record.eventType as DeliveryEventType;
  return {
    messageId: record.messageId ?? '',
    sendId,
    type,
    recipient: record.recipient ?? '',
    ...(type === 'message-failed' && record.errorCode !== null ? { errorCode: record.errorCode } : {}),
    description: record.description ?? '',
    time: record.eventTime,
    ...(record.cost != null && record.currency
      ? { surcharge: { cost: record.cost, currency: record.currency, carrier: record.carrierName ?? '' } }
      : {}),
  };
}
