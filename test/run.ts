/**
 * `npm test`: installs what the tests need (the Temporal CLI and the Java time-skipping test server, into the cache;
 * see toolchain/temporal.ts), starts a throwaway PostgreSQL and one real Temporal dev server (in memory) per lane,
 * bundles the workflows once, then runs the test files in parallel lanes with node's test runner.
 *
 *   npm test                               # the main tier: every test file but the system tier's
 *   npm run test:system                    # the system tier (test/runner/test-files.ts SYSTEM_TIER)
 *   npm test -- --all                      # both tiers
 *   npm test -- test/workflows             # only the files under a folder (or named files), whatever their tier
 *   npm test -- --watch test/examples/pizza.test.ts   # re-runs those files whenever they or their imports change
 *
 *   npm test -- --isolate                  # each file in a process of its own (slower: to rule out a neighbour)
 *
 * Lanes: THREADLINE_TEST_CONCURRENCY (default: twice os.availableParallelism(), since most of a test file's time is
 * spent waiting on servers, not computing; once per CPU when a system tier file is among them). Each lane has its
 * own Temporal dev server and runs one process at a time, so files sharing a server never overlap
 * (test/runner/lanes.ts); PostgreSQL is shared, each test creating its own database. A process runs a batch of files
 * one after another (test/runner/file-batch.ts: starting Node, tsx and Temporal's SDK for each file cost more CPU than
 * most files' tests), the slowest files first, in batches sized by the files' times in the last run
 * (test/runner/batches.ts, test/runner/durations.ts); the system tier's files run one per process. Each process runs
 * under GNU time when installed, and the summary gives the CPU-seconds and the load average, so a run on a busy
 * machine can be judged.
 *
 * A stuck test (a workflow that never answers, a server that never replies) fails instead of hanging the run: each
 * file may take THREADLINE_TEST_TIMEOUT_MS (default 300 000, five minutes; the slowest file takes under a minute),
 * then it fails with "test timed out" (node:test's timeout on the file's suite), the tests that passed before the
 * stuck one are reported, and the next file runs. A process in which no file ends for 30 s longer than that (a file
 * stuck where node:test cannot stop it), or that is still running 30 s after its last file (a handle left open), is
 * killed, and the files it had not finished fail.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ensureTemporalCli, ensureTestServer } from '../toolchain/temporal';
import { ensureTemporalServer } from '../toolchain/temporal-server';
import { preflightOrExit, testRequirements } from '../toolchain/preflight';
import { quietBundlerLogger, workflowsPath } from '../worker/create-worker';
import { workflowBundlerOptions } from '../worker/workflow-bundle';
import { findTestFiles, isSystemTier, needsTemporalServer, type Tier } from './runner/test-files';
import { loadDurations, longestFirst, saveDurations } from './runner/durations';
import { runInLanes, type FileResult, type BatchResult } from './runner/lanes';
import { UNTIMED_FILE_MS } from './runner/batches';
import type { Counts } from './runner/tap';

type RunResults = { files: FileResult[]; batches: BatchResult[] };
import { startLaneServers } from './runner/lane-servers';
import { testBotsPath } from './helpers/test-bots';

const root = path.resolve(__dirname, '..');
const log = (line: string) => process.stderr.write(`[test] ${line}\n`);

/** A positive integer from the environment, or the default. */
function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, not ${raw}`);
  return value;
}

interface Args {
  tier: Tier;
  watch: boolean;
  isolate: boolean;
  filters: string[];
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { tier: 'main', watch: false, isolate: false, filters: [] };
  for (const arg of argv) {
    if (arg === '--system') args.tier = 'system';
    else if (arg === '--all') args.tier = 'all';
    else if (arg === '--watch') args.watch = true;
    else if (arg === '--isolate') args.isolate = true;
    else if (arg.startsWith('-')) throw new Error(`unknown option ${arg} (known: --system, --all, --watch, --isolate)`);
    else args.filters.push(arg);
  }
  if (args.watch && args.filters.length === 0) throw new Error('--watch needs the files or folders to watch');
  return args;
}

function summarize(results: RunResults, lanes: number, started: number): number {
  const { files, batches } = results;
  const sum = (key: keyof Counts) => files.reduce((n, r) => n + r.counts[key], 0);
  const cpu = batches.every((b) => b.cpuSeconds !== null)
    ? `, ${batches.reduce((n, b) => n + b.cpuSeconds!, 0).toFixed(0)} CPU-seconds`
    : '';
  log(
    `${files.length} files, ${sum('tests')} tests: ${sum('pass')} passed, ${sum('fail')} failed, ` +
      `${sum('cancelled')} cancelled, ${sum('skipped')} skipped, in ${seconds(Date.now() - started)} ` +
      `(${lanes} lane${lanes === 1 ? '' : 's'}, ${batches.length} process${batches.length === 1 ? '' : 'es'}; ` +
      `the files took ${seconds(files.reduce((n, r) => n + r.ms, 0))}${cpu}; ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')})`,
  );
  const slowest = [...files].sort((a, b) => b.ms - a.ms).slice(0, 8);
  log(`slowest files: ${slowest.map((r) => `${r.file} ${seconds(r.ms)}`).join(', ')}`);
  for (const r of files.filter((f) => !f.ok)) log(`FAILED: ${r.file}${r.note ? ` (${r.note})` : ''}`);
  const failedProcesses = batches.filter(
    (b) => b.exitCode !== 0 && b.files.every((f) => files.find((r) => r.file === f)?.ok),
  );
  for (const b of failedProcesses)
    log(`FAILED: the process of ${b.files.join(' ')} (${b.note ?? `exit code ${b.exitCode}`})`);
  return files.some((f) => !f.ok) || failedProcesses.length > 0 ? 1 : 0;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<number> {
  const started = Date.now();
  const args = parseArgs(process.argv.slice(2));
  const files = findTestFiles(root, args.filters, args.tier);
  const timeout = positiveInt('THREADLINE_TEST_TIMEOUT_MS', 5 * 60_000);
  if (files.length === 0) throw new Error(`no test files match ${process.argv.slice(2).join(' ')}`);
  preflightOrExit(testRequirements(files), log);
  // The system tier's files each run a whole system of processes, some of them against deadlines: one per CPU.
  const defaultLanes = (files.some(isSystemTier) ? 1 : 2) * os.availableParallelism();
  const lanes = args.watch ? 1 : Math.min(files.length, positiveInt('THREADLINE_TEST_CONCURRENCY', defaultLanes));

  const cli = await ensureTemporalCli(log);
  const testServer = await ensureTestServer(log);
  // A real Temporal server for the cluster and TLS tests: built once into the cache, about 4 minutes.
  if (files.some(needsTemporalServer)) await ensureTemporalServer(log);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-test-'));
  const cleanups: (() => Promise<void>)[] = [];
  const env: NodeJS.ProcessEnv = { ...process.env, THREADLINE_TEST_SERVER: testServer, THREADLINE_TEST_TMP: tmp };

  try {
    // The servers start while the workflows and the test bots (test/helpers/test-bots.ts) are bundled, once for every
    // file. Watch mode bundles from source in each run instead, so a bot just changed is the bot that runs.
    const [servers] = await Promise.all([
      Promise.all(
        Array.from({ length: lanes }, async () => {
          const lane = await startLaneServers(cli, log);
          cleanups.push(() => lane.stop()); // as each starts: stopped even if another part fails to start
          return lane;
        }),
      ),
      (async () => {
        if (env.THREADLINE_TEST_DATABASE_URL) return;
        const { startTestPostgres } = await import('../toolchain/postgres');
        const pg = await startTestPostgres();
        cleanups.push(() => pg.stop());
        env.THREADLINE_TEST_DATABASE_URL = pg.url;
      })(),
      (async () => {
        if (args.watch) return;
        const bundleStarted = Date.now();
        const bundles = { THREADLINE_TEST_WORKFLOW_BUNDLE: workflowsPath, THREADLINE_TEST_BOTS_BUNDLE: testBotsPath };
        for (const [variable, source] of Object.entries(bundles)) {
          const bundle = await bundleWorkflowCode({
            workflowsPath: source,
            logger: quietBundlerLogger,
            ...workflowBundlerOptions,
          });
          const bundlePath = path.join(tmp, `${variable.toLowerCase()}.js`);
          fs.writeFileSync(bundlePath, bundle.code);
          env[variable] = bundlePath;
        }
        log(`workflows and test bots bundled in ${Date.now() - bundleStarted} ms`);
      })(),
    ]);
    log(`a test file that takes over ${timeout} ms fails (THREADLINE_TEST_TIMEOUT_MS)`);
    const watchArgs = ['--import', 'tsx', '--test', `--test-timeout=${timeout}`, '--watch'];

    if (args.watch) {
      log(`watching ${files.join(' ')}: each change re-runs them; Ctrl-C stops`);
      return await new Promise<number>((resolve) => {
        const child = spawn(process.execPath, [...watchArgs, ...files], {
          cwd: root,
          env: { ...env, ...servers[0]!.env },
          stdio: 'inherit',
        });
        process.once('SIGINT', () => child.kill('SIGINT'));
        process.once('SIGTERM', () => child.kill('SIGTERM'));
        child.on('exit', () => resolve(0));
      });
    }

    const load = os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
    log(`running ${files.length} test files in ${lanes} lane${lanes === 1 ? '' : 's'} (load average ${load})`);
    const measured: Record<string, number> = {};
    const durations = loadDurations();
    const run = runInLanes(longestFirst(files, durations), {
      root,
      tmp,
      nodeArgs: ['--import', 'tsx'],
      humanReporter: process.stdout.isTTY ? 'spec' : null,
      lanes,
      // The system tier's files each run a whole system of processes (and some kill them): one process each.
      alone: (file) => args.isolate || isSystemTier(file),
      expectedMs: (file) => durations[file] ?? UNTIMED_FILE_MS,
      fileTimeoutMs: timeout,
      // node:test's timeout fails a stuck file first, with its report; these end a process it could not.
      stallTimeoutMs: timeout + 30_000,
      exitTimeoutMs: 30_000,
      laneEnv: (lane) => ({ ...env, ...servers[lane]!.env, ...(process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}) }),
      stream: lanes === 1,
      write: (text) => process.stdout.write(text),
      onFileDone(result) {
        measured[result.file] = result.ms;
        const { pass, tests } = result.counts;
        const verdict = result.ok ? 'passed' : 'FAILED';
        log(`${verdict}: ${pass}/${tests} tests, ${result.file} ${seconds(result.ms)}, lane ${result.lane + 1}`);
      },
      onBatchDone(batch) {
        const cpu = batch.cpuSeconds === null ? '' : `, ${batch.cpuSeconds.toFixed(1)} CPU-s`;
        log(
          `process of ${batch.files.length} file${batch.files.length === 1 ? '' : 's'} ended in ${seconds(batch.ms)}${cpu}, lane ${batch.lane + 1}`,
        );
      },
    });
    process.once('SIGINT', () => run.stop());
    process.once('SIGTERM', () => run.stop());
    const results = await run;
    saveDurations(measured);
    return summarize(results, lanes, started);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err) => log(`cleanup failed: ${String(err)}`));
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
