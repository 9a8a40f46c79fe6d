/**
 * What the handsets receive, learned from the emulator: one reader follows the emulator's inbox feed
 * (`GET /emulator/inbox`, held open while nothing is new) and hands each of our messages to the handset it went to,
 * in the order the emulator accepted them. A reply's arrival is when the feed brought it here; its delivery status,
 * error code, carrier and segment count are read again from the same feed once the run is over.
 */
import { z } from 'zod';

const FeedMessageSchema = z.object({
  id: z.number(),
  phone: z.string(),
  messageId: z.string(),
  direction: z.enum(['out', 'peer', 'network']),
  from: z.string(),
  text: z.string(),
  media: z.array(z.string()),
  status: z.string(),
  errorCode: z.number(),
  terminal: z.boolean(),
  carrierName: z.string().nullable(),
  segmentCount: z.number(),
  messageType: z.enum(['sms', 'mms']),
});
const FeedSchema = z.object({ messages: z.array(FeedMessageSchema), next: z.number(), latest: z.number() });

/** One message a handset received from our number, as the emulator's feed shows it. */
export type FeedMessage = z.infer<typeof FeedMessageSchema>;

const HOLD_MS = 500;

async function readFeed(emulatorUrl: string, query: string) {
  const response = await fetch(`${emulatorUrl}/emulator/inbox?${query}`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) {
    throw new Error(
      `the emulator's inbox feed answered ${response.status} (${emulatorUrl}/emulator/inbox): is this Threadline's emulator?`,
    );
  }
  return FeedSchema.parse(await response.json());
}

/** Our messages to the handsets, as they arrive. */
export interface ReplyFeed {
  /**
   * The next message to `phone` that `take` has not returned yet, waiting up to `timeoutMs` (null then), with the
   * moment (`performance.now()`) it reached this process. Messages that reached it before `notBefore` (the send this
   * reply answers) are stray: a late reply to an earlier conversation on the handset, or one more reply than its
   * script expected. They are passed over and counted in {@link ReplyFeed.stray}, never taken as this reply.
   */
  take(phone: string, timeoutMs: number, notBefore?: number): Promise<{ message: FeedMessage; at: number } | null>;
  /** Every message of ours to the handsets since the feed started, with its latest status. */
  all(): Promise<FeedMessage[]>;
  /** How many stray messages `take` passed over. */
  readonly stray: number;
  stop(): Promise<void>;
}

/** Starts following the emulator's feed from its newest message. */
export async function followReplies(emulatorUrl: string, onError: (err: unknown) => void): Promise<ReplyFeed> {
  const start = (await readFeed(emulatorUrl, 'limit=0')).latest;
  let cursor = start;
  let stopped = false;
  const queued = new Map<string, { message: FeedMessage; at: number }[]>();
  const waiting = new Map<string, () => void>();
  let stray = 0;

  const loop = (async () => {
    while (!stopped) {
      try {
        const page = await readFeed(emulatorUrl, `after=${cursor}&limit=1000&wait=${HOLD_MS}`);
        const at = performance.now();
        cursor = page.next;
        for (const message of page.messages) {
          if (message.direction !== 'out') continue;
          const list = queued.get(message.phone) ?? [];
          list.push({ message, at });
          queued.set(message.phone, list);
          waiting.get(message.phone)?.();
        }
      } catch (err) {
        if (stopped) return;
        onError(err);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  })();

  return {
    async take(phone, timeoutMs, notBefore = -Infinity) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const next = queued.get(phone)?.shift();
        if (next && next.at < notBefore) {
          stray++;
          continue;
        }
        if (next) return next;
        const left = deadline - performance.now();
        if (left <= 0 || stopped) return null;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiting.set(phone, () => {
            clearTimeout(timer);
            resolve();
          });
        });
        waiting.delete(phone);
      }
    },
    async all() {
      const messages: FeedMessage[] = [];
      for (let after = start; ;) {
        const page = await readFeed(emulatorUrl, `after=${after}&limit=5000`);
        messages.push(...page.messages.filter((m) => m.direction === 'out'));
        if (page.messages.length === 0 || page.next >= page.latest) return messages;
        after = page.next;
      }
    },
    get stray() {
      return stray;
    },
    async stop() {
      stopped = true;
      for (const wake of waiting.values()) wake();
      await loop;
    },
  };
}
