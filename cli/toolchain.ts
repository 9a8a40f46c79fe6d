/**
 * `npm run toolchain`: installs the Temporal CLI (dev server + Web UI), the time-skipping test server and the real
 * Temporal server with its SQL tool (test/cluster/, docs/deploying.md) into the cache, printing progress. `npm start`
 * and `npm test` do this themselves; this command does it ahead of time.
 */
import { cacheDir, ensureTemporalCli, ensureTestServer } from '../toolchain/temporal';
import { ensureTemporalServer } from '../toolchain/temporal-server';

async function run(): Promise<void> {
  const log = (line: string) => process.stdout.write(`[toolchain] ${line}\n`);
  log(`cache: ${cacheDir()}`);
  const cli = await ensureTemporalCli(log);
  log(
    cli.kind === 'binary'
      ? `Temporal CLI: ${cli.path} (${cli.source})`
      : 'Temporal CLI: downloaded by @temporalio/testing on first use',
  );
  log(`time-skipping test server: ${await ensureTestServer(log)}`);
  const server = await ensureTemporalServer(log);
  log(`Temporal server: ${server.server} and ${server.sql} (${server.source})`);
}

/** Runs `threadline toolchain` (and `npm run toolchain`); on failure, says why on stderr and exits 1. */
export function main(): void {
  run().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
