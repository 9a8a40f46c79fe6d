/**
 * Delivery receipts reaching the conversation. A failed receipt always does (by signal); a delivered one only when
 * the conversation waits for it: the wait first watches the message (the `watchReceipts` local activity marks it in
 * the records store and returns what was recorded before), and the webhook server signals a watched message's
 * delivered receipts. A receipt nobody waits for is recorded only, and the conversation's transcript keeps the
 * send's last known status: waking the workflow for it would cost a workflow task for every message sent.
 */
import { patched } from '@temporalio/workflow';
import { watchReceipts } from '../activity-options';
import type { DeliveryEvent } from '../messages';
import type { ConversationContext } from './context';

/** Histories recorded before receipts were watched: their sends had every receipt signalled, and no watch to replay. */
export const RECEIPTS_WHEN_WATCHED_PATCH = 'delivered-receipts-when-watched';

export interface ReceiptWatch {
  /** Applies a delivered or failed receipt (each at most once, however often it comes). */
  apply: (event: DeliveryEvent) => void;
  /** Before waiting for a send's receipts: watches its message, once per run, and applies what is already known. */
  watch: (sendId: string) => Promise<void>;
  /** Whether this send's delivered receipts come only when watched (the tag the send is made with). */
  deliveredWhenWatched: () => boolean;
}

export function createReceiptWatch({ memory, visibility }: ConversationContext): ReceiptWatch {
  const watched = new Set<string>();

  function apply(event: DeliveryEvent): void {
    if (!memory.seenStatus.add(`${event.messageId}|${event.type}|${event.recipient}`)) return;
    memory.receipts.record(event);
    const { surcharge } = event; // a carrier's, priced by the server
    const sent = surcharge ? memory.receipts.entry(event.sendId) : undefined;
    if (surcharge && sent) memory.charge(sent, surcharge, true);
    visibility.refreshDetails();
  }

  return {
    apply,
    async watch(sendId) {
      const messageId = memory.receipts.entry(sendId)?.messageId;
      if (!messageId || watched.has(sendId) || !patched(RECEIPTS_WHEN_WATCHED_PATCH)) return;
      watched.add(sendId);
      for (const event of await watchReceipts({ messageId, sendId })) apply(event);
    },
    deliveredWhenWatched: () => patched(RECEIPTS_WHEN_WATCHED_PATCH),
  };
}
