/**
 * One phase of the chaos run: fresh handsets text the echo bot while the phase's faults are dealt out, then the
 * phase settles and every inbox is counted.
 */
import { createRecordStore, recordStoreTarget } from '../records';
import { countInboxes, countUnrecorded, handsetPhone, noInboxes, startHandsets, type InboxCount } from './handsets';
import { hasApiFaults, runFaults, type FaultTally, type PhasePlan } from './faults';
import { type ChaosStack, type UnexpectedExit } from './processes';
import { settle } from './settle';

export interface PhaseOptions {
  /** The phase's place in the run (its handsets' numbers derive from it). */
  index: number;
  handsets: number;
  texts: number;
  random: () => number;
  replyTimeoutMs: number;
  thinkMs: number;
  quietMs: number;
  settleTimeoutMs: number;
  log: (line: string) => void;
}

export interface PhaseResult {
  plan: PhasePlan;
  /** False when the phase needs emulator API faults and the emulator has none: nothing was run. */
  available: boolean;
  count: InboxCount;
  tally: FaultTally | null;
  /** Answers a handset gave up waiting for (it texted again); they may still have come later. */
  replyTimeouts: number;
  settled: boolean;
  /** Parts that exited without being killed during the phase. */
  exits: UnexpectedExit[];
  seconds: number;
  /** Why the phase could not finish, if it could not. */
  error?: string;
}

/** Runs one phase on a running stack. */
export async function runPhase(stack: ChaosStack, asked: PhasePlan, options: PhaseOptions): Promise<PhaseResult> {
  const started = Date.now();
  let plan = asked;
  const exitsBefore = stack.exits.length;
  const phones = Array.from({ length: options.handsets }, (_, i) => handsetPhone(options.index, i));
  const { log } = options;
  const result = (partial: Partial<PhaseResult> & Pick<PhaseResult, 'count'>): PhaseResult => ({
    plan,
    available: true,
    tally: null,
    replyTimeouts: 0,
    settled: false,
    exits: stack.exits.slice(exitsBefore),
    seconds: Math.round((Date.now() - started) / 1000),
    ...partial,
  });
  await stack.allReady();
  const notes: string[] = [];
  if (plan.apiFaults && !(await hasApiFaults(stack))) {
    log(`${plan.name}: the emulator has no API faults (settings.apiFaults): not available`);
    if (plan.name === 'api-faults') return result({ available: false, count: noInboxes(), settled: true });
    plan = { ...plan, apiFaults: false };
    notes.push('API faults not available: the emulator has no settings.apiFaults');
  }
  log(`${plan.name}: ${phones.length} handsets x ${options.texts} texts`);
  const load = startHandsets({
    emulatorUrl: stack.emulatorUrl,
    ourNumber: stack.ourNumber,
    phones,
    texts: options.texts,
    replyTimeoutMs: options.replyTimeoutMs,
    thinkMs: options.thinkMs,
    random: options.random,
    log,
  });
  const faults = runFaults(plan, {
    stack,
    load,
    totalTexts: phones.length * options.texts,
    random: options.random,
    log,
  });
  try {
    const [tally] = await Promise.all([faults, load.done]);
    tally.notes.unshift(...notes);
    log(`${plan.name}: load done (${load.sent} texts), settling`);
    const settled = await settle(stack, {
      phones,
      texts: options.texts,
      quietMs: options.quietMs,
      timeoutMs: options.settleTimeoutMs,
      log,
    });
    await countRecords(stack, phones, settled.count);
    return result({ count: settled.count, tally, replyTimeouts: load.timeouts, settled: settled.settled });
  } catch (err) {
    await Promise.allSettled([faults, load.done]);
    const count = await countInboxes(stack.emulatorUrl, phones, options.texts).catch(() => ({
      ...noInboxes(),
      texts: load.sent,
      expected: load.sent,
    }));
    return result({ count, error: err instanceof Error ? err.message : String(err) });
  }
}

/** Counts the answers the records do not hold, reading the stack's records store (opened once for the phase). */
async function countRecords(stack: ChaosStack, phones: readonly string[], count: InboxCount): Promise<void> {
  const store = await createRecordStore(
    recordStoreTarget({ dataDir: stack.dir, ...(stack.databaseUrl ? { databaseUrl: stack.databaseUrl } : {}) }),
  );
  try {
    await countUnrecorded(
      stack.emulatorUrl,
      phones,
      async (phone) => {
        const query = { ourNumber: stack.ourNumber, participant: phone, kind: 'outbound', limit: 1000 } as const;
        const { records } = await store.search(query);
        return new Set(records.flatMap((r) => (r.text === null ? [] : [r.text])));
      },
      count,
    );
  } finally {
    await store.close();
  }
}
