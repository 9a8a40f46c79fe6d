/**
 * Media as bot code sees it: references, never bytes. Inbound MMS media is copied by an activity into the durable
 * media store (media/) as soon as the message arrives, well before Bandwidth deletes it (48 hours); the bot reads the
 * outcome with `chat.media(message)`. Outbound media items can carry a link for the SMS fallback.
 *
 * Types only, shared by the workflows, the activities and the media store: deterministic and free of I/O.
 */

/**
 * A media file copied into Threadline's media store.
 * @example
 * const copy = await chat.media(photo);
 * for (const item of copy.items) console.log(`${item.name} (${item.contentType}, ${item.size} bytes) at ${item.url}`);
 */
export interface StoredMedia {
  /** The store's key, e.g. `<messageId>/0/photo.jpg`. */
  id: string;
  /** Where the copy can be read: a `file://` URL for the local store, an HTTP(S) URL for an object store. */
  url: string;
  contentType: string;
  /** Size in bytes. */
  size: number;
  /** The file name Bandwidth gave it (the last part of its media URL). */
  name: string;
  /** The Bandwidth media URL it was copied from. */
  source: string;
}

/**
 * The outcome of copying an inbound message's media into the store.
 * @example
 * const copy: MediaCopyResult = await chat.media(photo);
 * if (copy.status === 'failed') await chat.say('Sorry, your photo did not come through. Could you send it again?');
 */
export type MediaCopyResult =
  /** The message had no media. */
  | { status: 'none'; items: [] }
  /** Every item is stored. */
  | { status: 'stored'; items: StoredMedia[] }
  /** The copy failed after its retries (or the media was already gone); `items` holds what was stored before. */
  | { status: 'failed'; reason: string; items: StoredMedia[] }
  /** The copy is still running after the `timeout` given to `chat.media`. */
  | { status: 'pending'; items: [] };

/**
 * An outbound media item: its URL, and optionally the link an SMS fallback sends instead (default: the URL).
 * @example
 * const media: OutboundMedia[] = ['https://cdn.example.com/a.jpg', { url: 'https://cdn.example.com/b.jpg', link: 'https://example.com/b' }];
 * await chat.sendMedia({ text: 'Before and after', media });
 */
export type OutboundMedia = string | { url: string; link?: string };

/**
 * Bandwidth accepts at most 10 attachments on one MMS (reference §7).
 * @example
 * for (let i = 0; i < photos.length; i += MAX_MMS_ATTACHMENTS) {
 *   await chat.say({ text: 'Photos', media: photos.slice(i, i + MAX_MMS_ATTACHMENTS) });
 * }
 */
export const MAX_MMS_ATTACHMENTS = 10;

/** The file name at the end of a media URL (`.../media/<messageId>/0/photo.jpg` → `photo.jpg`). */
export function mediaFileName(url: string): string {
  const path = url.split(/[?#]/)[0] ?? url;
  const name = path.split('/').filter(Boolean).at(-1) ?? 'media';
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}
