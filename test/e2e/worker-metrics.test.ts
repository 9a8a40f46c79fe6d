/**
 * The Temporal SDK's own metrics, served by a standalone worker (`bin/worker.ts`, a process of its own, as an operator
 * runs it) at WORKER_SDK_METRICS_ADDRESS: a conversation runs on it, and a Prometheus scrape shows the worker's
 * workflow tasks and local activities.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../config/env';
import { createEmulator, type Emulator } from '../../emulator';
import { emulatorDefaultsFromConfig } from '../../stack/emulator-defaults';
import { freePort, stopProcess } from '../../toolchain/temporal';
import { conversationId } from '../../workflows/ids';
import { connectToDevServer, uniqueTaskQueue } from '../helpers/temporal';
import { eventually } from '../helpers/eventually';
import { handsetInbox } from '../helpers/handsets';

const ROOT = path.resolve(__dirname, '../..');
const OUR = '+19195550100';
const ADA = '+19195550123';
const OPENING = 'Your table is ready.';
/** The test run's own settings, which must not leak into the worker's environment. */
const OWN_SETTINGS = /^(THREADLINE_|TEMPORAL_|EMULATOR_|BANDWIDTH_|DATABASE_URL$|WORKER_|OTEL_|LOG_LEVEL$|NODE_TEST)/;

describe("a worker's Temporal SDK metrics, scraped with Prometheus's text format", () => {
  let emulator: Emulator;
  let worker: ChildProcess;
  let temporal: Awaited<ReturnType<typeof connectToDevServer>>;
  let metricsUrl: string;
  let emulatorUrl: string;
  const taskQueue = uniqueTaskQueue('sdk-metrics');
  const output: string[] = [];

  before(async () => {
    const dataDir = fs.mkdtempSync(path.join(process.env.THREADLINE_TEST_TMP ?? '/tmp', 'sdk-metrics-'));
    const emulatorPort = await freePort();
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const env: NodeJS.ProcessEnv = {
      ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !OWN_SETTINGS.test(key))),
      TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: taskQueue,
      THREADLINE_DATA_DIR: dataDir,
      EMULATOR_PORT: String(emulatorPort),
      // Nothing answers there: this test has no webhook server, and the emulator's callbacks go nowhere.
      EMULATOR_CALLBACK_URL: `http://127.0.0.1:${await freePort()}/callbacks/messaging`,
      WORKER_SDK_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
      LOG_LEVEL: 'info',
    };
    emulator = createEmulator({ defaults: emulatorDefaultsFromConfig(loadConfig(env)), timeScale: 20 });
    emulatorUrl = (await emulator.listen(emulatorPort, '127.0.0.1')).url;
    temporal = await connectToDevServer();

    worker = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin', 'worker.ts')], { env, cwd: ROOT });
    worker.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    worker.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const started = () => output.join('').includes('"worker started"');
      const check = setInterval(() => started() && (clearInterval(check), resolve()), 100);
      worker.once('exit', (code) => {
        clearInterval(check);
        reject(new Error(`the worker exited with ${code}:\n${output.join('')}`));
      });
    });
  });
  after(async () => {
    if (worker) await stopProcess(worker, 10_000);
    await temporal?.close();
    await emulator?.close();
  });

  it('counts the workflow tasks and the local activities of a conversation the worker ran', async () => {
    const start = { ourNumber: OUR, participants: [ADA], opening: { text: OPENING } };
    await temporal.client.workflow.start('greeterBot', {
      taskQueue,
      workflowId: conversationId(start),
      args: [start],
    });
    await eventually(async () => {
      const messages = await handsetInbox(emulatorUrl, ADA);
      assert.equal(messages[0]?.text, OPENING);
    });

    const scrape = await eventually(async () => {
      const response = await fetch(metricsUrl);
      assert.equal(response.status, 200);
      const text = await response.text();
      assert.match(text, /^temporal_workflow_task_execution_latency_count\{.*task_queue="[^"]+".*\} [1-9]/m);
      return text;
    });
    const line = (name: string) => scrape.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(taskQueue));
    assert.ok(line('temporal_workflow_task_execution_latency_count'), 'workflow tasks, on our task queue');
    assert.ok(line('temporal_workflow_task_schedule_to_start_latency_count'), 'their wait for a worker');
    assert.ok(line('temporal_local_activity_execution_latency_count'), 'the send, a local activity');
    assert.ok(line('temporal_worker_task_slots_available'), "the worker's free slots");
  });
});
