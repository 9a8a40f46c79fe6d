/**
 * How the conversation runtime calls its activities: timeouts and retry settings as named constants, and the typed
 * proxies built from them. The other half of the send policy, which failures are safe to retry at all, is decided
 * where the failure is seen: `bandwidth/failure-kind.ts` classifies each failed API call and
 * `activities/send-message.ts` fails non-retryably on anything but "certainly not sent".
 */
import {
  proxyActivities,
  proxyLocalActivities,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { Activities, MediaActivities } from '../activities';
import { MediaFailureType } from './activity-failures';

/**
 * `sendMessage` runs as a local activity: the send runs inside the workflow task, which halves the reply latency and
 * records one marker event instead of three activity events (../shared/design/temporal-notes.md §A0). Retried with
 * back-off for up to 10 minutes, only when Bandwidth certainly did not take the message (5xx, 429, refused
 * connection); everything else fails at once and reaches the bot as a typed delivery failure.
 */
export const SEND_MESSAGE_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

/**
 * `sendMessage` for a sender held to a sending rate runs as a regular activity on the rate's task queue
 * (workflows/runtime/pacing.ts), where it may wait its turn for a long time: a burst of 10,000 on a number rated 1 per
 * second takes nearly three hours. So a paced send may wait a day ({@link PACED_SEND_WINDOW}) for its first attempt:
 * one that starts later sends nothing and fails `SendExpired` (its `notAfter`). The server's own window is an hour
 * longer, so that the attempt can start and say so, and so that retries begun in time can finish; the retry settings
 * are the local send's. `paceToken`s wait in the same queues for the same day, and cannot fail otherwise.
 */
export const PACED_SEND_WINDOW = '1 day';
export const PACED_SEND_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '25 hours',
  retry: SEND_MESSAGE_OPTIONS.retry,
};
/**
 * `pacedSendOutcome` (what a paced send that ran out of time came to, read from its intent) runs as a local activity:
 * a read or a write in the records store and, for an attempt nobody settled, the search for proof a retry would make
 * (the records, then Bandwidth's message search), hence the send's own 30 seconds. Retried for up to 10 minutes; after
 * that the send stays "outcome unknown", as it was before the conversation asked.
 */
export const PACED_SEND_OUTCOME_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};
export const PACE_TOKEN_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: PACED_SEND_WINDOW,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/**
 * `copyInboundMedia` is a regular activity: a download can take a while and must survive a worker restart. Retried
 * with back-off for hours, all well inside Bandwidth's 48-hour media retention; a file already gone (404) or refused
 * for good fails at once.
 */
export const COPY_MEDIA_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: '40 hours',
  retry: {
    initialInterval: '10 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 hour',
    maximumAttempts: 12,
    nonRetryableErrorTypes: [MediaFailureType.Gone, MediaFailureType.Rejected],
  },
};

/**
 * `recordConsent` and `optedOutContacts` are local activities: a keyword's ledger entry is written before its
 * confirmation goes out. Retried without a deadline: an opt-out must reach the ledger, whatever the database is going
 * through.
 */
export const RECORD_CONSENT_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/**
 * `nextSendWindow` (quiet hours) runs as a local activity: it reads the zone data shipped with the worker and does
 * no I/O, so it is quick and safe to retry; its answer is recorded in history so replays never redo time-zone math.
 * It fails closed: while it cannot answer (a worker without it, say) it is retried without end, backing off to every
 * 10 minutes (on durable timers), and the message waits; only a malformed window fails at once.
 */
export const NEXT_SEND_WINDOW_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    nonRetryableErrorTypes: ['InvalidArgument'],
  },
};

export const { sendMessage } = proxyLocalActivities<Activities>(SEND_MESSAGE_OPTIONS);
export const { nextSendWindow } = proxyLocalActivities<Activities>(NEXT_SEND_WINDOW_OPTIONS);
export const { recordConsent, optedOutContacts } = proxyLocalActivities<Required<Activities>>(RECORD_CONSENT_OPTIONS);

/**
 * `watchReceipts` (a wait for a delivery receipt marks the message watched and reads the receipts recorded before:
 * activities/watch-receipts.ts) runs as a local activity: one write and one read in the records store. Retried without
 * a deadline, like the consent activities: until it has run, the receipt would not reach the conversation.
 */
export const WATCH_RECEIPTS_OPTIONS: LocalActivityOptions = RECORD_CONSENT_OPTIONS;
export const { watchReceipts } = proxyLocalActivities<Activities>(WATCH_RECEIPTS_OPTIONS);
export const { copyInboundMedia } = proxyActivities<MediaActivities>(COPY_MEDIA_OPTIONS);
/** Call with `executeWithOptions({ taskQueue, priority }, ...)`: the rate's task queue and the send's priority. */
export const { sendMessage: pacedSendMessage } = proxyActivities<Activities>(PACED_SEND_OPTIONS);
export const { paceToken } = proxyActivities<Required<Activities>>(PACE_TOKEN_OPTIONS);
export const { pacedSendOutcome } = proxyLocalActivities<Required<Activities>>(PACED_SEND_OUTCOME_OPTIONS);
