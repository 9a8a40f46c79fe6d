/**
 * Shared pieces of the benchmarks: a dev server started exactly as `npm start` starts it (WAL SQLite with
 * synchronous=NORMAL, eager activities), percentiles, and the results file every benchmark merges its figures into.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureTemporalCli, freePort, startDevServer, type DevServer } from '../toolchain/temporal';

export const RESULTS_FILE = path.resolve(__dirname, 'results.json');

export function machine() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}

/** Merges `value` under `key` in bench/results.json, leaving other benchmarks' figures alone. */
export function writeResults(key: string, value: unknown): void {
  const current = fs.existsSync(RESULTS_FILE)
    ? (JSON.parse(fs.readFileSync(RESULTS_FILE, 'utf8')) as Record<string, unknown>)
    : {};
  current[key] = { date: new Date().toISOString(), machine: machine(), ...(value as object) };
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(current, null, 2)}\n`);
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[index]! * 10) / 10;
}

export function summary(samples: number[]) {
  return {
    n: samples.length,
    p50: percentile(samples, 50),
    p90: percentile(samples, 90),
    p99: percentile(samples, 99),
  };
}

/** A dev server in a temporary data directory, with the same settings as `npm start`. */
export async function startBenchTemporal(extraArgs: string[] = []): Promise<DevServer & { dir: string }> {
  const cli = await ensureTemporalCli();
  if (cli.kind !== 'binary') throw new Error('benchmarks need the Temporal CLI: run `npm run toolchain`');
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
