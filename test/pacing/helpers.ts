/**
 * Shared plumbing for the sending-rate tests: a Bandwidth client that writes down every send it saw accepted (and
 * every refusal), and a worker process's workers (the conversations' worker and one per sending rate) on the run's dev
 * server.
 */
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
import { workflowSource } from '../helpers/temporal';

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
