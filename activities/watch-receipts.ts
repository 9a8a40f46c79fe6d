/**
 * `watchReceipts`: a conversation about to wait for a message's delivery receipts tells the records store it waits
 * (from then on the webhook server signals the message's delivered receipts too) and learns the ones recorded before.
 * Without a wait, a delivered receipt is recorded only: waking a conversation for a receipt nobody waits for costs a
 * workflow task per message. Failed receipts always reach the conversation (server/hand-off.ts).
 */
import { log } from '@temporalio/activity';
import type { MessageRecord, RecordStore } from '../records';
import type { DeliveryEvent, DeliveryEventType } from '../workflows/messages';

/** A send whose receipts are asked for. */
export interface WatchReceiptsInput {
  /** Bandwidth's id of the message. */
  messageId: string;
  /** The send within the conversation (its tag's), which the receipts are filed under. */
  sendId: string;
}

/**
 * The delivered and failed receipts recorded for these sends. Reading them is a courtesy to the transcript: when the
 * records store cannot answer, the send that asked is not failed for it (the receipts come with a later one), and the
 * failure is logged.
 */
export async function recordedReceipts(
  deps: { records?: Pick<RecordStore, 'receipts'> },
  sends: readonly WatchReceiptsInput[] = [],
): Promise<DeliveryEvent[]> {
  if (!deps.records || sends.length === 0) return [];
  const { records } = deps;
  try {
    const found = await Promise.all(sends.map((s) => records.receipts(s.messageId)));
    return found.flatMap((receipts, i) => receipts.map((r) => deliveryEventOf(r, sends[i]!.sendId)));
  } catch (err) {
    log.warn('could not read the receipts of earlier sends; a later send brings them', { error: String(err) });
    return [];
  }
}

export function createWatchReceipts(deps: { records: Pick<RecordStore, 'watchReceipts'> }) {
  return {
    async watchReceipts({ messageId, sendId }: WatchReceiptsInput): Promise<DeliveryEvent[]> {
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
