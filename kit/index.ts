/**
 * The test kit for bot authors: drive a bot like a transcript on Temporal's time-skipping test server, where hours
 * of timers pass in milliseconds.
 *
 * ```ts
 * import { createBotTestEnvironment } from 'threadline/kit';
 *
 * const env = await createBotTestEnvironment();          // once per test file
 * const chat = await env.startBot('pizzaBot');
 * await chat.text('hi');
 * await chat.expectReply(/size/);
 * await chat.advance('16 minutes');
 * await chat.expectReply(/still there/);
 * await chat.failDelivery(4720);
 * await chat.close();
 * await env.teardown();
 * ```
 *
 * Sends go to a fake Bandwidth (the default: every reply is recorded and, unless the test fails it, reported
 * delivered) or to the real emulator (`activities: 'emulator'`), whose callbacks come back through the real webhook
 * server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duration } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  DefaultLogger,
  Runtime,
  Worker,
  bundleWorkflowCode,
  makeTelemetryFilterString,
  type WorkerOptions,
} from '@temporalio/worker';
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import pino from 'pino';
import fs from 'node:fs';
import os from 'node:os';
import { ApplicationFailure } from '@temporalio/common';
import {
  createActivities,
  createMediaActivities,
  MediaFailureType,
  type Activities,
  type SendMessageInput,
  type SendMessageResult,
} from '../activities';
import { createMemoryMediaStore, type MediaObject } from '../media/store';
import { createBandwidthClient } from '../bandwidth/client';
import { createEmulator } from '../emulator';
import { createApp } from '../server/app';
import { quietBundlerLogger, startTimeSkippingEnvironment } from '../worker/create-worker';
import { conversationId, decodeTag } from '../workflows/ids';
import {
  deliveryStatusSignal,
  externalEventSignal,
  inboundMessageSignal,
  transcriptQuery,
  type InboundMessage,
  type TranscriptEntry,
} from '../workflows/messages';
import type { ConversationOutcome, ConversationStart } from '../workflows/conversation';
import { inboundMessage } from './inbound-message';

export { inboundMessage, type InboundMessageFields } from './inbound-message';

/** A message the bot sent, as the kit saw it. */
export interface Reply {
  text: string;
  media: string[];
  to: string[];
  messageId: string;
  sendId: string;
}

export interface KitEnvironmentOptions {
  /** Path to the Java test server wrapper; default `$THREADLINE_TEST_SERVER` (set by `npm test`). */
  testServer?: string;
  /** The bots: a workflow bundle or a workflows path (default: Threadline's workflows/index.ts). */
  workflows?: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>;
  /**
   * Run on an existing Temporal server (e.g. the dev server, to record histories for replay tests) instead of the
   * time-skipping test server; `advance` then really waits.
   */
  existingServer?: { address: string };
}

export interface StartBotOptions<P = unknown> {
  ourNumber?: string;
  /** The person texting the bot (or several, for a group). */
  participants?: string[];
  /** Start the conversation proactively with this opening message instead of waiting for a first text. */
  opening?: string;
  params?: P;
  /** Continue as new once the history has this many events (tests of long conversations). */
  maxHistoryEvents?: number;
  /** `'fake'` (default) records sends; `'emulator'` sends through the local Bandwidth emulator. */
  activities?: 'fake' | 'emulator';
  /** Report each reply delivered unless the test fails it (default true; fake activities only). */
  autoDeliver?: boolean;
  /**
   * Further numbers of ours in a group (fake activities only): like Bandwidth, the kit then delivers each text once
   * per number we own, each copy with its own message id, to the conversation of `ourNumber` (the lowest).
   */
  alsoOurs?: string[];
  /**
   * Make downloads of inbound media from (fake) Bandwidth fail: the first `n` attempts, or every one. Fake
   * Bandwidth also deletes media 48 hours (of workflow time) after the message, as the real one does.
   */
  failMediaDownloads?: number | 'always';
}

/** A media item a kit handset sends: a file (stored on fake Bandwidth or the emulator) or a URL. */
export type KitMedia = string | { filename: string; contentType: string; content: Buffer | string };

/** How long Bandwidth keeps media (reference §2.3). */
const BANDWIDTH_MEDIA_RETENTION_MS = 48 * 3600_000;

export interface BotTestEnvironment {
  readonly env: TestWorkflowEnvironment;
  startBot<P = unknown>(bot: string, options?: StartBotOptions<P>): Promise<BotChat>;
  teardown(): Promise<void>;
}

/** Creates the time-skipping environment once per test file. */
export async function createBotTestEnvironment(options: KitEnvironmentOptions = {}): Promise<BotTestEnvironment> {
  installQuietRuntime();
  const testServer = options.testServer ?? process.env.THREADLINE_TEST_SERVER;
  if (!testServer && !options.existingServer) {
    throw new Error(
      'the kit needs the time-skipping test server: run `npm run toolchain` and set THREADLINE_TEST_SERVER',
    );
  }
  const env = options.existingServer
    ? await TestWorkflowEnvironment.createFromExistingServer({ address: options.existingServer.address })
    : await startTimeSkippingEnvironment(testServer!);
  const bundlePath = process.env.THREADLINE_TEST_WORKFLOW_BUNDLE;
  let workflows =
    options.workflows ??
    (bundlePath
      ? { workflowBundle: { codePath: bundlePath } }
      : { workflowsPath: path.resolve(__dirname, '../workflows/index.ts') });
  if (workflows.workflowsPath && !workflows.workflowBundle) {
    // Bundle once for every bot this environment starts, rather than once per worker.
    workflows = {
      workflowBundle: await bundleWorkflowCode({ workflowsPath: workflows.workflowsPath, logger: quietBundlerLogger }),
    };
  }
  const open = new Set<BotChat>();
  return {
    env,
    async startBot(bot, startOptions = {}) {
      const chat = await BotChat.start(env, workflows, bot, startOptions);
      open.add(chat);
      return chat;
    },
    async teardown() {
      for (const chat of open) await chat.close();
      await env.teardown();
    },
  };
}

let runtimeInstalled = false;
function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN'),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
    });
  } catch {
    // A runtime was installed already (by the test file): keep it.
  }
}

let taskQueueSeq = 0;
let participantSeq = 0;

/** One conversation under test. */
export class BotChat {
  private readonly sent: Reply[] = [];
  private readonly read = new Set<string>();
  private readonly settled = new Set<string>();
  private inboundSeq = 0;
  private handle: WorkflowHandle | null = null;

  private constructor(
    private readonly env: TestWorkflowEnvironment,
    private readonly worker: Worker,
    private readonly running: Promise<void>,
    private readonly bot: string,
    private readonly start: ConversationStart,
    private readonly workflowId: string,
    private readonly taskQueue: string,
    private readonly options: StartBotOptions,
    private readonly emulator: { handsetUrl: string; mediaDir: string; close(): Promise<void> } | null,
    private readonly kitMedia: {
      store: ReturnType<typeof createMemoryMediaStore>;
      bandwidth: Map<string, { object: MediaObject; at: number }>;
      attempts: number;
    },
  ) {}

  /** @internal */
  static async start(
    env: TestWorkflowEnvironment,
    workflows: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>,
    bot: string,
    options: StartBotOptions,
  ): Promise<BotChat> {
    const ourNumber = options.ourNumber ?? '+19195550100';
    // Each conversation under test gets its own participant, so its workflow id never collides with another test's.
    const participants = options.participants ?? [`+1919555${String(1000 + (++participantSeq % 9000))}`];
    const start: ConversationStart = {
      ourNumber,
      participants,
      searchAttributes: false,
      ...(options.params !== undefined ? { params: options.params } : {}),
      ...(options.opening ? { opening: { text: options.opening } } : {}),
      ...(options.maxHistoryEvents ? { maxHistoryEvents: options.maxHistoryEvents } : {}),
    };
    const taskQueue = `kit-${bot}-${process.pid}-${++taskQueueSeq}`;
    const kitMedia = {
      store: createMemoryMediaStore(),
      bandwidth: new Map<string, { object: MediaObject; at: number }>(),
      attempts: 0,
    };
    const workflowId = conversationId(start);
    // eslint-disable-next-line prefer-const -- assigned once the worker exists, read by the fake activities before
    let chat: BotChat | undefined;
    let emulator: BotChat['emulator'] = null;
    let activities: Activities;
    if (options.activities === 'emulator') {
      const built = await emulatorActivities(env, taskQueue, bot, ourNumber);
      activities = built.activities;
      emulator = built;
    } else {
      const media = createMediaActivities({
        mediaStore: kitMedia.store,
        fetchMedia: async (url) => {
          const file = kitMedia.bandwidth.get(url);
          const now = await env.currentTimeMs();
          if (!file || now - file.at > BANDWIDTH_MEDIA_RETENTION_MS) {
            throw ApplicationFailure.nonRetryable(
              `Bandwidth media download failed with 404: ${url}`,
              MediaFailureType.Gone,
            );
          }
          kitMedia.attempts += 1;
          const failing = options.failMediaDownloads;
          if (failing === 'always' || (typeof failing === 'number' && kitMedia.attempts <= failing)) {
            throw new Error(`Bandwidth media download failed with 503 (attempt ${kitMedia.attempts})`);
          }
          return file.object;
        },
      });
      activities = {
        ...media,
        sendMessage: async (input: SendMessageInput): Promise<SendMessageResult> => {
          const messageId = `kit-out-${chat!.sent.length + 1}`;
          chat!.sent.push({
            text: input.text,
            media: input.media ?? [],
            to: input.to,
            messageId,
            sendId: decodeTag(input.tag)?.sendId ?? '',
          });
          return { messageId, segmentCount: 1, time: new Date(await env.currentTimeMs()).toISOString() };
        },
      };
    }
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, activities, ...workflows });
    const running = worker.run();
    chat = new BotChat(env, worker, running, bot, start, workflowId, taskQueue, options, emulator, kitMedia);
    if (options.opening) {
      chat.handle = await env.client.workflow.start(bot, { workflowId, taskQueue, args: [start] });
    }
    return chat;
  }

  /** The conversation's workflow handle (after the first text, or at once for a proactive start). */
  get workflow(): WorkflowHandle {
    if (!this.handle) throw new Error('the conversation has not started: send a text first');
    return this.handle;
  }

  /** Starts a proactive conversation: the bot speaks first (reminders, surveys); no one has texted it. */
  async startProactively(): Promise<void> {
    if (this.handle) throw new Error('the conversation has already started');
    this.handle = await this.env.client.workflow.start(this.bot, {
      workflowId: this.workflowId,
      taskQueue: this.taskQueue,
      args: [this.start],
    });
  }

  /**
   * A participant texts the bot; with `media`, an MMS (files are held by fake Bandwidth, or uploaded by the emulator's
   * handset, under Bandwidth media URLs, as real inbound MMS are).
   */
  async text(body: string, options: { from?: string; media?: KitMedia[] } = {}): Promise<void> {
    await this.settle();
    const from = options.from ?? this.start.participants[0]!;
    if (this.emulator) {
      const media = options.media?.map((m) =>
        typeof m === 'string' ? m : { ...m, content: Buffer.from(m.content).toString('base64') },
      );
      const to = [this.start.ourNumber, ...this.start.participants.filter((p) => p !== from)];
      const response = await fetch(`${this.emulator.handsetUrl}/${encodeURIComponent(from)}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to: to.length > 1 ? to : to[0], text: body, ...(media ? { media } : {}) }),
      });
      if (response.status !== 202) throw new Error(`the emulator refused the text: ${await response.text()}`);
      this.handle ??= this.env.client.workflow.getHandle(this.workflowId);
      return;
    }
    const seq = ++this.inboundSeq;
    const now = await this.env.currentTimeMs();
    const ours = [this.start.ourNumber, ...(this.options.alsoOurs ?? [])];
    const to = [...ours, ...this.start.participants.filter((p) => p !== from)];
    // One copy per number of ours in the message, each with its own message id and media URLs (reference §3.4).
    for (const [copy, ourNumber] of ours.entries()) {
      const messageId = `kit-in-${seq}${copy > 0 ? `-${copy}` : ''}`;
      const media = (options.media ?? []).map((m, index) => {
        if (typeof m === 'string') return m;
        const url = `https://messaging.bandwidth.com/api/v2/users/kit/media/${messageId}/${index}/${m.filename}`;
        this.kitMedia.bandwidth.set(url, {
          object: { bytes: Buffer.from(m.content), contentType: m.contentType },
          at: now,
        });
        return url;
      });
      await this.deliverInbound(
        inboundMessage({
          messageId,
          from,
          to,
          ourNumber,
          text: body,
          media,
          segmentCount: 1, // the fake counts every text as one segment
          time: new Date(now),
        }),
      );
    }
  }

  /**
   * A file in the media store the bot's conversation copies inbound media into (`StoredMedia.id`), or null. With
   * emulator activities the store is a local directory.
   */
  async storedMedia(id: string): Promise<MediaObject | null> {
    if (!this.emulator) return this.kitMedia.store.get(id);
    const { createLocalMediaStore } = await import('../media/store');
    return createLocalMediaStore(this.emulator.mediaDir).get(id);
  }

  /** How many times the bot's conversation tried to download media from (fake) Bandwidth. */
  get mediaDownloadAttempts(): number {
    return this.kitMedia.attempts;
  }

  /** Delivers an inbound message exactly as given (e.g. a duplicate of an earlier one). */
  async deliverInbound(message: InboundMessage): Promise<void> {
    this.handle = await this.env.client.workflow.signalWithStart(this.bot, {
      workflowId: this.workflowId,
      taskQueue: this.taskQueue,
      args: [this.start],
      signal: inboundMessageSignal,
      signalArgs: [message],
    });
  }

  /**
   * Waits for the bot's next message and checks it against `match` (a string it must contain, or a RegExp).
   * @returns the reply
   */
  async expectReply(match?: string | RegExp, { waitMs = 10_000 } = {}): Promise<Reply> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const replies = this.emulator ? await this.emulatorReplies() : this.sent;
      const next = replies.find((r) => !this.read.has(r.messageId));
      if (next) {
        this.read.add(next.messageId);
        if (match !== undefined && !(typeof match === 'string' ? next.text.includes(match) : match.test(next.text))) {
          throw new Error(`the bot replied ${JSON.stringify(next.text)}, which does not match ${String(match)}`);
        }
        return next;
      }
      if (Date.now() > deadline) {
        const transcript = this.handle ? await this.transcript().catch(() => []) : [];
        throw new Error(
          `no reply from the bot${match ? ` matching ${String(match)}` : ''} within ${waitMs} ms; transcript:\n` +
            transcript.map((m) => `  ${m.direction} ${m.status} ${m.text}`).join('\n'),
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Checks that the bot has sent nothing it has not been asked about, after letting it work for `settleMs`. */
  async expectNoReply({ settleMs = 300 } = {}): Promise<void> {
    await new Promise((r) => setTimeout(r, settleMs));
    const replies = this.emulator ? await this.emulatorReplies() : this.sent;
    const unread = replies.filter((r) => !this.read.has(r.messageId));
    if (unread.length > 0) throw new Error(`the bot sent ${JSON.stringify(unread.map((r) => r.text))}`);
  }

  /** Reports the last reply (or `reply`) delivered, for every recipient (or only `recipient`, in a group). */
  async deliver(reply: Reply | undefined = this.lastRead(), recipient?: string): Promise<void> {
    await this.report(reply, 'message-delivered', undefined, recipient);
  }

  /** Reports the last reply (or `reply`) failed with Bandwidth error `errorCode`. */
  async failDelivery(errorCode: number, reply: Reply | undefined = this.lastRead(), recipient?: string): Promise<void> {
    await this.report(reply, 'message-failed', errorCode, recipient);
  }

  /** Moves the test server's clock forward: the bot's timers fire as if that much time had passed. */
  async advance(duration: Duration): Promise<void> {
    await this.settle();
    await this.env.sleep(duration);
  }

  /** Delivers an external event (a payment, an operator action) the bot may be waiting for. */
  async signal(name: string, payload?: unknown): Promise<void> {
    await this.settle();
    await this.workflow.signal(externalEventSignal, { name, payload });
  }

  async transcript(): Promise<TranscriptEntry[]> {
    return this.workflow.query(transcriptQuery);
  }

  /** Waits for the conversation to end (skipping time as needed) and returns how it ended. */
  async result(): Promise<ConversationOutcome> {
    await this.settle();
    return (await this.workflow.result()) as ConversationOutcome;
  }

  /** The number of events in the conversation's current run. */
  async historyLength(): Promise<number> {
    return (await this.workflow.fetchHistory()).events?.length ?? 0;
  }

  /** Stops the conversation (if it is still running) and its worker. */
  async close(): Promise<void> {
    if (this.handle) {
      const { status } = await this.handle.describe().catch(() => ({ status: { name: 'UNKNOWN' } }));
      if (status.name === 'RUNNING') await this.handle.terminate('test finished').catch(() => undefined);
    }
    if (this.worker.getState() === 'RUNNING') this.worker.shutdown();
    await this.running.catch(() => undefined);
    await this.emulator?.close();
  }

  private lastRead(): Reply | undefined {
    const replies = this.sent.filter((r) => this.read.has(r.messageId));
    return replies.at(-1);
  }

  /** Unless the test said otherwise, replies it has read are reported delivered before the next step. */
  private async settle(): Promise<void> {
    if (this.emulator || this.options.autoDeliver === false) return;
    for (const reply of this.sent) {
      if (this.read.has(reply.messageId) && !this.settled.has(reply.messageId)) {
        await this.report(reply, 'message-delivered');
      }
    }
  }

  private async report(
    reply: Reply | undefined,
    type: 'message-delivered' | 'message-failed',
    errorCode?: number,
    recipient?: string,
  ): Promise<void> {
    if (!reply) throw new Error('the bot has not replied yet');
    if (this.emulator) throw new Error('with emulator activities, script delivery outcomes through the emulator');
    this.settled.add(reply.messageId);
    const time = new Date(await this.env.currentTimeMs()).toISOString();
    for (const to of recipient ? [recipient] : reply.to) {
      const { status } = await this.workflow.describe();
      if (status.name !== 'RUNNING') return; // like the server: a receipt for an ended conversation is only recorded
      try {
        await this.workflow.signal(deliveryStatusSignal, {
          messageId: reply.messageId,
          sendId: reply.sendId,
          type,
          recipient: to,
          ...(errorCode !== undefined ? { errorCode } : {}),
          description: type === 'message-delivered' ? 'Message delivered to carrier.' : `error ${errorCode}`,
          time,
        });
      } catch (err) {
        // The conversation ended between the check and the signal: the server would only record this receipt too.
        if (err instanceof WorkflowNotFoundError || /completed workflow/i.test(String(err))) return;
        throw err;
      }
    }
  }

  private async emulatorReplies(): Promise<Reply[]> {
    const phone = this.start.participants[0]!;
    const response = await fetch(`${this.emulator!.handsetUrl}/${encodeURIComponent(phone)}/messages`);
    const body = (await response.json()) as {
      messages: { messageId: string; text: string; media: string[]; to: string[]; fromHandset: boolean }[];
    };
    return body.messages
      .filter((m) => !m.fromHandset)
      .map((m) => ({ text: m.text, media: m.media, to: m.to, messageId: m.messageId, sendId: '' }));
  }
}

/** Real activities against an in-memory emulator whose callbacks reach the workflow through the real webhook app. */
async function emulatorActivities(env: TestWorkflowEnvironment, taskQueue: string, bot: string, ourNumber: string) {
  const server = http.createServer(
    createApp({
      temporal: env.client,
      taskQueue,
      routeBot: () => bot,
      logger: pino({ level: 'silent' }),
      ourNumbers: [ourNumber],
      startOptions: { searchAttributes: false }, // the time-skipping server has no custom search attributes
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const credentials = { clientId: 'kit', clientSecret: 'kit-secret' };
  const emulator = createEmulator({
    defaults: {
      accountId: '9900000',
      applicationId: 'kit-application',
      number: ourNumber,
      ...credentials,
      callbackUrl: `${serverUrl}/callbacks/messaging`,
    },
    timeScale: 100,
  });
  const { url } = await emulator.listen(0, '127.0.0.1');
  const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-kit-media-'));
  const activities = createActivities({
    dataDir: mediaDir,
    bandwidth: createBandwidthClient({
      baseUrl: `${url}/api/v2`,
      accountId: '9900000',
      auth: { kind: 'oauth2', ...credentials, tokenUrl: `${url}/api/v1/oauth2/token` },
    }),
    applicationId: 'kit-application',
  });
  return {
    activities,
    handsetUrl: `${url}/emulator/handsets`,
    mediaDir: path.join(mediaDir, 'media'),
    async close() {
      fs.rmSync(mediaDir, { recursive: true, force: true });
      await emulator.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
