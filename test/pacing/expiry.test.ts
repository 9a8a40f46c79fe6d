/**
 * A paced send whose first attempt starts after its deadline (`notAfter`, a day after the conversation began to send
 * it) sends nothing and fails `SendExpired`, which the bot sees as `expired`, not "outcome unknown". A later attempt
 * follows one that may have reached Bandwidth, so it first settles what that one did, as any retry does; with send
 * intents it then sends nothing past the deadline either. When the server gave up on the activity altogether, the
 * conversation asks the send's intent what became of it (`pacedSendOutcome`). End to end through conversations:
 * test/system/paced-send-expiry.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities, type PacedSendOutcome, type SendMessageInput } from '../../activities';
import { BandwidthApiError, type SentMessageSummary } from '../../bandwidth/client';
import { createRecordStore, type RecordStore } from '../../records';
import { SendFailureType } from '../../workflows/activity-failures';
import { acceptingBandwidth, recording, sendLog, type SendLog } from './helpers';

const OUR = '+19195550100';

let records: RecordStore;
before(async () => {
  records = await createRecordStore({ memory: true });
});
after(async () => {
  await records.close();
});

/**
 * The worker's activities on the file's records, Bandwidth accepting everything into `log` and its message search
 * answering `search` (nothing, by default); with send intents unless `intents` is false.
 */
function activitiesOn(
  log: SendLog,
  options: { intents?: boolean; search?: () => Promise<SentMessageSummary[]>; proofWaitMs?: number } = {},
) {
  return createActivities({
    bandwidth: {
      ...recording(acceptingBandwidth(), log),
      findSentMessages: options.search ?? (() => Promise.resolve([])),
    },
    applicationId: 'app',
    records,
    ...(options.intents === false ? {} : { intents: records.sendIntents }),
    ...(options.proofWaitMs !== undefined ? { proofWaitMs: options.proofWaitMs } : {}),
  });
}

function pacedInput(notAfter: string): SendMessageInput {
  return { from: OUR, to: ['+19195557001'], text: 'Your table is ready', tag: 't', paced: true, notAfter };
}

describe('a paced send past its day', () => {
  /**
   * Runs the send activity as attempt `attempt` of a paced send due by `notAfter` (with send intents under
   * `intentKey` when given); what Bandwidth accepted is in `log`.
   */
  function sendPaced(attempt: number, notAfter: string, options: { intentKey?: string; intents?: boolean } = {}) {
    const log = sendLog();
    const activities = activitiesOn(log, { intents: options.intents ?? true });
    const sent = new MockActivityEnvironment({ attempt }).run(
      (input: SendMessageInput) => activities.sendMessage(input),
      { ...pacedInput(notAfter), ...(options.intentKey ? { intentKey: options.intentKey } : {}) },
    );
    return { log, sent };
  }

  async function expiredFailure(sent: Promise<unknown>): Promise<void> {
    const failure = await sent.then(
      () => assert.fail('a send past its deadline must not send'),
      (err: unknown) => err,
    );
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, SendFailureType.Expired);
    assert.equal(failure.nonRetryable, true);
  }

  it('sends nothing when its first attempt starts after the deadline, and fails SendExpired', async () => {
    const { log, sent } = sendPaced(1, new Date(Date.now() - 1000).toISOString());
    await expiredFailure(sent);
    assert.deepEqual(log.accepted, [], 'Bandwidth was never asked');
  });

  it('without send intents, goes on as any retry does when an earlier attempt was made: it may have reached Bandwidth', async () => {
    const { log, sent } = sendPaced(2, new Date(Date.now() - 1000).toISOString(), { intents: false });
    await sent;
    assert.equal(log.accepted.length, 1);
  });

  it('with send intents, a later attempt past the deadline sends nothing when no earlier one reached Bandwidth', async () => {
    const late = new Date(Date.now() - 1000).toISOString();
    // The earlier attempt was refused for certain (a 503, say): its intent says not sent.
    await records.sendIntents.openAttempting({
      key: 'run-1/s1',
      conversationId: null,
      tag: 't',
      from: OUR,
      to: ['+19195557001'],
    });
    await records.sendIntents.settle('run-1/s1', { state: 'not-sent' });
    const refused = sendPaced(2, late, { intentKey: 'run-1/s1' });
    await expiredFailure(refused.sent);
    // No earlier attempt wrote an intent at all (none began): nothing was sent either.
    const unbegun = sendPaced(3, late, { intentKey: 'run-1/s2' });
    await expiredFailure(unbegun.sent);
    assert.deepEqual([...refused.log.accepted, ...unbegun.log.accepted], [], 'Bandwidth was never asked');
    for (const key of ['run-1/s1', 'run-1/s2']) {
      const intent = await records.sendIntents.open({
        key,
        conversationId: null,
        tag: 't',
        from: OUR,
        to: ['+19195557001'],
      });
      assert.equal(intent.state, 'not-sent', key);
    }
  });

  it('with send intents, a later attempt past the deadline reuses the message an earlier one got accepted', async () => {
    const key = 'run-1/s3';
    await records.sendIntents.openAttempting({ key, conversationId: null, tag: 't', from: OUR, to: ['+19195557001'] });
    const accepted = { messageId: 'msg-accepted-before', segmentCount: 1, time: '2026-11-30T10:00:00.000Z' };
    await records.sendIntents.settle(key, { state: 'accepted', accepted });
    const { log, sent } = sendPaced(2, new Date(Date.now() - 1000).toISOString(), { intentKey: key });
    assert.equal(((await sent) as { messageId: string }).messageId, 'msg-accepted-before');
    assert.deepEqual(log.accepted, [], 'nothing sent again');
  });

  it('sends as usual before the deadline', async () => {
    const { log, sent } = sendPaced(1, new Date(Date.now() + 60_000).toISOString());
    await sent;
    assert.equal(log.accepted.length, 1);
  });
});

describe('a paced send whose activity ran out of time: what its intent says', () => {
  /** `pacedSendOutcome` for `input`; `search` is what Bandwidth's message search answers (nothing, by default). */
  function outcome(input: SendMessageInput, options: Parameters<typeof activitiesOn>[1] = {}) {
    const activities = activitiesOn(sendLog(), options);
    const run = (i: SendMessageInput) => activities.pacedSendOutcome(i);
    return new MockActivityEnvironment().run<[SendMessageInput], PacedSendOutcome, typeof run>(run, input);
  }
  const input = (intentKey: string) => ({ ...pacedInput(new Date().toISOString()), intentKey });
  const intentOf = (key: string) => ({ key, conversationId: null, tag: 't', from: OUR, to: ['+19195557001'] });

  it('not sent, when no attempt began; and the intent it writes stops any attempt still to come', async () => {
    assert.deepEqual(await outcome(input('run-2/s1')), { state: 'not-sent' });
    const { intent, created } = await records.sendIntents.openAttempting(intentOf('run-2/s1'));
    assert.equal(created, false, 'a stray first attempt finds the intent, settled not sent');
    assert.equal(intent.state, 'not-sent');
  });

  it('not sent, when every attempt was refused for certain', async () => {
    await records.sendIntents.openAttempting(intentOf('run-2/s2'));
    await records.sendIntents.settle('run-2/s2', { state: 'not-sent' });
    assert.deepEqual(await outcome(input('run-2/s2')), { state: 'not-sent' });
  });

  it('accepted, with the message, when an attempt got it accepted and its answer was lost', async () => {
    await records.sendIntents.openAttempting(intentOf('run-2/s3'));
    const accepted = { messageId: 'msg-lost-answer', segmentCount: 2, time: '2026-11-30T10:00:00.000Z' };
    await records.sendIntents.settle('run-2/s3', { state: 'accepted', accepted });
    assert.deepEqual(await outcome(input('run-2/s3')), { state: 'accepted', result: accepted });
  });

  it("accepted, when an attempt began unsettled and Bandwidth's message search shows the message", async () => {
    await records.sendIntents.openAttempting(intentOf('run-2/s6'));
    const found: SentMessageSummary = {
      messageId: 'msg-found-by-search',
      destinationTn: '+19195557001',
      receiveTime: new Date().toISOString(),
      segmentCount: 1,
      messageLength: [...'Your table is ready'].length,
      attachmentCount: 0,
    };
    const answer = await outcome(input('run-2/s6'), { search: () => Promise.resolve([found]) });
    assert.equal(answer.state, 'accepted');
    assert.equal(answer.state === 'accepted' && answer.result.messageId, 'msg-found-by-search');
    const intent = await records.sendIntents.open(intentOf('run-2/s6'));
    assert.equal(intent.accepted?.messageId, 'msg-found-by-search', 'the intent owns the message now');
  });

  it('not sent, when an attempt began unsettled and search, asked after the proof wait, has no such message', async () => {
    await records.sendIntents.openAttempting(intentOf('run-2/s7'));
    assert.deepEqual(await outcome(input('run-2/s7'), { proofWaitMs: 0 }), { state: 'not-sent' });
    assert.equal((await records.sendIntents.open(intentOf('run-2/s7'))).state, 'not-sent');
  });

  it('unknown, when an attempt began unsettled and nothing proves either way, or with no send intents to ask', async () => {
    await records.sendIntents.openAttempting(intentOf('run-2/s4'));
    // Within the proof wait, search's silence proves nothing yet.
    assert.deepEqual(await outcome(input('run-2/s4')), { state: 'unknown' });
    // Search refused: its silence is no evidence.
    const refused = () =>
      Promise.reject(new BandwidthApiError('message search: 403 forbidden', 'rejected', 403, 'forbidden'));
    assert.deepEqual(await outcome(input('run-2/s4'), { search: refused, proofWaitMs: 0 }), { state: 'unknown' });
    assert.deepEqual(await outcome(input('run-2/s5'), { intents: false }), { state: 'unknown' });
  });
});
