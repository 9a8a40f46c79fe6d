/**
 * The operator API's erasure operations: forget a person (`DELETE /contacts/{phone}`), and the audit of erasures
 * (`GET /erasures`). The erasure itself runs as a workflow on the workers (workflows/data-lifecycle/contact-erasure.ts),
 * which have the records, the media and Temporal at hand and resume it after a crash; the request waits for it a while.
 */
import { createHash } from 'node:crypto';
import { isGrpcDeadlineError, WorkflowFailedError } from '@temporalio/client';
import type { ContactErasureInput, ContactErasureResult } from '../../workflows/data-lifecycle';
import { erasureWorkflowId } from '../../workflows/ids';
import type { ConversationDeps } from './conversations';
import {
  ContactParamsSchema,
  EraseContactQuerySchema,
  ErasureListQuerySchema,
  ErasureListSchema,
  ErasureSchema,
} from './contact-schemas';
import { defineOperation, type Operation } from './operation';

export type ContactApiDeps = Pick<ConversationDeps, 'temporal' | 'taskQueue' | 'records' | 'indexPhone'> & {
  /** How long `DELETE /contacts/{phone}` waits for the erasure before answering 202 (default 20 s). */
  erasureWaitMs?: number;
};

/**
 * The hash of a number that the audit and the erasure's workflow id hold: the search-attribute HMAC (`hmac:...`) when
 * numbers are hashed there (`THREADLINE_HASH_PHONES_IN_SEARCH`), else `sha256:...` (first 16 bytes). Hash a number
 * the same way to find its erasure in the audit.
 */
export function contactKey(phone: string, indexPhone?: (e164: string) => string): string {
  if (indexPhone) return indexPhone(phone);
  return `sha256:${createHash('sha256').update(phone, 'utf8').digest('hex').slice(0, 32)}`;
}

export function contactOperations(deps: ContactApiDeps): Operation[] {
  const waitMs = deps.erasureWaitMs ?? 20_000;
  return [
    defineOperation({
      operationId: 'eraseContact',
      method: 'delete',
      path: '/contacts/{phone}',
      tag: 'contacts',
      summary: 'Erase a person',
      description:
        'Deletes their message records (every record that lists them, group messages included) and stored media, ' +
        'ends their running conversations (terminated: nothing more is sent) and deletes every conversation history ' +
        'of theirs from Temporal, and keeps in the opt-out ledger only what honouring a STOP needs (the number, the ' +
        'scope, when and how they opted out). An audit entry records who asked, when and how much went (counts, ' +
        'never content). Runs as a workflow, so it survives a crash; 200 once done, 202 while it still runs. ' +
        'On 202, follow GET /erasures until its entry is completed. Idempotent: a repeat while one runs joins it, a ' +
        'later one finds nothing more to erase.',
      params: ContactParamsSchema,
      query: EraseContactQuerySchema,
      responses: {
        200: { description: 'Erased', schema: ErasureSchema },
        202: { description: 'Erasing; repeat the request to learn when it is done', schema: ErasureSchema },
      },
      async handle({ params, query }, { log }) {
        const key = contactKey(params.phone, deps.indexPhone);
        // The workflow gets the key alone; the number waits in the records database until the erasure completes.
        await deps.records.lifecycle.holdContact(key, params.phone);
        const input: ContactErasureInput = {
          contactKey: key,
          requestedBy: query.operator,
          reason: query.reason ?? null,
          requestedAt: new Date().toISOString(),
        };
        const handle = await deps.temporal.workflow
          .start('contactErasure', {
            taskQueue: deps.taskQueue,
            workflowId: erasureWorkflowId(key),
            args: [input],
            workflowIdConflictPolicy: 'USE_EXISTING',
            workflowIdReusePolicy: 'ALLOW_DUPLICATE',
          })
          .catch(async (err: unknown) => {
            await deps.records.lifecycle.releaseContact(key); // no erasure will release the number it held
            throw err;
          });
        const runId = handle.firstExecutionRunId;
        log.info({ contactKey: key, operator: query.operator, erasureId: runId }, 'erasure requested');
        let result: ContactErasureResult;
        try {
          const h = deps.temporal.workflow.getHandle(handle.workflowId, runId);
          result = await deps.temporal.withDeadline(
            Date.now() + waitMs,
            () => h.result() as Promise<ContactErasureResult>,
          );
        } catch (err) {
          // The erasure failed: say so. Anything else ended the wait, not the erasure, which runs on durably (it was
          // started above): the wait's deadline (the client wraps its gRPC error in its own, the cause;
          // isGrpcDeadlineError looks through it), or Temporal unreachable for a moment. 202 either way: GET
          // /erasures says when it is done, and repeating the request joins it.
          if (err instanceof WorkflowFailedError) throw err;
          if (!isGrpcDeadlineError(err))
            log.warn({ err, erasureId: runId }, 'waiting for an erasure failed; it runs on');
          const { requestedBy, requestedAt } = input;
          const pending = { contactKey: key, requestedBy, requestedAt, completedAt: null, erased: null };
          return { status: 202, body: { erasureId: runId, state: 'in-progress', ...pending } };
        }
        log.info({ contactKey: key, erasureId: runId, erased: result.erased }, 'erasure completed');
        return { status: 200, body: { ...result, state: 'completed' } };
      },
    }),
    defineOperation({
      operationId: 'listErasures',
      method: 'get',
      path: '/erasures',
      tag: 'contacts',
      summary: 'The erasure audit',
      description:
        'Every erasure requested, newest first: who asked, when, the hash of the number (see `contactKey`), and ' +
        'how much went. `completedAt` is null while one runs.',
      query: ErasureListQuerySchema,
      responses: { 200: { description: 'The latest erasures', schema: ErasureListSchema } },
      async handle({ query }) {
        return { status: 200, body: { erasures: await deps.records.lifecycle.erasures(query.limit) } };
      },
    }),
  ];
}
