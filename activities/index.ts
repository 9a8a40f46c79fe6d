/**
 * Activities: the only code in a conversation that touches the outside world. Built by a factory from their
 * dependencies, so the worker passes real clients and tests pass fakes of the same type.
 */
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { BandwidthApiError, toBandwidthApiError, type BandwidthClient } from '../bandwidth/client';
import { createLocalMediaStore, type MediaObject, type MediaStore } from '../media/store';
import { mediaFileName, type StoredMedia } from '../workflows/media';

export interface SendMessageInput {
  from: string;
  to: string[];
  text: string;
  media?: string[];
  /** Routing tag (workflows/ids.ts `encodeTag`): status callbacks come back through it. */
  tag: string;
  /** Defaults to the worker's configured Bandwidth application. */
  applicationId?: string;
}

export interface SendMessageResult {
  messageId: string;
  segmentCount: number;
  /** When Bandwidth accepted it (ISO 8601). */
  time: string;
}

/** `ApplicationFailure` types the send activity fails with; bots and the runtime branch on them. */
export const SendFailureType = {
  /** Bandwidth answered 4xx: the request itself is wrong and will fail the same way again. */
  Rejected: 'BandwidthRejected',
  /** The request may or may not have been accepted (timeout, dropped connection): never retried, to never double-send. */
  OutcomeUnknown: 'SendOutcomeUnknown',
} as const;

export interface CopyInboundMediaInput {
  /** The inbound message's Bandwidth id: the copies are stored under `<messageId>/<index>/<name>`. */
  messageId: string;
  /** Bandwidth media URLs, as the `message-received` callback lists them. */
  media: string[];
}

/** `ApplicationFailure` types the media copy fails with. */
export const MediaFailureType = {
  /** Bandwidth no longer has the file (404: deleted, or past its 48 hours): retrying cannot help. */
  Gone: 'MediaGone',
  /** Bandwidth refused the download for good (4xx other than 401/403/404/429). */
  Rejected: 'MediaRejected',
} as const;

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

export interface ActivityDeps {
  bandwidth: BandwidthClient;
  applicationId: string;
  /** Called after Bandwidth accepts a message (202), before the activity returns: the records store hooks in here. */
  onSent?: (input: SendMessageInput, result: SendMessageResult) => Promise<void>;
  /** Where inbound media is copied; default a local directory store in `<dataDir>/media`. */
  mediaStore?: MediaStore;
  /** The data directory (THREADLINE_DATA_DIR) for the default media store; default `data`. */
  dataDir?: string;
  /** How media is downloaded from Bandwidth; default {@link bandwidthMediaFetcher} with `bandwidth`. */
  fetchMedia?: MediaFetcher;
}

/** The media activities alone (the worker gets them from {@link createActivities}). */
export function createMediaActivities(
  deps: Partial<Pick<ActivityDeps, 'bandwidth'>> & Pick<ActivityDeps, 'mediaStore' | 'dataDir' | 'fetchMedia'>,
) {
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

export function createActivities(deps: ActivityDeps) {
  return {
    ...createMediaActivities(deps),

    /**
     * Sends an SMS, MMS or group message through Bandwidth. Resolves when Bandwidth has accepted it (202); its fate
     * arrives later as status callbacks. Retry policy: only failures where Bandwidth certainly did not take the
     * message (5xx, 429, connection refused) are retried; a 4xx fails at once ({@link SendFailureType.Rejected}); an
     * ambiguous failure fails at once ({@link SendFailureType.OutcomeUnknown}) rather than risk a second copy.
     */
    async sendMessage(input: SendMessageInput): Promise<SendMessageResult> {
      try {
        const message = await deps.bandwidth.createMessage({
          applicationId: input.applicationId ?? deps.applicationId,
          from: input.from,
          to: input.to,
          text: input.text,
          ...(input.media?.length ? { media: input.media } : {}),
          tag: input.tag,
        });
        const result: SendMessageResult = {
          messageId: message.id,
          segmentCount: message.segmentCount ?? 1,
          time: message.time ?? new Date().toISOString(),
        };
        await deps.onSent?.(input, result);
        return result;
      } catch (err) {
        if (!(err instanceof BandwidthApiError)) throw err;
        if (err.kind === 'not-sent') throw err; // retried by the activity's retry policy
        throw ApplicationFailure.create({
          message: err.message,
          type: err.kind === 'rejected' ? SendFailureType.Rejected : SendFailureType.OutcomeUnknown,
          nonRetryable: true,
          details: [{ status: err.status, body: err.body }],
        });
      }
    },
  };
}

export type MediaActivities = ReturnType<typeof createMediaActivities>;
/**
 * What a worker needs: `sendMessage`, and `copyInboundMedia` for bots that receive MMS (optional in the type so that
 * fakes for SMS-only tests stay small; {@link createActivities} always provides it).
 */
export type Activities = Omit<ReturnType<typeof createActivities>, keyof MediaActivities> & Partial<MediaActivities>;
