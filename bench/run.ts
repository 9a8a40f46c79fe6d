/**
 * `npm run bench`: every benchmark in turn, each beside its bare baseline in the same run, figures merged into
 * bench/results.json. Speed and memory goals are checked here, never by timed assertions in tests.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const benches = ['emulator', 'handoff', 'latency', 'idle'];
let failed = 0;
for (const name of benches) {
  process.stdout.write(`\n== bench:${name}\n`);
  const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(__dirname, `${name}.ts`)], {
    stdio: 'inherit',
    env: process.env,
  });
  if (result.status !== 0) failed += 1;
}
process.stdout.write(`\n${benches.length - failed} benchmarks ran, ${failed} failed; figures in bench/results.json\n`);
process.exit(failed ? 1 : 0);
