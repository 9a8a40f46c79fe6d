/**
 * Checks an outbound MMS's media when it leaves the queue, as Bandwidth does when it fetches the URLs: media hosted
 * on this emulator must exist under the sending account (else 4410 media-unavailable); attachments above 3.5 MB
 * each, or above 525 KB in total from a toll-free number, fail with 4411. Media on other hosts cannot be fetched
 * offline and is assumed reachable.
 */
import { type EmulatorContext } from './context';
import { getMedia } from './media-store';
import { type StoredMessage } from './message-store';

export const MAX_ATTACHMENT_BYTES = Math.round(3.5 * 1024 * 1024);
export const TOLL_FREE_TOTAL_BYTES = 525 * 1024;
const MEDIA_PATH = /^(?:\/api\/v2)?\/users\/([^/]+)\/media\/(.+)$/;

export function inspectOutboundMedia(ctx: EmulatorContext, message: StoredMessage): number | undefined {
  if (!message.media || message.media.length === 0) return undefined;
  const own = new URL(ctx.publicUrl());
  let total = 0;
  for (const ref of message.media) {
    let url: URL;
    try {
      url = new URL(ref);
    } catch {
      return 4410;
    }
    if (url.host !== own.host) continue;
    const m = MEDIA_PATH.exec(url.pathname);
    if (!m) return 4410;
    const accountId = decodeURIComponent(m[1] ?? '');
    const mediaId = decodeURIComponent(m[2] ?? '');
    if (accountId !== message.accountId) return 4410;
    const media = getMedia(ctx, accountId, mediaId);
    if (!media) return 4410;
    if (media.size > MAX_ATTACHMENT_BYTES) return 4411;
    total += media.size;
  }
  const product = ctx.directory.number(message.from)?.product;
  if (product === 'TOLL_FREE' && total > TOLL_FREE_TOTAL_BYTES) return 4411;
  return undefined;
}
