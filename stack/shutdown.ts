/**
 * Stopping a process within one deadline, whatever it is doing. A process registers its parts (servers, the worker,
 * the emulator, the Temporal dev server) as they start; {@link shutDown} stops them:
 *
 * 1. every part stops taking new work at once (listening sockets closed, callback dispatch paused);
 * 2. then the parts stop stage by stage, the parts of one stage together, each finishing what is in flight;
 * 3. when `forceAfterMs` have passed (80 % of the timeout), every part still stopping is told to force (connections
 *    closed, processes killed, in-flight work set aside) and every stage not yet begun begins at once, forced;
 * 4. at `timeoutMs` it reports, naming every part that has not stopped or failed to.
 *
 * Nothing here waits past the deadline: a part that hangs is named, not waited for.
 */
import { performance } from 'node:perf_hooks';

/** One part of a running process that a shutdown stops. */
export interface Part {
  /** How messages name it: `webhook server`, `worker`, `emulator`, `Temporal dev server`. */
  readonly name: string;
  /**
   * Stops taking new work, at once: closes listening sockets, pauses dispatch. Every part's runs before any part's
   * {@link Part.stop}.
   */
  stopIntake?(): void;
  /**
   * Finishes or sets aside the work in flight and releases everything. It may wait while it finishes in-flight work;
   * once `force` aborts (the deadline nears) it stops waiting: closes connections, kills processes, abandons what is
   * left (which must then be safe to resume at the next start).
   */
  stop(force: AbortSignal): Promise<void>;
  /** The last resort when the process exits at once (a second Ctrl-C): synchronous, e.g. SIGKILL a child process. */
  abandon?(): void;
}

/** Parts in the order they stop: the parts of one stage stop together, a stage once the one before has stopped. */
export type Stages = readonly (readonly Part[])[];

export interface ShutdownOptions {
  /** The deadline, in ms: every part has stopped by then or is reported. */
  timeoutMs: number;
  /** When parts are told to force, in ms from the start (default 80 % of `timeoutMs`). */
  forceAfterMs?: number;
  /** Told as each part stops. */
  onStopped?: (part: string) => void;
}

export interface ShutdownReport {
  /** True when every part stopped, before the deadline. */
  ok: boolean;
  /** From the start of the shutdown to the report, in ms. */
  elapsedMs: number;
  /**
   * Parts that stopped, in the order they did: how long each took from its start, in ms, and whether it had been
   * told to force by then.
   */
  stopped: { part: string; ms: number; forced: boolean }[];
  /** Parts that did not stop: their stop failed, or had not finished at the deadline. */
  failures: { part: string; reason: string }[];
}

interface PartState {
  part: Part;
  state: 'waiting' | 'stopping' | 'stopped' | 'failed';
  reason?: string;
  /** Why it could not stop taking new work: a failure even if it then stops. */
  intakeError?: string;
}

/** Stops every part of `stages` within `options.timeoutMs`; never throws, never waits past the deadline. */
export async function shutDown(stages: Stages, options: ShutdownOptions): Promise<ShutdownReport> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs;
  const forceAfterMs = Math.min(options.forceAfterMs ?? Math.round(timeoutMs * 0.8), timeoutMs);
  const force = new AbortController();
  const states: PartState[][] = stages.map((stage) => stage.map((part) => ({ part, state: 'waiting' })));
  const all = states.flat();
  const stopped: ShutdownReport['stopped'] = [];

  for (const s of all) {
    try {
      s.part.stopIntake?.();
    } catch (err) {
      s.intakeError = `could not stop taking new work: ${describe(err)}`;
    }
  }

  let settle!: () => void;
  const allSettled = new Promise<void>((resolve) => (settle = resolve));
  let unsettled = all.length;
  const settled = () => {
    unsettled -= 1;
    if (unsettled === 0) settle();
  };
  if (unsettled === 0) settle();

  const runStage = (stage: PartState[]) =>
    Promise.all(
      stage.map(async (s) => {
        s.state = 'stopping';
        const begun = performance.now();
        try {
          await s.part.stop(force.signal);
          s.state = 'stopped';
          stopped.push({ part: s.part.name, ms: Math.round(performance.now() - begun), forced: force.signal.aborted });
          options.onStopped?.(s.part.name);
        } catch (err) {
          s.state = 'failed';
          s.reason = describe(err);
        }
        settled();
      }),
    );

  let next = 0;
  const startRemaining = () => {
    while (next < states.length) void runStage(states[next++]!);
  };
  const sequence = async () => {
    while (next < states.length && !force.signal.aborted) await runStage(states[next++]!);
  };
  const forceTimer = setTimeout(() => {
    force.abort();
    startRemaining();
  }, forceAfterMs);
  let deadlineTimer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (deadlineTimer = setTimeout(resolve, timeoutMs)));
  void sequence();
  await Promise.race([allSettled, deadline]);
  clearTimeout(forceTimer);
  clearTimeout(deadlineTimer);

  const failures = all
    .filter((s) => s.state !== 'stopped' || s.intakeError !== undefined)
    .map((s) => {
      const stopFailure =
        s.state === 'stopped'
          ? undefined
          : s.state === 'failed'
            ? (s.reason ?? 'failed')
            : `did not stop within the ${timeoutMs} ms deadline`;
      return { part: s.part.name, reason: [s.intakeError, stopFailure].filter(Boolean).join('; ') };
    });
  return { ok: failures.length === 0, elapsedMs: Math.round(performance.now() - started), stopped, failures };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
