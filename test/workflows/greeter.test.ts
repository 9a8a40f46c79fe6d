import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities, SendMessageInput } from '../../activities';
import { conversationId, decodeTag } from '../../workflows/ids';
import {
  deliveryStatusSignal,
  inboundMessageSignal,
  transcriptQuery,
  type InboundMessage,
} from '../../workflows/messages';
import { greeterBot } from '../../workflows';
import type { ConversationStart } from '../../workflows/conversation';
import { createTimeSkippingEnv, uniqueTaskQueue, workflowSource } from '../helpers/temporal';

const OUR = '+19195550100';
const ADA = '+19195550123';

function inbound(text: string, messageId: string): InboundMessage {
  return {
    messageId,
    from: ADA,
    to: [OUR],
    ourNumber: OUR,
    text,
    media: [],
    segmentCount: 1,
    time: new Date().toISOString(),
  };
}

describe('greeterBot on the time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  const sent: SendMessageInput[] = [];
  const activities: Activities = {
    async sendMessage(input) {
      sent.push(input);
      return { messageId: `out-${sent.length}`, segmentCount: 1, time: new Date().toISOString() };
    },
  };

  before(async () => {
    env = await createTimeSkippingEnv();
  });
  after(async () => {
    await env?.teardown();
  });

  async function waitForSends(count: number) {
    for (let i = 0; i < 200 && sent.length < count; i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(sent.length, count, `expected ${count} sends, saw ${sent.length}`);
  }

  it('asks a texter their name, then greets them by it', async () => {
    sent.length = 0;
    const taskQueue = uniqueTaskQueue('greeter');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      activities,
      ...workflowSource(),
    });
    const workflowId = conversationId({ ourNumber: OUR, participants: [ADA] });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.signalWithStart(greeterBot, {
        workflowId,
        taskQueue,
        args: [{ ourNumber: OUR, participants: [ADA], searchAttributes: false }],
        signal: inboundMessageSignal,
        signalArgs: [inbound('hi', 'in-1')],
      });
      await waitForSends(1);
      assert.match(sent[0]!.text, /What's your name\?/);
      assert.deepEqual(sent[0]!.to, [ADA]);
      const tag = decodeTag(sent[0]!.tag);
      assert.equal(tag?.conversationId, workflowId);

      await handle.signal(deliveryStatusSignal, {
        messageId: 'out-1',
        sendId: tag.sendId,
        type: 'message-delivered',
        recipient: ADA,
        description: 'Message delivered to carrier.',
        time: new Date().toISOString(),
      });
      await handle.signal(inboundMessageSignal, inbound('Ada', 'in-2'));
      await handle.result();

      assert.equal(sent.length, 2);
      assert.equal(sent[1]!.text, 'Nice to meet you, Ada!');
      const transcript = await handle.query(transcriptQuery);
      assert.deepEqual(
        transcript.map((m) => [m.direction, m.text, m.status]),
        [
          ['in', 'hi', 'received'],
          ['out', "Hi! I'm the Threadline greeter. What's your name?", 'delivered'],
          ['in', 'Ada', 'received'],
          ['out', 'Nice to meet you, Ada!', 'accepted'],
        ],
      );
    });
  });

  it('waits three hours for a missing delivery receipt and an hour for a silent texter, in moments', async () => {
    sent.length = 0;
    const taskQueue = uniqueTaskQueue('greeter');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      activities,
      ...workflowSource(),
    });
    const startedAt = await env.currentTimeMs();
    const wallStart = Date.now();
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.signalWithStart(greeterBot, {
        workflowId: conversationId({ ourNumber: OUR, participants: [ADA] }),
        taskQueue,
        args: [{ ourNumber: OUR, participants: [ADA], searchAttributes: false }],
        signal: inboundMessageSignal,
        signalArgs: [inbound('hello', 'in-3')],
      });
      await handle.result(); // no receipt, no reply: the workflow ends by its timers alone
    });
    const skippedMs = (await env.currentTimeMs()) - startedAt;
    assert.equal(sent.length, 1, 'only the question was sent');
    assert.ok(skippedMs >= 4 * 3600_000, `workflow time advanced ${skippedMs} ms; expected at least 4 hours`);
    process.stderr.write(`  4 hours of workflow timers took ${Date.now() - wallStart} ms of wall time\n`);
  });

  it('ignores a duplicated inbound message: one text, one reply', async () => {
    sent.length = 0;
    const taskQueue = uniqueTaskQueue('greeter');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      activities,
      ...workflowSource(),
    });
    await worker.runUntil(async () => {
      const options = {
        workflowId: conversationId({ ourNumber: OUR, participants: [ADA] }),
        taskQueue,
        args: [{ ourNumber: OUR, participants: [ADA], searchAttributes: false }] as [ConversationStart],
        signal: inboundMessageSignal,
        signalArgs: [inbound('hi', 'in-dup')] as [InboundMessage],
      };
      const handle = await env.client.workflow.signalWithStart(greeterBot, options);
      await env.client.workflow.signalWithStart(greeterBot, options); // Bandwidth redelivers the same callback
      await waitForSends(1);
      await handle.signal(inboundMessageSignal, inbound('hi', 'in-dup')); // and once more, later
      await handle.signal(inboundMessageSignal, inbound('Grace', 'in-4'));
      await handle.result();
      assert.deepEqual(
        sent.map((s) => s.text),
        ["Hi! I'm the Threadline greeter. What's your name?", 'Nice to meet you, Grace!'],
      );
    });
  });
});
