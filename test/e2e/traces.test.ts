/**
 * Traces end to end, on a real Temporal dev server with the embedded emulator: a handset texts our number, and the
 * spans the process exports (into memory here, over OTLP in production) make one trace per text, from the callback
 * request through signal-with-start, the conversation workflow and the send activity to Bandwidth's HTTP call.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { Worker } from '@temporalio/worker';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { loadConfig } from '../../config/env';
import { startTracing, type Tracing } from '../../observability/tracing';
import { startStack, type Stack } from '../../stack';
import { bundleWorkflowsApart } from '../../worker/workflow-bundle';
import { conversationId } from '../../workflows/ids';
import { uniqueTaskQueue, workflowSource } from '../helpers/temporal';
import { historyFromFixture } from '../replay/history-json';
import { eventually } from '../helpers/eventually';
import { handsetInbox, handsetText } from '../helpers/handsets';

const OUR = '+19195550100';
const ADA = '+19195550123';
const QUESTION = "Hi! I'm the Threadline greeter. What's your name?";

describe('traces: one text, one trace, from the callback to Bandwidth', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let stack: Stack;
  let tracedBundle: { code: string };

  before(async () => {
    tracing = await startTracing(
      { exporter: 'none' },
      { defaultServiceName: 'threadline-test', spanProcessor: new SimpleSpanProcessor(exporter) },
    );
    const dataDir = fs.mkdtempSync(path.join(process.env.THREADLINE_TEST_TMP ?? '/tmp', 'traces-'));
    const config = loadConfig({
      TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: uniqueTaskQueue('traces'),
      THREADLINE_DATA_DIR: dataDir,
      PORT: '0',
      EMULATOR_PORT: '0',
      EMULATOR_TIME_SCALE: '20',
      LOG_LEVEL: 'warn',
    });
    // The run's shared bundle has no tracing in it: this worker's bundle carries the workflow interceptors.
    tracedBundle = await bundleWorkflowsApart(undefined, {
      workflowInterceptorModules: tracing.workflowInterceptorModules,
    });
    stack = await startStack({ config, persistEmulator: false, workflowBundle: tracedBundle, tracing });
  });
  after(async () => {
    await stack?.stop();
    await tracing?.shutdown();
  });

  /** The spans of one turn, each found by its parent: the chain the test expects, or an assertion failure. */
  function turnChain(spans: ReadableSpan[], signalWithStart: ReadableSpan) {
    const traceId = signalWithStart.spanContext().traceId;
    const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);
    const child = (parent: ReadableSpan, name: string | RegExp, kind?: SpanKind) => {
      const found = inTrace.filter(
        (s) =>
          s.parentSpanId === parent.spanContext().spanId &&
          (typeof name === 'string' ? s.name === name : name.test(s.name)) &&
          (kind === undefined || s.kind === kind),
      );
      assert.equal(found.length, 1, `one ${String(name)} span under ${parent.name}: ${found.length}`);
      return found[0]!;
    };
    const callback = inTrace.find((s) => s.spanContext().spanId === signalWithStart.parentSpanId);
    assert.ok(callback, 'the signal-with-start span is a child of a span of the same trace');
    assert.equal(callback.kind, SpanKind.SERVER);
    assert.equal(callback.attributes['http.target'], '/callbacks/messaging');
    assert.equal(
      callback.parentSpanId,
      undefined,
      "a callback starts the trace: Bandwidth's requests carry none of ours",
    );
    const handleSignal = child(signalWithStart, 'HandleSignal:inboundMessage');
    const startSend = child(handleSignal, 'StartActivity:sendMessage');
    const runSend = child(startSend, 'RunActivity:sendMessage');
    const post = child(runSend, 'POST', SpanKind.CLIENT);
    return { traceId, callback, handleSignal, startSend, runSend, post };
  }

  it('puts each text in a trace of its own: callback, signal-with-start, workflow, send, Bandwidth', async () => {
    const signalsWithStart = () =>
      exporter
        .getFinishedSpans()
        .filter((s) => s.name === 'SignalWithStartWorkflow:greeterBot')
        .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);

    await handsetText(stack.emulatorUrl!, ADA, OUR, 'hi');
    const first = await eventually(async () => {
      const messages = await handsetInbox(stack.emulatorUrl!, ADA);
      assert.deepEqual(
        messages.map((m) => [m.text, m.status]),
        [[QUESTION, 'DELIVERED']],
      );
      const [signalWithStart] = signalsWithStart();
      assert.ok(signalWithStart, 'the callback signalled the conversation');
      return turnChain(exporter.getFinishedSpans(), signalWithStart);
    });
    assert.equal(first.post.attributes['http.method'], 'POST');
    assert.match(String(first.post.attributes['http.url']), /\/api\/v2\/users\/9900000\/messages$/);
    assert.equal(first.post.attributes['http.status_code'], 202);

    await handsetText(stack.emulatorUrl!, ADA, OUR, 'Ada');
    const second = await eventually(async () => {
      const messages = await handsetInbox(stack.emulatorUrl!, ADA);
      assert.equal(messages[1]?.text, 'Nice to meet you, Ada!');
      const turns = signalsWithStart();
      assert.equal(turns.length, 2, 'the second text signalled the conversation too');
      return turnChain(exporter.getFinishedSpans(), turns[1]!);
    });
    assert.notEqual(second.traceId, first.traceId, 'the second text has a trace of its own');

    // The greeter ends after its second answer: its workflow span, in the trace of the text that started it.
    const [startingSignal] = signalsWithStart();
    const run = await eventually(async () => {
      const found = exporter.getFinishedSpans().filter((s) => s.name === 'RunWorkflow:greeterBot');
      assert.equal(found.length, 1, 'the workflow span is exported when the workflow ends');
      return found[0]!;
    });
    assert.equal(run.spanContext().traceId, first.traceId);
    assert.equal(run.parentSpanId, startingSignal!.spanContext().spanId);
  });

  it('replays conversations across workers with and without tracing, both ways', async () => {
    // The greeter's conversation above ran with tracing: a worker without it replays it.
    const traced = await stack.client.workflow
      .getHandle(conversationId({ ourNumber: OUR, participants: [ADA] }))
      .fetchHistory();
    await Worker.runReplayHistory(workflowSource(), traced, 'traced-greeter');
    // Every recorded conversation (recorded without tracing) replays on a worker with it.
    const dir = path.resolve(__dirname, '../fixtures/histories');
    const fixtures = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
    assert.ok(fixtures.length > 0);
    const histories = fixtures.map((file) => ({
      workflowId: file,
      history: historyFromFixture(fs.readFileSync(path.join(dir, file), 'utf8')),
    }));
    const options = { workflowBundle: tracedBundle, ...tracing.workerOptions };
    for await (const result of Worker.runReplayHistories(options, histories)) {
      assert.equal(result.error, undefined, `${result.workflowId}: ${String(result.error)}`);
    }
  });
});
