/**
 * The {@link SentMessage} handle `say` returns: the send's ids, and waits for its delivery receipts on the
 * conversation's one durable timer.
 */
import { DEFAULT_DELIVERY_TIMEOUT } from '../defaults';
import { isInvalidNumber, type DeliveryFailed, type DeliveryResult } from '../delivery';
import type { TranscriptEntry } from '../messages';
import type { SentMessage } from '../sent-message';
import type { WaitEvent } from '../wait-event';
import type { ConversationContext } from './context';
import type { Race } from './race';
import type { ReceiptWatch } from './receipt-watch';
import type { EventBuilders } from './wait-events';

export function createSentMessageHandle(
  { memory, start }: ConversationContext,
  race: Race,
  events: EventBuilders,
  receiptWatch: ReceiptWatch,
  sendId: string,
  entry: TranscriptEntry,
): SentMessage {
  const { receipts } = memory;
  const handle: SentMessage = {
    sendId,
    messageId: entry.messageId,
    accepted: entry.messageId !== null,
    segmentCount: entry.segmentCount ?? 0,
    delivered: async ({ timeout = DEFAULT_DELIVERY_TIMEOUT, recipient } = {}) => {
      const outcome = await race({
        receipt: events.delivery(handle, { recipient }),
        timeout: events.timer(timeout),
      });
      return outcome.event === 'receipt'
        ? outcome.value
        : { status: 'timed-out', recipient: recipient ?? receipts.pendingRecipient(sendId) };
    },
    receipts: () => receipts.all(sendId),
    deliveredToAll: async ({ timeout = DEFAULT_DELIVERY_TIMEOUT } = {}) => {
      const all: WaitEvent<void> = {
        label: `receipts of ${sendId} from all ${start.participants.length}`,
        kind: 'delivery',
        start: () => undefined,
        prepare: () => receiptWatch.watch(sendId),
        stop: () => undefined,
        ready: () => Object.values(handle.receipts()).every((r) => r !== null),
        take: () => undefined,
      };
      await race({ all, timeout: events.timer(timeout, 'group receipts timeout') });
      const byRecipient: Record<string, DeliveryResult> = {};
      for (const [recipient, result] of Object.entries(handle.receipts())) {
        byRecipient[recipient] = result ?? { status: 'timed-out', recipient };
      }
      const results = Object.values(byRecipient);
      const failed = results.filter((r): r is DeliveryFailed => r.status === 'failed');
      return {
        allDelivered: results.every((r) => r.status === 'delivered'),
        delivered: results.filter((r) => r.status === 'delivered').map((r) => r.recipient),
        failed,
        invalid: failed.filter((r) => isInvalidNumber(r.errorCode)).map((r) => r.recipient),
        timedOut: results.filter((r) => r.status === 'timed-out').map((r) => r.recipient),
        byRecipient,
      };
    },
  };
  return handle;
}
