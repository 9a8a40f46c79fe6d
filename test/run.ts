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
 * Lanes: THREADLINE_TEST_CONCURRENCY (default: twice os.availableParallelism(), since most of a test file's time is
 * spent waiting on servers, not computing; once per CPU when a system tier file is among them). Each lane has its
 * own Temporal dev server and runs one file at a time, so files sharing a server never overlap (test/runner/lanes.ts);
 * PostgreSQL is shared, each test creating its own database. The slowest files (timed by the last run,
 * test/runner/durations.ts) start first. Each file runs under GNU time when installed, and the summary gives the
 * CPU-seconds and the load average, so a run on a busy machine can be judged.
 *
 * A stuck test (a workflow that never answers, a server that never replies) fails instead of hanging the run: node's
 * `--test-timeout` is set to THREADLINE_TEST_TIMEOUT_MS (default 300 000, five minutes; the slowest file takes under
 * a minute). On Node 20 node applies it to each test file as a whole, not to each test (nodejs/node#57656; newer Node
 * applies it per test, nodejs/node#57672): the file fails with "test timed out", the tests that passed before the
 * stuck one are reported, and the run goes on with the next file. It also ends a file whose process never exits
 * after its tests (a handle left open).
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
import { runInLanes, type FileResult } from './runner/lanes';
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
  filters: string[];
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { tier: 'main', watch: false, filters: [] };
  for (const arg of argv) {
    if (arg === '--system') args.tier = 'system';
    else if (arg === '--all') args.tier = 'all';
    else if (arg === '--watch') args.watch = true;
    else if (arg.startsWith('-')) throw new Error(`unknown option ${arg} (known: --system, --all, --watch)`);
    else args.filters.push(arg);
  }
  if (args.watch && args.filters.length === 0) throw new Error('--watch needs the files or folders to watch');
  return args;
}

function summarize(results: readonly FileResult[], lanes: number, started: number): number {
  const sum = (key: keyof FileResult['counts']) => results.reduce((n, r) => n + r.counts[key], 0);
  const failed = results.filter((r) => r.exitCode !== 0);
  const cpu = results.every((r) => r.cpuSeconds !== null)
    ? `, ${results.reduce((n, r) => n + r.cpuSeconds!, 0).toFixed(0)} CPU-seconds`
    : '';
  log(
    `${results.length} files, ${sum('tests')} tests: ${sum('pass')} passed, ${sum('fail')} failed, ` +
      `${sum('cancelled')} cancelled, ${sum('skipped')} skipped, in ${seconds(Date.now() - started)} ` +
      `(${lanes} lane${lanes === 1 ? '' : 's'}; ` +
      `the files took ${seconds(results.reduce((n, r) => n + r.ms, 0))}${cpu}; ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')})`,
  );
  const slowest = [...results].sort((a, b) => b.ms - a.ms).slice(0, 8);
  log(`slowest files: ${slowest.map(describe).join(', ')}`);
  for (const r of failed) log(`FAILED: ${r.file} (exit code ${r.exitCode})`);
  return failed.length > 0 ? 1 : 0;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const describe = (r: FileResult) =>
  `${r.file} ${seconds(r.ms)}${r.cpuSeconds === null ? '' : ` (${r.cpuSeconds.toFixed(1)} CPU-s)`}`;

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
    const [servers] = await Promise.all([
      Promise.all(Array.from({ length: lanes }, () => startLaneServers(cli, log))),
      (async () => {
        if (env.THREADLINE_TEST_DATABASE_URL) return;
        const { startTestPostgres } = await import('../toolchain/postgres');
        const pg = await startTestPostgres();
        cleanups.push(() => pg.stop());
        env.THREADLINE_TEST_DATABASE_URL = pg.url;
      })(),
    ]);
    for (const lane of servers) cleanups.push(() => lane.stop());

    // The workflows and the test bots (test/helpers/test-bots.ts), bundled once for every file. Watch mode bundles
    // from source in each run instead, so a bot just changed is the bot that runs.
    if (!args.watch) {
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
    }
    log(`a test file that takes over ${timeout} ms fails (THREADLINE_TEST_TIMEOUT_MS)`);
    const nodeArgs = ['--import', 'tsx', '--test', `--test-timeout=${timeout}`];

    if (args.watch) {
      log(`watching ${files.join(' ')}: each change re-runs them; Ctrl-C stops`);
      return await new Promise<number>((resolve) => {
        const child = spawn(process.execPath, [...nodeArgs, '--watch', ...files], {
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
    const reporter = process.stdout.isTTY ? 'spec' : 'tap';
    const measured: Record<string, number> = {};
    const run = runInLanes(longestFirst(files, loadDurations()), {
      root,
      tmp,
      nodeArgs: [...nodeArgs, `--test-reporter=${reporter}`],
      lanes,
      // Node's --test-timeout fails a stuck test first, with its report; this ends the file if that did not.
      fileTimeoutMs: timeout + 30_000,
      laneEnv: (lane) => ({ ...env, ...servers[lane]!.env, ...(process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}) }),
      stream: lanes === 1,
      write: (text) => process.stdout.write(text),
      onFileDone(result) {
        measured[result.file] = result.ms;
        const { pass, tests } = result.counts;
        const verdict = result.exitCode === 0 ? 'passed' : 'FAILED';
        log(`${verdict}: ${pass}/${tests} tests, ${describe(result)}, lane ${result.lane + 1}`);
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
