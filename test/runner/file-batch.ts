/**
 * The entry of one test process (test/runner/lanes.ts starts it): runs the test files named on its command line one
 * after another, each inside a suite named for the file, in this one process.
 *
 *   node --import tsx test/runner/file-batch.ts --timeout=300000 [--load-times=loads.json] test/unit/ids.test.ts …
 *
 * Starting Node, tsx and Temporal's SDK costs a file of unit tests more CPU than its tests do (about 1.5 CPU-seconds
 * of a kit file's 4), so files share a process. The suite keeps them apart where it matters: a file's hooks, even
 * those at its top level, apply to its own tests only; its tests run after the previous file's have ended, its
 * `after` hooks included; and `--timeout` applies to each file, so a stuck file fails with what it reported and the
 * next file still runs. The runner reads each file's verdict from the suite's line in the TAP report, and its time
 * from when that line came and how long the file took to load (`--load-times`).
 */
import { before, describe } from 'node:test';
import { Agent, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const option = (name: string) => args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const timeout = Number(option('timeout') ?? Number.POSITIVE_INFINITY);
if (!(timeout > 0)) throw new Error(`--timeout must be a number of milliseconds, not ${option('timeout')}`);
const loadTimesPath = option('load-times');

// node:test runs a suite's function as the suite is declared, so every file is loaded here, before any test runs.
const loads: Record<string, number> = {};
for (const file of args.filter((arg) => !arg.startsWith('--'))) {
  describe(file, { timeout }, () => {
    // A pool of HTTP connections of its own for `fetch`, as in a process of its own: a keep-alive connection left
    // from the file before could point at a port a server of that file had, which this file's server may now have.
    before(() => {
      const previous = getGlobalDispatcher();
      setGlobalDispatcher(new Agent());
      void previous.close().catch(() => undefined);
    });
    // Loaded inside the suite, so that the tests and hooks the file declares belong to it (node:test attaches them
    // to the suite whose function is running). `require`, not `import()`: an import would finish after the suite's
    // function has returned.
    const started = performance.now();
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path.resolve(file));
    } finally {
      loads[file] = performance.now() - started;
    }
  });
}
// How long each file took to load, for the runner's figures (test/runner/lanes.ts), and when loading ended.
if (loadTimesPath) fs.writeFileSync(loadTimesPath, JSON.stringify({ loadedAt: Date.now(), loads }));
