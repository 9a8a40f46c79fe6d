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
 * 4. the audit entry completed with the counts;
 * 5. a late sweep started ({@link contactErasureSweep}): status callbacks for messages sent to them before the erasure
 *    keep arriving for a while (Bandwidth retries a callback for 24 hours; a DLR timeout comes after 2) and each would
 *    write a record naming them again. The sweep erases those a day later and only then forgets the number.
 */
import { ParentClosePolicy, proxyActivities, sleep, startChild, workflowInfo } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { erasureSweepWorkflowId } from '../ids';
import { LIFECYCLE_ACTIVITY_OPTIONS, type ErasureCounts, type LifecycleActivities } from './lifecycle-activities';

/** How long after an erasure its late sweep runs: past Bandwidth's 24 hours of callback retries. */
export const ERASURE_SWEEP_DELAY = '25 hours';

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
 * export { contactErasure, contactErasureSweep, recordsPurge } from 'threadline/workflows';
 */
export async function contactErasure(input: ContactErasureInput): Promise<ContactErasureResult> {
  const id = workflowInfo().runId;
  const { contactKey, requestedBy, reason, requestedAt } = input;
  await activities.beginErasure({ id, contactKey, requestedBy, reason, requestedAt });
  const conversations = await activities.endContactConversations({ contactKey });
  const records = await activities.eraseContactRecords({ contactKey });
  const erased: ErasureCounts = { ...records, ...conversations };
  const { completedAt } = await activities.completeErasure({ id, contactKey, erased });
  try {
    await startChild(contactErasureSweep, {
      workflowId: erasureSweepWorkflowId(contactKey),
      args: [{ contactKey }],
      parentClosePolicy: ParentClosePolicy.ABANDON, // it outlives this erasure by a day
    });
  } catch (err) {
    // A sweep for them is already waiting (an earlier erasure): it will sweep and forget the number.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return { erasureId: id, contactKey, requestedBy, requestedAt, completedAt, erased };
}

/**
 * The late sweep after {@link contactErasure}: a day later, erases the records that status callbacks wrote since
 * (their media and send intents too), then forgets the number the operator API held for the erasure. Started by
 * `contactErasure`, never by bots; a bot author's workflows module exports it so that the workers can run it.
 *
 * @example
 * // in your own workflows module (THREADLINE_WORKFLOWS), beside your bots:
 * export { contactErasure, contactErasureSweep, recordsPurge } from 'threadline/workflows';
 */
export async function contactErasureSweep(input: { contactKey: string }): Promise<void> {
  await sleep(ERASURE_SWEEP_DELAY);
  await activities.eraseContactRecords({ contactKey: input.contactKey });
  await activities.releaseErasedContact({ contactKey: input.contactKey });
}
