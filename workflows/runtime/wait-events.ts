/**
 * The builders behind `chat.events`: each returns a {@link WaitEvent} that reads the conversation's memory (the inbox,
 * receipts, external events, media copies) or its one durable timer.
 */
import type { Duration } from '@temporalio/common';
import { parseDuration } from '../duration';
import type { DeliveryResult } from '../delivery';
import type { MediaCopyResult } from '../media';
import type { InboundMessage } from '../messages';
import type { SentMessage } from '../sent-message';
import type { WaitEvent } from '../wait-event';
import type { ConversationContext } from './context';
import type { ReceiptWatch } from './receipt-watch';

export type EventBuilders = ReturnType<typeof createEventBuilders>;

export function createEventBuilders({ start, memory, alarm }: ConversationContext, receiptWatch: ReceiptWatch) {
  /** The first unread message that `matches` (never while a human has taken over). */
  function replyMatching(matches: (m: InboundMessage) => boolean, label: string): WaitEvent<InboundMessage> {
    return {
      label,
      kind: 'reply',
      start: () => undefined,
      stop: () => undefined,
      ready: () => !memory.paused && memory.inbox.some(matches),
      take: () => memory.inbox.splice(memory.inbox.findIndex(matches), 1)[0]!,
    };
  }

  function reply({ from }: { from?: string } = {}): WaitEvent<InboundMessage> {
    return replyMatching((m) => from === undefined || m.from === from, from ? `a reply from ${from}` : 'a reply');
  }

  function delivery(message: SentMessage, { recipient }: { recipient?: string } = {}): WaitEvent<DeliveryResult> {
    const result = () =>
      memory.receipts.result(message.sendId, recipient ?? memory.receipts.pendingRecipient(message.sendId));
    return {
      label: `delivery of ${message.sendId}`,
      kind: 'delivery',
      start: () => undefined,
      prepare: () => receiptWatch.watch(message.sendId),
      stop: () => undefined,
      ready: () => result() !== undefined,
      take: () => result()!,
    };
  }

  function external<T>(name: string): WaitEvent<T> {
    const index = () => memory.externalEvents.findIndex((e) => e.name === name);
    return {
      label: `the ${name} event`,
      kind: 'external',
      start: () => undefined,
      stop: () => undefined,
      ready: () => index() >= 0,
      take: () => memory.externalEvents.splice(index(), 1)[0]!.payload as T,
    };
  }

  /** A deadline on the conversation's one durable timer, set when a race starts and cleared when it ends. */
  function timer(duration: Duration, label = `timer ${String(duration)}`): WaitEvent<void> {
    let alarmId: number | null = null;
    return {
      label,
      kind: 'timer',
      start: () => {
        alarmId = alarm.set(Date.now() + parseDuration(duration), label);
      },
      stop: () => {
        if (alarmId !== null) alarm.clear(alarmId);
        alarmId = null;
      },
      ready: () => alarmId !== null && alarm.passed(alarmId),
      take: () => undefined,
    };
  }

  function media(message: InboundMessage): WaitEvent<MediaCopyResult> {
    const result = (): MediaCopyResult | undefined =>
      message.media.length === 0 ? { status: 'none', items: [] } : memory.mediaCopies.get(message.messageId);
    return {
      label: `the media of ${message.messageId}`,
      kind: 'media',
      start: () => undefined,
      stop: () => undefined,
      ready: () => result() !== undefined,
      take: () => result()!,
    };
  }

  /** A participant has opted out (their replies are no longer the bot's to wait for); yields who. */
  function optOut(): WaitEvent<string[]> {
    const who = () => start.participants.filter((p) => memory.optedOut.has(p));
    return {
      label: 'an opt-out',
      start: () => undefined,
      stop: () => undefined,
      ready: () => who().length > 0,
      take: who,
    };
  }

  return { reply, replyMatching, delivery, external, timer, media, optOut };
}
