/**
 * `npm run toolchain`: installs the Temporal CLI (dev server + Web UI), the time-skipping test server and the real
 * Temporal server with its SQL tool (test/cluster/, docs/deploying.md) into the cache, printing progress. `npm start`
 * and `npm test` do this themselves; this command does it ahead of time.
 */
import { preflightOrExit, toolchainRequirements } from '../toolchain/preflight';
import { cacheDir, ensureTemporalCli, ensureTestServer } from '../toolchain/temporal';
import { ensureTemporalServer } from '../toolchain/temporal-server';

async function run(): Promise<void> {
  const log = (line: string) => process.stdout.write(`[toolchain] ${line}\n`);
  const started = Date.now();
  const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
  log(`cache: ${cacheDir()}`);
  preflightOrExit(toolchainRequirements(), log);
  const cli = await ensureTemporalCli(log);
  log(`Temporal CLI: ${cli.path} (${cli.source}), ${seconds(started)}`);
  const testServerStarted = Date.now();
  log(`time-skipping test server: ${await ensureTestServer(log)}, ${seconds(testServerStarted)}`);
  const serverStarted = Date.now();
  const server = await ensureTemporalServer(log);
  log(`Temporal server: ${server.server} and ${server.sql} (${server.source}), ${seconds(serverStarted)}`);
  log(`toolchain ready in ${seconds(started)}`);
}

/** Runs `threadline toolchain` (and `npm run toolchain`); on failure, says why on stderr and exits 1. */
export function main(): void {
  run().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
