/**
 * The `ApplicationFailure` types the activities fail with: the contract between the activities, which throw them, and
 * the conversation runtime, which turns them into typed results for the bot (and tells Temporal which not to retry).
 * Plain constants, so workflow code can import them.
 */

/** `ApplicationFailure` types `sendMessage` fails with. */
export const SendFailureType = {
  /** Bandwidth answered 4xx: the request itself is wrong and will fail the same way again. */
  Rejected: 'BandwidthRejected',
  /**
   * Nobody can tell whether Bandwidth accepted it: no intent store to look in, or the proof wait ran out while
   * Bandwidth's message search could not be asked. Never retried, to never double-send.
   */
  OutcomeUnknown: 'SendOutcomeUnknown',
  /**
   * Retryable: an earlier attempt of this send has no known outcome and nothing proves it yet; the next attempt looks
   * again (activities/send-proof.ts). Seen by the bot only if the send's retry window closes first.
   */
  ProofPending: 'SendProofPending',
  /** A recipient is opted out in the conversation's scope (the opt-out ledger): nothing was sent. Details: `{ optedOut }`. */
  OptedOut: 'OptedOut',
  /**
   * Retryable: Bandwidth answered 429 with a `Retry-After`; nothing was sent, and the next attempt waits as long as
   * it asked (the failure's `nextRetryDelay`).
   */
  RateLimited: 'BandwidthRateLimited',
  /**
   * A paced send that waited its sending rate's queue past its deadline (workflows/runtime/pacing.ts): its first
   * attempt would have started after it, or a token it needed never came. Nothing was sent. Never retried.
   */
  Expired: 'SendExpired',
} as const;

/** `ApplicationFailure` types `copyInboundMedia` fails with. */
export const MediaFailureType = {
  /** Bandwidth no longer has the file (404: deleted, or past its 48 hours): retrying cannot help. */
  Gone: 'MediaGone',
  /** Bandwidth refused the download for good (4xx other than 401/403/404/429). */
  Rejected: 'MediaRejected',
} as const;
