/**
 * Copies an inbound message's media into the media store as soon as the message arrives, never waiting for the bot,
 * so the files outlive Bandwidth's 48 hours. The outcome waits in memory for `chat.media(message)`.
 */
import { ActivityFailure } from '@temporalio/workflow';
import { copyInboundMedia } from '../activity-options';
import type { MediaCopyResult } from '../media';
import type { InboundMessage } from '../messages';
import type { ConversationContext } from './context';

export function createMediaCopier({ memory, visibility }: ConversationContext) {
  return async function copyMedia(message: InboundMessage): Promise<void> {
    let result: MediaCopyResult;
    try {
      const items = await copyInboundMedia.executeWithOptions(
        { summary: `copy ${message.media.length} media file(s) of ${message.messageId}` },
        [{ messageId: message.messageId, media: message.media }],
      );
      result = { status: 'stored', items };
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      result = { status: 'failed', reason: err.cause?.message ?? err.message, items: [] };
    }
    memory.mediaCopies.set(message.messageId, result);
    const entry = memory.transcript.find((m) => m.direction === 'in' && m.messageId === message.messageId);
    if (entry) entry.storedMedia = result.items.map((item) => item.url);
    visibility.refreshDetails();
  };
}
