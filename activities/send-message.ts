/**
 * `sendMessage`: one SMS, MMS or group message through Bandwidth, exactly once. The send policy's second half: only a
 * failure where Bandwidth certainly took nothing is retried as it is (`workflows/activity-options.ts`); a rejection
 * fails at once, typed. With a send-intent store (records/send-intent.ts) every execution of one send, also after a
 * crash, finds what the earlier ones did: an accepted message is reused, never sent again; an attempt whose outcome
 * nobody knows is proven (activities/send-proof.ts) before anything is sent again. docs/operations.md has the
 * design and the window that remains.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { BandwidthApiError, type BandwidthClient } from '../bandwidth/client';
import { SendFailureType } from '../workflows/activity-failures';
import type { RecordStore } from '../records';
import type { SendIntent, SendIntentInput, SendIntents } from '../records/send-intent';
import { decodeTag } from '../workflows/ids';
import type { DeliveryEvent } from '../workflows/messages';
import { recordedReceipts, type WatchReceiptsInput } from './watch-receipts';
import type { SendLimit } from '../pacing/send-rates';
import { outboundCost } from '../billing/message-cost';
import type { PriceTable } from '../billing/price-table';
import type { ConsentLedger } from './record-consent';
import { findSendProof, type SendProof } from './send-proof';

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
  /**
   * The send's intent key (`<workflow run id>/<send id>`, workflows/ids.ts `sendIntentKey`): the same on every
   * execution of this send. Without it (or without an intent store) a send is at most once, not exactly once.
   */
  intentKey?: string;
  /**
   * Set when the send runs on its sender's rate task queue (workflows/runtime/pacing.ts): it is sent now. Unset, a send
   * from a rated sender is not sent but answered with {@link SendDeferred}.
   */
  paced?: boolean;
  /**
   * A paced send's deadline (ISO 8601): when its first attempt starts after it, nothing is sent and the send fails
   * {@link SendFailureType.Expired}. A later attempt (an earlier one was made) first settles what that one did, as any
   * retry does (an accepted message is reused, an unknown outcome proven); with send intents, it then sends nothing
   * either, past the deadline, and fails the same way.
   */
  notAfter?: string;
  /**
   * Earlier sends of the conversation whose delivered receipts it has not heard (they were recorded only: nobody
   * waited for them); the result brings back those recorded since, so the transcript catches up with every send.
   */
  earlier?: WatchReceiptsInput[];
}

export interface SendMessageResult {
  messageId: string;
  segmentCount: number;
  /** When Bandwidth accepted it (ISO 8601). */
  time: string;
  /** What the message costs (per recipient, before carrier surcharges), with a price table in the deps. */
  cost?: number;
  /** The cost's ISO 4217 currency. */
  currency?: string;
  /** The delivered and failed receipts recorded for `input.earlier`. */
  receipts?: DeliveryEvent[];
}

/**
 * The answer, instead of a send, for a sender held to a sending rate (pacing/send-rates.ts): the conversation sends it
 * again on the rate's task queue, after paying the tokens the limits ask for.
 */
export interface SendDeferred {
  /** The rates it is held to, most specific first; the send runs on the first one's task queue. */
  paced: SendLimit[];
}

export interface SendMessageDeps {
  bandwidth: BandwidthClient;
  applicationId: string;
  /** Called after Bandwidth accepts a message (202), before the activity returns: the records store hooks in here. */
  onSent?: (input: SendMessageInput, result: SendMessageResult) => Promise<void>;
  /** Where the receipts of earlier sends are read (`input.earlier`); without it a send brings back none. */
  records?: Pick<RecordStore, 'receipts'>;
  /** The opt-out ledger every send is checked against (the message records' `optOuts`). */
  consent?: ConsentLedger;
  /** The send intents (the message records' `sendIntents`): with them, sending is exactly once across crashes. */
  intents?: SendIntents;
  /**
   * How long after an attempt with no known outcome to keep looking for proof before concluding it never reached
   * Bandwidth and sending again (default {@link DEFAULT_PROOF_WAIT_MS}).
   */
  proofWaitMs?: number;
  /** Told how each send that found an intent was settled, for metrics and logs. */
  onSettled?: (how: SendSettlement, input: SendMessageInput) => void;
  /** The sending rates that hold each sender (pacing/send-rates.ts `sendLimitsFor`); none when omitted. */
  sendLimits?: (from: string) => SendLimit[];
  /** What messages cost (`THREADLINE_PRICE_TABLE`): every result then carries its `cost`. Unpriced without it. */
  prices?: PriceTable;
}

/**
 * How a send was settled when an earlier execution had begun it: `reused` an accepted message, `proven-by-records` or
 * `proven-by-search` (the lost answer was found), `resent` (nothing proved it within the proof wait: sent again).
 */
export type SendSettlement = 'reused' | 'proven-by-records' | 'proven-by-search' | 'resent';

/** Default proof wait: long enough for a status callback or Bandwidth's message search to show an accepted message. */
export const DEFAULT_PROOF_WAIT_MS = 30_000;

export function createSendMessage(config: SendMessageDeps) {
  // Every result is priced in one place, whether sent now, reused or proven, before `onSent` records it.
  const priced = (input: SendMessageInput, result: SendMessageResult): SendMessageResult =>
    config.prices
      ? { ...result, ...outboundCost(config.prices, { ...input, segmentCount: result.segmentCount }) }
      : result;
  const onSent = config.onSent;
  const deps: SendMessageDeps = {
    ...config,
    ...(onSent ? { onSent: (input, result) => onSent(input, priced(input, result)) } : {}),
  };
  const unpriced = {
    /**
     * Sends an SMS, MMS or group message through Bandwidth. Resolves when Bandwidth has accepted it (202); its fate
     * arrives later as status callbacks. Retry policy: only failures where Bandwidth certainly did not take the
     * message (5xx, 429, connection refused) are retried; a 4xx fails at once ({@link SendFailureType.Rejected}); an
     * ambiguous failure fails at once ({@link SendFailureType.OutcomeUnknown}) rather than risk a second copy. A
     * recipient opted out in the ledger fails it at once ({@link SendFailureType.OptedOut}) before any request. A
     * sender held to a rate is not sent from here: the answer is {@link SendDeferred}, unless `input.paced`.
     */
    async sendMessage(input: SendMessageInput): Promise<SendMessageResult | SendDeferred> {
      refuseExpired(input);
      await refuseOptedOut(deps.consent, input);
      if (!input.paced) {
        const limits = deps.sendLimits?.(input.from) ?? [];
        if (limits.length > 0) return { paced: limits };
      }
      const intents = deps.intents;
      if (!intents || !input.intentKey) return attempt(input, null);
      const { intent, created } = await intents.openAttempting(intentInputOf(input, input.intentKey));
      // A new intent was written with its attempt begun: send. An existing one says what an earlier execution did.
      if (!created) {
        const settled = await settledEarlier(intents, intent, input);
        if (settled) return settled;
      }
      await refuseLate(intents, input.intentKey, input);
      if (!created) await intents.attempt(input.intentKey);
      return attempt(input, { intents, key: input.intentKey });
    },
  };
  return {
    /** {@link unpriced}'s `sendMessage`, its result priced (a send deferred to its rate's queue is priced there). */
    async sendMessage(input: SendMessageInput): Promise<SendMessageResult | SendDeferred> {
      const result = await unpriced.sendMessage(input);
      if ('paced' in result) return result;
      const receipts = await recordedReceipts(config, input.earlier);
      return { ...priced(input, result), ...(receipts.length > 0 ? { receipts } : {}) };
    },

    /**
     * What became of a paced send whose activity ran out of time (its rate's queue was not served before the server's
     * window closed), read from its intent: `accepted` with the message, `not-sent` (no attempt was made, or none
     * reached Bandwidth: any attempt still to come is past the deadline and sends nothing), or `unknown`. An attempt
     * that began and was never settled is proven as a retry would prove it: accepted when the records or Bandwidth's
     * message search show the message, not sent when search answered without it after the proof wait, else unknown.
     * An intent not written yet is written `not-sent` now, so that a stray attempt finds it. Without intents, `unknown`.
     */
    async pacedSendOutcome(input: SendMessageInput): Promise<PacedSendOutcome> {
      const intents = deps.intents;
      if (!intents || !input.intentKey) return { state: 'unknown' };
      const intent = await intents.open(intentInputOf(input, input.intentKey));
      if (intent.state === 'accepted' && intent.accepted) {
        return { state: 'accepted', result: priced(input, await recordedAgain(input, intent.accepted)) };
      }
      if (intent.state === 'not-sent') return { state: 'not-sent' };
      const proof = await claimProof(intents, intent, input);
      if ('claimed' in proof) return { state: 'accepted', result: priced(input, proof.claimed) };
      if (!proof.found && proof.searched && proofWaitOver(intent)) {
        await intents.settle(intent.key, { state: 'not-sent' });
        return { state: 'not-sent' };
      }
      return { state: 'unknown' };
    },
  };

  /**
   * One create-message call; with intents, the caller has made the attempt durable before it, and its outcome is
   * written after it.
   */
  async function attempt(
    input: SendMessageInput,
    intent: { intents: SendIntents; key: string } | null,
  ): Promise<SendMessageResult> {
    let result: SendMessageResult;
    try {
      const message = await deps.bandwidth.createMessage({
        applicationId: input.applicationId ?? deps.applicationId,
        from: input.from,
        to: input.to,
        text: input.text,
        ...(input.media?.length ? { media: input.media } : {}),
        tag: input.tag,
      });
      result = {
        messageId: message.id,
        segmentCount: message.segmentCount ?? 1,
        time: message.time ?? new Date().toISOString(),
      };
    } catch (err) {
      if (!(err instanceof BandwidthApiError)) throw err;
      if (err.kind !== 'unknown') await intent?.intents.settle(intent.key, { state: 'not-sent' });
      if (err.kind === 'not-sent' && err.retryAfterMs !== null) {
        // Bandwidth said when to come back (a 429's Retry-After): the next attempt waits that long, not the back-off.
        throw ApplicationFailure.create({
          message: `${err.message}; trying again in ${err.retryAfterMs} ms as Retry-After asks`,
          type: SendFailureType.RateLimited,
          nextRetryDelay: err.retryAfterMs,
          details: [{ status: err.status, body: err.body }],
        });
      }
      if (err.kind === 'not-sent') throw err; // retried by the activity's retry policy
      if (err.kind === 'unknown' && intent) {
        // Bandwidth may have taken it: the next execution looks for proof before it sends anything.
        throw ApplicationFailure.create({
          message: `${err.message}; looking for proof next`,
          type: SendFailureType.ProofPending,
        });
      }
      throw ApplicationFailure.create({
        message: err.message,
        type: err.kind === 'rejected' ? SendFailureType.Rejected : SendFailureType.OutcomeUnknown,
        nonRetryable: true,
        details: [{ status: err.status, body: err.body }],
      });
    }
    await intent?.intents.settle(intent.key, { state: 'accepted', accepted: result });
    await deps.onSent?.(input, result);
    return result;
  }

  /**
   * Looks for proof that `intent`'s unsettled attempt reached Bandwidth and, when there is, claims the message for the
   * intent (settled accepted, recorded): `claimed`. Otherwise the proof as found: nothing (and whether search answered),
   * or a message another intent claimed first.
   */
  async function claimProof(
    intents: SendIntents,
    intent: SendIntent,
    input: SendMessageInput,
  ): Promise<{ claimed: SendMessageResult } | SendProof> {
    const proof = await findSendProof({ intents, bandwidth: deps.bandwidth }, intent, {
      text: input.text,
      mediaCount: input.media?.length ?? 0,
    });
    if (!proof.found || !(await intents.settle(intent.key, { state: 'accepted', accepted: proof.found }))) return proof;
    deps.onSettled?.(proof.by === 'records' ? 'proven-by-records' : 'proven-by-search', input);
    await deps.onSent?.(input, proof.found);
    return { claimed: proof.found };
  }

  /**
   * A message an earlier execution settled as accepted, recorded again: that execution settles the intent before it
   * records the message (`onSent`), and a process killed between the two left it unrecorded. The record is keyed by the
   * message id, so recording it again adds nothing when it was recorded.
   */
  async function recordedAgain(input: SendMessageInput, accepted: SendMessageResult): Promise<SendMessageResult> {
    await deps.onSent?.(input, accepted);
    return accepted;
  }

  /** Whether the proof wait since `intent`'s latest attempt is over: search's silence then counts as evidence. */
  function proofWaitOver(intent: SendIntent): boolean {
    return Date.now() - Date.parse(intent.attemptedAt) >= (deps.proofWaitMs ?? DEFAULT_PROOF_WAIT_MS);
  }

  /**
   * What an earlier execution of this send settled: its accepted message, or one proven to have been accepted; null
   * when this execution should send. Throws the retryable {@link SendFailureType.ProofPending} while an unproven attempt is
   * younger than the proof wait or while message search is unavailable, and {@link SendFailureType.OutcomeUnknown} when
   * the wait is over and Bandwidth's message search refuses to answer (its silence would prove nothing).
   */
  async function settledEarlier(
    intents: SendIntents,
    intent: SendIntent,
    input: SendMessageInput,
  ): Promise<SendMessageResult | null> {
    if (intent.state === 'accepted' && intent.accepted) {
      deps.onSettled?.('reused', input);
      return recordedAgain(input, intent.accepted);
    }
    if (intent.state !== 'attempting') return null;
    const proof = await claimProof(intents, intent, input);
    if ('claimed' in proof) return proof.claimed;
    if (proof.found) {
      throw ApplicationFailure.create({
        message: 'Another send claimed the proof; looking again',
        type: SendFailureType.ProofPending,
      });
    }
    if (!proofWaitOver(intent)) {
      throw ApplicationFailure.create({
        message: `No proof yet that attempt ${intent.attempts} of ${intent.key} reached Bandwidth; looking again`,
        type: SendFailureType.ProofPending,
      });
    }
    if (!proof.searched) {
      // Search could not be asked. Down for now (an outage, a 429): keep looking while the retry window lasts. Refused
      // for good (a 4xx): its silence will never be evidence, so the outcome stays unknown rather than risk a copy.
      if (proof.searchError.kind !== 'rejected') {
        throw ApplicationFailure.create({
          message: `Message search is unavailable (${proof.searchError.message}); looking for proof of ${intent.key} again`,
          type: SendFailureType.ProofPending,
          ...(proof.searchError.retryAfterMs !== null ? { nextRetryDelay: proof.searchError.retryAfterMs } : {}),
        });
      }
      throw ApplicationFailure.create({
        message:
          `Not known whether Bandwidth accepted ${intent.key}: no callback recorded it and message search refused ` +
          `(${proof.searchError.message}); not sending it again.`,
        type: SendFailureType.OutcomeUnknown,
        nonRetryable: true,
      });
    }
    deps.onSettled?.('resent', input);
    return null;
  }
}

/** What a paced send whose activity ran out of time came to (`pacedSendOutcome`). */
export type PacedSendOutcome =
  { state: 'accepted'; result: SendMessageResult } | { state: 'not-sent' } | { state: 'unknown' };

/**
 * Past a paced send's deadline no attempt calls Bandwidth, whatever came before it: its intent is settled `not-sent`
 * and the send fails {@link SendFailureType.Expired}, non-retryable. An attempt reaches this only once what earlier
 * ones did is known not to be an accepted message, so nothing was sent; and when the conversation, its activity out of
 * time, reads the intent (`pacedSendOutcome`), an attempt still running cannot send after it.
 */
async function refuseLate(intents: SendIntents, key: string, input: SendMessageInput): Promise<void> {
  if (!pastDeadline(input)) return;
  await intents.settle(key, { state: 'not-sent' });
  throw expired(`Past its sending rate's deadline (${input.notAfter}) before it reached Bandwidth; not sent`);
}

/**
 * Fails a paced send whose first attempt starts after its deadline: non-retryable, type {@link SendFailureType.Expired}.
 * Only the first attempt can be sure that nothing was sent: a later one follows an attempt that may have reached
 * Bandwidth, so it goes on to the intent and its proof as every retry does ({@link refuseLate} stops it there).
 */
function refuseExpired(input: SendMessageInput): void {
  if (!pastDeadline(input) || Context.current().info.attempt !== 1) return;
  throw expired(`Waited its sending rate's queue past ${input.notAfter}; not sent`);
}

/** Whether `input` is a paced send whose deadline has passed. */
function pastDeadline(input: SendMessageInput): boolean {
  return input.notAfter !== undefined && Date.now() > Date.parse(input.notAfter);
}

/** The non-retryable {@link SendFailureType.Expired} failure: nothing was sent. */
function expired(message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: SendFailureType.Expired, nonRetryable: true });
}

/** The intent of the send `input` under `key`: its conversation (from the tag), tag, sender and recipients. */
function intentInputOf(input: SendMessageInput, key: string): SendIntentInput {
  return {
    key,
    conversationId: decodeTag(input.tag)?.conversationId ?? null,
    tag: input.tag,
    from: input.from,
    to: input.to,
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
