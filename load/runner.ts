/**
 * The load-test runner: N simulated handsets each run a script's dialogue against a bot through the emulator, and
 * the run is reported (load/report.ts). Texts go in through the emulator's handset API (`POST
 * /emulator/handsets/{phone}/messages`), as a person's phone would send them, or straight to a webhook server as
 * Bandwidth's `message-received` callbacks (the capacity benchmark, so that exactly `inFlight` callbacks are in flight);
 * replies are learned from the emulator's inbox feed (load/reply-feed.ts), so any stack with Threadline's emulator
 * can be measured: `npm start`, a deployment on the emulator, or the tool's own in-process stack (load/own-stack.ts).
 *
 * Handset `h` runs conversations `h`, `h + handsets`, `h + 2 × handsets`, ... one after another (a phone holds one
 * dialogue at a time); at most `concurrency` conversations run at once, the first ones started evenly over `rampMs`,
 * and at most `inFlight` texts are being posted at once. The run ends after `conversations` conversations, or when
 * `durationMs` has passed (conversations under way finish). A conversation stops at its first failure; every failure
 * is kept with its reason and code.
 */
import { newParticipant, jsonPoster, messageId, messageReceived } from './callback-load';
import { counterDelta, readCounters, type EmulatorCounters } from './emulator-admin';
import { followReplies, type FeedMessage } from './reply-feed';
import { buildReport, type ConversationRecord, type Failure, type LoadReport, type RunFacts } from './report';
import { replyMatches, type LoadScript } from './script';
import { DEFAULT_PRICE_TABLE, type PriceTable } from '../billing/price-table';

/** How texts reach the bot. */
export type Injection =
  | { via: 'handset' }
  /** `message-received` callbacks posted to the webhook server at `url`, as Bandwidth posts them. */
  | { via: 'webhook'; url: string; applicationId: string };

export interface LoadOptions {
  /** The emulator the bot sends through (its base URL, e.g. http://127.0.0.1:9010). */
  emulatorUrl: string;
  /** The bot's number (the number the handsets text). */
  botNumber: string;
  script: LoadScript;
  /** Distinct simulated phones (default 10). */
  handsets?: number;
  /** Conversations to run in all (default: one per handset; unbounded with `durationMs`). */
  conversations?: number;
  /** Stop starting conversations after this long. */
  durationMs?: number;
  /** Conversations at once (default: `handsets`). */
  concurrency?: number;
  /** Texts being posted at once (default: `concurrency`). */
  inFlight?: number;
  /** The first `concurrency` conversations start evenly over this long (default 0: all at once). */
  rampMs?: number;
  /** Handset `i` is +1919 and `6,000,000 + firstHandset + i` (default: a random block, so phones are new). */
  firstHandset?: number;
  injection?: Injection;
  /** After the last conversation, wait up to this long for every reply's delivery outcome (default 10 s). */
  settleMs?: number;
  prices?: PriceTable;
  /** Where `prices` came from, for the report (default: `default`). */
  priceSource?: string;
  random?: () => number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** Message ids of injected callbacks: unique in this process, and apart from any earlier run's. */
let webhookSequence = Date.now() * 1000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A counting semaphore with a FIFO queue. */
function semaphore(size: number) {
  let free = size;
  const queue: (() => void)[] = [];
  return {
    async acquire(): Promise<void> {
      if (free > 0) {
        free -= 1;
        return;
      }
      await new Promise<void>((resolve) => queue.push(resolve));
    },
    release(): void {
      const next = queue.shift();
      if (next) next();
      else free += 1;
    },
  };
}

/** Runs the script with the options' handsets; resolves with the report. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const handsets = options.handsets ?? 10;
  const total = options.conversations ?? (options.durationMs !== undefined ? Infinity : handsets);
  const concurrency = Math.max(1, Math.min(options.concurrency ?? handsets, handsets));
  const inFlight = Math.max(1, options.inFlight ?? concurrency);
  const rampMs = options.rampMs ?? 0;
  const random = options.random ?? Math.random;
  const injection = options.injection ?? { via: 'handset' };
  const log = options.log ?? (() => undefined);
  const emulatorUrl = options.emulatorUrl.replace(/\/+$/, '');
  const firstHandset = options.firstHandset ?? Math.floor(random() * 3_000_000);
  if (!(handsets >= 1) || !(total >= 1)) throw new Error('a load test needs at least one handset and one conversation');
  if (injection.via === 'webhook' && options.script.steps.some((s) => s.kind === 'send' && s.media.length > 0)) {
    throw new Error('media can be sent through the emulator only (injection via handset)');
  }
  const phones = Array.from({ length: handsets }, (_, i) => newParticipant(firstHandset + i));

  const feedErrors: string[] = [];
  const feed = await followReplies(emulatorUrl, (err) => feedErrors.push(String(err)));
  try {
    return await run();
  } finally {
    await feed.stop();
  }

  async function run(): Promise<LoadReport> {
    const countersBefore: EmulatorCounters = await readCounters(emulatorUrl);
    const poster =
      injection.via === 'webhook'
        ? jsonPoster(injection.url, inFlight, { 'user-agent': 'BandwidthAPI/v2' })
        : jsonPoster(`${emulatorUrl}/emulator/handsets`, inFlight);
    const sendSlots = semaphore(inFlight);
    const conversationSlots = semaphore(concurrency);
    const conversations: ConversationRecord[] = [];
    const sendAckMs: number[] = [];
    let lastSendAckAt = 0;
    let started = 0;
    const t0 = performance.now();
    const deadline = options.durationMs !== undefined ? t0 + options.durationMs : Infinity;

    /** Posts one text; resolves with when it left (its reply's latency counts from then) and any failure. */
    async function send(
      phone: string,
      step: Extract<LoadScript['steps'][number], { kind: 'send' }>,
    ): Promise<{ postedAt: number; failure?: Failure }> {
      await sendSlots.acquire();
      const postedAt = performance.now();
      try {
        let status: number;
        if (injection.via === 'webhook') {
          const body = messageReceived({
            id: messageId(++webhookSequence),
            from: phone,
            ourNumber: options.botNumber,
            applicationId: injection.applicationId,
            text: step.text ?? '',
          });
          status = await poster.post(JSON.stringify([body]));
        } else {
          const body = JSON.stringify({ to: options.botNumber, text: step.text, media: step.media });
          status = await poster.post(body, `/emulator/handsets/${encodeURIComponent(phone)}/messages`);
        }
        const expected = injection.via === 'webhook' ? 200 : 202;
        if (status !== expected) return { postedAt, failure: { reason: 'send-rejected', code: status } };
        return { postedAt };
      } catch (err) {
        const name = (err as NodeJS.ErrnoException).code ?? 'error';
        return { postedAt, failure: { reason: 'send-error', name, detail: String(err) } };
      } finally {
        lastSendAckAt = performance.now();
        sendAckMs.push(lastSendAckAt - postedAt);
        sendSlots.release();
      }
    }

    async function converse(index: number, phone: string): Promise<ConversationRecord> {
      const record: ConversationRecord = {
        index,
        phone,
        startedAt: performance.now() - t0,
        endedAt: 0,
        replies: [],
        sent: [],
        failure: null,
      };
      let lastSendAt = performance.now();
      for (const [stepIndex, step] of options.script.steps.entries()) {
        if (step.kind === 'think') {
          await sleep(step.minMs + random() * (step.maxMs - step.minMs));
        } else if (step.kind === 'send') {
          const { postedAt, failure } = await send(phone, step);
          lastSendAt = postedAt;
          if (failure) {
            record.failure = { ...failure, step: stepIndex };
            break;
          }
          record.sent.push({ text: step.text ?? '', media: step.media.length });
        } else {
          const reply = await feed.take(phone, step.timeoutMs, lastSendAt);
          if (!reply) {
            record.failure = {
              reason: 'reply-timeout',
              step: stepIndex,
              detail: `no reply within ${step.timeoutMs} ms`,
            };
            break;
          }
          record.replies.push({
            step: stepIndex,
            messageId: reply.message.messageId,
            text: reply.message.text,
            latencyMs: reply.at - lastSendAt,
            at: reply.at - t0,
          });
          if (!replyMatches(step.expect, reply.message.text)) {
            record.failure = { reason: 'unexpected-reply', step: stepIndex, detail: reply.message.text.slice(0, 160) };
            break;
          }
        }
      }
      record.endedAt = performance.now() - t0;
      return record;
    }

    const progress = setInterval(() => {
      const done = conversations.length;
      const failed = conversations.filter((c) => c.failure).length;
      log(`  ${((performance.now() - t0) / 1000).toFixed(0)} s: ${started} started, ${done} ended, ${failed} failed`);
    }, 5000);
    progress.unref();

    try {
      await Promise.all(
        phones.map(async (phone, h) => {
          for (let index = h; index < total; index += handsets) {
            await conversationSlots.acquire();
            try {
              if (performance.now() >= deadline || started >= total) return;
              const order = started++;
              if (rampMs > 0 && order < concurrency) {
                const due = t0 + (rampMs * order) / concurrency;
                if (due > performance.now()) await sleep(due - performance.now());
              }
              conversations.push(await converse(index, phone));
            } finally {
              conversationSlots.release();
            }
          }
        }),
      );
    } finally {
      clearInterval(progress);
      poster.close();
    }
    const wallMs = conversations.reduce((max, c) => Math.max(max, c.endedAt), 0);

    // Delivery outcomes: wait (up to settleMs) until every reply to our handsets is delivered or failed.
    const ours = new Set(phones);
    const settleUntil = performance.now() + (options.settleMs ?? 10_000);
    let replies: FeedMessage[];
    for (;;) {
      replies = (await feed.all()).filter((m) => ours.has(m.phone));
      if (replies.every((m) => m.terminal) || performance.now() >= settleUntil) break;
      await sleep(200);
    }
    const countersAfter = await readCounters(emulatorUrl);

    const facts: RunFacts = {
      script: options.script,
      settings: {
        emulatorUrl,
        botNumber: options.botNumber,
        handsets,
        conversations: Number.isFinite(total) ? total : null,
        durationMs: options.durationMs ?? null,
        concurrency,
        inFlight,
        rampMs,
        injection: injection.via,
        firstHandset: phones[0]!,
      },
      wallMs,
      sendAckMs,
      sendsAcknowledgedMs: lastSendAckAt - t0,
      conversations,
      replies,
      prices: options.prices ?? DEFAULT_PRICE_TABLE,
      priceSource: options.priceSource ?? 'default',
      emulator: {
        callbacks: counterDelta(countersBefore.callbacks, countersAfter.callbacks),
        apiFaults: counterDelta(countersBefore.apiFaults, countersAfter.apiFaults),
      },
      feedErrors,
      strayReplies: feed.stray,
    };
    return buildReport(facts);
  }
}
