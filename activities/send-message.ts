/**
 * `sendMessage`: one SMS, MMS or group message through Bandwidth. The send policy's second half: only a failure where
 * Bandwidth certainly took nothing is thrown for the retry policy (`workflows/activity-options.ts`) to retry; a
 * rejection or an outcome nobody knows fails at once, typed, so nothing is ever sent twice by a retry.
 */
import { ApplicationFailure } from '@temporalio/common';
import { BandwidthApiError, type BandwidthClient } from '../bandwidth/client';
import { SendFailureType } from '../workflows/activity-failures';
import type { ConsentLedger } from './record-consent';

export interface SendMessageInput {
  from: string;
  to: string[];
  text: string;
  media?: string[];
  /** Routing tag (workflows/ids.ts `encodeTag`): status callbacks come back through it. */
  tag: string;
  /** Defaults to the worker's configured Bandwidth application. */
  applicationId?: string;
  /**
   * The opt-out ledger's scope to check every recipient against before sending; `reply: true` marks the answer to a
   * consent keyword (the one message allowed after an opt-out), which is not checked.
   */
  consent?: { scope: string; reply?: boolean };
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
  /** The opt-out ledger every send is checked against (the message records' `optOuts`). */
  consent?: ConsentLedger;
}

export function createSendMessage(deps: SendMessageDeps) {
  return {
    /**
     * Sends an SMS, MMS or group message through Bandwidth. Resolves when Bandwidth has accepted it (202); its fate
     * arrives later as status callbacks. Retry policy: only failures where Bandwidth certainly did not take the
     * message (5xx, 429, connection refused) are retried; a 4xx fails at once ({@link SendFailureType.Rejected}); an
     * ambiguous failure fails at once ({@link SendFailureType.OutcomeUnknown}) rather than risk a second copy. A
     * recipient opted out in the ledger fails it at once ({@link SendFailureType.OptedOut}) before any request.
     */
    async sendMessage(input: SendMessageInput): Promise<SendMessageResult> {
      await refuseOptedOut(deps.consent, input);
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

/**
 * Fails a send, before anything reaches Bandwidth, when a recipient is opted out in the send's scope: non-retryable,
 * type {@link SendFailureType.OptedOut}, details `[{ optedOut }]`. The answer to a consent keyword (`consent.reply`)
 * is the one message allowed after an opt-out, so it is not checked.
 */
export async function refuseOptedOut(ledger: ConsentLedger | undefined, input: SendMessageInput): Promise<void> {
  if (!input.consent || input.consent.reply || !ledger) return;
  const optedOut = await ledger.optedOut(input.consent.scope, input.to);
  if (optedOut.length === 0) return;
  throw ApplicationFailure.create({
    message: `Not sent: ${optedOut.join(', ')} opted out in ${input.consent.scope}; nothing was sent to anyone.`,
    type: SendFailureType.OptedOut,
    nonRetryable: true,
    details: [{ optedOut }],
  });
}
