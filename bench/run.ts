/**
 * `npm run bench`: every benchmark in turn, each beside its bare baseline in the same run, figures merged into
 * bench/results.json; then docs/bench.svg and the README's targets table are drawn from them, and every target is
 * printed met, missed or not measured. Exits 1 when a benchmark failed or a target is not met. Speed and memory goals
 * are checked here, never by timed assertions in tests.
 *
 *   npm run bench                 (all; the idle benchmark opens 100,000 conversations and takes a while)
 *   npm run bench -- burst idle   (some)
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ALL = ['emulator', 'handoff', 'latency', 'burst', 'idle'];
const chosen = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = chosen.filter((name) => !ALL.includes(name));
if (unknown.length > 0) throw new Error(`no such benchmark: ${unknown.join(', ')} (there are ${ALL.join(', ')})`);
const benches = chosen.length > 0 ? chosen : ALL;

const tsx = (file: string, args: string[] = []) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, file), ...args], {
    stdio: 'inherit',
    env: process.env,
  }).status;

let failed = 0;
for (const name of benches) {
  process.stdout.write(`\n== bench:${name}\n`);
  if (tsx(`${name}.ts`) !== 0) failed += 1;
}
process.stdout.write(
  `\n${benches.length - failed} benchmarks ran, ${failed} failed; figures in bench/results.json\n\n`,
);
tsx('chart.ts');
const targets = tsx('check.ts', ['--readme']);
process.exit(failed > 0 || targets !== 0 ? 1 : 0);
