/**
 * `npm test`: installs what the tests need (the Temporal CLI and the Java time-skipping test server, into the cache;
 * see toolchain/temporal.ts), starts one real Temporal dev server (in memory) and a throwaway PostgreSQL for the whole
 * run, bundles the workflows once, then runs every test file with node's test runner.
 *
 *   npm test                       # everything
 *   npm test -- test/workflows     # only the files under a folder (or named files)
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
import { ensureTemporalCli, ensureTestServer, freePort, startDevServer, type DevServer } from '../toolchain/temporal';
import { ensureTemporalServer } from '../toolchain/temporal-server';
import { preflightOrExit, testRequirements } from '../toolchain/preflight';
import { quietBundlerLogger, workflowsPath } from '../worker/create-worker';
import { workflowBundlerOptions } from '../worker/workflow-bundle';

const root = path.resolve(__dirname, '..');
const log = (line: string) => process.stderr.write(`[test] ${line}\n`);

/** A timeout in ms from the environment, or the default. */
function timeoutMs(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms <= 0)
    throw new Error(`${name} must be a positive number of milliseconds, not ${raw}`);
  return ms;
}

function testFiles(filters: string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.test.ts')) found.push(path.relative(root, full));
    }
  };
  walk(path.join(root, 'test'));
  const wanted = filters.map((f) => path.relative(root, path.resolve(f)));
  return found
    .sort()
    .filter((file) => wanted.length === 0 || wanted.some((w) => file === w || file.startsWith(`${w}/`)));
}

async function main(): Promise<number> {
  const started = Date.now();
  const files = testFiles(process.argv.slice(2));
  const timeout = timeoutMs('THREADLINE_TEST_TIMEOUT_MS', 5 * 60_000);
  if (files.length === 0) throw new Error(`no test files match ${process.argv.slice(2).join(' ')}`);
  preflightOrExit(testRequirements(files), log);

  const cli = await ensureTemporalCli(log);
  const testServer = await ensureTestServer(log);
  // A real Temporal server for the cluster and TLS tests: built once into the cache, about 4 minutes.
  if (files.some((file) => /^test\/(cluster|temporal)\//.test(file))) await ensureTemporalServer(log);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-test-'));
  const cleanups: (() => Promise<void>)[] = [];
  const env: NodeJS.ProcessEnv = { ...process.env, THREADLINE_TEST_SERVER: testServer, THREADLINE_TEST_TMP: tmp };

  try {
    if (cli.kind === 'binary') {
      const dev: DevServer = await startDevServer({
        cli: cli.path,
        port: await freePort(),
        uiPort: null,
        synchronous: 'OFF',
        log,
      });
      cleanups.push(() => dev.stop());
      env.TEMPORAL_ADDRESS = dev.address;
      env.TEMPORAL_CLI = cli.path;
    } else {
      const { TestWorkflowEnvironment } = await import('@temporalio/testing');
      const { conversationSearchAttributes } = await import('../workflows/search-attributes');
      const local = await TestWorkflowEnvironment.createLocal({
        server: { searchAttributes: [...conversationSearchAttributes] },
      });
      cleanups.push(() => local.teardown());
      env.TEMPORAL_ADDRESS = local.address;
    }

    if (!env.THREADLINE_TEST_DATABASE_URL) {
      const { startTestPostgres } = await import('../toolchain/postgres');
      const pg = await startTestPostgres();
      cleanups.push(() => pg.stop());
      env.THREADLINE_TEST_DATABASE_URL = pg.url;
    }

    const bundleStarted = Date.now();
    const bundle = await bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger, ...workflowBundlerOptions });
    const bundlePath = path.join(tmp, 'workflow-bundle.js');
    fs.writeFileSync(bundlePath, bundle.code);
    env.THREADLINE_TEST_WORKFLOW_BUNDLE = bundlePath;
    log(`workflows bundled in ${Date.now() - bundleStarted} ms; running ${files.length} test files`);
    log(`a test file that takes over ${timeout} ms fails (THREADLINE_TEST_TIMEOUT_MS)`);

    const code = await new Promise<number>((resolve) => {
      const args = ['--import', 'tsx', '--test', '--test-concurrency=1', `--test-timeout=${timeout}`, ...files];
      const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
      const forward = (signal: NodeJS.Signals) => child.kill(signal);
      process.once('SIGINT', forward);
      process.once('SIGTERM', forward);
      child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
    });
    log(`test run finished in ${((Date.now() - started) / 1000).toFixed(1)} s with exit code ${code}`);
    return code;
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
