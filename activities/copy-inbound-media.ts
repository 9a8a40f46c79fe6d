/**
 * `copyInboundMedia`: copies an inbound MMS's media from Bandwidth into Threadline's media store before Bandwidth
 * deletes it (48 hours). Transient failures are thrown for the retry policy (`workflows/activity-options.ts`); media
 * that is gone or refused for good fails at once, typed.
 */
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { toBandwidthApiError, type BandwidthClient } from '../bandwidth/client';
import { createLocalMediaStore, type MediaObject, type MediaStore } from '../media/store';
import { MediaFailureType } from '../workflows/activity-failures';
import { mediaFileName, type StoredMedia } from '../workflows/media';

export interface CopyInboundMediaInput {
  /** The inbound message's Bandwidth id: the copies are stored under `<messageId>/<index>/<name>`. */
  messageId: string;
  /** Bandwidth media URLs, as the `message-received` callback lists them. */
  media: string[];
}

/** Downloads one Bandwidth media URL with the account's credentials. */
export type MediaFetcher = (url: string) => Promise<MediaObject>;

/**
 * The default {@link MediaFetcher}: `MediaApi.getMedia` of the official SDK with the client's credentials (OAuth2
 * token or Basic). The media id is the URL's path after `/media/` (`<messageId>/<index>/<name>`); the SDK sends its
 * slashes as `%2F`, which Bandwidth's media API and the emulator both accept (reference §2.3).
 */
export function bandwidthMediaFetcher(bandwidth: BandwidthClient, timeoutMs = 30_000): MediaFetcher {
  return async (url) => {
    const match = /\/users\/([^/]+)\/media\/(.+)$/.exec(url.split(/[?#]/)[0] ?? url);
    if (!match?.[2]) {
      throw ApplicationFailure.nonRetryable(`not a Bandwidth media URL: ${url}`, MediaFailureType.Rejected);
    }
    const mediaId = decodeURIComponent(match[2]);
    try {
      const response = await bandwidth.media.getMedia(bandwidth.accountId, mediaId, {
        responseType: 'arraybuffer',
        timeout: timeoutMs,
      });
      const header = response.headers['content-type'] as unknown;
      return {
        bytes: Buffer.from(response.data as unknown as ArrayBuffer),
        contentType: typeof header === 'string' && header ? header : 'application/octet-stream',
      };
    } catch (err) {
      const failure = toBandwidthApiError(err, `media download of ${mediaId}`);
      if (failure.status === 404) throw ApplicationFailure.nonRetryable(failure.message, MediaFailureType.Gone);
      const retryable = failure.status === null || [401, 403, 429].includes(failure.status) || failure.status >= 500;
      if (retryable) throw failure; // credentials being rotated, throttling, a blip: the retry policy tries again
      throw ApplicationFailure.nonRetryable(failure.message, MediaFailureType.Rejected);
    }
  };
}

export interface MediaActivityDeps {
  /** The Bandwidth client media is downloaded with (unless `fetchMedia` is given). */
  bandwidth?: BandwidthClient;
  /** Where inbound media is copied; default a local directory store in `<dataDir>/media`. */
  mediaStore?: MediaStore;
  /** The data directory (THREADLINE_DATA_DIR) for the default media store; default `data`. */
  dataDir?: string;
  /** How media is downloaded from Bandwidth; default {@link bandwidthMediaFetcher} with `bandwidth`. */
  fetchMedia?: MediaFetcher;
}

/** The media activities alone (the worker gets them from {@link createActivities}). */
export function createMediaActivities(deps: MediaActivityDeps) {
  let defaultStore: MediaStore | null = null;
  const mediaStore = () =>
    deps.mediaStore ?? (defaultStore ??= createLocalMediaStore(path.join(deps.dataDir ?? 'data', 'media')));
  const bandwidth = deps.bandwidth;
  const fetchMedia: MediaFetcher =
    deps.fetchMedia ??
    (bandwidth
      ? bandwidthMediaFetcher(bandwidth)
      : () => Promise.reject(new Error('copyInboundMedia needs a Bandwidth client or a fetchMedia')));
  return {
    /**
     * Copies an inbound message's media from Bandwidth into the media store and returns references (never bytes, so
     * nothing large enters workflow history). Idempotent: a retry downloads and stores the same files again under the
     * same ids. Transient failures throw and are retried by the workflow's retry policy; media that is gone (404)
     * fails at once with {@link MediaFailureType.Gone}.
     */
    async copyInboundMedia(input: CopyInboundMediaInput): Promise<StoredMedia[]> {
      const store = mediaStore();
      const stored: StoredMedia[] = [];
      for (const [index, source] of input.media.entries()) {
        const name = mediaFileName(source);
        const id = `${input.messageId}/${index}/${name}`;
        const object = await fetchMedia(source);
        const { url } = await store.put(id, object);
        stored.push({ id, url, contentType: object.contentType, size: object.bytes.length, name, source });
      }
      return stored;
    },
  };
}

export type MediaActivities = ReturnType<typeof createMediaActivities>;
