/**
 * `npm run chaos`: the chaos suite. Starts the stack as separate processes (Temporal dev server on a SQLite file,
 * emulator, webhook server, two workers; chaos/processes.ts), then runs each phase (chaos/faults.ts): fresh handsets
 * text the echo bot and wait for each answer while the phase's faults are dealt out; the phase settles and every
 * inbox is counted. Prints a table (per phase: faults, texts sent, answers expected and received, lost, duplicated)
 * and exits non-zero on any answer lost or duplicated, or fewer kills than asked.
 *
 *   npm run chaos                                     # every phase, 30 handsets x 10 texts, 20 worker kills
 *   npm run chaos -- --phases workers,mixed --handsets 6 --texts 4 --kills 3 --restarts 1 --seed 7
 *
 * Options: --handsets (per phase), --texts (per handset), --kills (worker SIGKILLs in `workers` and in `mixed`),
 * --restarts (SIGKILLs of the server, Temporal and the emulator, each, in their phase and in `mixed`), --phases (a
 * comma-separated list of workers, server, temporal, emulator, callbacks, api-faults, mixed), --seed (the schedule's
 * randomness and the emulator's), --reply-timeout, --quiet and --settle-timeout (seconds), --keep (keep the data
 * directory and the parts' logs; they are kept anyway when the run fails).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_ACCOUNT_ID } from '../config/env';
import { createRandom } from '../emulator/settings';
import { ensureTemporalCli } from '../toolchain/temporal';
import { PHASES, planPhase } from './faults';
import { runPhase, type PhaseResult } from './phase';
import { startChaosStack, type ChaosStack } from './processes';
import { failuresOf, formatTable, notesOf } from './report';

const count = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);
const seconds = (fallback: number) => z.coerce.number().positive().default(fallback);

export const ChaosOptionsSchema = z.object({
  handsets: z.coerce.number().int().min(1).max(10_000).default(30),
  texts: z.coerce.number().int().min(1).max(1_000).default(10),
  kills: count(0, 20),
  restarts: count(0, 3),
  phases: z
    .union([z.string().transform((list) => list.split(',').map((p) => p.trim())), z.array(z.string())])
    .default([...PHASES])
    .pipe(z.array(z.enum(PHASES, { message: `a phase is one of ${PHASES.join(', ')}` })).min(1)),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .default(() => Math.floor(Math.random() * 1_000_000)),
  replyTimeout: seconds(60),
  quiet: seconds(5),
  settleTimeout: seconds(60),
  keep: z.boolean().default(false),
});
export type ChaosOptions = z.output<typeof ChaosOptionsSchema>;

/** A finished run. */
export interface ChaosRun {
  options: ChaosOptions;
  results: PhaseResult[];
  table: string;
  notes: string[];
  /** Why the run failed; empty when it passed. */
  failures: string[];
  /** The data directory with the parts' logs, if it was kept. */
  keptDir: string | null;
}

export interface ChaosIo {
  log: (line: string) => void;
  /** Where the run's data directory is made (default: the system's temporary directory). */
  tmpDir?: string;
  /** Stop the stack and exit on SIGINT or SIGTERM (the CLI). */
  handleSignals?: boolean;
  /**
   * Starts the stack with its data in `dir`. By default: the Temporal dev server, one webhook server and two workers
   * (test/cluster/ runs a real Temporal server on PostgreSQL and two webhook servers instead).
   */
  startStack?: (dir: string, log: (line: string) => void) => Promise<ChaosStack>;
}

async function startDevServerStack(dir: string, log: (line: string) => void): Promise<ChaosStack> {
  const cli = await ensureTemporalCli(log);
  return startChaosStack({ dir, cli: cli.path, log });
}

/**
 * The emulator retries a refused callback after 1, 2, 4, 8, 15, 30 and 60 s, then every 60 s (Bandwidth waits longer
 * between tries): the retries are what is tested, not their spacing, and it keeps a phase in minutes.
 */
const RETRY_SCHEDULE_SECONDS = [1, 2, 4, 8, 15, 30, 60];
/**
 * The account's dequeue rate (Bandwidth's default for a new account is 1 message a second, which would keep 300
 * answers queued for five minutes): fast enough to deliver a phase's answers as they come, slow enough that the
 * emulator still has a queue when it is killed in a busy moment.
 */
const MESSAGES_PER_SECOND = 10;
/** Mean pause between an answer and a handset's next text. */
const THINK_MS = 400;

/** Runs the chaos suite. */
export async function runChaos(input: z.input<typeof ChaosOptionsSchema>, io: ChaosIo): Promise<ChaosRun> {
  const options = ChaosOptionsSchema.parse(input);
  const started = Date.now();
  // Wall-clock time too, to line the log up with the answers' times in the findings and with the parts' logs.
  const log = (line: string) =>
    io.log(
      `[chaos ${new Date().toISOString().slice(11, 23)} +${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`,
    );
  const dir = fs.mkdtempSync(path.join(io.tmpDir ?? os.tmpdir(), 'threadline-chaos-'));
  log(
    `seed ${options.seed}; phases ${options.phases.join(', ')}; ${options.handsets} handsets x ${options.texts} texts ` +
      `per phase; ${options.kills} worker kills, ${options.restarts} restarts of each other part; data in ${dir}`,
  );
  const random = createRandom(options.seed);
  const stack = await (io.startStack ?? startDevServerStack)(dir, log);
  const onSignal = () => {
    log('interrupted: stopping the stack');
    void stack.stop().finally(() => process.exit(130));
  };
  if (io.handleSignals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  const results: PhaseResult[] = [];
  try {
    const patched = await fetch(`${stack.emulatorUrl}/emulator/settings`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seed: options.seed, callbacks: { retryScheduleSeconds: RETRY_SCHEDULE_SECONDS } }),
    });
    if (!patched.ok) throw new Error(`the emulator refused the chaos settings: HTTP ${patched.status}`);
    const account = await fetch(`${stack.emulatorUrl}/emulator/accounts/${DEFAULT_ACCOUNT_ID}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ limits: { messagesPerSecond: MESSAGES_PER_SECOND } }),
    });
    if (!account.ok) throw new Error(`the emulator refused the account's rate: HTTP ${account.status}`);
    for (const [index, name] of options.phases.entries()) {
      const result = await runPhase(stack, planPhase(name, options), {
        index,
        handsets: options.handsets,
        texts: options.texts,
        random,
        replyTimeoutMs: options.replyTimeout * 1000,
        thinkMs: THINK_MS,
        quietMs: options.quiet * 1000,
        settleTimeoutMs: options.settleTimeout * 1000,
        log,
      });
      const c = result.count;
      log(
        `${name}: ${result.available ? `${c.received} answers to ${c.texts} texts, ${c.lost} lost, ${c.duplicated} duplicated` : 'not available'}`,
      );
      results.push(result);
    }
  } finally {
    if (io.handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    await stack.stop();
  }
  const failures = failuresOf(results);
  const keep = options.keep || failures.length > 0;
  if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  return {
    options,
    results,
    table: formatTable(results),
    notes: notesOf(results),
    failures,
    keptDir: keep ? dir : null,
  };
}

/** Reads the command line (`--handsets 6 --phases workers,mixed --keep`) into options for {@link runChaos}. */
export function parseFlags(argv: string[]): z.input<typeof ChaosOptionsSchema> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      handsets: { type: 'string' },
      texts: { type: 'string' },
      kills: { type: 'string' },
      restarts: { type: 'string' },
      phases: { type: 'string' },
      seed: { type: 'string' },
      'reply-timeout': { type: 'string' },
      quiet: { type: 'string' },
      'settle-timeout': { type: 'string' },
      keep: { type: 'boolean' },
    },
  });
  const { 'reply-timeout': replyTimeout, 'settle-timeout': settleTimeout, ...rest } = values;
  return { ...rest, replyTimeout, settleTimeout };
}

async function main(): Promise<number> {
  let options: z.input<typeof ChaosOptionsSchema>;
  try {
    options = parseFlags(process.argv.slice(2));
    ChaosOptionsSchema.parse(options);
  } catch (err) {
    const problems =
      err instanceof z.ZodError
        ? err.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n')
        : err instanceof Error
          ? err.message
          : String(err);
    process.stderr.write(`${problems}\nsee the top of chaos/run.ts for the options\n`);
    return 2;
  }
  const run = await runChaos(options, { log: (line) => process.stderr.write(`${line}\n`), handleSignals: true });
  process.stdout.write(`\n${run.table}\n\nseed ${run.options.seed}\n`);
  for (const note of run.notes) process.stdout.write(`note: ${note}\n`);
  if (run.keptDir) process.stdout.write(`data and logs kept in ${run.keptDir}\n`);
  if (run.failures.length === 0) {
    process.stdout.write('passed: every text answered exactly once\n');
    return 0;
  }
  for (const failure of run.failures) process.stdout.write(`FAILED ${failure}\n`);
  return 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
