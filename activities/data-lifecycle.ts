/**
 * The data-lifecycle activities (workflows/data-lifecycle): the retention purge and the steps of an erasure. Each is
 * idempotent (what is already gone is not found again, deleting it again is harmless), so the workflows retry them
 * until they succeed and an interrupted erasure resumes where it stopped.
 */
import { Context } from '@temporalio/activity';
import { isGrpcServiceError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { MediaStore } from '../media/store';
import type { RecordRef, RecordStore } from '../records';
import type { LifecycleActivities } from '../workflows/data-lifecycle/lifecycle-activities';
import { ParticipantsAttribute } from '../workflows/search-attributes';

export interface LifecycleActivityDeps {
  /** The records store whose records, send intents and opt-out ledger are purged and erased. */
  records?: RecordStore;
  /** Where inbound media was copied (activities/copy-inbound-media.ts). */
  mediaStore: MediaStore;
  /** The Temporal client conversations are ended and deleted with; default: the worker's (activity context). */
  temporal?: Client;
  /** How participants' numbers are indexed in search attributes (hashed with `THREADLINE_HASH_PHONES_IN_SEARCH`). */
  indexPhone?: (e164: string) => string;
}

/** The reason a conversation ended by an erasure gives in its history (the history is deleted right after). */
export const ERASURE_TERMINATION_REASON = 'The contact asked to be erased';

const GRPC_NOT_FOUND = 5;
const GRPC_INVALID_ARGUMENT = 3;

function grpcCode(err: unknown): number | undefined {
  if (isGrpcServiceError(err)) return err.code;
  const cause = (err as { cause?: unknown } | null)?.cause;
  return cause === undefined ? undefined : grpcCode(cause);
}

const isNotFound = (err: unknown) => err instanceof WorkflowNotFoundError || grpcCode(err) === GRPC_NOT_FOUND;

/** Heartbeats when running as an activity (so a long purge is not timed out); a no-op when called directly. */
function heartbeat(details?: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // not in an activity context (a test calling the function directly)
  }
}

/** How often a deletion Temporal has not carried out yet is asked for again, and for how long before giving up. */
const DELETE_AGAIN_MS = 2_000;
const DELETE_GIVE_UP_MS = 120_000;

/**
 * Waits until Temporal has deleted these executions. Temporal deletes asynchronously, and a deletion asked for the
 * moment a workflow closes (one just terminated) can be dropped, so each one still there is asked for again. Throws
 * (the activity is retried) if any is still there after {@link DELETE_GIVE_UP_MS}.
 */
async function untilDeleted(client: Client, executions: { workflowId: string; runId: string }[]): Promise<void> {
  const namespace = client.options.namespace;
  let left = executions;
  const deadline = Date.now() + DELETE_GIVE_UP_MS;
  while (left.length > 0) {
    const still: typeof left = [];
    for (const execution of left) {
      try {
        await client.workflow.getHandle(execution.workflowId, execution.runId).describe();
        still.push(execution);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    left = still;
    if (left.length === 0) return;
    if (Date.now() > deadline) throw new Error(`Temporal has not deleted ${left.length} conversation histories yet`);
    heartbeat(left.length);
    await new Promise((resolve) => setTimeout(resolve, DELETE_AGAIN_MS));
    for (const { workflowId, runId } of left) {
      await client.workflowService
        .deleteWorkflowExecution({ namespace, workflowExecution: { workflowId, runId } })
        .catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
    }
  }
}

export function createLifecycleActivities(deps: LifecycleActivityDeps): LifecycleActivities {
  const records = (): RecordStore => {
    if (!deps.records) throw new Error('the data-lifecycle activities need the records store (deps.records)');
    return deps.records;
  };
  const temporal = (): Client => deps.temporal ?? Context.current().client;

  /** Deletes the stored media of a batch of records about to be deleted; resolves with how many files went. */
  async function removeMedia(refs: RecordRef[]): Promise<number> {
    let removed = 0;
    for (const ref of refs) {
      if (ref.messageId !== null && ref.media.length > 0) removed += await deps.mediaStore.removeMessage(ref.messageId);
    }
    heartbeat();
    return removed;
  }

  /** Every execution (closed or running, every run) whose participants search attribute lists the contact. */
  async function listed(client: Client, contact: string) {
    const keys = [...new Set([contact, ...(deps.indexPhone ? [deps.indexPhone(contact)] : [])])];
    const query = `${ParticipantsAttribute.name} IN (${keys.map((k) => JSON.stringify(k)).join(', ')})`;
    const found: { workflowId: string; runId: string; running: boolean }[] = [];
    try {
      for await (const execution of client.workflow.list({ query })) {
        found.push({
          workflowId: execution.workflowId,
          runId: execution.runId,
          running: execution.status.name === 'RUNNING',
        });
      }
    } catch (err) {
      // A namespace without Threadline's search attributes: the conversations are found through the records alone.
      if (grpcCode(err) !== GRPC_INVALID_ARGUMENT) throw err;
    }
    return found;
  }

  return {
    async purgeRecordsBefore({ before }) {
      let media = 0;
      const purged = await records().lifecycle.purgeBefore(before, async (refs) => {
        media += await removeMedia(refs);
      });
      return { ...purged, media };
    },

    async beginErasure(entry) {
      await records().lifecycle.beginErasure({ ...entry, completedAt: null, erased: null });
    },

    async endContactConversations({ contactKey }) {
      const contact = await records().lifecycle.heldContact(contactKey);
      if (contact === null) return { conversationsEnded: 0, historiesDeleted: 0 }; // erased and released meanwhile
      const client = temporal();
      const namespace = client.options.namespace;
      const executions = await listed(client, contact);
      // The current run of every conversation the records know of, unless listed (search attributes off, or visibility
      // not yet showing a conversation that started a moment ago).
      const seen = new Set(executions.map((e) => `${e.workflowId}/${e.runId}`));
      for (const workflowId of await records().lifecycle.conversationsOf(contact)) {
        try {
          const described = await client.workflow.getHandle(workflowId).describe();
          if (seen.has(`${workflowId}/${described.runId}`)) continue;
          executions.push({ workflowId, runId: described.runId, running: described.status.name === 'RUNNING' });
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      let conversationsEnded = 0;
      let historiesDeleted = 0;
      for (const [index, { workflowId, runId, running }] of executions.entries()) {
        heartbeat(index); // a count, never the id: heartbeat details can reach the erasure's own history
        if (running) {
          try {
            // By workflow id, not run: a run that continued as new meanwhile is the one to end.
            await client.workflow.getHandle(workflowId).terminate(ERASURE_TERMINATION_REASON);
            conversationsEnded++;
            const current = (await client.workflow.getHandle(workflowId).describe()).runId;
            if (!seen.has(`${workflowId}/${current}`)) {
              seen.add(`${workflowId}/${current}`); // the run it continued as: its history goes too
              executions.push({ workflowId, runId: current, running: false });
            }
          } catch (err) {
            if (!isNotFound(err)) throw err; // it ended meanwhile
          }
        }
        try {
          await client.workflowService.deleteWorkflowExecution({ namespace, workflowExecution: { workflowId, runId } });
          historiesDeleted++;
        } catch (err) {
          if (!isNotFound(err)) throw err; // deleted already (an earlier attempt, or Temporal's retention)
        }
      }
      await untilDeleted(client, executions);
      return { conversationsEnded, historiesDeleted };
    },

    async eraseContactRecords({ contactKey }) {
      const lifecycle = records().lifecycle;
      const contact = await lifecycle.heldContact(contactKey);
      if (contact === null) {
        return { records: 0, media: 0, sendIntents: 0, consentChangesDeleted: 0, optOutsKept: 0 };
      }
      let media = 0;
      const erased = await lifecycle.eraseContact(contact, async (refs) => {
        media += await removeMedia(refs);
      });
      const consent = await lifecycle.minimiseConsent(contact);
      return {
        records: erased.records,
        media,
        sendIntents: erased.sendIntents,
        consentChangesDeleted: consent.deleted,
        optOutsKept: consent.kept,
      };
    },

    async completeErasure({ id, erased }) {
      const completedAt = await records().lifecycle.completeErasure(id, erased);
      return { completedAt };
    },

    async releaseErasedContact({ contactKey }) {
      await records().lifecycle.releaseContact(contactKey);
    },
  };
}
