/**
 * Which test files a run takes: the two tiers, and the paths named on the command line.
 *
 * `npm test` runs the main tier: every test file except the system tier's. `npm run test:system` runs the system
 * tier: the suites that start whole systems of processes or run thousands of generated cases, which together took
 * about half the suite's CPU time (a real Temporal server cluster and TLS, the chaos suite's SIGKILLs, installing the
 * packed tarball, `npm start` stopped with a backlog of 300 handsets, two servers and two workers under load, the
 * fuzz runs). CI (`.ci/run`) runs both, so every test runs in CI. Files or folders named on the command line run
 * whatever their tier.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The system tier: folders and files whose tests run under `npm run test:system`, not under a bare `npm test`. */
export const SYSTEM_TIER = [
  'test/chaos',
  'test/cluster',
  'test/e2e/shutdown.test.ts',
  'test/fuzz',
  'test/package',
  'test/scale',
  'test/system',
  'test/temporal',
] as const;

export type Tier = 'main' | 'system' | 'all';

const under = (file: string, dir: string) => file === dir || file.startsWith(`${dir}/`);

/** Whether `file` (relative to the repository root) belongs to the system tier. */
export function isSystemTier(file: string): boolean {
  return SYSTEM_TIER.some((dir) => under(file, dir));
}

/** Whether `file` needs the real Temporal server (built into the cache on first use, about 4 minutes). */
export function needsTemporalServer(file: string): boolean {
  return under(file, 'test/cluster') || under(file, 'test/temporal');
}

/**
 * The test files (`*.test.ts` under test/, relative to `root`, sorted) that `filters` name (files or folders), or,
 * with no filters, the files of `tier`.
 */
export function findTestFiles(root: string, filters: readonly string[], tier: Tier): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.test.ts')) found.push(path.relative(root, full).split(path.sep).join('/'));
    }
  };
  walk(path.join(root, 'test'));
  found.sort();
  if (filters.length > 0) {
    const wanted = filters.map((f) => path.relative(root, path.resolve(f)).split(path.sep).join('/'));
    return found.filter((file) => wanted.some((w) => under(file, w)));
  }
  if (tier === 'all') return found;
  return found.filter((file) => isSystemTier(file) === (tier === 'system'));
}
