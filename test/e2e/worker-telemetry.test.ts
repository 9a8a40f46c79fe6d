/**
 * A standalone worker's telemetry (`bin/worker.ts`, a process of its own, configured as an operator configures it): a
 * conversation runs on it; a Prometheus scrape at WORKER_SDK_METRICS_ADDRESS shows the Temporal SDK's own metrics of
 * its workflow tasks and local activities, and the traces it sends over OTLP (to a collector played by this test, at
 * OTEL_EXPORTER_OTLP_ENDPOINT) hold the workflow, the send and Bandwidth's HTTP call.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { loadConfig } from '../../config/env';
import { createEmulator, type Emulator } from '../../emulator';
import { emulatorDefaultsFromConfig } from '../../stack/emulator-defaults';
import { freePort, stopProcess } from '../../toolchain/temporal';
import { conversationId } from '../../workflows/ids';
import { endConversationSignal } from '../../workflows/messages';
import { connectToDevServer, uniqueTaskQueue } from '../helpers/temporal';
import { eventually } from '../helpers/eventually';
import { handsetInbox } from '../helpers/handsets';

const ROOT = path.resolve(__dirname, '../..');
const OUR = '+19195550100';
const ADA = '+19195550123';
const OPENING = 'Your table is ready.';
/** The test run's own settings, which must not leak into the worker's environment. */
const OWN_SETTINGS = /^(THREADLINE_|TEMPORAL_|EMULATOR_|BANDWIDTH_|DATABASE_URL$|WORKER_|OTEL_|LOG_LEVEL$|NODE_TEST)/;

/** A fixed-offset IANA zone where it is between 12:00 and 13:00 now (`Etc/GMT-N` is N hours ahead of UTC). */
function middayZone(): string {
  const ahead = 12 - new Date().getUTCHours();
  return ahead === 0 ? 'Etc/GMT' : ahead > 0 ? `Etc/GMT-${ahead}` : `Etc/GMT+${-ahead}`;
}

/** A span as OTLP/JSON carries it. */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string; intValue?: number | string } }[];
}

/** A stand-in OpenTelemetry collector: what the worker sends to /v1/traces, by service name. */
function startCollector(): Promise<{ url: string; spans: (service: string) => OtlpSpan[]; close(): Promise<void> }> {
  const received: { service: string; spans: OtlpSpan[] }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const request = JSON.parse(body) as {
          resourceSpans: {
            resource: { attributes: { key: string; value: { stringValue?: string } }[] };
            scopeSpans: { spans: OtlpSpan[] }[];
          }[];
        };
        for (const { resource, scopeSpans } of request.resourceSpans) {
          const service = resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
          received.push({ service, spans: scopeSpans.flatMap((s) => s.spans) });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        spans: (service) => received.filter((r) => r.service === service).flatMap((r) => r.spans),
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

describe("a standalone worker's telemetry: the SDK's Prometheus metrics and OTLP traces", () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let emulator: Emulator;
  let worker: ChildProcess;
  let temporal: Awaited<ReturnType<typeof connectToDevServer>>;
  let metricsUrl: string;
  let emulatorUrl: string;
  const taskQueue = uniqueTaskQueue('worker-telemetry');
  const output: string[] = [];

  before(async () => {
    const dataDir = fs.mkdtempSync(path.join(process.env.THREADLINE_TEST_TMP ?? '/tmp', 'worker-telemetry-'));
    collector = await startCollector();
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
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
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
    await collector?.close();
  });

  it('counts the workflow tasks and the local activities of a conversation the worker ran', async () => {
    // A proactive opening waits for the recipient's quiet hours to end: put Ada where it is midday now.
    const start = {
      ourNumber: OUR,
      participants: [ADA],
      opening: { text: OPENING },
      timeZones: { [ADA]: middayZone() },
    };
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

  it('sends the trace of the conversation it ran: the workflow, each send and its POST to Bandwidth', async () => {
    // The conversation of the test above, started by this test's client (which does not trace): it begins a trace,
    // and its workflow span is sent once it ends.
    const handle = temporal.client.workflow.getHandle(conversationId({ ourNumber: OUR, participants: [ADA] }));
    await handle.signal(endConversationSignal, { reason: 'the test is over' });
    await handle.result();

    const { run, sends } = await eventually(
      () => {
        const sent = collector.spans('threadline-worker');
        const runs = sent.filter((s) => s.name === 'RunWorkflow:greeterBot');
        assert.equal(runs.length, 1, `one workflow span among ${sent.map((s) => s.name).join(', ')}`);
        const under = (parent: OtlpSpan, name: string) =>
          sent.filter((s) => s.parentSpanId === parent.spanId && s.name === name);
        // The opening text, then the greeter's question: two sends, each run once, each one POST.
        const sends = under(runs[0]!, 'StartActivity:sendMessage').map((start) => {
          const [runSend, ...more] = under(start, 'RunActivity:sendMessage');
          assert.ok(runSend && more.length === 0, 'each send runs once');
          const [post, ...morePosts] = under(runSend, 'POST');
          assert.ok(post && morePosts.length === 0, 'each send makes one POST to Bandwidth');
          return [start, runSend, post];
        });
        assert.equal(sends.length, 2, 'the opening and the question');
        return { run: runs[0]!, sends };
      },
      { timeoutMs: 60_000 },
    );
    for (const span of sends.flat()) assert.equal(span.traceId, run.traceId, `${span.name} is in the workflow's trace`);
    for (const [, , post] of sends) {
      const url = post!.attributes.find((a) => a.key === 'http.url')?.value.stringValue;
      assert.match(url ?? '', /\/api\/v2\/users\/9900000\/messages$/);
    }
  });
});
