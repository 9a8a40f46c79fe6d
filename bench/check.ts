/**
 * `npm run bench:check`: every target (bench/targets.ts) judged from bench/results.json, printed met, missed or not
 * measured; exits 1 unless all are met. With `--readme` it also rewrites the README's targets table (between the
 * `bench-targets` markers) from the same judgement, as `npm run bench` does after running the benchmarks.
 */
import fs from 'node:fs';
import path from 'node:path';
import { checkTargets, type TargetCheck } from './targets';

const README = path.resolve(__dirname, '../README.md');
const START = '<!-- bench-targets:start (written by npm run bench; do not edit) -->';
const END = '<!-- bench-targets:end -->';

const mark = { met: 'met', missed: '**missed**', 'not measured': '**not measured**' } as const;

/** The README's table: one row per target, with where its figure came from. */
export function targetsTable(checks: TargetCheck[]): string {
  const rows = checks.map((c) => {
    const { key, date, commit, loadAverageAtStart: load } = c.source;
    const when = date
      ? `\`${key}\`, ${date.slice(0, 10)}${commit ? ` (${commit})` : ''}${load !== undefined ? `, load ${load}` : ''}`
      : '';
    return `| ${c.target} | ${c.figure} | ${when} | ${mark[c.status]} |`;
  });
  return ['| target | figure | `bench/results.json` | |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** `readme` with its targets table replaced; throws when the markers are missing. */
export function withTargetsTable(readme: string, checks: TargetCheck[]): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} block`);
  return `${readme.slice(0, start + START.length)}\n${targetsTable(checks)}\n${readme.slice(end)}`;
}

function main(): void {
  const checks = checkTargets();
  const width = Math.max(...checks.map((c) => c.target.length));
  for (const c of checks) {
    process.stdout.write(`${c.status.padEnd(12)} ${c.target.padEnd(width)}  ${c.figure}\n`);
  }
  const met = checks.filter((c) => c.status === 'met').length;
  process.stdout.write(`\n${met} of ${checks.length} targets met\n`);
  if (process.argv.includes('--readme')) {
    fs.writeFileSync(README, withTargetsTable(fs.readFileSync(README, 'utf8'), checks));
    process.stdout.write('README.md: targets table rewritten\n');
  }
  process.exitCode = met === checks.length ? 0 : 1;
}

if (require.main === module) main();
