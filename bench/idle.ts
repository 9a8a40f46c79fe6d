/**
 * `npm run bench:idle`: many idle conversations, and the worker process's memory with them. Opens N conversations
 * (echo bot, each answered once, then waiting for a reply on its 30-day timer) through `signalWithStart` as the
 * webhook server does, against a worker that runs alone in its own process (bench/idle-worker.ts: built as
 * `npm run worker` builds it, with the configuration's cache size), so its resident memory holds no load generator.
 * Memory is read from /proc/<pid>/status (VmRSS; VmHWM for the peak) and from the worker itself after a full GC,
 * with no conversations and with N idle ones.
 *
 * Then it texts, in turn, a conversation opened early (long evicted from the worker's cache: its history replays
 * first) and one opened last (still cached), and times each reply from the `signalWithStart` to the send activity.
 *
 *   BENCH_IDLE=100000 npm run bench:idle      (the default; BENCH_IDLE=5000 for a quick run)
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { connectClient, loadTemporalConnection } from '../temporal/connection';
import { conversationId } from '../workflows/ids';
import { inboundMessageSignal } from '../workflows/messages';
import { RECOMMENDED_MALLOC_ARENA_MAX } from '../worker/malloc-arenas';
import type { IdleWorkerMessage } from './idle-worker';
import {
  pool,
  processMemoryBytes,
  readSettings,
  round1,
  round2,
  sleep,
  startBenchTemporal,
  summary,
  waitForQuiet,
  writeResults,
  runBench,
} from './lib';

const DEFAULTS = {
  conversations: 100_000,
  concurrency: 32,
  /** Replies timed for each of evicted and cached conversations. */
  samples: 30,
  /** `WORKER_MAX_CACHED_WORKFLOWS`; 0: the configuration's default. */
  workerMaxCachedWorkflows: 0,
  /** Pause between timed replies. */
  thinkMs: 100,
  /** The worker's `MALLOC_ARENA_MAX`, as `npm run worker` sets it (package.json, worker/malloc-arenas.ts). */
  mallocArenaMax: RECOMMENDED_MALLOC_ARENA_MAX,
};
const settings = readSettings(DEFAULTS, {
  conversations: 'BENCH_IDLE',
  concurrency: 'BENCH_IDLE_CONCURRENCY',
  samples: 'BENCH_IDLE_SAMPLES',
  workerMaxCachedWorkflows: 'WORKER_MAX_CACHED_WORKFLOWS',
  thinkMs: 'BENCH_THINK_MS',
  mallocArenaMax: 'MALLOC_ARENA_MAX',
});
const OUR = '+19195550100';
const TASK_QUEUE = 'idle';
const log = (line: string) => process.stdout.write(`${line}\n`);
const mb = (bytes: number) => round1(bytes / 1e6);
const mib = (bytes: number) => round1(bytes / 2 ** 20);

function startWorker(address: string): {
  child: ChildProcess;
  messages: (listener: (m: IdleWorkerMessage) => void) => void;
} {
  const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_TASK_QUEUE: TASK_QUEUE };
  env.LOG_LEVEL = 'warn';
  env.MALLOC_ARENA_MAX = String(settings.mallocArenaMax);
  if (settings.workerMaxCachedWorkflows) env.WORKER_MAX_CACHED_WORKFLOWS = String(settings.workerMaxCachedWorkflows);
  else delete env.WORKER_MAX_CACHED_WORKFLOWS;
  const child = fork(path.join(__dirname, 'idle-worker.ts'), [], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    env,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return { child, messages: (listener) => child.on('message', listener) };
}

async function main(): Promise<void> {
  const temporal = await startBenchTemporal();
  const worker = startWorker(temporal.address);
  const pid = worker.child.pid;
  try {
    const replies = new Map<string, () => void>();
    let memoryAnswer: ((m: Extract<IdleWorkerMessage, { type: 'memory' }>) => void) | null = null;
    let ready!: (worker: { cache: number; workflowHeapMb: number | null }) => void;
    const started = new Promise<{ cache: number; workflowHeapMb: number | null }>((resolve, reject) => {
      ready = resolve;
      worker.child.once('exit', (code) => reject(new Error(`the worker process exited with ${code} at start`)));
    });
    worker.messages((m) => {
      if (m.type === 'ready') ready({ cache: m.maxCachedWorkflows, workflowHeapMb: m.workflowHeapMb });
      if (m.type === 'replied') {
        const key = `${m.conversationId}|${m.text}`;
        replies.get(key)?.();
        replies.delete(key);
      }
      if (m.type === 'memory') memoryAnswer?.(m);
    });
    worker.child.once('exit', (code) => {
      if (code !== 0) log(`the worker process exited with ${code}`);
    });
    const { cache, workflowHeapMb } = await started;
    const connection = await connectClient(loadTemporalConnection({ TEMPORAL_ADDRESS: temporal.address }));
    const client = new Client({ connection });

    async function memory() {
      const reported = await new Promise<Extract<IdleWorkerMessage, { type: 'memory' }>>((resolve) => {
        memoryAnswer = resolve;
        worker.child.send({ type: 'memory' });
      });
      const rss = processMemoryBytes(pid);
      return {
        rssMB: mb(rss),
        rssMiB: mib(rss),
        peakRssMB: mb(processMemoryBytes(pid, 'VmHWM')),
        heapUsedMiB: mib(reported.heapUsed),
        heapTotalMiB: mib(reported.heapTotal),
        externalMiB: mib(reported.external),
      };
    }

    const phone = (i: number) => `+1${String(2_000_000_000 + i)}`;
    let seq = 0;
    /** Texts conversation `i`; resolves with ms from the call to the worker sending the echo bot's answer. */
    async function text(i: number, turn: number): Promise<number> {
      const start = { ourNumber: OUR, participants: [phone(i)] };
      const workflowId = conversationId(start);
      const body = `turn ${turn}`;
      const replied = new Promise<void>((resolve) => replies.set(`${workflowId}|#${turn}: ${body}`, resolve));
      const began = performance.now();
      await client.workflow.signalWithStart('echoBot', {
        workflowId,
        taskQueue: TASK_QUEUE,
        args: [start],
        signal: inboundMessageSignal,
        signalArgs: [
          {
            messageId: `idle-in-${++seq}`,
            from: phone(i),
            to: [OUR],
            ourNumber: OUR,
            text: body,
            media: [],
            segmentCount: 1,
            time: new Date().toISOString(),
          },
        ],
      });
      await replied;
      return performance.now() - began;
    }

    await sleep(2000);
    const empty = await memory();
    log(`worker process with no conversations (cache ${cache}): ${JSON.stringify(empty)}`);

    const opened = performance.now();
    let done = 0;
    const openMs = await pool(settings.conversations, settings.concurrency, async (i) => {
      await text(i, 1);
      if (++done % 5000 === 0)
        log(`  ${done} conversations open (${Math.round((performance.now() - opened) / 1000)} s)`);
    });
    await waitForQuiet([pid, temporal.process.pid]);
    const idle = await memory();
    log(`worker process with ${settings.conversations} idle conversations: ${JSON.stringify(idle)}`);

    // Interleaved, so that drift (the dev server's database growing, the machine's load) touches both alike. The
    // earliest conversations were evicted long ago; the latest are the most recently used in the cache.
    if (settings.conversations < 2 * cache + 2 * settings.samples) {
      log(
        `  warning: ${settings.conversations} conversations do not leave early ones evicted from a cache of ${cache}`,
      );
    }
    const evicted: number[] = [];
    const cached: number[] = [];
    for (let k = 0; k < settings.samples; k++) {
      evicted.push(await text(k, 2));
      await sleep(settings.thinkMs);
      cached.push(await text(settings.conversations - 1 - k, 2));
      await sleep(settings.thinkMs);
    }
    const afterReplies = await memory();

    const replyAfterEvictionMs = summary(evicted);
    const replyWhileCachedMs = summary(cached);
    const figures = {
      method:
        'Worker: bench/idle-worker.ts alone in its own process (worker/create-worker.ts as npm run worker builds it, ' +
        'fake send activity, MALLOC_ARENA_MAX as in its settings), memory from /proc/<pid>/status and process.memoryUsage() after a full GC. Load: ' +
        'signalWithStart of the echo bot from this process, each conversation answered once, then waiting on its ' +
        '30-day timer. Replies: evicted (opened first) and cached (opened last) conversations texted in turn, timed ' +
        'from signalWithStart to the send activity. Dev server: SQLite file, WAL, synchronous=NORMAL.',
      workerMaxCachedWorkflows: cache,
      workflowThreadHeapLimitMiB: workflowHeapMb,
      openedPerSecond: round1((settings.conversations / openMs) * 1000),
      workerProcessNoConversations: empty,
      workerProcessIdle: idle,
      workerProcessAfterReplies: afterReplies,
      replyAfterEvictionMs,
      replyWhileCachedMs,
      evictedToCachedP50: round2(replyAfterEvictionMs.p50 / replyWhileCachedMs.p50),
      targets: 'worker process ≤ 500 MB RSS (10^6 bytes) at 100,000 conversations; evicted reply p50 ≤ 2 × cached',
    };
    const key = writeResults({ base: 'idle', script: 'bench/idle.ts', settings, defaults: DEFAULTS, figures });
    log(JSON.stringify(figures, null, 2));
    log(
      `idle: ${settings.conversations} conversations, worker process ${idle.rssMB} MB RSS (cache ${cache}); reply p50 ` +
        `${replyAfterEvictionMs.p50} ms evicted vs ${replyWhileCachedMs.p50} ms cached; written to bench/results.json (${key})`,
    );
    await connection.close();
  } finally {
    if (worker.child.connected) worker.child.send({ type: 'stop' });
    await Promise.race([new Promise((resolve) => worker.child.once('exit', resolve)), sleep(10_000)]);
    if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await temporal.stop();
    fs.rmSync(temporal.dir, { recursive: true, force: true });
  }
}

runBench(main);
