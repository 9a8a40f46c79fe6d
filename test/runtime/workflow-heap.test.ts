/**
 * The worker caps the V8 heap of its workflow thread, where cached conversations live (worker/cache-size.ts
 * `workflowHeapMbFor`): the limit applies to the threads started from the worker's creation on, and the process's
 * main thread keeps its own. Run in a process of its own, since the limit is a process-wide V8 flag.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

/** A worker created with `workflowHeapMb`, then the heap limits (MiB) of the main thread and of a thread after it. */
const PROGRAM = `
const { Worker: Thread } = require('node:worker_threads');
const v8 = require('node:v8');
const { NativeConnection, Runtime, DefaultLogger } = require('@temporalio/worker');
const { createWorker } = require('./worker/create-worker');
const limit = () => v8.getHeapStatistics().heap_size_limit / 2 ** 20;
const threadLimit = () => new Promise((resolve, reject) => {
  const thread = new Thread("require('node:worker_threads').parentPort.postMessage(require('node:v8').getHeapStatistics().heap_size_limit / 2 ** 20)", { eval: true });
  thread.once('message', (mib) => thread.terminate().then(() => resolve(mib)));
  thread.once('error', reject);
});
(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const before = await threadLimit();
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
  const worker = await createWorker({
    connection,
    taskQueue: 'workflow-heap-' + process.pid,
    activities: {},
    workflowBundle: { codePath: process.env.THREADLINE_TEST_WORKFLOW_BUNDLE },
    workflowHeapMb: Number(process.argv[1]),
  });
  const after = await threadLimit();
  void worker; // never run: only created
  process.stdout.write(JSON.stringify({ main: limit(), before, after }));
  process.exit(0);
})().catch((err) => { process.stderr.write(String(err && err.stack || err)); process.exit(1); });
`;

describe("the workflow thread's heap", () => {
  it('is capped at the limit the worker is given, and the main thread keeps its own', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', PROGRAM, '300'], {
      cwd: root,
      env: process.env,
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    const limits = JSON.parse(run.stdout) as { main: number; before: number; after: number };
    // heap_size_limit is the old space's limit and the young generation's room.
    assert.ok(limits.after >= 300 && limits.after < 400, `a thread started after the worker: ${limits.after} MiB`);
    // V8's own limits, from the machine's memory: more than that on any machine that runs the tests.
    assert.ok(limits.before > limits.after, `a thread started before it: ${limits.before} MiB`);
    assert.ok(limits.main > limits.after, `the main thread: ${limits.main} MiB`);
  });
});
