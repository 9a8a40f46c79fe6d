/**
 * Simulated handsets, through the emulator's handset API: each texts our number (`m1`, `m2`, ...) and waits for the
 * echo bot's answer (`#1: m1`) or a timeout before texting again; at the end every inbox is counted. A text goes out
 * only while the emulator is not being killed ({@link HandsetLoad.holdTexts}), so a handset never has to guess whether
 * a text it tried to send was taken: every text is accepted exactly once, and every reply is the system's doing.
 */
import { z } from 'zod';

/** The phone number of handset `index` in phase `phase` (each phase has its own handsets, so its own conversations). */
export function handsetPhone(phase: number, index: number): string {
  if (index >= 10_000) throw new Error('at most 10,000 handsets per phase');
  return `+1919${String(6_000_000 + phase * 10_000 + index).padStart(7, '0')}`;
}

/** The text handset texts as its `n`th message (1-based), and the echo bot's answer to it. */
export const textOf = (n: number) => `m${n}`;
const REPLY = /^#(\d+): m(\d+)$/;

const InboxSchema = z.object({
  messages: z.array(
    z.object({
      text: z.string(),
      time: z.string(),
      status: z.string(),
      fromHandset: z.boolean(),
      fromNetwork: z.boolean().optional(),
    }),
  ),
});
type InboxMessage = z.infer<typeof InboxSchema>['messages'][number];

/** What `phone` has received from our number: our messages only (not other handsets', not the network's). */
export async function inbox(emulatorUrl: string, phone: string): Promise<InboxMessage[]> {
  const response = await fetch(`${emulatorUrl}/emulator/handsets/${encodeURIComponent(phone)}/messages`, {
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`inbox of ${phone}: HTTP ${response.status}`);
  return InboxSchema.parse(await response.json()).messages.filter((m) => !m.fromHandset && !m.fromNetwork);
}

/** Which text a reply answers (`#3: m2` answers text 2), or `null` for a reply that answers none. */
function answered(reply: string): number | null {
  const match = REPLY.exec(reply);
  return match ? Number(match[2]) : null;
}

export interface HandsetLoadOptions {
  emulatorUrl: string;
  ourNumber: string;
  phones: readonly string[];
  texts: number;
  /** How long a handset waits for an answer before it texts again anyway. */
  replyTimeoutMs: number;
  /** Mean pause between an answer and the next text (uniform from 0 to twice this). */
  thinkMs: number;
  random: () => number;
  log: (line: string) => void;
}

/** Handsets texting, as it happens. */
export interface HandsetLoad {
  /** Texts the emulator has accepted so far. */
  readonly sent: number;
  /** Answers that did not come within the reply timeout (the handset texted again without it). */
  readonly timeouts: number;
  /** Resolves once `count` texts have been accepted, or once the load is over (`false` then, if fewer were). */
  waitForSent(count: number): Promise<boolean>;
  /** Waits for texts being posted to be taken, keeps new ones back while `fn` runs (the emulator being killed). */
  holdTexts<T>(fn: () => Promise<T>): Promise<T>;
  /** Resolves once every handset has sent every text and had its answer or timeout. */
  readonly done: Promise<void>;
  readonly finished: boolean;
}

const POLL_MS = 400;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the handsets; they run until each has sent `texts` texts. */
export function startHandsets(options: HandsetLoadOptions): HandsetLoad {
  let sent = 0;
  let timeouts = 0;
  let finished = false;
  const waiters: { count: number; resolve: (reached: boolean) => void }[] = [];
  const notify = () => {
    for (const w of [...waiters]) {
      if (sent >= w.count || finished) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(sent >= w.count);
      }
    }
  };

  // Texts in flight, and a hold that keeps new ones back.
  let posting = 0;
  let drained: (() => void) | undefined;
  let hold: Promise<void> | undefined;

  async function post(phone: string, text: string): Promise<void> {
    for (;;) {
      while (hold) await hold;
      posting += 1;
      try {
        const response = await fetch(`${options.emulatorUrl}/emulator/handsets/${encodeURIComponent(phone)}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ to: options.ourNumber, text }),
        });
        if (response.status === 202) return;
        throw new Error(`the emulator refused ${phone}'s text: HTTP ${response.status} ${await response.text()}`);
      } catch (err) {
        // Refused: the emulator is down (it died on its own), so nothing was taken and the text can be tried again.
        const code = (err as { cause?: { code?: string } }).cause?.code;
        if (code !== 'ECONNREFUSED') throw err;
      } finally {
        posting -= 1;
        if (posting === 0) drained?.();
      }
      await sleep(500);
    }
  }

  async function waitForAnswer(phone: string, n: number): Promise<boolean> {
    const deadline = Date.now() + options.replyTimeoutMs;
    while (Date.now() < deadline) {
      const replies = await inbox(options.emulatorUrl, phone).catch(() => []);
      if (replies.some((m) => answered(m.text) === n)) return true;
      await sleep(POLL_MS);
    }
    return false;
  }

  async function handset(phone: string): Promise<void> {
    await sleep(options.random() * options.thinkMs * 2);
    for (let n = 1; n <= options.texts; n++) {
      await post(phone, textOf(n));
      sent += 1;
      notify();
      if (!(await waitForAnswer(phone, n))) {
        timeouts += 1;
        options.log(`${phone} had no answer to ${textOf(n)} within ${options.replyTimeoutMs / 1000} s`);
      }
      await sleep(options.random() * options.thinkMs * 2);
    }
  }

  const done = Promise.all(options.phones.map((phone) => handset(phone))).then(() => undefined);
  const over = () => {
    finished = true;
    notify();
  };
  done.then(over, over);

  return {
    get sent() {
      return sent;
    },
    get timeouts() {
      return timeouts;
    },
    get finished() {
      return finished;
    },
    done,
    waitForSent(count) {
      if (sent >= count) return Promise.resolve(true);
      if (finished) return Promise.resolve(false);
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async holdTexts(fn) {
      while (hold) await hold;
      let release!: () => void;
      hold = new Promise<void>((resolve) => (release = resolve));
      try {
        if (posting > 0) await new Promise<void>((resolve) => (drained = resolve));
        drained = undefined;
        return await fn();
      } finally {
        hold = undefined;
        release();
      }
    },
  };
}

/** Every inbox counted against what the handsets sent. */
export interface InboxCount {
  /** Texts the handsets sent. */
  texts: number;
  /** Answers expected: one per text. */
  expected: number;
  /** Answers received (duplicates included). */
  received: number;
  /** Texts with no answer. */
  lost: number;
  /** Answers beyond the first to the same text. */
  duplicated: number;
  /** Answers to no text a handset sent. */
  unexpected: number;
  /** Answers accepted by the emulator but not (yet) delivered to the handset. */
  undelivered: number;
  /** Answers a handset received that the message records do not hold (counted once the phase has settled). */
  unrecorded: number;
  /** Each text lost or answered twice, each unexpected or unrecorded answer: which handset, which text, when. */
  findings: string[];
}

/** An empty count. */
export function noInboxes(): InboxCount {
  return {
    texts: 0,
    expected: 0,
    received: 0,
    lost: 0,
    duplicated: 0,
    unexpected: 0,
    undelivered: 0,
    unrecorded: 0,
    findings: [],
  };
}

const timeOfDay = (iso: string) => iso.slice(11, 23);

/** Counts every handset's inbox: `texts` texts each, one answer expected to each. */
export async function countInboxes(emulatorUrl: string, phones: readonly string[], texts: number): Promise<InboxCount> {
  const count: InboxCount = { ...noInboxes(), texts: phones.length * texts, expected: phones.length * texts };
  for (const phone of phones) {
    const replies = await inbox(emulatorUrl, phone);
    const perText = Array.from({ length: texts + 1 }, () => [] as InboxMessage[]);
    for (const reply of replies) {
      count.received += 1;
      if (reply.status !== 'DELIVERED') count.undelivered += 1;
      const n = answered(reply.text);
      if (n === null || n < 1 || n > texts) {
        count.unexpected += 1;
        count.findings.push(`${phone} got "${reply.text}", which answers no text it sent (${timeOfDay(reply.time)})`);
      } else perText[n]!.push(reply);
    }
    for (let n = 1; n <= texts; n++) {
      const answers = perText[n]!;
      if (answers.length === 0) {
        count.lost += 1;
        count.findings.push(`${phone} got no answer to "${textOf(n)}"`);
      } else if (answers.length > 1) {
        count.duplicated += answers.length - 1;
        const what = answers.map((a) => `"${a.text}" ${timeOfDay(a.time)}`).join(', ');
        count.findings.push(`${phone} got ${answers.length} answers to "${textOf(n)}": ${what}`);
      }
    }
  }
  return count;
}

/**
 * Counts into `count` every answer a handset received that the records do not hold as an outbound message:
 * `recorded(phone)` gives the texts of the outbound records to `phone`. Threadline keeps every message it sent, also
 * when the worker that sent one was killed before recording it.
 */
export async function countUnrecorded(
  emulatorUrl: string,
  phones: readonly string[],
  recorded: (phone: string) => Promise<Set<string>>,
  count: InboxCount,
): Promise<void> {
  for (const phone of phones) {
    const texts = await recorded(phone);
    for (const reply of await inbox(emulatorUrl, phone)) {
      if (answered(reply.text) === null || texts.has(reply.text)) continue;
      count.unrecorded += 1;
      count.findings.push(`${phone} got "${reply.text}", which the records do not hold (${timeOfDay(reply.time)})`);
    }
  }
}
