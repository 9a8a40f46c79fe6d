/**
 * Exactly-once sending, execution by execution: the send activity run again for the same send (its workflow task
 * never completed: the worker died, or the Temporal server lost the task) finds the send intent an earlier execution
 * left, against the local emulator and a real records store. Every test counts what the handset received.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import {
  createSendMessage,
  type SendMessageDeps,
  type SendMessageInput,
  type SendMessageResult,
  type SendSettlement,
} from '../../activities/send-message';
import { BandwidthApiError, createBandwidthClient, type BandwidthClient } from '../../bandwidth/client';
import { createRecordStore, recordFromCallback, type RecordStore } from '../../records';
import { SendFailureType } from '../../workflows/activity-failures';
import { encodeTag, sendIntentKey } from '../../workflows/ids';
import { api, DEFAULTS, startEmulator, type Running } from '../emulator/helpers';
import { createTimeSkippingEnv, uniqueTaskQueue } from '../helpers/temporal';
import { transcriptQuery } from '../../workflows/messages';
import { handsetInbox } from '../helpers/handsets';
import { testBots } from '../helpers/test-bots';

const OURS = DEFAULTS.number;
const RUN = '0b6f8a52-2c55-4c8e-9f0e-3f5d1c2b7a91';
let handsets = 0;

describe('a send executed again', () => {
  let running: Running;
  let bandwidth: BandwidthClient;
  let records: RecordStore;

  before(async () => {
    running = await startEmulator();
    bandwidth = createBandwidthClient({
      baseUrl: `${running.url}/api/v2`,
      accountId: DEFAULTS.accountId,
      auth: { kind: 'basic', username: DEFAULTS.username!, password: DEFAULTS.password! },
    });
  });
  after(async () => {
    await running?.close();
  });

  /** A fresh handset, records store and send for one test; `sendMessage` is a new activity instance per call. */
  async function scenario(overrides: Partial<SendMessageDeps> = {}) {
    handsets += 1;
    const phone = `+1919555${String(7000 + handsets)}`;
    const conversationId = `sms:${OURS}:${phone}`;
    records = await createRecordStore({ memory: true });
    const settled: SendSettlement[] = [];
    const input: SendMessageInput = {
      from: OURS,
      to: [phone],
      text: `Your table for ${handsets} is ready`,
      tag: encodeTag({ conversationId, sendId: 's1', trackDelivery: true }),
      intentKey: sendIntentKey(RUN, `${handsets}-s1`),
    };
    const deps: SendMessageDeps = {
      bandwidth,
      applicationId: DEFAULTS.applicationId,
      intents: records.sendIntents,
      onSettled: (how) => settled.push(how),
      ...overrides,
    };
    const execute = (more: Partial<SendMessageDeps> = {}) =>
      createSendMessage({ ...deps, ...more }).sendMessage(input) as Promise<SendMessageResult>; // no rates: never deferred
    const inbox = async () => (await handsetInbox(running.url, phone)).map((m) => m.messageId);
    /** What a crashed execution leaves behind: an attempt begun, and maybe a message Bandwidth accepted. */
    const crashedAttempt = async (reachedBandwidth: boolean) => {
      await records.sendIntents.open({
        key: input.intentKey!,
        conversationId,
        tag: input.tag,
        from: OURS,
        to: [phone],
      });
      await records.sendIntents.attempt(input.intentKey!);
      if (!reachedBandwidth) return null;
      const message = await bandwidth.createMessage({ ...input, applicationId: DEFAULTS.applicationId });
      return message.id;
    };
    return { phone, conversationId, input, execute, inbox, crashedAttempt, settled };
  }

  it('after Bandwidth accepted it and the outcome was recorded, reuses the message and sends nothing', async () => {
    const s = await scenario();
    const first = await s.execute();
    const second = await s.execute();
    assert.deepEqual(second, first);
    assert.deepEqual(s.settled, ['reused']);
    assert.deepEqual(await s.inbox(), [first.messageId], 'the handset got it once');
  });

  it('after the process died between settling the intent and recording the message, records it, sending nothing', async () => {
    const s = await scenario();
    // The first execution settles the intent accepted, then dies before its record is written.
    const killed = new Error('SIGKILL before the record');
    await assert.rejects(
      s.execute({
        onSent: () => Promise.reject(killed),
      }),
      killed,
    );
    const recorded: string[] = [];
    const again = await s.execute({
      onSent: (_input, result) => {
        recorded.push(result.messageId);
        return Promise.resolve();
      },
    });
    assert.deepEqual(s.settled, ['reused']);
    assert.deepEqual(recorded, [again.messageId], 'the message is recorded by the execution that found it accepted');
    assert.deepEqual(await s.inbox(), [again.messageId], 'the handset got it once');
  });

  it('after the process died with the message accepted, is proven by a status callback in the records', async () => {
    const s = await scenario();
    const messageId = await s.crashedAttempt(true);
    // The webhook server recorded the delivery callback, as it does for every callback.
    await running.sink.waitFor((events) =>
      events.some((e) => e.type === 'message-delivered' && (e.message as { id: string }).id === messageId),
    );
    const callback = running.sink
      .events()
      .find((e) => e.type === 'message-delivered' && (e.message as { id: string }).id === messageId)!;
    await records.append([recordFromCallback(callback as never, { conversationId: s.conversationId })]);

    const result = await s.execute();
    assert.equal(result.messageId, messageId);
    assert.deepEqual(s.settled, ['proven-by-records']);
    assert.deepEqual(await s.inbox(), [messageId], 'nothing sent again');
    assert.equal((await s.execute()).messageId, messageId, 'and from then on it is simply reused');
  });

  it('after the process died with the message accepted and no callback yet, is proven by message search', async () => {
    const s = await scenario();
    const messageId = await s.crashedAttempt(true);
    const result = await s.execute();
    assert.equal(result.messageId, messageId);
    assert.deepEqual(s.settled, ['proven-by-search']);
    assert.deepEqual(await s.inbox(), [messageId]);
  });

  it('after the process died before reaching Bandwidth, waits for proof, then sends it once', async () => {
    const s = await scenario();
    await s.crashedAttempt(false);
    await assert.rejects(s.execute({ proofWaitMs: 60_000 }), (err: ApplicationFailure) => {
      assert.equal(err.type, SendFailureType.ProofPending);
      assert.equal(err.nonRetryable, false, 'retried: the next attempt looks again');
      return true;
    });
    assert.deepEqual(await s.inbox(), [], 'nothing sent while the wait runs');
    const result = await s.execute({ proofWaitMs: 0 });
    assert.deepEqual(s.settled, ['resent']);
    assert.deepEqual(await s.inbox(), [result.messageId]);
  });

  it('when message search refuses to answer, reports the outcome unknown rather than risk a second copy', async () => {
    const blind: BandwidthClient = {
      ...bandwidth,
      createMessage: (request) => bandwidth.createMessage(request),
      findSentMessages: () =>
        Promise.reject(new BandwidthApiError('Bandwidth message search failed with 403', 'rejected', 403, null)),
    };
    const s = await scenario({ bandwidth: blind, proofWaitMs: 0 });
    await s.crashedAttempt(false);
    await assert.rejects(s.execute(), (err: ApplicationFailure) => {
      assert.equal(err.type, SendFailureType.OutcomeUnknown);
      assert.equal(err.nonRetryable, true);
      assert.match(err.message, /message search refused \(Bandwidth message search failed with 403\)/);
      return true;
    });
    assert.deepEqual(await s.inbox(), []);
  });

  it('when message search is down, keeps looking after the proof wait instead of giving up', async () => {
    let searchDown = true;
    const flaky: BandwidthClient = {
      ...bandwidth,
      createMessage: (request) => bandwidth.createMessage(request),
      findSentMessages: (query) =>
        searchDown
          ? Promise.reject(
              new BandwidthApiError('Bandwidth message search failed: ECONNREFUSED', 'not-sent', null, null),
            )
          : bandwidth.findSentMessages(query),
    };
    const s = await scenario({ bandwidth: flaky, proofWaitMs: 0 });
    const messageId = await s.crashedAttempt(true);
    await assert.rejects(s.execute(), (err: ApplicationFailure) => {
      assert.equal(err.type, SendFailureType.ProofPending);
      assert.equal(err.nonRetryable, false);
      return true;
    });
    searchDown = false; // Bandwidth is back: the next attempt finds the message the crashed one sent
    assert.equal((await s.execute()).messageId, messageId);
    assert.deepEqual(await s.inbox(), [messageId]);
  });

  it('when the answer to an accepted message is lost, fails retryably and the next attempt proves it', async () => {
    const answerLost: BandwidthClient = {
      ...bandwidth,
      async createMessage(request) {
        await bandwidth.createMessage(request);
        throw new BandwidthApiError('Bandwidth create message failed: ECONNRESET', 'unknown', null, null);
      },
    };
    const s = await scenario({ bandwidth: answerLost });
    await assert.rejects(s.execute(), (err: ApplicationFailure) => err.type === SendFailureType.ProofPending);
    const result = await s.execute();
    assert.deepEqual(s.settled, ['proven-by-search']);
    assert.deepEqual(await s.inbox(), [result.messageId], 'one copy');
  });

  it("never takes another send's message as proof, even with the same text to the same phone", async () => {
    const s = await scenario({ proofWaitMs: 0 });
    const earlier = (await createSendMessage({
      bandwidth,
      applicationId: DEFAULTS.applicationId,
      intents: records.sendIntents,
    }).sendMessage({
      ...s.input,
      intentKey: sendIntentKey(RUN, `${handsets}-s0`),
      tag: encodeTag({ conversationId: s.conversationId, sendId: 's0', trackDelivery: true }),
    })) as SendMessageResult;
    await s.crashedAttempt(false);
    const result = await s.execute();
    assert.notEqual(result.messageId, earlier.messageId);
    assert.deepEqual(s.settled, ['resent']);
    assert.deepEqual(await s.inbox(), [earlier.messageId, result.messageId]);
  });

  it('without an intent key sends at most once, as before: an unknown outcome is reported, not retried', async () => {
    const answerLost: BandwidthClient = {
      ...bandwidth,
      createMessage: () => Promise.reject(new BandwidthApiError('socket hang up', 'unknown', null, null)),
    };
    const s = await scenario({ bandwidth: answerLost });
    await assert.rejects(
      createSendMessage({ bandwidth: answerLost, applicationId: 'app', intents: records.sendIntents }).sendMessage({
        ...s.input,
        intentKey: undefined,
      }),
      (err: ApplicationFailure) => err.type === SendFailureType.OutcomeUnknown && err.nonRetryable,
    );
  });
});

describe('a conversation whose send is answered by nothing', () => {
  let env: TestWorkflowEnvironment;
  let running: Running;

  before(async () => {
    env = await createTimeSkippingEnv();
    running = await startEmulator();
  });
  after(async () => {
    await running?.close();
    await env?.teardown();
  });

  it('has the message Bandwidth accepted, once: the next attempt proves it by message search', async () => {
    // Bandwidth takes the message, then the connection drops before the 202 arrives.
    const patch = await api(running.url, '/emulator/settings', {
      method: 'PATCH',
      body: { apiFaults: { createMessage: { acceptThenTimeoutRate: 1, holdMs: 50 } } },
    });
    assert.equal(patch.status, 200, JSON.stringify(patch.body));
    const records = await createRecordStore({ memory: true });
    const phone = '+19195557900';
    const taskQueue = uniqueTaskQueue('exactly-once');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      ...(await testBots()),
      activities: createActivities({
        bandwidth: createBandwidthClient({
          baseUrl: `${running.url}/api/v2`,
          accountId: DEFAULTS.accountId,
          auth: { kind: 'basic', username: DEFAULTS.username!, password: DEFAULTS.password! },
        }),
        applicationId: DEFAULTS.applicationId,
        intents: records.sendIntents,
        records,
      }),
    });
    const start = {
      ourNumber: OURS,
      participants: [phone],
      searchAttributes: false,
      params: { sendWindow: 'any-time' },
    };
    const transcript = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('noticeBot', {
        workflowId: `notice-${phone}`,
        taskQueue,
        args: [start],
      });
      await handle.result();
      return handle.query(transcriptQuery);
    });
    const faults = await api<{ createMessage: { acceptThenTimeout: number } }>(running.url, '/emulator/faults');
    await api(running.url, '/emulator/settings', {
      method: 'PATCH',
      body: { apiFaults: { createMessage: { acceptThenTimeoutRate: 0 } } },
    });
    assert.equal(faults.body.createMessage.acceptThenTimeout, 1, 'one request, answered by nothing');
    const inbox = await handsetInbox(running.url, phone);
    assert.deepEqual(
      inbox.map((m) => m.text),
      ['Notice'],
      'the handset got it once',
    );
    assert.equal(transcript[0]?.status, 'accepted');
    assert.equal(transcript[0]?.messageId, inbox[0]!.messageId, 'the bot knows the message id Bandwidth gave it');
  });
});
