/**
 * Shared pieces of the benchmarks: a dev server started exactly as `npm start` starts it (WAL SQLite with
 * synchronous=NORMAL, eager activities), settings read from the environment, percentiles, a load pool, CPU and memory
 * of other processes read from /proc, and the results file every benchmark merges its figures into.
 *
 * Provenance: a benchmark writes its figures with {@link writeResults} only, which stamps them with the script, the
 * settings it ran with, the commit and the machine. Figures measured with settings other than the script's defaults
 * go under a key that names those settings (`burst[conversations=200]`), so a quick run never replaces the figure a
 * target is checked against (bench/targets.ts reads the default keys).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ensureTemporalCli, freePort, startDevServer, type DevServer } from '../toolchain/temporal';

export const RESULTS_FILE = path.resolve(__dirname, 'results.json');
const ROOT = path.resolve(__dirname, '..');
/** The 1-minute load average when this benchmark started: how busy the machine was before it added its own load. */
const LOAD_AT_START = Math.round(os.loadavg()[0]! * 100) / 100;

export function machine() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}

export type Settings = Record<string, number | string | boolean>;

/**
 * A benchmark's settings: `defaults`, each overridden by its environment variable in `env` when that is set. Numbers
 * must parse as numbers and booleans as `1`/`0`/`true`/`false`; anything else stops the run naming the variable.
 */
export function readSettings<T extends Settings>(
  defaults: T,
  env: { [K in keyof T]: string },
  source: NodeJS.ProcessEnv = process.env,
): T {
  const settings: Settings = { ...defaults };
  for (const [name, fallback] of Object.entries(defaults)) {
    const variable = env[name]!;
    const raw = source[variable];
    if (raw === undefined || raw === '') continue;
    const schema =
      typeof fallback === 'number'
        ? z.coerce.number().nonnegative()
        : typeof fallback === 'boolean'
          ? z.enum(['1', '0', 'true', 'false']).transform((v) => v === '1' || v === 'true')
          : z.string();
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new Error(`${variable}=${raw}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    settings[name] = parsed.data;
  }
  return settings as T;
}

/** `base`, or `base[name=value,…]` naming the settings that differ from the defaults. */
export function resultKey(base: string, settings: Settings, defaults: Settings): string {
  const changed = Object.keys(settings)
    .filter((name) => settings[name] !== defaults[name])
    .map((name) => `${name}=${String(settings[name])}`);
  return changed.length === 0 ? base : `${base}[${changed.join(',')}]`;
}

/** The commit measured, and whether files outside the benchmark's own outputs differed from it. */
function commit(): { commit: string; uncommittedChanges: boolean } {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const outputs = new Set(['bench/results.json', 'docs/bench.svg', 'README.md']);
    const changed = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .map((line) => line.slice(3).trim())
      .filter((file) => file !== '' && !outputs.has(file));
    return { commit: sha, uncommittedChanges: changed.length > 0 };
  } catch {
    return { commit: 'unknown', uncommittedChanges: false };
  }
}

/** Read when the benchmark starts: the code it measures is the code it loaded. */
const COMMIT_AT_START = commit();

export interface ResultEntry {
  /** The key for the default settings (`burst`); other settings get a derived key ({@link resultKey}). */
  base: string;
  /** The script that measured the figures, e.g. `bench/burst.ts`. */
  script: string;
  settings: Settings;
  defaults: Settings;
  figures: object;
}

/**
 * Merges a benchmark's figures into bench/results.json under the key its settings give, stamped with the date, the
 * script, its settings, the commit, the machine and its load when the run started. Returns the key.
 */
export function writeResults(entry: ResultEntry): string {
  const key = resultKey(entry.base, entry.settings, entry.defaults);
  const current = fs.existsSync(RESULTS_FILE)
    ? (JSON.parse(fs.readFileSync(RESULTS_FILE, 'utf8')) as Record<string, unknown>)
    : {};
  current[key] = {
    date: new Date().toISOString(),
    script: entry.script,
    settings: entry.settings,
    ...COMMIT_AT_START,
    machine: machine(),
    loadAverageAtStart: LOAD_AT_START,
    ...entry.figures,
  };
  const sorted = Object.fromEntries(
    Object.keys(current)
      .sort()
      .map((k) => [k, current[k]]),
  );
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(sorted, null, 2)}\n`);
  return key;
}

export { percentile, ratioOfMediansInterval, summary } from '../load/stats';

export const round1 = (n: number) => Math.round(n * 10) / 10;
export const round2 = (n: number) => Math.round(n * 100) / 100;
/** The middle value (the lower of the two middle ones for an even count); NaN for none. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[(sorted.length - 1) >> 1]!;
}
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `promise`, or a rejection with `message` if it has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `count` jobs with `concurrency` in flight; resolves with the wall time in ms. */
export async function pool(count: number, concurrency: number, job: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await job(next++);
    }),
  );
  return performance.now() - started;
}

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system) another process has used so far, in ms, from /proc/<pid>/stat; NaN when unreadable. */
export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** CPU time this process has used so far, in ms. */
export function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/**
 * A process's memory from /proc/<pid>/status, in bytes: `VmRSS` (resident now) or `VmHWM` (the most it was resident);
 * NaN when unreadable.
 */
export function processMemoryBytes(pid: number | undefined, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  if (pid === undefined) return NaN;
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Waits until this process and the given ones have been nearly idle (under 10 % of a core each) for a whole second,
 * or `maxMs` passed: the tail of one round (receipts, evicted conversations replaying) does not run into the next.
 * Resolves with how long it waited.
 */
export async function waitForQuiet(pids: (number | undefined)[], maxMs = 60_000): Promise<number> {
  const started = performance.now();
  const sample = () => [ownCpuMs(), ...pids.map(processCpuMs)];
  let quietSince = performance.now();
  let last = sample();
  while (performance.now() - started < maxMs) {
    await sleep(250);
    const now = sample();
    const busy = now.some((ms, i) => Number.isFinite(ms) && ms - last[i]! > 25);
    last = now;
    if (busy) quietSince = performance.now();
    else if (performance.now() - quietSince >= 1000) break;
  }
  return Math.round(performance.now() - started);
}

/** A dev server in a temporary data directory, with the same settings as `npm start`. */
export async function startBenchTemporal(extraArgs: string[] = []): Promise<DevServer & { dir: string }> {
  const cli = await ensureTemporalCli();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-bench-'));
  const server = await startDevServer({
    cli: cli.path,
    dbFile: path.join(dir, 'temporal.sqlite'),
    port: await freePort(),
    uiPort: null,
    extraArgs,
    log: () => undefined,
  });
  return { ...server, dir };
}

export { quietBundlerLogger as quietBundler } from '../worker/create-worker';

/**
 * The Bandwidth emulator in a process of its own (bin/emulator.ts, as `npm run emulator` runs it), so that its CPU time
 * can be read apart from Threadline's; resolves once it answers at `port`. `env` adds to the environment (time scale,
 * in-memory state).
 */
export async function startEmulatorProcess(options: {
  port: number;
  callbackUrl: string;
  dataDir: string;
  env?: Record<string, string>;
}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin/emulator.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      EMULATOR_PORT: String(options.port),
      EMULATOR_CALLBACK_URL: options.callbackUrl,
      THREADLINE_DATA_DIR: options.dataDir,
      LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the emulator exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/emulator`, { signal: AbortSignal.timeout(1000) })).ok) return child;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error('the emulator did not answer within 60 s');
      }
    }
    await sleep(200);
  }
}

/** Runs a benchmark's `main` as the process: exit 0 when it resolves, 1 with the error on standard error otherwise. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
