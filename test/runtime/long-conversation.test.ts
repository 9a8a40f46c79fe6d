/**
 * Long conversations on a real dev server: the history cost of one conversational turn, and continue-as-new
 * carrying everything across runs so hundreds of turns read as one conversation.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import type { Activities, SendMessageInput } from '../../activities';
import { conversationId, decodeTag } from '../../workflows/ids';
import { deliveryStatusSignal, inboundMessageSignal, transcriptQuery } from '../../workflows/messages';
import { inboundMessage } from '../../kit';
import type { ConversationStart } from '../../workflows/conversation';
import { connectToDevServer, uniqueTaskQueue, workflowSource } from '../helpers/temporal';
import { eventually } from '../helpers/eventually';

const OUR = '+19195550100';

describe('a long conversation on a real Temporal server', () => {
  let temporal: Awaited<ReturnType<typeof connectToDevServer>>;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueTaskQueue('long');
  const sent: SendMessageInput[] = [];
  /** Called with each message sent: a turn waits for its reply as it is sent, not by polling. */
  const onSend = new Set<() => void>();

  /** The first message sent from `from` on into `conversation`; fails after 20 s. */
  function replyInto(conversation: string, from: number, n: number): Promise<SendMessageInput> {
    const find = () => sent.slice(from).find((s) => decodeTag(s.tag)?.conversationId === conversation);
    return new Promise((resolve, reject) => {
      const check = () => {
        const reply = find();
        if (!reply) return;
        clearTimeout(timer);
        onSend.delete(check);
        resolve(reply);
      };
      const timer = setTimeout(() => {
        onSend.delete(check);
        reject(new Error(`no reply to turn ${n}`));
      }, 20_000);
      onSend.add(check);
      check();
    });
  }

  before(async () => {
    temporal = await connectToDevServer();
    const activities: Pick<Activities, 'sendMessage'> = {
      async sendMessage(input) {
        sent.push(input);
        for (const notify of onSend) notify();
        return { messageId: `long-${sent.length}`, segmentCount: 1, time: new Date().toISOString() };
      },
    };
    worker = await Worker.create({ connection: temporal.nativeConnection, taskQueue, activities, ...workflowSource() });
    running = worker.run();
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await temporal?.close();
  });

  /** One turn: a text in, the bot's reply out, its delivery confirmed and processed. */
  async function turn(handle: WorkflowHandle | null, start: ConversationStart, n: number, text: string) {
    const before = sent.length;
    const message = inboundMessage({
      messageId: `in-${start.participants[0]}-${n}`,
      from: start.participants[0]!,
      to: [OUR],
      text,
    });
    const h =
      handle ??
      (await temporal.client.workflow.signalWithStart('echoBot', {
        workflowId: conversationId(start),
        taskQueue,
        args: [start],
        signal: inboundMessageSignal,
        signalArgs: [message],
      }));
    if (handle) await h.signal(inboundMessageSignal, message);
    const reply = await replyInto(conversationId(start), before, n);
    await h.signal(deliveryStatusSignal, {
      messageId: `long-${sent.indexOf(reply) + 1}`,
      sendId: decodeTag(reply.tag)!.sendId,
      type: 'message-delivered',
      recipient: start.participants[0]!,
      description: 'Message delivered to carrier.',
      time: new Date().toISOString(),
    });
    return { handle: h, reply };
  }

  async function settledHistory(handle: WorkflowHandle) {
    return eventually(async () => {
      const transcript = await handle.query(transcriptQuery);
      assert.equal(transcript.at(-1)?.status, 'delivered');
      const description = await handle.describe();
      return (await temporal.client.workflow.getHandle(handle.workflowId, description.runId).fetchHistory()).events!;
    });
  }

  it('costs at most 12 history events per conversational turn, however long the conversation', async () => {
    const start: ConversationStart = { ourNumber: OUR, participants: ['+19195557001'] };
    let handle: WorkflowHandle | null = null;
    for (let n = 1; n <= 5; n++) handle = (await turn(handle, start, n, `warm-up ${n}`)).handle;
    const before = (await settledHistory(handle!)).length;
    const turns = 20;
    for (let n = 6; n < 6 + turns; n++) handle = (await turn(handle, start, n, `turn ${n}`)).handle;
    const events = await settledHistory(handle!);
    const perTurn = (events.length - before) / turns;
    process.stderr.write(
      `  history events per conversational turn: ${perTurn} (${before} → ${events.length} over ${turns} turns)\n`,
    );
    assert.ok(perTurn <= 12, `a turn cost ${perTurn} events`);
    const timerEvents = events
      .slice(before)
      .filter((e) => e.timerStartedEventAttributes || e.timerCanceledEventAttributes || e.timerFiredEventAttributes);
    assert.equal(timerEvents.length, 0, 'a turn answered within the reply timeout leaves the far timer armed');
    await handle!.terminate('test over');
  });

  it('continues as new with a tiny threshold, and 200 turns read as one conversation', async () => {
    const start: ConversationStart = { ourNumber: OUR, participants: ['+19195557002'], maxHistoryEvents: 60 };
    let handle: WorkflowHandle | null = null;
    const turns = 200;
    for (let n = 1; n <= turns; n++) {
      const { handle: h, reply } = await turn(handle, start, n, `message ${n}`);
      handle = h;
      assert.equal(reply.text, `#${n}: message ${n}`, 'the count survives every continue-as-new');
    }
    const transcript = await eventually(async () => {
      const t = await handle!.query(transcriptQuery);
      assert.equal(t.length, turns * 2);
      assert.equal(t.at(-1)?.status, 'delivered');
      return t;
    });
    assert.deepEqual(
      transcript.slice(0, 4).map((m) => m.text),
      ['message 1', '#1: message 1', 'message 2', '#2: message 2'],
    );
    assert.ok(transcript.every((m) => m.status === (m.direction === 'in' ? 'received' : 'delivered')));
    let runs = 0;
    for await (const _ of temporal.client.workflow.list({ query: `WorkflowId = '${conversationId(start)}'` }))
      runs += 1;
    process.stderr.write(`  ${turns} turns ran in ${runs} runs\n`);
    assert.ok(runs >= 10, `expected many runs, saw ${runs}`);
    await handle!.terminate('test over');
  });
});
