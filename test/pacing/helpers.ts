/**
 * Shared plumbing for the sending-rate tests: a Bandwidth client that writes down every send it saw accepted (and
 * every refusal), and a worker process's workers (the conversations' worker and one per sending rate) on the run's dev
 * server.
 */
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { BandwidthApiError, type BandwidthClient } from '../../bandwidth/client';
import type { MessageRequest } from '../../bandwidth/schemas';
import { sendLimitsFor, type SendRates } from '../../pacing/send-rates';
import { createRecordStore, type RecordStore } from '../../records';
import type { ConversationStart } from '../../workflows/conversation-start';
import { conversationId } from '../../workflows/ids';
import { createSendQueueWorkers, workerGroup } from '../../worker/send-queue-workers';
import type { SendLimit } from '../../pacing/send-rates';
import { transcriptQuery, type TranscriptEntry } from '../../workflows/messages';
import { createTimeSkippingEnv, uniqueTaskQueue, workflowSource } from '../helpers/temporal';
import { testBots, textTheReceiptBot } from '../helpers/test-bots';

/** The number the conversations of {@link unservedPacedConversation} are on. */
export const OUR_NUMBER = '+19195550100';

/** A send Bandwidth accepted, in the order it was accepted. */
export interface Accepted {
  to: string;
  text: string;
  at: number;
}

/** Sends as they happened: accepted in order, and how many Bandwidth refused with 429. */
export interface SendLog {
  accepted: Accepted[];
  refused: number;
}

export function sendLog(): SendLog {
  return { accepted: [], refused: 0 };
}

/** `bandwidth`, writing every accepted send and every 429 into `log`. */
export function recording(bandwidth: BandwidthClient, log: SendLog): BandwidthClient {
  return {
    ...bandwidth,
    accountId: bandwidth.accountId,
    messages: bandwidth.messages,
    media: bandwidth.media,
    findSentMessages: (query) => bandwidth.findSentMessages(query),
    async createMessage(request: MessageRequest) {
      try {
        const message = await bandwidth.createMessage(request);
        log.accepted.push({ to: request.to[0] ?? '', text: request.text ?? '', at: Date.now() });
        return message;
      } catch (err) {
        if (err instanceof BandwidthApiError && err.status === 429) log.refused += 1;
        throw err;
      }
    },
  };
}

/** A Bandwidth that accepts everything at once (no queue of its own): the order of acceptance is the order sent. */
export function acceptingBandwidth(): BandwidthClient {
  let seq = 0;
  return {
    accountId: 'pacing-test',
    messages: null as never,
    media: null as never,
    findSentMessages: () => Promise.resolve([]),
    createMessage() {
      seq += 1;
      return Promise.resolve({ id: `pacing-${seq}`, segmentCount: 1, time: new Date().toISOString() });
    },
  };
}

export interface PacedWorkerProcess {
  stop(): Promise<void>;
}

/**
 * One worker process as `npm run worker` builds it (stack/from-config.ts `workerFromConfig`): the conversations'
 * worker and one activity worker per sending rate, on its own connection.
 */
export async function startPacedWorkers(options: {
  address: string;
  taskQueue: string;
  rates: SendRates;
  bandwidth: BandwidthClient;
  applicationId?: string;
  records?: RecordStore;
}): Promise<PacedWorkerProcess> {
  const connection = await NativeConnection.connect({ address: options.address });
  // Without a records store of the test's, one in memory: a wait for a receipt watches the message there.
  const own = options.records ? null : await createRecordStore({ memory: true });
  const activities = createActivities({
    bandwidth: options.bandwidth,
    applicationId: options.applicationId ?? 'pacing-test-application',
    records: options.records ?? own!,
    ...(options.records ? { intents: options.records.sendIntents, consent: options.records.optOuts } : {}),
    sendLimits: (from) => sendLimitsFor(options.rates, options.taskQueue, from),
  });
  const main = await Worker.create({ connection, taskQueue: options.taskQueue, ...workflowSource(), activities });
  const rateWorkers = await createSendQueueWorkers({
    connection,
    taskQueue: options.taskQueue,
    rates: options.rates,
    activities,
  });
  const group = workerGroup(main, rateWorkers);
  const running = group.run();
  return {
    async stop() {
      group.shutdown();
      await running;
      await connection.close();
      await own?.close();
    },
  };
}

/** Starts a proactive conversation with `bot` whose opening is `text`; resolves with its workflow id. */
export async function startProactive(
  client: Client,
  options: { taskQueue: string; bot: string; ourNumber: string; to: string; text: string },
): Promise<string> {
  const start: ConversationStart = {
    ourNumber: options.ourNumber,
    participants: [options.to],
    opening: { text: options.text },
    // A proactive opening waits for the recipient's quiet hours to end: put them where it is midday now.
    timeZones: { [options.to]: middayZone() },
  };
  const workflowId = conversationId({ ourNumber: options.ourNumber, participants: [options.to] });
  await client.workflow.start(options.bot, { workflowId, taskQueue: options.taskQueue, args: [start] });
  return workflowId;
}

/** A fixed-offset IANA zone where it is between 12:00 and 13:00 now (`Etc/GMT-N` is N hours ahead of UTC). */
export function middayZone(): string {
  const ahead = 12 - new Date().getUTCHours();
  return ahead === 0 ? 'Etc/GMT' : ahead > 0 ? `Etc/GMT-${ahead}` : `Etc/GMT+${-ahead}`;
}

/**
 * The receipt bot's conversation (test/bots `receiptBot`: it says "Hello?", then reports that send's delivery result)
 * on a time-skipping server of its own, its first send held to `limits(taskQueue)`, rates whose queues nobody serves,
 * for `hours` of skipped time; every send exactly once, through send intents, as every configured worker sends. What
 * the conversation's transcript shows, and what Bandwidth accepted.
 */
export async function unservedPacedConversation(options: {
  limits: (taskQueue: string) => SendLimit[];
  participant: string;
  hours: number;
}): Promise<{ transcript: TranscriptEntry[]; log: SendLog }> {
  const records = await createRecordStore({ memory: true });
  const env = await createTimeSkippingEnv();
  try {
    const taskQueue = uniqueTaskQueue('unserved');
    const log = sendLog();
    let rated = 1; // only the first send: the bot's report is not held to a rate
    const activities = createActivities({
      bandwidth: recording(acceptingBandwidth(), log),
      applicationId: 'app',
      records,
      // The skipped hours can outlast the workflow task that sends the report, whose local activity then runs again and
      // finds the report already accepted.
      intents: records.sendIntents,
      sendLimits: () => (rated-- > 0 ? options.limits(taskQueue) : []),
    });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      activities,
      ...(await testBots()),
    });
    const transcript = await worker.runUntil(async () => {
      const handle = await textTheReceiptBot(env.client, {
        taskQueue,
        ourNumber: OUR_NUMBER,
        participant: options.participant,
        messageId: `m-${taskQueue}`,
      });
      await env.sleep(`${options.hours} hours`);
      await handle.result();
      return handle.query(transcriptQuery);
    });
    return { transcript, log };
  } finally {
    await records.close();
    await env.teardown();
  }
}

/** The receipt bot's question was never sent (`send-failed`), and its report, which went out, says `expired`. */
export function assertExpiredAndReported({ transcript, log }: { transcript: TranscriptEntry[]; log: SendLog }): void {
  const question = transcript.find((e) => e.direction === 'out' && e.text === 'Hello?');
  assert.equal(question?.status, 'send-failed');
  assert.deepEqual(
    log.accepted.map((a) => a.text),
    ['failed 0 expired expired accepted=false'],
    'the question was never sent; the report says why',
  );
}
