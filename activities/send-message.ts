/**
 * `sendMessage`: one SMS, MMS or group message through Bandwidth. The send policy's second half: only a failure where
 * Bandwidth certainly took nothing is thrown for the retry policy (`workflows/activity-options.ts`) to retry; a
 * rejection or an outcome nobody knows fails at once, typed, so nothing is ever sent twice by a retry.
 */
import { ApplicationFailure } from '@temporalio/common';
import { BandwidthApiError, type BandwidthClient } from '../bandwidth/client';
import { SendFailureType } from '../workflows/activity-failures';

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

export interface SendMessageDeps {
  bandwidth: BandwidthClient;
  applicationId: string;
  /** Called after Bandwidth accepts a message (202), before the activity returns: the records store hooks in here. */
  onSent?: (input: SendMessageInput, result: SendMessageResult) => Promise<void>;
}

export function createSendMessage(deps: SendMessageDeps) {
  return {
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
