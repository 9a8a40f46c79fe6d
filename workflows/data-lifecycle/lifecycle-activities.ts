/**
 * The activities of the data-lifecycle workflows (activities/data-lifecycle.ts implements them), as types the
 * workflows proxy, and how the workflows call them: retried without end, backing off to once a minute, because every
 * one of them is idempotent and an erasure or a purge must finish (a database or Temporal that is down only delays it).
 */
import type { ActivityOptions } from '@temporalio/workflow';

/** What one erasure deleted (counts only: the audit never holds what was erased). */
export interface ErasureCounts {
  /** Message records (inbound, outbound, status) that listed the person. */
  records: number;
  /** Stored media files of their inbound messages. */
  media: number;
  /** Send intents addressed to them. */
  sendIntents: number;
  /** Conversations that were running and were ended (terminated: nothing more is sent). */
  conversationsEnded: number;
  /** Conversation histories deleted from Temporal (the ended ones included). */
  historiesDeleted: number;
  /** Consent changes deleted from the opt-out ledger (every one but the STOP still in force). */
  consentChangesDeleted: number;
  /** Opt-outs kept, minimised, so their STOP is still honoured. */
  optOutsKept: number;
}

export interface PurgeResult {
  records: number;
  media: number;
  sendIntents: number;
  handoffs: number;
}

export interface LifecycleActivities {
  /** Deletes the records (and their stored media) with an event time before `before`. */
  purgeRecordsBefore(input: { before: string }): Promise<PurgeResult>;
  /** Writes the audit entry of an erasure (once: again with the same id changes nothing). */
  beginErasure(input: {
    id: string;
    contactKey: string;
    requestedBy: string;
    reason: string | null;
    requestedAt: string;
  }): Promise<void>;
  /**
   * Ends (terminates) the running conversations of the contact held under `contactKey` (records/lifecycle.ts
   * `holdContact`) and deletes every conversation history of theirs, waiting until Temporal has deleted them.
   */
  endContactConversations(input: {
    contactKey: string;
  }): Promise<Pick<ErasureCounts, 'conversationsEnded' | 'historiesDeleted'>>;
  /** Deletes the contact's records, stored media and send intents, and minimises their opt-out ledger entries. */
  eraseContactRecords(input: {
    contactKey: string;
  }): Promise<Pick<ErasureCounts, 'records' | 'media' | 'sendIntents' | 'consentChangesDeleted' | 'optOutsKept'>>;
  /** Completes the audit entry with the counts; resolves with the completion time. */
  completeErasure(input: { id: string; contactKey: string; erased: ErasureCounts }): Promise<{ completedAt: string }>;
  /** Forgets the number held under `contactKey` (records/lifecycle.ts `releaseContact`): nothing more can be erased. */
  releaseErasedContact(input: { contactKey: string }): Promise<void>;
}

export const LIFECYCLE_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};
