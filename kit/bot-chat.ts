/**
 * The chat driver: one conversation under test, driven like a transcript. It talks to the conversation's workflow and
 * to its Bandwidth (fake or emulator) through one interface, whichever the test picked.
 */
import { isGrpcDeadlineError, type WorkflowHandle } from '@temporalio/client';
import type { Duration, QueryDefinition } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { MediaObject } from '../media/store';
import type { ConversationOutcome } from '../workflows/conversation';
import { externalEventSignal, transcriptQuery, type InboundMessage, type TranscriptEntry } from '../workflows/messages';
import type { KitBandwidth, KitMedia, Reply } from './bandwidth';
import type { ConversationWorkflow } from './conversation-workflow';
import { emptyUsage, usageOf, type Usage } from '../billing/usage';
import { checkBudget, describeUsage, UsageBudgetError, type UsageBudget } from './usage';

/** What a {@link BotChat} drives: built by `BotTestEnvironment.startBot`. */
export interface BotChatParts {
  env: TestWorkflowEnvironment;
  conversation: ConversationWorkflow;
  bandwidth: KitBandwidth;
  /** The most the conversation may use; the test fails as soon as it is over. */
  budget?: UsageBudget | undefined;
}

/** How long {@link BotChat.query} waits for an answer. */
const QUERY_DEADLINE_MS = 10_000;

/**
 * One conversation under test, from `BotTestEnvironment.startBot`.
 *
 * @example
 * ```ts
 * const chat = await kit.startBot('greeterBot');
 * await chat.text('hi');
 * await chat.expectReply("What's your name?");
 * await chat.text('Ada');
 * await chat.expectReply('Nice to meet you, Ada!');
 * assert.equal((await chat.result()).ended, 'bot-finished');
 * ```
 */
export class BotChat {
  /** The bot's messages the test has read, oldest first. */
  private readonly read: Reply[] = [];
  private readonly readIds = new Set<string>();

  /** @internal Use `BotTestEnvironment.startBot`. */
  constructor(private readonly parts: BotChatParts) {}

  /**
   * The participant the kit texts from by default: the first of `participants` (the kit gives each chat its own).
   *
   * @example
   * ```ts
   * const { entry } = await kit.optOuts.lookup('number:+19195550100', chat.participant);
   * ```
   */
  get participant(): string {
    return this.parts.conversation.start.participants[0]!;
  }

  /**
   * The conversation's workflow handle (after the first text, or at once for a proactive start).
   *
   * @example
   * ```ts
   * await chat.workflow.signal(takeoverSignal, { paused: true, operator: 'sam' });
   * ```
   */
  get workflow(): WorkflowHandle {
    const { handle } = this.parts.conversation;
    if (!handle) throw new Error('the conversation has not started: send a text first');
    return handle;
  }

  /**
   * Starts a proactive conversation: the bot speaks first (reminders, surveys); no one has texted it.
   *
   * @example
   * ```ts
   * const chat = await kit.startBot('surveyBot');
   * await chat.startProactively();
   * await chat.expectReply(/How would you rate/);
   * ```
   */
  async startProactively(): Promise<void> {
    await this.parts.conversation.startProactively();
  }

  /**
   * A participant texts the bot; with `media`, an MMS (files are held by fake Bandwidth, or uploaded by the emulator's
   * handset, under Bandwidth media URLs, as real inbound MMS are).
   *
   * @example
   * ```ts
   * await chat.text('yes', { from: '+19195557002' });
   * await chat.text('the tap', { media: [{ filename: 'tap.jpg', contentType: 'image/jpeg', content: 'jpeg bytes' }] });
   * ```
   */
  async text(body: string, options: { from?: string; media?: KitMedia[] } = {}): Promise<void> {
    await this.settle();
    const { conversation, bandwidth } = this.parts;
    await bandwidth.text(options.from ?? conversation.start.participants[0]!, body, options.media);
    conversation.follow();
  }

  /**
   * A file in the media store the bot's conversation copies inbound media into (`StoredMedia.id`), or null. With
   * emulator activities the store is a local directory.
   *
   * @example
   * ```ts
   * const stored = await chat.storedMedia('kit-in-1/0/tap.jpg');
   * assert.equal(stored?.contentType, 'image/jpeg');
   * ```
   */
  async storedMedia(id: string): Promise<MediaObject | null> {
    return this.parts.bandwidth.storedMedia(id);
  }

  /**
   * How many times the bot's conversation tried to download media from fake Bandwidth (0 with emulator activities).
   *
   * @example
   * ```ts
   * const chat = await kit.startBot('mediaReportBot', { failMediaDownloads: 3 });
   * // ... an MMS, then time for the retries ...
   * assert.equal(chat.mediaDownloadAttempts, 4);
   * ```
   */
  get mediaDownloadAttempts(): number {
    return this.parts.bandwidth.mediaDownloadAttempts;
  }

  /**
   * Delivers an inbound message exactly as given (e.g. a duplicate of an earlier one).
   *
   * @example
   * ```ts
   * const hi = inboundMessage({ from: '+19195550123', text: 'hi' });
   * await chat.deliverInbound(hi);
   * await chat.deliverInbound(hi); // Bandwidth redelivers the same callback
   * ```
   */
  async deliverInbound(message: InboundMessage): Promise<void> {
    await this.parts.conversation.deliverInbound(message);
  }

  /**
   * Waits for the bot's next message and checks it against `match` (a string it must contain, or a RegExp).
   * @returns the reply
   *
   * @example
   * ```ts
   * await chat.expectReply(/small, medium or large/);
   * const reply = await chat.expectReply('ready', { waitMs: 30_000 });
   * ```
   */
  async expectReply(match?: string | RegExp, { waitMs = 10_000 } = {}): Promise<Reply> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const next = (await this.parts.bandwidth.replies()).find((r) => !this.readIds.has(r.messageId));
      if (next) {
        this.read.push(next);
        this.readIds.add(next.messageId);
        if (match !== undefined && !(typeof match === 'string' ? next.text.includes(match) : match.test(next.text))) {
          throw new Error(`the bot replied ${JSON.stringify(next.text)}, which does not match ${String(match)}`);
        }
        await this.checkBudget();
        return next;
      }
      if (Date.now() > deadline) {
        const transcript = this.parts.conversation.handle ? await this.transcript().catch(() => []) : [];
        throw new Error(
          `no reply from the bot${match ? ` matching ${String(match)}` : ''} within ${waitMs} ms; transcript:\n` +
            transcript.map((m) => `  ${m.direction} ${m.status} ${m.text}`).join('\n'),
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Checks that the bot has sent nothing the test has not read yet, once the conversation has handled everything
   * delivered to it and waits (its history shows no workflow or activity task open): no sleeping, no guessing.
   *
   * @example
   * ```ts
   * await chat.result();
   * await chat.expectNoReply();
   * ```
   */
  async expectNoReply(): Promise<void> {
    // Proved by order, not by waiting: once the conversation has handled all it was sent and waits, a reply it
    // would have sent is already with Bandwidth.
    await this.parts.conversation.idle();
    const unread = (await this.parts.bandwidth.replies()).filter((r) => !this.readIds.has(r.messageId));
    if (unread.length > 0) throw new Error(`the bot sent ${JSON.stringify(unread.map((r) => r.text))}`);
    await this.checkBudget();
  }

  /**
   * What the conversation has used so far: messages, SMS segments and cost in each direction (priced with
   * `StartBotOptions.prices`), from its transcript. Empty before it starts.
   *
   * @example
   * ```ts
   * const usage = await chat.usage();
   * assert.deepEqual(usage.segments, { in: 1, out: 2 });
   * assert.equal(usage.cost.USD, 0.012);
   * ```
   */
  async usage(): Promise<Usage> {
    if (!this.parts.conversation.handle) return emptyUsage();
    return usageOf(await this.transcript());
  }

  /**
   * Checks that the bot has sent at most `segments` SMS segments so far (an MMS or a group message counts 1): a long
   * text, or one that turned into UCS-2, costs more than it looks.
   * @throws UsageBudgetError naming what it sent
   *
   * @example
   * ```ts
   * await chat.expectReply(/size/);
   * await chat.expectSegmentsAtMost(1);
   * ```
   */
  async expectSegmentsAtMost(segments: number): Promise<Usage> {
    const usage = await this.usage();
    checkBudget(usage, { segments }, 'the conversation');
    return usage;
  }

  /**
   * Checks that the conversation has cost at most `cost` so far (both directions, in the price table's currency).
   * @throws UsageBudgetError
   *
   * @example
   * ```ts
   * await chat.expectCostAtMost(0.02);
   * ```
   */
  async expectCostAtMost(cost: number): Promise<Usage> {
    const usage = await this.usage();
    checkBudget(usage, { cost }, 'the conversation');
    return usage;
  }

  /**
   * Reports the last reply (or `reply`) delivered, for every recipient (or only `recipient`, in a group).
   *
   * @example
   * ```ts
   * await chat.deliver(await chat.expectReply("who's in?"));
   * await chat.deliver(undefined, '+19195557002'); // the last reply, to one member of the group
   * await chat.deliver(undefined, undefined, { carrierName: 'T-Mobile' }); // with T-Mobile's surcharge
   * ```
   */
  async deliver(
    reply: Reply | undefined = this.read.at(-1),
    recipient?: string,
    { carrierName }: { carrierName?: string } = {},
  ): Promise<void> {
    const outcome = { type: 'message-delivered' as const, ...(carrierName ? { carrierName } : {}) };
    await this.parts.bandwidth.report(this.replied(reply), outcome, recipient);
  }

  /**
   * Reports the last reply (or `reply`) failed with Bandwidth error `errorCode`.
   *
   * @example
   * ```ts
   * await chat.expectReply('Order A-17 is ready!');
   * await chat.failDelivery(4700); // the handset can't take MMS
   * ```
   */
  async failDelivery(
    errorCode: number,
    reply: Reply | undefined = this.read.at(-1),
    recipient?: string,
  ): Promise<void> {
    await this.parts.bandwidth.report(this.replied(reply), { type: 'message-failed', errorCode }, recipient);
  }

  /**
   * Moves the test server's clock forward: the bot's timers fire as if that much time had passed.
   *
   * @example
   * ```ts
   * await chat.advance('16 minutes');
   * await chat.expectReply(/still there/);
   * ```
   */
  async advance(duration: Duration): Promise<void> {
    await this.settle();
    await this.parts.env.sleep(duration);
  }

  /**
   * Delivers an external event (a payment, an operator action) the bot may be waiting for.
   *
   * @example
   * ```ts
   * await chat.signal('payment', { amountCents: 1800 });
   * ```
   */
  async signal(name: string, payload?: unknown): Promise<void> {
    await this.settle();
    await this.workflow.signal(externalEventSignal, { name, payload });
  }

  /**
   * Every message of the conversation so far, oldest first, with its delivery status.
   *
   * @example
   * ```ts
   * const transcript = await chat.transcript();
   * assert.deepEqual(transcript.map((m) => [m.direction, m.status]), [['in', 'received'], ['out', 'delivered']]);
   * ```
   */
  async transcript(): Promise<TranscriptEntry[]> {
    return this.query(transcriptQuery);
  }

  /**
   * Asks the conversation a query (`transcriptQuery`, `'__temporal_workflow_metadata'`, a bot's own) once it has
   * handled what it was sent. Ask through this rather than `chat.workflow.query`: on Temporal's time-skipping test
   * server a query that comes in the moment a run ends (between its last sends and its end, one 1 ms timer apart:
   * workflows/runtime/commit-sends.ts) is never answered and holds the server's clock for good, so this waits until
   * the conversation is idle, no timer about to fire, and fails after {@link QUERY_DEADLINE_MS} rather than hang.
   *
   * @example
   * ```ts
   * const metadata = await chat.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
   * ```
   */
  async query<R, A extends unknown[] = []>(query: QueryDefinition<R, A> | string, ...args: A): Promise<R> {
    const { conversation, env } = this.parts;
    await conversation.idle();
    try {
      return await env.client.workflow.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
        this.workflow.query<R, A>(query, ...args),
      );
    } catch (err) {
      if (!isGrpcDeadlineError(err)) throw err;
      throw new Error(
        `the conversation did not answer the query ${typeof query === 'string' ? query : query.name} within ` +
          `${QUERY_DEADLINE_MS} ms: a query the test server lost can also stop its clock, so the test ends here`,
        { cause: err },
      );
    }
  }

  /**
   * Waits for the conversation to end (skipping time as needed) and returns how it ended.
   *
   * @example
   * ```ts
   * const outcome = await chat.result();
   * assert.equal(outcome.ended, 'bot-finished');
   * ```
   */
  async result(): Promise<ConversationOutcome> {
    await this.settle();
    const outcome = (await this.workflow.result()) as ConversationOutcome;
    await this.checkBudget();
    return outcome;
  }

  /**
   * The number of events in the conversation's current run.
   *
   * @example
   * ```ts
   * assert.ok((await chat.historyLength()) < 200);
   * ```
   */
  async historyLength(): Promise<number> {
    return (await this.workflow.fetchHistory()).events?.length ?? 0;
  }

  /**
   * Stops the conversation (if it is still running) and releases its Bandwidth. `BotTestEnvironment.teardown` closes
   * every chat, then the worker they share.
   *
   * @example
   * ```ts
   * await chat.close();
   * ```
   */
  async close(): Promise<void> {
    const { conversation, bandwidth } = this.parts;
    await conversation.stop();
    await bandwidth.close();
  }

  /** Fails the test once the conversation is over its `StartBotOptions.budget`. */
  private async checkBudget(): Promise<void> {
    if (!this.parts.budget) return;
    const usage = await this.usage();
    try {
      checkBudget(usage, this.parts.budget);
    } catch (err) {
      if (!(err instanceof UsageBudgetError)) throw err;
      const lines = (await this.transcript()).filter((m) => m.direction === 'out');
      throw new UsageBudgetError(
        `${err.message} (${describeUsage(usage)}); the bot sent:\n` +
          lines.map((m) => `  ${m.segmentCount ?? '?'} segment(s): ${JSON.stringify(m.text)}`).join('\n'),
        usage,
      );
    }
  }

  private replied(reply: Reply | undefined): Reply {
    if (!reply) throw new Error('the bot has not replied yet');
    return reply;
  }

  /** Before the next step, Bandwidth reports the receipts the test did not script (fake Bandwidth: delivered). */
  private async settle(): Promise<void> {
    await this.parts.bandwidth.settle(this.read);
  }
}
