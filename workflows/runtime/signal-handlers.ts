/**
 * The conversation's signal and query handlers: inbound messages, status callbacks, external events, an operator's
 * takeover and messages, and the transcript query. Every signal may arrive more than once (Bandwidth and the server
 * deliver at least once): each is deduplicated by its key before it changes anything.
 */
import { setHandler } from '@temporalio/workflow';
import { mediaFileName } from '../media';
import {
  deliveryStatusSignal,
  externalEventSignal,
  inboundMessageSignal,
  operatorMessageSignal,
  takeoverSignal,
  transcriptQuery,
  type InboundMessage,
  type TranscriptEntry,
} from '../messages';
import type { ConversationContext } from './context';
import type { ConsentHandling } from './consent';
import type { ReceiptWatch } from './receipt-watch';
import type { Sending } from './sending';

export function registerSignalHandlers(
  { memory, visibility }: ConversationContext,
  {
    send,
    copyMedia,
    consent,
    receipts,
  }: {
    send: Sending['send'];
    copyMedia: (message: InboundMessage) => Promise<void>;
    consent: ConsentHandling;
    receipts: ReceiptWatch;
  },
): { receive: (message: InboundMessage) => Promise<void> } {
  /** An inbound message, however it came: deduplicated, recorded, classified, then answered or read by the bot. */
  async function receive(message: InboundMessage): Promise<void> {
    if (!memory.seenInbound.add(message.messageId)) return; // delivered at least once: a duplicate is ignored
    // A group message reaches us once per number we own in the group, each copy with its own id: keep the first.
    if (message.to.length > 1 && !memory.seenInbound.add(groupCopyKey(message))) return;
    memory.lastInboundAt = Date.now(); // what follows soon is a reply, sent before proactive traffic (pacing.ts)
    const entry: TranscriptEntry = {
      direction: 'in',
      messageId: message.messageId,
      from: message.from,
      to: message.to,
      text: message.text,
      media: message.media,
      time: message.time,
      segmentCount: message.segmentCount,
      status: 'received',
      ...(memory.paused ? { duringTakeover: true } : {}),
    };
    memory.addToTranscript(entry);
    memory.charge(entry, message);
    visibility.refreshDetails();
    // STOP, START and HELP are Threadline's to answer, even during a takeover; the bot never reads them.
    memory.classifying += 1; // the conversation's first text is not the bot's until it is known not to be a keyword
    const keyword = await consent.match(message).finally(() => (memory.classifying -= 1));
    if (keyword) {
      entry.keyword = keyword.kind;
      await consent.handle(message, keyword);
      return;
    }
    if (!memory.paused) memory.inbox.push(message); // during a takeover the operator answers, not the bot
    if (message.media.length > 0) await copyMedia(message);
  }
  setHandler(inboundMessageSignal, receive);

  setHandler(deliveryStatusSignal, receipts.apply);

  setHandler(externalEventSignal, (event) => {
    if (event.id !== undefined && !memory.seenExternal.add(event.id)) return;
    memory.externalEvents.push(event);
  });

  setHandler(takeoverSignal, ({ paused, operator }) => {
    memory.paused = paused;
    memory.pausedBy = paused ? operator : null;
    if (paused) memory.inbox.length = 0;
    visibility.index(); // operators look for paused conversations by ThreadlineState at once, not when the bot next waits
    visibility.refreshDetails();
  });

  setHandler(operatorMessageSignal, async ({ text, media, operator }) => {
    await send({ text, media: media ?? [] }, { operator });
  });

  setHandler(transcriptQuery, () => memory.transcript);
  return { receive };
}

/**
 * The key shared by the copies Bandwidth delivers of one group message, one per number we own in the group: each copy
 * has its own message id and media URLs, but the same sender, time, text and file names.
 */
function groupCopyKey(message: InboundMessage): string {
  return ['group', message.from, message.time, message.text, ...message.media.map(mediaFileName)].join('|');
}
