/**
 * The data-lifecycle workflows on Temporal's time-skipping test server, with their real activities on memory stores
 * and a Temporal stand-in for the conversations: an erasure whose step fails (the database is down) resumes where it
 * stopped and completes its audit entry; the purge deletes what is older than the retention period, counted from the
 * workflow's own clock.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createLifecycleActivities } from '../../activities';
import { createMemoryMediaStore } from '../../media/store';
import { createMemoryRecordStore, type RecordStore } from '../../records';
import type { contactErasure } from '../../workflows/data-lifecycle';
import { erasureSweepWorkflowId, erasureWorkflowId } from '../../workflows/ids';
import { createTimeSkippingEnv, uniqueTaskQueue, workflowSource } from '../helpers/temporal';
import { makeRecord } from '../records/helpers/records';

const ADA = '+19195550123';
const DAY_MS = 86_400_000;

/** No conversations to find: visibility lists none, and the records' conversations are gone already. */
const noConversations = {
  options: { namespace: 'default' },
  workflow: {
    list: async function* () {},
    getHandle: (id: string) => ({
      describe: () => Promise.reject(new WorkflowNotFoundError('workflow not found', id, undefined)),
    }),
  },
} as unknown as Client;

describe('the data-lifecycle workflows', () => {
  let env: TestWorkflowEnvironment;
  let records: RecordStore;
  let failuresLeft = 0;
  const taskQueue = uniqueTaskQueue('data-lifecycle');
  let worker: Worker;
  let running: Promise<void>;

  before(async () => {
    env = await createTimeSkippingEnv();
    records = createMemoryRecordStore();
    const real = createLifecycleActivities({
      records,
      mediaStore: createMemoryMediaStore(),
      temporal: noConversations,
    });
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      ...workflowSource(),
      activities: {
        ...real,
        // The database is down for the first attempts of this step.
        async eraseContactRecords(input: { contactKey: string }) {
          if (failuresLeft > 0) {
            failuresLeft--;
            throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
          }
          return real.eraseContactRecords(input);
        },
      },
    });
    running = worker.run();
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await records?.close();
    await env?.teardown();
  });

  it('resumes an erasure whose step failed, and completes its audit entry', async () => {
    await records.append([makeRecord({ messageId: 'ada-1', participants: [ADA], from: ADA })]);
    await records.lifecycle.holdContact('sha256:ada', ADA);
    failuresLeft = 2;
    const result = await env.client.workflow.execute<typeof contactErasure>('contactErasure', {
      taskQueue,
      workflowId: erasureWorkflowId('sha256:ada'),
      args: [{ contactKey: 'sha256:ada', requestedBy: 'Grace', reason: null, requestedAt: '2025-06-20T16:00:00Z' }],
    });
    assert.equal(failuresLeft, 0, 'the failed step was tried again');
    assert.equal(result.erased.records, 1);
    assert.deepEqual((await records.search({ participant: ADA })).records, []);
    const [entry] = await records.lifecycle.erasures();
    assert.deepEqual([entry?.requestedBy, entry?.erased?.records, typeof entry?.completedAt], ['Grace', 1, 'string']);

    // A delivery receipt for a message sent to her before the erasure arrives afterwards and is recorded: the late
    // sweep, a day later, erases it too, and only then is the number forgotten.
    assert.equal(await records.lifecycle.heldContact('sha256:ada'), ADA, 'held for the late sweep');
    await records.append([makeRecord({ messageId: 'ada-late-receipt', participants: [ADA] })]);
    await env.client.workflow.getHandle(erasureSweepWorkflowId('sha256:ada')).result();
    assert.deepEqual((await records.search({ participant: ADA })).records, []);
    assert.equal(await records.lifecycle.heldContact('sha256:ada'), null, 'the number is released');
  });

  it('purges what is older than the retention period on the workflow clock', async () => {
    const now = await env.currentTimeMs();
    await records.append([
      makeRecord({ messageId: 'aged', eventTime: new Date(now - 40 * DAY_MS).toISOString() }),
      makeRecord({ messageId: 'young', eventTime: new Date(now - 20 * DAY_MS).toISOString() }),
    ]);
    const result = (await env.client.workflow.execute('recordsPurge', {
      taskQueue,
      workflowId: 'records-purge-test',
      args: [{ retentionDays: 30 }],
    })) as { records: number };
    assert.equal(result.records, 1);
    assert.deepEqual(
      (await records.search({})).records.map((r) => r.messageId),
      ['young'],
    );
  });
});
