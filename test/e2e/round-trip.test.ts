/**
 * The walking skeleton end to end, on a real Temporal dev server: a handset texts our number → the emulator's
 * `message-received` callback → the webhook server → signal-with-start → the greeter bot → the send activity →
 * the emulator's 202 → its `message-delivered` callback → recorded; the conversation hears of it with its next send,
 * or at once when the bot waits for it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CallbackBodySchema } from '../../bandwidth/schemas';
import { type Stack } from '../../stack';
import { conversationId } from '../../workflows/ids';
import { transcriptQuery, type TranscriptEntry } from '../../workflows/messages';
import { startTestStack } from '../helpers/stack';
import { eventually } from '../helpers/eventually';
import { handsetInbox, handsetText } from '../helpers/handsets';

const OUR = '+19195550100';
const ADA = '+19195550123';
const QUESTION = "Hi! I'm the Threadline greeter. What's your name?";

describe('a text in, a reply out, through a real Temporal server', () => {
  let stack: Stack;

  before(async () => {
    ({ stack } = await startTestStack('e2e'));
  });
  after(async () => {
    await stack?.stop();
  });

  const text = (from: string, body: string) => handsetText(stack.emulatorUrl!, from, OUR, body);
  const inbox = (phone: string) => handsetInbox(stack.emulatorUrl!, phone);

  it('answers a handset, records the delivery, and never answers a duplicated callback twice', async () => {
    const firstId = await text(ADA, 'hi');

    const received = await eventually(async () => {
      const messages = await inbox(ADA);
      assert.deepEqual(
        messages.map((m) => [m.text, m.status]),
        [[QUESTION, 'DELIVERED']],
      );
      return messages;
    });
    assert.equal(received[0]!.from, OUR);

    const id = conversationId({ ourNumber: OUR, participants: [ADA] });
    const handle = stack.client.workflow.getHandle(id);
    // Nobody waits for the question's receipt: it is recorded, and the conversation is not woken for it.
    await eventually(async () => {
      const { records } = await stack.records.search({ conversationId: id, status: 'delivered' });
      assert.deepEqual(
        records.map((r) => r.messageId),
        [received[0]!.messageId],
      );
    });
    const historyAfterQuestion = (await handle.fetchHistory()).events ?? [];
    assert.ok(
      !historyAfterQuestion.some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'deliveryStatus'),
      'no delivery signal while nobody waits for a receipt',
    );
    assert.equal((await handle.query(transcriptQuery))[1]?.status, 'accepted');

    // Bandwidth delivers callbacks at least once: the same message-received event arrives again.
    const duplicate = CallbackBodySchema.parse([
      {
        type: 'message-received',
        time: new Date().toISOString(),
        description: 'Incoming message received',
        to: OUR,
        message: {
          id: firstId,
          owner: OUR,
          applicationId: '93de2206-9669-4e07-948d-329f4b722ee2',
          time: new Date().toISOString(),
          segmentCount: 1,
          direction: 'in',
          to: [OUR],
          from: ADA,
          text: 'hi',
        },
      },
    ]);
    const redelivered = await fetch(`${stack.serverUrl}/callbacks/messaging`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'BandwidthAPI/v2' },
      body: JSON.stringify(duplicate),
    });
    assert.equal(redelivered.status, 200);

    // The greeting's receipt comes late (2 s): the bot waits for it first, and the server signals it when it comes.
    const late = await fetch(`${stack.emulatorUrl}/emulator/behaviors/${encodeURIComponent(ADA)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ delayMs: 40_000 }),
    });
    assert.equal(late.status, 200, await late.text());
    await text(ADA, 'Ada');
    await eventually(async () => {
      const messages = await inbox(ADA);
      assert.deepEqual(
        messages.map((m) => [m.text, m.status]),
        [
          [QUESTION, 'DELIVERED'],
          ['Nice to meet you, Ada!', 'DELIVERED'],
        ],
      );
    });

    // The greeting's send brought the question's receipt; the bot waits for the greeting's, so it was watched.
    const transcript: TranscriptEntry[] = await eventually(async () => {
      const t = await handle.query(transcriptQuery);
      assert.equal(t.length, 4);
      assert.equal(t[3]?.status, 'delivered');
      return t;
    });
    assert.deepEqual(
      transcript.map((m) => [m.direction, m.text, m.status]),
      [
        ['in', 'hi', 'received'],
        ['out', QUESTION, 'delivered'],
        ['in', 'Ada', 'received'],
        ['out', 'Nice to meet you, Ada!', 'delivered'],
      ],
    );
    assert.ok(transcript.every((m) => m.messageId && m.segmentCount === 1));
    const receipts = ((await handle.fetchHistory()).events ?? []).flatMap((e) =>
      e.workflowExecutionSignaledEventAttributes?.signalName === 'deliveryStatus' ? [e] : [],
    );
    assert.equal(receipts.length, 1, "one delivery signal: the greeting's, which the bot waited for");
    await handle.result(); // the greeter ends after greeting
  });
});
