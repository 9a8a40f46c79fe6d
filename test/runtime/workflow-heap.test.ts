/**
 * The worker caps the V8 heap of its workflow thread, where cached conversations live (worker/cache-size.ts
 * `workflowHeapMbFor`, worker/create-worker.ts `withThreadHeapLimit`): a thread started while the worker starts gets
 * the limit; the process's main thread and threads started afterwards keep V8's own. Run in a process of its own,
 * since the limit is a process-wide V8 flag.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

/** The heap limits (MiB) of the main thread and of threads started before, during and after `withThreadHeapLimit`. */
const PROGRAM = `
const { Worker: Thread } = require('node:worker_threads');
const v8 = require('node:v8');
const { withThreadHeapLimit } = require('./worker/create-worker');
const limit = () => v8.getHeapStatistics().heap_size_limit / 2 ** 20;
const threadLimit = () => new Promise((resolve, reject) => {
  const thread = new Thread("require('node:worker_threads').parentPort.postMessage(require('node:v8').getHeapStatistics().heap_size_limit / 2 ** 20)", { eval: true });
  thread.once('message', (mib) => thread.terminate().then(() => resolve(mib)));
  thread.once('error', reject);
});
(async () => {
  const before = await threadLimit();
  const during = await withThreadHeapLimit(Number(process.argv[1]), threadLimit);
  const after = await threadLimit();
  process.stdout.write(JSON.stringify({ main: limit(), before, during, after }));
})().catch((err) => { process.stderr.write(String(err && err.stack || err)); process.exit(1); });
`;

describe("the workflow thread's heap", () => {
  it('is capped for the threads the worker starts, and the main thread and later threads keep their own', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', PROGRAM, '300'], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    const limits = JSON.parse(run.stdout) as { main: number; before: number; during: number; after: number };
    // heap_size_limit is the old space's limit and the young generation's room.
    assert.ok(limits.during >= 300 && limits.during < 400, `a thread started meanwhile: ${limits.during} MiB`);
    // V8's own limit comes from the machine's memory: more than that on any machine that runs the tests.
    assert.ok(limits.before > limits.during, `a thread started before: ${limits.before} MiB`);
    assert.equal(limits.after, limits.before, 'a thread started after has V8’s own limit again');
    assert.equal(limits.main, limits.before, 'the main thread keeps its own');
  });
});
