/**
 * The faults, phase by phase, and the schedule that deals them out while the handsets text:
 *
 * - `workers`: SIGKILL a worker (the one up longest), half the time at the moment the emulator accepts one of its
 *   messages (through its send tap, before the worker reads the answer); start it again after a short pause.
 * - `server`: SIGKILL the webhook server; the emulator retries the callbacks it could not deliver.
 * - `temporal`: SIGKILL the Temporal dev server; start it again on the same SQLite file and port.
 * - `emulator`: SIGKILL the emulator (between handset texts); start it again on the same data directory, so it resumes
 *   its queue and its pending callbacks.
 * - `callbacks`: the emulator delivers 30 % of callbacks twice and holds 30 % back so later ones overtake them.
 * - `api-faults`: create-message answers 500, 503 or 429 (Retry-After), accepts and then never answers, or hangs
 *   (emulator `settings.apiFaults`; "not available" on an emulator without them).
 * - `mixed`: all of the above at once.
 *
 * Kills are spread over the load: the k-th of n faults waits until k/(n+1) of the texts have been sent, so a phase
 * whose parts are down takes longer rather than running out of load. Which kill comes when is drawn from the seed.
 */
import { type HandsetLoad } from './handsets';
import { type ChaosStack, type Part } from './processes';

export const PHASES = ['workers', 'server', 'temporal', 'emulator', 'callbacks', 'api-faults', 'mixed'] as const;
export type PhaseName = (typeof PHASES)[number];
export type KillTarget = 'worker' | 'server' | 'temporal' | 'emulator';
export const KILL_TARGETS: readonly KillTarget[] = ['worker', 'server', 'temporal', 'emulator'];

/** What one phase does. */
export interface PhasePlan {
  name: PhaseName;
  /** SIGKILLs asked for, per part. */
  kills: Record<KillTarget, number>;
  /** Callbacks duplicated and reordered during the load. */
  callbacks: boolean;
  /** create-message faults during the load. */
  apiFaults: boolean;
}

/** The plan of phase `name`: `kills` worker SIGKILLs, `restarts` SIGKILLs of each of the other parts. */
export function planPhase(name: PhaseName, counts: { kills: number; restarts: number }): PhasePlan {
  const none = { worker: 0, server: 0, temporal: 0, emulator: 0 };
  const plan = (kills: Partial<Record<KillTarget, number>>, callbacks = false, apiFaults = false): PhasePlan => ({
    name,
    kills: { ...none, ...kills },
    callbacks,
    apiFaults,
  });
  switch (name) {
    case 'workers':
      return plan({ worker: counts.kills });
    case 'server':
      return plan({ server: counts.restarts });
    case 'temporal':
      return plan({ temporal: counts.restarts });
    case 'emulator':
      return plan({ emulator: counts.restarts });
    case 'callbacks':
      return plan({}, true);
    case 'api-faults':
      return plan({}, false, true);
    case 'mixed':
      return plan(
        { worker: counts.kills, server: counts.restarts, temporal: counts.restarts, emulator: counts.restarts },
        true,
        true,
      );
  }
}

/** Callback delivery during a `callbacks` or `mixed` phase. */
export const CALLBACK_FAULTS = { duplicateRate: 0.3, reorderRate: 0.3, reorderMaxDelayMs: 3_000 };
/**
 * create-message faults during an `api-faults` or `mixed` phase: about one create in five fails one way or another.
 * A held request is dropped after 12 s, past the Bandwidth client's 10 s request timeout.
 */
export const API_FAULTS = {
  createMessage: {
    error500Rate: 0.04,
    error503Rate: 0.04,
    error429Rate: 0.04,
    retryAfterSeconds: 1,
    acceptThenTimeoutRate: 0.04,
    hangRate: 0.02,
    holdMs: 12_000,
  },
};
const API_FAULT_RATES_OFF = {
  createMessage: { error500Rate: 0, error503Rate: 0, error429Rate: 0, acceptThenTimeoutRate: 0, hangRate: 0 },
};

/** `GET /emulator/faults`: injected create-message faults since the emulator started. */
export type ApiFaultCounts = Record<string, number>;

/** What a phase's faults did. */
export interface FaultTally {
  kills: Record<KillTarget, number>;
  /** Worker kills that landed after the emulator accepted a message and before the worker read the answer. */
  midSend: number;
  /** Kills that came after the handsets had finished (the load ran out before the schedule did). */
  afterLoad: number;
  /** Injected create-message faults by kind; `null` when the phase injects none. */
  apiFaults: ApiFaultCounts | null;
  /** Callbacks the emulator delivered a second time; `null` when the phase duplicates none. */
  callbackDuplicates: number | null;
  /** What else happened worth telling (the emulator's queue when it was killed, say). */
  notes: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function emulatorJson(stack: ChaosStack, route: string, init?: RequestInit): Promise<unknown> {
  const response = await fetch(`${stack.emulatorUrl}${route}`, { ...init, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${route}: HTTP ${response.status}`);
  return response.json();
}

async function patchSettings(stack: ChaosStack, patch: object): Promise<Record<string, unknown>> {
  return (await emulatorJson(stack, '/emulator/settings', {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(patch),
  })) as Record<string, unknown>;
}

/** Whether the emulator injects API faults: its settings have `apiFaults` (an older emulator has none). */
export async function hasApiFaults(stack: ChaosStack): Promise<boolean> {
  const settings = (await emulatorJson(stack, '/emulator/settings')) as Record<string, unknown>;
  return typeof settings.apiFaults === 'object' && settings.apiFaults !== null;
}

/**
 * Switches the phase's emulator faults on (or every one off). Returns whether the emulator took the API faults: an
 * emulator without them drops the unknown `apiFaults` setting, or refuses it.
 */
export async function switchEmulatorFaults(stack: ChaosStack, plan: PhasePlan, on: boolean): Promise<boolean> {
  await patchSettings(stack, {
    callbacks: on && plan.callbacks ? CALLBACK_FAULTS : { duplicateRate: 0, reorderRate: 0 },
  });
  if (!plan.apiFaults) return true;
  try {
    const settings = await patchSettings(stack, { apiFaults: on ? API_FAULTS : API_FAULT_RATES_OFF });
    const taken = (settings.apiFaults as { createMessage?: { error500Rate?: number } } | undefined)?.createMessage;
    return taken?.error500Rate === (on ? API_FAULTS.createMessage.error500Rate : 0);
  } catch {
    return false;
  }
}

/** Sums `GET /emulator/faults` over a phase, across emulator restarts (which zero the emulator's counts). */
class ApiFaultCounter {
  private total: ApiFaultCounts = {};
  private baseline: ApiFaultCounts = {};

  constructor(private readonly stack: ChaosStack) {}

  private async read(): Promise<ApiFaultCounts> {
    const body = (await emulatorJson(this.stack, '/emulator/faults')) as { createMessage?: ApiFaultCounts };
    return body.createMessage ?? {};
  }

  async start(): Promise<void> {
    this.baseline = await this.read();
  }

  /** Before the emulator goes down: what it injected so far counts, and it starts from zero again. */
  async emulatorGoingDown(): Promise<void> {
    await this.take();
    this.baseline = {};
  }

  async finish(): Promise<ApiFaultCounts> {
    await this.take();
    return this.total;
  }

  private async take(): Promise<void> {
    const now = await this.read();
    for (const [kind, n] of Object.entries(now))
      this.total[kind] = (this.total[kind] ?? 0) + n - (this.baseline[kind] ?? 0);
  }
}

/** Message units in the emulator's queue, and callbacks it has yet to deliver. */
async function emulatorBacklog(stack: ChaosStack): Promise<{ queued: number; pending: number }> {
  const queue = (await emulatorJson(stack, '/emulator/queue')) as { queuedUnits: number }[];
  const { callbacks } = (await emulatorJson(stack, '/emulator')) as { callbacks: { pending: number } };
  return { queued: queue.reduce((sum, account) => sum + account.queuedUnits, 0), pending: callbacks.pending };
}

interface CallbackLogEntry {
  id: number;
  duplicateOf: number | null;
}

async function callbackLog(stack: ChaosStack, limit: number): Promise<CallbackLogEntry[]> {
  return (await emulatorJson(stack, `/emulator/callbacks?limit=${limit}`)) as CallbackLogEntry[];
}

export interface FaultContext {
  stack: ChaosStack;
  load: HandsetLoad;
  /** Texts the load will send in all. */
  totalTexts: number;
  random: () => number;
  log: (line: string) => void;
}

/**
 * Runs a phase's faults while its load runs: switches the emulator's faults on, deals out the kills, and once the
 * load is over switches the emulator's faults off again and tallies what was done.
 */
export async function runFaults(plan: PhasePlan, ctx: FaultContext): Promise<FaultTally> {
  const { stack, load, random, log } = ctx;
  const tally: FaultTally = {
    kills: { worker: 0, server: 0, temporal: 0, emulator: 0 },
    midSend: 0,
    afterLoad: 0,
    apiFaults: null,
    callbackDuplicates: null,
    notes: [],
  };
  const apiCounter = new ApiFaultCounter(stack);
  const firstCallback = plan.callbacks ? ((await callbackLog(stack, 1))[0]?.id ?? 0) : 0;
  if (plan.apiFaults) await apiCounter.start();
  if (!(await switchEmulatorFaults(stack, plan, true))) throw new Error('the emulator did not take the API faults');

  const schedule = shuffle(
    KILL_TARGETS.flatMap((target) => Array.from({ length: plan.kills[target] }, () => target)),
    random,
  );
  for (const [k, target] of schedule.entries()) {
    await load.waitForSent(Math.ceil((ctx.totalTexts * (k + 1)) / (schedule.length + 1)));
    if (load.finished) tally.afterLoad += 1;
    const asked = plan.kills[target];
    const label = `${plan.name}: SIGKILL ${target} (${tally.kills[target] + 1}/${asked})`;
    switch (target) {
      case 'worker': {
        const midSend = await killWorker(stack, load, random);
        if (midSend) tally.midSend += 1;
        log(`${label}${midSend ? ' right after the emulator accepted its message' : ''}`);
        break;
      }
      case 'server':
        log(label);
        await killAndRestart(stack.server, random);
        break;
      case 'temporal':
        log(label);
        await killAndRestart(stack.temporal, random);
        break;
      case 'emulator': {
        // Kill it in a busy moment if one comes within 5 s (messages queued), to see it resume its queue.
        await stack.emulator.waitReady();
        const busyBy = Date.now() + 5_000;
        while ((await emulatorBacklog(stack)).queued === 0 && Date.now() < busyBy) await sleep(100);
        await load.holdTexts(async () => {
          const { queued, pending } = await emulatorBacklog(stack);
          if (plan.apiFaults) await apiCounter.emulatorGoingDown();
          log(`${label} with ${queued} message units queued and ${pending} callbacks pending`);
          tally.notes.push(`emulator killed with ${queued} message units queued, ${pending} callbacks pending`);
          await killAndRestart(stack.emulator, random);
        });
        break;
      }
    }
    tally.kills[target] += 1;
  }

  await load.done.catch(() => undefined);
  await stack.allReady();
  await switchEmulatorFaults(stack, plan, false);
  if (plan.apiFaults) tally.apiFaults = await apiCounter.finish();
  if (plan.callbacks) {
    const entries = await callbackLog(stack, 10_000);
    tally.callbackDuplicates = entries.filter((e) => e.id > firstCallback && e.duplicateOf !== null).length;
  }
  return tally;
}

/**
 * Kills a worker that has been up a moment (waiting, if need be, until one has), and starts it again after a short
 * pause. Half the time the kill waits (up to 8 s) for the emulator to accept a message from any such worker, and kills
 * that one before it reads the answer; otherwise, or if no message comes, it kills the one up longest. Returns whether
 * the kill came mid-send.
 */
async function killWorker(stack: ChaosStack, load: HandsetLoad, random: () => number): Promise<boolean> {
  const minUptimeMs = 1_000 + random() * 2_000;
  const tryMidSend = random() < 0.5;
  const downtimeMs = 200 + random() * 1_300;
  const eligible = await workersUpFor(stack, minUptimeMs);
  let victim = eligible[0]!;
  let gone: Promise<void> | undefined;
  let midSend = false;
  if (tryMidSend && !load.finished) {
    const hits = await Promise.all(
      eligible.map((index) =>
        stack.taps[index]!.interceptNextAcceptance(() => {
          for (const other of eligible) if (other !== index) stack.taps[other]!.disarm();
          victim = index;
          gone = stack.workers[index]!.kill();
        }, 8_000),
      ),
    );
    midSend = hits.some(Boolean);
  }
  const worker = stack.workers[victim]!;
  await (gone ?? worker.kill());
  await sleep(downtimeMs);
  void worker.start().catch(() => undefined);
  return midSend;
}

/** The workers up for `minUptimeMs` at least, the one up longest first (waiting until there is one). */
async function workersUpFor(stack: ChaosStack, minUptimeMs: number): Promise<number[]> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const now = Date.now();
    const up = stack.workers
      .map((w, i) => ({ i, since: w.readySince }))
      .filter((w): w is { i: number; since: number } => w.since !== null && now - w.since >= minUptimeMs)
      .sort((a, b) => a.since - b.since)
      .map((w) => w.i);
    if (up.length > 0) return up;
    if (now > deadline) throw new Error('no worker came up within 5 minutes');
    await sleep(100);
  }
}

/** SIGKILL, a pause of half a second to two and a half, and a start on the same port and files. */
async function killAndRestart(part: Part, random: () => number): Promise<void> {
  await part.waitReady();
  await part.kill();
  await sleep(500 + random() * 2_000);
  await part.start();
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
