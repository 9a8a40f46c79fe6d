/**
 * Many idle conversations: opens N conversations (each answered once, then waiting for a reply on its 30-day timer)
 * and measures the worker's memory with a bounded workflow cache, beside the same worker's memory with no
 * conversations. Then texts conversations that were evicted from the cache and times their replies (each replays its
 * history first), beside conversations still in the cache.
 *
 *   BENCH_IDLE=20000 npm run bench:idle      (also part of `npm run bench`)
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import type { SendMessageInput } from '../activities';
import { conversationId, decodeTag } from '../workflows/ids';
import { inboundMessageSignal } from '../workflows/messages';
import { quietBundler, startBenchTemporal, summary, writeResults } from './lib';

const CONVERSATIONS = Number(process.env.BENCH_IDLE ?? 20_000);
const CACHE = Number(process.env.BENCH_IDLE_CACHE ?? 200);
const CONCURRENCY = 32;
const OUR = '+19195550100';

const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
function memory() {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed), externalMiB: mib(m.external) };
}

async function main(): Promise<void> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const temporal = await startBenchTemporal();
  try {
    const connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection });
    const native = await NativeConnection.connect({ address: temporal.address });
    const bundle = await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, '../workflows/index.ts'),
      logger: quietBundler,
    });
    const waiting = new Map<string, () => void>();
    const activities = {
      async sendMessage(input: SendMessageInput) {
        const id = decodeTag(input.tag)?.conversationId ?? '';
        waiting.get(`${id}|${input.text}`)?.();
        return {
          messageId: `idle-${Math.random().toString(36).slice(2)}`,
          segmentCount: 1,
          time: new Date().toISOString(),
        };
      },
      async copyInboundMedia() {
        return [];
      },
    };
    const worker = await Worker.create({
      connection: native,
      taskQueue: 'idle',
      workflowBundle: bundle,
      activities,
      maxCachedWorkflows: CACHE,
    });
    const running = worker.run();
    await new Promise((r) => setTimeout(r, 2000));
    const empty = memory();
    log(`worker with no conversations: ${JSON.stringify(empty)}`);

    const phone = (i: number) => `+1${String(2000000000 + i)}`;
    let seq = 0;
    async function text(i: number, body: string): Promise<number> {
      const start = { ourNumber: OUR, participants: [phone(i)] };
      const workflowId = conversationId(start);
      const replied = new Promise<void>((resolve) =>
        waiting.set(`${workflowId}|#${body.split(' ')[1]}: ${body}`, resolve),
      );
      const started = performance.now();
      await client.workflow.signalWithStart('echoBot', {
        workflowId,
        taskQueue: 'idle',
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
      return performance.now() - started;
    }

    const opened = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < CONVERSATIONS) {
          const i = next++;
          await text(i, 'turn 1');
          if (i % 2000 === 0) log(`  ${i} conversations open (${Math.round((Date.now() - opened) / 1000)} s)`);
        }
      }),
    );
    const openSeconds = (Date.now() - opened) / 1000;
    await new Promise((r) => setTimeout(r, 3000));
    const idle = memory();
    log(`worker with ${CONVERSATIONS} idle conversations (cache ${CACHE}): ${JSON.stringify(idle)}`);

    // Oldest conversations were evicted long ago; the newest are still cached.
    const evicted: number[] = [];
    const cached: number[] = [];
    for (let k = 0; k < 30; k++) evicted.push(await text(k * Math.floor(CACHE / 30) + 1, 'turn 2'));
    for (let k = 0; k < 30; k++) cached.push(await text(CONVERSATIONS - 1 - k, 'turn 2'));

    const result = {
      conversations: CONVERSATIONS,
      maxCachedWorkflows: CACHE,
      openedPerSecond: Math.round(CONVERSATIONS / openSeconds),
      workerMemoryNoConversations: empty,
      workerMemoryIdle: idle,
      replyAfterEvictionMs: summary(evicted),
      replyWhileCachedMs: summary(cached),
      note: 'Worker and client in one Node process (RSS includes both). Conversations: echoBot after one turn, waiting on its 30-day reply timer. Fake send activity. Dev server: WAL, synchronous=NORMAL.',
    };
    writeResults('idleConversations', result);
    log(JSON.stringify(result, null, 2));
    worker.shutdown();
    await running;
    await native.close();
    await connection.close();
  } finally {
    await temporal.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
