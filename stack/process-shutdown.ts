/**
 * The signal handling every entry point shares (bin/start.ts, bin/server.ts, bin/worker.ts, bin/emulator.ts): on
 * SIGINT, SIGTERM or SIGHUP the process stops its registered parts within the shutdown deadline
 * (`THREADLINE_SHUTDOWN_TIMEOUT_MS`, see stack/shutdown.ts) and exits 0, or exits 1 after naming on stderr each part
 * that could not stop. A second signal exits at once (after SIGKILLing child processes).
 *
 * ```ts
 * const shutdown = handleShutdownSignals({ timeoutMs: config.shutdown.timeoutMs, info: say });
 * const dev = await startDevServer(...);
 * shutdown.register([[devServerPart(dev)]]);
 * const stack = await startStack(...);
 * shutdown.register(stack.stages); // registered later, stopped earlier
 * ```
 */
import os from 'node:os';
import { shutDown, type Part, type ShutdownReport, type Stages } from './shutdown';

/**
 * A repeat of the first signal this soon is the same request, not a second one: Ctrl-C under `npm start` reaches the
 * process twice, from the terminal and forwarded by npm, and a busy event loop can see both in one turn.
 */
export const REPEAT_WINDOW_MS = 1_000;

export interface ProcessShutdownOptions {
  /** The deadline for the whole shutdown, in ms. */
  timeoutMs: number;
  /** Progress, one line at a time (default: standard output). Problems always go to standard error. */
  info?: (line: string) => void;
  /** Signals that start the shutdown (default SIGINT, SIGTERM, SIGHUP). */
  signals?: NodeJS.Signals[];
  /** Called with the report and the exit code before the process exits: for a closing line of its own, say. */
  afterStop?: (report: ShutdownReport, exitCode: number) => void;
  /** Ends the process (default `process.exit`). */
  exit?: (code: number) => void;
}

export interface ProcessShutdown {
  /**
   * Adds parts to stop. Registered later, stopped earlier (as nested `try`/`finally` would): a process registers
   * what it starts, in the order it starts it.
   */
  register(stages: Stages): void;
  /**
   * Stops everything now, as a signal would, and exits: with `exitCode` (default 0) when every part stopped, with 1
   * otherwise. For a fatal error in a part: `void shutdown.stop('the worker failed', 1)`.
   */
  stop(reason: string, exitCode?: number): Promise<ShutdownReport>;
}

/** Installs the signal handlers and returns the registry of parts they stop. */
export function handleShutdownSignals(options: ProcessShutdownOptions): ProcessShutdown {
  const info = options.info ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const problem = (line: string) => void process.stderr.write(`${line}\n`);
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stages: Stages = [];
  let running: Promise<ShutdownReport> | undefined;
  let firstSignalAt = 0;
  let stillStopping: () => string[] = () => [];

  const stop = (reason: string, exitCode = 0): Promise<ShutdownReport> => {
    if (running) return running;
    info(`${reason}: stopping (within ${options.timeoutMs} ms; press Ctrl-C again to exit at once)`);
    const parts = stages.flat();
    const done = new Set<string>();
    stillStopping = () => parts.map((p) => p.name).filter((name) => !done.has(name));
    const onStopped = (name: string) => void done.add(name);
    running = shutDown(stages, { timeoutMs: options.timeoutMs, onStopped }).then((report) => {
      if (report.ok) {
        const parts = report.stopped.map((s) => `${s.part} ${s.ms} ms${s.forced ? ', forced' : ''}`).join('; ');
        info(`Stopped in ${report.elapsedMs} ms${parts ? ` (${parts})` : ''}.`);
      } else {
        for (const f of report.failures) problem(`Could not stop the ${f.part}: ${f.reason}`);
        problem(
          `Stopped with problems after ${report.elapsedMs} ms (THREADLINE_SHUTDOWN_TIMEOUT_MS=${options.timeoutMs})`,
        );
      }
      const code = report.ok ? exitCode : 1;
      options.afterStop?.(report, code);
      exit(code);
      return report;
    });
    return running;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (!running) {
      firstSignalAt = Date.now();
      void stop(signal);
      return;
    }
    if (Date.now() - firstSignalAt < REPEAT_WINDOW_MS) return;
    const left = stillStopping();
    problem(`${signal} again: exiting at once${left.length > 0 ? `; not stopped: ${left.join(', ')}` : ''}`);
    for (const part of stages.flat()) abandon(part);
    exit(128 + (os.constants.signals[signal] ?? 0));
  };
  for (const signal of options.signals ?? ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, onSignal);

  return {
    register(more) {
      stages = [...more, ...stages];
    },
    stop,
  };
}

function abandon(part: Part): void {
  try {
    part.abandon?.();
  } catch {
    // Exiting anyway.
  }
}
