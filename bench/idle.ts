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
 * Where that time went is read back from each timed conversation's history (`whereTheTimeGoes`): the server's
 * dispatch of the workflow task (scheduled to started) and the worker's hold of it (started to completed: for an
 * evicted conversation, fetching its history and replaying it first). With `BENCH_IDLE_SDK_METRICS=1` the worker
 * also serves the Temporal SDK's metrics (as `WORKER_SDK_METRICS_ADDRESS` does), and the bench writes what they
 * counted over the timed replies: sticky cache misses, history fetches and their latency.
 *
 *   BENCH_IDLE=100000 npm run bench:idle      (the default; BENCH_IDLE=5000 for a quick run)
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { connectClient, loadTemporalConnection } from '../temporal/connection';
import { timestampMs } from '../temporal/timestamps';
import { conversationId } from '../workflows/ids';
import { inboundMessageSignal } from '../workflows/messages';
import { freePort } from '../toolchain/temporal';
import { RECOMMENDED_MALLOC_ARENA_MAX } from '../worker/malloc-arenas';
import type { IdleWorkerMessage } from './idle-worker';
import {
  percentile,
  pool,
  ratioOfMediansInterval,
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
  /**
   * Replies timed for each of evicted and cached conversations: 200 hold the ratio's 95 % interval to about ±0.1 near
   * 2× (2.14-2.28 at b220815); 30 leave it two to three times as wide, as wide as the runs' spread around the target.
   */
  samples: 200,
  /** `WORKER_MAX_CACHED_WORKFLOWS`; 0: the configuration's default. */
  workerMaxCachedWorkflows: 0,
  /** Pause between timed replies. */
  thinkMs: 100,
  /** The worker's `MALLOC_ARENA_MAX`, as `npm run worker` sets it (package.json, worker/malloc-arenas.ts). */
  mallocArenaMax: RECOMMENDED_MALLOC_ARENA_MAX,
  /** 1: the worker serves the SDK's metrics and the bench reads them over the timed replies. */
  sdkMetrics: 0,
};
const settings = readSettings(DEFAULTS, {
  conversations: 'BENCH_IDLE',
  concurrency: 'BENCH_IDLE_CONCURRENCY',
  samples: 'BENCH_IDLE_SAMPLES',
  workerMaxCachedWorkflows: 'WORKER_MAX_CACHED_WORKFLOWS',
  thinkMs: 'BENCH_THINK_MS',
  mallocArenaMax: 'MALLOC_ARENA_MAX',
  sdkMetrics: 'BENCH_IDLE_SDK_METRICS',
});
const OUR = '+19195550100';
const TASK_QUEUE = 'idle';
const log = (line: string) => process.stdout.write(`${line}\n`);
const mb = (bytes: number) => round1(bytes / 1e6);
const mib = (bytes: number) => round1(bytes / 2 ** 20);

function startWorker(
  address: string,
  sdkMetricsAddress: string | undefined,
): {
  child: ChildProcess;
  messages: (listener: (m: IdleWorkerMessage) => void) => void;
} {
  const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_TASK_QUEUE: TASK_QUEUE };
  env.LOG_LEVEL = 'warn';
  env.MALLOC_ARENA_MAX = String(settings.mallocArenaMax);
  if (settings.workerMaxCachedWorkflows) env.WORKER_MAX_CACHED_WORKFLOWS = String(settings.workerMaxCachedWorkflows);
  else delete env.WORKER_MAX_CACHED_WORKFLOWS;
  if (sdkMetricsAddress) env.WORKER_SDK_METRICS_ADDRESS = sdkMetricsAddress;
  else delete env.WORKER_SDK_METRICS_ADDRESS;
  const child = fork(path.join(__dirname, 'idle-worker.ts'), [], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    env,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return { child, messages: (listener) => child.on('message', listener) };
}

async function main(): Promise<void> {
  const temporal = await startBenchTemporal();
  const sdkMetricsAddress = settings.sdkMetrics ? `127.0.0.1:${await freePort()}` : undefined;
  const worker = startWorker(temporal.address, sdkMetricsAddress);
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
    const sdkBefore = sdkMetricsAddress ? await sdkMetrics(sdkMetricsAddress) : undefined;
    const evicted: number[] = [];
    const cached: number[] = [];
    for (let k = 0; k < settings.samples; k++) {
      evicted.push(await text(k, 2));
      await sleep(settings.thinkMs);
      cached.push(await text(settings.conversations - 1 - k, 2));
      await sleep(settings.thinkMs);
    }
    const sdkCounted =
      sdkMetricsAddress && sdkBefore ? sdkMetricsOver(sdkBefore, await sdkMetrics(sdkMetricsAddress)) : undefined;
    const afterReplies = await memory();
    const handleOf = (i: number) =>
      client.workflow.getHandle(conversationId({ ourNumber: OUR, participants: [phone(i)] }));
    const timesOf = async (indexes: number[]) =>
      whereItWent(await Promise.all(indexes.map((i) => lastTurn(handleOf(i)))));
    const samples = Array.from({ length: settings.samples }, (_, k) => k);
    const whereTheTimeGoes = {
      evicted: await timesOf(samples),
      cached: await timesOf(samples.map((k) => settings.conversations - 1 - k)),
      ...(sdkCounted ? { sdkMetricsOverTheTimedReplies: sdkCounted } : {}),
    };
    log(`where the time goes: ${JSON.stringify(whereTheTimeGoes)}`);

    const replyAfterEvictionMs = summary(evicted);
    const replyWhileCachedMs = summary(cached);
    const figures = {
      method:
        'Worker: bench/idle-worker.ts alone in its own process (worker/create-worker.ts as npm run worker builds it, ' +
        'fake send activity, MALLOC_ARENA_MAX as in its settings), memory from /proc/<pid>/status and process.memoryUsage() after a full GC. Load: ' +
        'signalWithStart of the echo bot from this process, each conversation answered once, then waiting on its ' +
        '30-day timer. Replies: evicted (opened first) and cached (opened last) conversations texted in turn, timed ' +
        'from signalWithStart to the send activity. Dev server: SQLite file, WAL, synchronous=NORMAL. Where the time ' +
        'goes: from each timed conversation’s history, its last workflow task (the timed turn): scheduled to started ' +
        '(the server’s dispatch), started to completed (the worker’s hold: history fetch and replay when evicted, ' +
        'the turn, the send, the completion’s round trip), p50 ms; the events before that turn.',
      workerMaxCachedWorkflows: cache,
      workflowThreadHeapLimitMiB: workflowHeapMb,
      openedPerSecond: round1((settings.conversations / openMs) * 1000),
      workerProcessNoConversations: empty,
      workerProcessIdle: idle,
      workerProcessAfterReplies: afterReplies,
      replyAfterEvictionMs,
      replyWhileCachedMs,
      evictedToCachedP50: round2(replyAfterEvictionMs.p50 / replyWhileCachedMs.p50),
      evictedToCachedP50Interval: ratioOfMediansInterval(evicted, cached),
      whereTheTimeGoes,
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

interface TurnTimes {
  dispatchMs: number;
  workerHoldMs: number;
  eventsBefore: number;
}

/** The timed turn's workflow task, from the conversation's history: the first task after its last signal. */
async function lastTurn(handle: WorkflowHandle): Promise<TurnTimes> {
  const events = (await handle.fetchHistory()).events ?? [];
  let signalled = events.length - 1;
  while (signalled > 0 && !events[signalled]?.workflowExecutionSignaledEventAttributes) signalled -= 1;
  const after = events.slice(signalled);
  const time = (pick: (e: (typeof events)[number]) => unknown) => timestampMs(after.find((e) => pick(e))?.eventTime);
  const scheduled = time((e) => e.workflowTaskScheduledEventAttributes);
  const started = time((e) => e.workflowTaskStartedEventAttributes);
  const completed = time((e) => e.workflowTaskCompletedEventAttributes);
  return { dispatchMs: started - scheduled, workerHoldMs: completed - started, eventsBefore: signalled };
}

const p50 = (values: number[]) => percentile(values, 50);

function whereItWent(turns: TurnTimes[]) {
  return {
    dispatchMsP50: p50(turns.map((t) => t.dispatchMs)),
    workerHoldMsP50: p50(turns.map((t) => t.workerHoldMs)),
    eventsBeforeTheTurn: p50(turns.map((t) => t.eventsBefore)),
  };
}

/** The SDK's Prometheus metrics, each series' value by its full name and labels. */
async function sdkMetrics(address: string): Promise<Map<string, number>> {
  const text = await (await fetch(`http://${address}/metrics`)).text();
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    series.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return series;
}

/** What the SDK counted between two readings: sums over every series of a metric, whatever its labels. */
function sdkMetricsOver(before: Map<string, number>, after: Map<string, number>) {
  const rose = (name: string, label = '') => {
    let sum = 0;
    for (const [series, value] of after) {
      if ((series === name || series.startsWith(`${name}{`)) && series.includes(label))
        sum += value - (before.get(series) ?? 0);
    }
    return sum;
  };
  const mean = (metric: string, label = '') => {
    const count = rose(`${metric}_count`, label);
    return count > 0 ? round1(rose(`${metric}_sum`, label) / count) : null;
  };
  const history = 'operation="GetWorkflowExecutionHistory"';
  return {
    stickyCacheMisses: rose('temporal_sticky_cache_miss'),
    evictions: rose('temporal_sticky_cache_total_forced_eviction'),
    workflowTasks: rose('temporal_workflow_task_execution_latency_count'),
    workflowTaskExecutionMsMean: mean('temporal_workflow_task_execution_latency'),
    historyFetches: rose('temporal_request_latency_count', history),
    historyFetchMsMean: mean('temporal_request_latency', history),
    workflowTaskCompletionMsMean: mean('temporal_request_latency', 'operation="RespondWorkflowTaskCompleted"'),
    localActivityMsMean: mean('temporal_local_activity_execution_latency'),
  };
}
