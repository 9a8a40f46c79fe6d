/**
 * The behaviour every backend's send intents must have (records/send-intent.ts): what makes sending exactly-once
 * across crashes. Each backend's test file calls {@link describeSendIntentContract} once.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { RecordInputError, type RecordStore, type SendIntentInput, type SendIntents } from '../../../records';
import { encodeTag, sendIntentKey } from '../../../workflows/ids';
import type { Backend } from './backends';
import { makeRecord } from './records';

const CONVERSATION = 'sms:+19195550100:+19195550123';
const RUN = '5f1c2f0e-7a43-4b53-9d0a-0c6e1e2d3f4a';

function intentInput(sendId: string, overrides: Partial<SendIntentInput> = {}): SendIntentInput {
  return {
    key: sendIntentKey(RUN, sendId),
    conversationId: CONVERSATION,
    tag: encodeTag({ conversationId: CONVERSATION, sendId, trackDelivery: true }),
    from: '+19195550100',
    to: ['+19195550123'],
    ...overrides,
  };
}

const accepted = (messageId: string) => ({
  messageId,
  segmentCount: 2,
  time: '2025-06-20T16:00:01.000000Z',
});

/** A status callback's record for a message that carries the send's tag, as the webhook server keeps it. */
const deliveredRecord = (messageId: string, tag: string, eventTime: string) =>
  makeRecord({
    kind: 'status',
    messageId,
    eventType: 'message-delivered',
    direction: 'out',
    from: '+19195550100',
    to: ['+19195550123'],
    recipient: '+19195550123',
    text: null,
    segmentCount: 1,
    tag,
    eventTime,
    raw: { type: 'message-delivered', message: { id: messageId, tag } },
  });

export function describeSendIntentContract(backend: Backend): void {
  void describe(`send intents on ${backend.name}`, () => {
    let started: Promise<void> | undefined;
    after(async () => {
      if (started === undefined) return;
      await started.catch(() => undefined);
      await backend.stop();
    });

    async function withIntents(work: (intents: SendIntents, store: RecordStore) => Promise<void>) {
      await (started ??= backend.start());
      const db = await backend.createDatabase();
      const store = await db.open();
      try {
        await work(store.sendIntents, store);
      } finally {
        await store.close();
        await db.drop();
      }
    }

    void it('opens an intent once: a second execution of the send finds the first one as it was left', () =>
      withIntents(async (intents) => {
        const first = await intents.open(intentInput('s1'));
        assert.equal(first.state, 'not-sent');
        assert.equal(first.attempts, 0);
        assert.deepEqual(first.to, ['+19195550123']);
        const attempted = await intents.attempt(first.key);
        assert.equal(attempted.state, 'attempting');
        assert.equal(attempted.attempts, 1);
        const again = await intents.open(intentInput('s1', { to: ['+19195550199'] }));
        assert.equal(again.state, 'attempting', 'the stored intent, unchanged');
        assert.deepEqual(again.to, ['+19195550123']);
        assert.equal(again.createdAt, first.createdAt);
      }));

    void it('opens a new intent with its first attempt begun, in one statement; an existing one comes back as it was', () =>
      withIntents(async (intents) => {
        const first = await intents.openAttempting(intentInput('s1'));
        assert.equal(first.created, true);
        assert.equal(first.intent.state, 'attempting');
        assert.equal(first.intent.attempts, 1);
        assert.equal(first.intent.attemptedAt, first.intent.createdAt);
        const again = await intents.openAttempting(intentInput('s1', { to: ['+19195550199'] }));
        assert.equal(again.created, false, 'the send executed again: nothing written');
        assert.deepEqual(again.intent, first.intent);
        const opened = await intents.open(intentInput('s2'));
        const after = await intents.openAttempting(intentInput('s2'));
        assert.deepEqual([after.created, after.intent.state, after.intent.attempts], [false, 'not-sent', 0]);
        assert.equal(after.intent.createdAt, opened.createdAt);
      }));

    void it('keeps the accepted message of a send, which no later attempt or failure can undo', () =>
      withIntents(async (intents) => {
        const { key } = await intents.open(intentInput('s1'));
        await intents.attempt(key);
        assert.equal(await intents.settle(key, { state: 'accepted', accepted: accepted('msg-1') }), true);
        await intents.settle(key, { state: 'not-sent' });
        const after = await intents.attempt(key);
        assert.equal(after.state, 'accepted');
        assert.deepEqual(after.accepted, accepted('msg-1'));
        assert.equal(after.attempts, 1);
        assert.equal(await intents.settle(key, { state: 'accepted', accepted: accepted('msg-1') }), true, 'idempotent');
      }));

    void it('gives a message to one send only: a second send cannot claim it', () =>
      withIntents(async (intents) => {
        const one = await intents.open(intentInput('s1'));
        const two = await intents.open(intentInput('s2'));
        assert.equal(await intents.settle(one.key, { state: 'accepted', accepted: accepted('msg-1') }), true);
        assert.equal(await intents.settle(two.key, { state: 'accepted', accepted: accepted('msg-1') }), false);
        assert.equal((await intents.open(intentInput('s2'))).state, 'not-sent');
        assert.deepEqual([...(await intents.owned(['msg-1', 'msg-2']))], ['msg-1']);
        assert.deepEqual([...(await intents.owned([]))], []);
      }));

    void it('finds proof of a send in the records: a status callback with its tag that no other send owns', () =>
      withIntents(async (intents, store) => {
        const intent = await intents.attempt((await intents.open(intentInput('s3'))).key);
        const since = '2025-06-20T16:00:00.000000Z';
        assert.equal(await intents.provenByRecords(intent, since), null, 'nothing recorded yet');
        await store.append([
          deliveredRecord('msg-old', intent.tag, '2025-06-20T15:00:00.000Z'), // before the intent: another send
          deliveredRecord('msg-other-tag', intentInput('s4').tag, '2025-06-20T16:00:05.000Z'),
        ]);
        assert.equal(await intents.provenByRecords(intent, since), null);
        await store.append([deliveredRecord('msg-3', intent.tag, '2025-06-20T16:00:06.000Z')]);
        assert.deepEqual(await intents.provenByRecords(intent, since), {
          messageId: 'msg-3',
          segmentCount: 1,
          time: '2025-06-20T16:00:06.000000Z',
        });
        const owner = await intents.open(intentInput('s9'));
        await intents.settle(owner.key, { state: 'accepted', accepted: accepted('msg-3') });
        assert.equal(await intents.provenByRecords(intent, since), null, 'owned by another send: no proof');
      }));

    void it('refuses an intent without a key, tag, sender or recipient', () =>
      withIntents(async (intents) => {
        await assert.rejects(intents.open(intentInput('s1', { key: '' })), RecordInputError);
        await assert.rejects(intents.open(intentInput('s1', { to: [] })), RecordInputError);
      }));
  });
}
