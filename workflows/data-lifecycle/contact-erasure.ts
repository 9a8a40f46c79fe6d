/**
 * `contactErasure`: forgetting one person, as the operator API's `DELETE /api/v1/contacts/{phone}` asks. A workflow,
 * so an erasure that a crash or an outage interrupts resumes where it stopped: each step is an idempotent activity,
 * retried until it succeeds, and the audit entry is written first and completed last. It is given the hash of the
 * number alone: the API holds the number in the records database under that key until the erasure completes, so this
 * workflow's history never holds it.
 *
 * 1. the audit entry: who asked, when (never the number: its hash);
 * 2. their conversations: running ones terminated (nothing more is sent to them), every history deleted from Temporal;
 * 3. their records, stored media and send intents deleted; their opt-out ledger entries minimised to what honouring a
 *    STOP needs;
 * 4. the audit entry completed with the counts.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import { LIFECYCLE_ACTIVITY_OPTIONS, type ErasureCounts, type LifecycleActivities } from './lifecycle-activities';

export interface ContactErasureInput {
  /** The hash of the person's number (server/operator/contact-operations.ts `contactKey`), which the audit keeps. */
  contactKey: string;
  requestedBy: string;
  reason: string | null;
  requestedAt: string;
}

export interface ContactErasureResult {
  /** The audit entry's id: this run's id. */
  erasureId: string;
  contactKey: string;
  requestedBy: string;
  requestedAt: string;
  completedAt: string;
  erased: ErasureCounts;
}

const activities = proxyActivities<LifecycleActivities>(LIFECYCLE_ACTIVITY_OPTIONS);

/**
 * Erases one person (see the module comment). Started by the operator API, never by bots; a bot author's workflows
 * module exports it so that the workers can run it.
 *
 * @example
 * // in your own workflows module (THREADLINE_WORKFLOWS), beside your bots:
 * export { contactErasure, recordsPurge } from 'threadline/workflows';
 */
export async function contactErasure(input: ContactErasureInput): Promise<ContactErasureResult> {
  const id = workflowInfo().runId;
  const { contactKey, requestedBy, reason, requestedAt } = input;
  await activities.beginErasure({ id, contactKey, requestedBy, reason, requestedAt });
  const conversations = await activities.endContactConversations({ contactKey });
  const records = await activities.eraseContactRecords({ contactKey });
  const erased: ErasureCounts = { ...records, ...conversations };
  const { completedAt } = await activities.completeErasure({ id, contactKey, erased });
  return { erasureId: id, contactKey, requestedBy, requestedAt, completedAt, erased };
}
