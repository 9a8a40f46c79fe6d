/**
 * Retention and erasure, end to end on a real Temporal server with the whole stack (emulator, webhook server, worker,
 * SQLite records): the records-purge schedule exists once the stack has started and its purge deletes records older
 * than RECORDS_RETENTION_DAYS; a person who texted is erased through the operator API, and afterwards nothing of them
 * is found (records, export, conversation histories), their running conversation has ended, the audit has the
 * erasure, and their STOP is still honoured.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowNotFoundError } from '@temporalio/client';
import { type Stack } from '../../stack';
import { contactKey } from '../../server/operator/contact-operations';
import { ensureRecordsPurgeSchedule } from '../../worker/records-purge-schedule';
import { conversationId, erasureWorkflowId, RECORDS_PURGE_SCHEDULE_ID } from '../../workflows/ids';
import { eventually } from '../helpers/eventually';
import { handsetInbox, handsetText } from '../helpers/handsets';
import { startTestStack } from '../helpers/stack';
import { makeRecord } from '../records/helpers/records';

const OUR = '+19195550100';
const ADA = '+19195550431';
const BO = '+19195550432';
const DAY_MS = 86_400_000;

describe('retention and erasure', () => {
  let stack: Stack;
  let taskQueue: string;

  const operator = (method: string, p: string, body?: unknown) =>
    fetch(`${stack.serverUrl}/api/v1${p}`, {
      method,
      headers: {
        authorization: `Bearer ${stack.operatorToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  before(async () => {
    ({ stack, taskQueue } = await startTestStack('erasure-e2e', {
      THREADLINE_DEFAULT_BOT: 'greeterBot',
      RECORDS_RETENTION_DAYS: '30',
      LOG_LEVEL: 'silent',
    }));
  });
  after(async () => {
    await stack?.client.schedule
      .getHandle(RECORDS_PURGE_SCHEDULE_ID)
      .delete()
      .catch(() => undefined);
    await stack?.stop();
  });

  it('keeps a records-purge schedule whose purge deletes the records older than the retention period', async () => {
    const schedule = stack.client.schedule.getHandle(RECORDS_PURGE_SCHEDULE_ID);
    const described = await schedule.describe();
    assert.equal(described.action.workflowType, 'recordsPurge');
    assert.equal(described.action.taskQueue, taskQueue);
    assert.deepEqual(described.action.args, [{ retentionDays: 30 }]);
    assert.deepEqual(
      described.spec.intervals?.map((i) => i.every),
      [3_600_000],
    );

    const now = Date.now();
    await stack.records.append([
      makeRecord({
        messageId: 'aged',
        participants: ['+19195550499'],
        eventTime: new Date(now - 40 * DAY_MS).toISOString(),
      }),
      makeRecord({
        messageId: 'young',
        participants: ['+19195550499'],
        eventTime: new Date(now - 20 * DAY_MS).toISOString(),
      }),
    ]);
    await schedule.trigger();
    await eventually(async () => {
      const left = (await stack.records.search({ participant: '+19195550499' })).records.map((r) => r.messageId);
      assert.deepEqual(left, ['young']);
    });

    // Starting again with another period updates the schedule; without one, it is deleted (records kept forever).
    assert.equal(await ensureRecordsPurgeSchedule(stack.client, { taskQueue, retentionDays: 7 }), 'updated');
    assert.deepEqual((await schedule.describe()).action.args, [{ retentionDays: 7 }]);
    assert.equal(await ensureRecordsPurgeSchedule(stack.client, { taskQueue, retentionDays: null }), 'deleted');
    assert.equal(await ensureRecordsPurgeSchedule(stack.client, { taskQueue, retentionDays: null }), 'none');
    assert.equal(await ensureRecordsPurgeSchedule(stack.client, { taskQueue, retentionDays: 30 }), 'created');
  });

  it('erases a person: records, export and histories find nothing, the running conversation ends, STOP holds', async () => {
    const id = conversationId({ ourNumber: OUR, participants: [ADA] });
    const conversation = () => stack.client.workflow.getHandle(id);

    // Ada's first conversation: the greeter asks her name, she answers, it greets her and ends.
    await handsetText(stack.emulatorUrl!, ADA, OUR, 'hi');
    await eventually(async () => assert.equal((await handsetInbox(stack.emulatorUrl!, ADA)).length, 1));
    await handsetText(stack.emulatorUrl!, ADA, OUR, 'Ada');
    const closed = await eventually(async () => {
      const d = await conversation().describe();
      assert.equal(d.status.name, 'COMPLETED');
      return d.runId;
    });
    // Her second is running: the greeter waits for her name.
    await handsetText(stack.emulatorUrl!, ADA, OUR, 'hello again');
    const running = await eventually(async () => {
      const d = await conversation().describe();
      assert.equal(d.status.name, 'RUNNING');
      assert.notEqual(d.runId, closed);
      assert.equal((await handsetInbox(stack.emulatorUrl!, ADA)).length, 3);
      return d.runId;
    });
    // Bo texts too; his conversation is not Ada's business.
    await handsetText(stack.emulatorUrl!, BO, OUR, 'hi');
    await eventually(async () => assert.equal((await handsetInbox(stack.emulatorUrl!, BO)).length, 1));
    // Ada asked, by phone, to get no more texts.
    const optOut = await operator('POST', '/opt-outs', {
      contact: ADA,
      operator: 'Grace',
      reason: 'Ada called: no more texts, and forget me',
    });
    assert.equal(optOut.status, 201, await optOut.text());
    assert.ok((await stack.records.search({ participant: ADA })).records.length >= 6);

    // 200 when it is done within the request's wait, else 202 while it runs (Temporal deletes histories
    // asynchronously): then the audit entry says when it completed and what it erased.
    const erase = await operator('DELETE', `/contacts/${encodeURIComponent(ADA)}?operator=Grace&reason=ticket-4711`);
    const first = await erase.text();
    assert.ok([200, 202].includes(erase.status), first);
    const { erasureId } = JSON.parse(first) as { erasureId: string };
    const answer =
      erase.status === 200
        ? first
        : await eventually(
            async () => {
              const audit = (await (await operator('GET', '/erasures')).json()) as {
                erasures: { id: string; completedAt: string | null }[];
              };
              const entry = audit.erasures.find((e) => e.id === erasureId);
              assert.ok(entry?.completedAt, JSON.stringify(entry));
              return JSON.stringify({ ...entry, erasureId, state: 'completed' });
            },
            { timeoutMs: 120_000, intervalMs: 500 },
          );
    assert.ok(!answer.includes(ADA.slice(1)), 'the answer never holds the number');
    const erasure = JSON.parse(answer) as { erasureId: string; state: string; erased: Record<string, number> };
    assert.equal(erasure.state, 'completed');
    assert.equal(erasure.erased.conversationsEnded, 1);
    assert.equal(erasure.erased.historiesDeleted, 2);
    assert.equal(erasure.erased.optOutsKept, 1);
    assert.ok(erasure.erased.records! >= 6, answer);

    // The records search and export find nothing of Ada; Bo's are still there.
    const search = (await (await operator('GET', `/records?participant=${encodeURIComponent(ADA)}`)).json()) as {
      records: unknown[];
    };
    assert.deepEqual(search.records, []);
    const exported = await operator('GET', `/records/export?participant=${encodeURIComponent(ADA)}&format=jsonl`);
    assert.equal(exported.status, 200);
    assert.equal(await exported.text(), '');
    assert.ok((await stack.records.search({ participant: BO })).records.length > 0);

    // Both of her conversations are gone from Temporal, the running one ended without another word to her. The
    // erasure's own history holds her number's hash, never the number.
    for (const runId of [closed, running]) {
      await eventually(() =>
        assert.rejects(stack.client.workflow.getHandle(id, runId).describe(), WorkflowNotFoundError),
      );
    }
    const erasureHistory = await stack.client.workflow
      .getHandle(erasureWorkflowId(contactKey(ADA)), erasure.erasureId)
      .fetchHistory();
    const readable = JSON.stringify(erasureHistory, (_key, value: unknown) =>
      value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value,
    );
    assert.ok(readable.includes(contactKey(ADA)) && !readable.includes(ADA), "the erasure's history has only the hash");
    assert.equal((await handsetInbox(stack.emulatorUrl!, ADA)).length, 3);
    assert.equal(
      (await stack.client.workflow.getHandle(conversationId({ ourNumber: OUR, participants: [BO] })).describe()).status
        .name,
      'RUNNING',
    );

    // The audit: who, when, how much, under the number's hash.
    const audit = (await (await operator('GET', '/erasures')).json()) as {
      erasures: { id: string; contactKey: string; requestedBy: string; reason: string; completedAt: string | null }[];
    };
    const entry = audit.erasures.find((e) => e.id === erasure.erasureId);
    assert.deepEqual(
      [entry?.contactKey, entry?.requestedBy, entry?.reason, typeof entry?.completedAt],
      [contactKey(ADA), 'Grace', 'ticket-4711', 'string'],
    );

    // The ledger keeps her STOP, with nothing else: no operator, no reason; nothing is sent to her.
    const ledger = (await (
      await operator('GET', `/opt-outs/${encodeURIComponent(`number:${OUR}`)}/${encodeURIComponent(ADA)}`)
    ).json()) as {
      optedOut: boolean;
      history: { actor: string | null; reason: string | null; messageId: string | null }[];
    };
    assert.equal(ledger.optedOut, true);
    assert.deepEqual(
      ledger.history.map((c) => [c.actor, c.reason, c.messageId]),
      [[null, null, null]],
    );
    const start = await operator('POST', '/conversations', { participants: [ADA], opening: { text: 'Hello?' } });
    assert.equal(start.status, 409, await start.text());

    // Asking again is harmless: nothing more to erase.
    const again = await operator('DELETE', `/contacts/${encodeURIComponent(ADA)}?operator=Grace`);
    assert.equal(again.status, 200);
    const repeat = (await again.json()) as { erasureId: string; erased: Record<string, number> };
    assert.notEqual(repeat.erasureId, erasure.erasureId);
    assert.deepEqual([repeat.erased.records, repeat.erased.conversationsEnded, repeat.erased.optOutsKept], [0, 0, 1]);
  });
});
