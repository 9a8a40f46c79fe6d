/**
 * OpenTelemetry traces: one trace per text, from the callback request through signal-with-start, the conversation
 * workflow and the send activity to Bandwidth's HTTP call.
 *
 * - The callback request (and every other HTTP request in or out of the process, Bandwidth's included: the Bandwidth
 *   SDK uses axios, which uses node's http) is traced by OpenTelemetry's HTTP instrumentation.
 * - The client's signal-with-start, the workflow, its signals and activities are traced by Temporal's interceptors
 *   (`@temporalio/interceptors-opentelemetry`), which carry the trace context in Temporal headers; the workflow's spans
 *   leave its sandbox through a sink.
 *
 * Off unless configured ({@link TracingConfig}, from the standard `OTEL_*` variables in config/env.ts): off, nothing of
 * OpenTelemetry is even loaded, no interceptor is installed and the workflow bundle is the same as without tracing.
 * Only entry points call {@link startTracing}, as early as they can.
 */
import type { ClientInterceptors } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Requests that are not traced: probes and scrapes, which come every few seconds and tell nothing about a text. */
const UNTRACED_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/** Where spans go: OTLP over HTTP (JSON) to `endpoint`, the console (stdout), or nowhere (tracing off). */
export type TracingConfig =
  { exporter: 'otlp'; endpoint: string; serviceName?: string } | { exporter: 'console' | 'none'; serviceName?: string };

/** What a process adds to its Temporal clients and workers when it traces. */
export interface Tracing {
  readonly enabled: boolean;
  /** For `new Client({ interceptors })`: signal-with-start and the other client calls start spans and carry them. */
  readonly clientInterceptors: ClientInterceptors;
  /** For the worker: the activity interceptors and the sink that exports the workflow's spans. */
  readonly workerOptions: Pick<WorkerOptions, 'interceptors' | 'sinks'>;
  /** For the workflow bundle (`BundleOptions.workflowInterceptorModules`): the workflow's own interceptors. */
  readonly workflowInterceptorModules: string[];
  /** Sends the spans still buffered and stops tracing. */
  shutdown(): Promise<void>;
}

/** No tracing: nothing added anywhere. */
export const tracingOff: Tracing = {
  enabled: false,
  clientInterceptors: {},
  workerOptions: {},
  workflowInterceptorModules: [],
  shutdown: async () => undefined,
};

export interface StartTracingOptions {
  /** The service name when `OTEL_SERVICE_NAME` is unset, e.g. `threadline-worker`. */
  defaultServiceName: string;
  /** Where spans go instead of the configured exporter (tests: a `SimpleSpanProcessor` on an in-memory exporter). */
  spanProcessor?: SpanProcessor;
}

/** The User-Agent of Bandwidth's callbacks, which the emulator sends too (reference §3.1). */
const BANDWIDTH_USER_AGENT = 'BandwidthAPI/v2';

/** A request header by name, whatever its case, from an outgoing request's options. */
function headerOf(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() === name) return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

/**
 * Starts tracing for the whole process as `config` says (or into `options.spanProcessor`): registers the global tracer
 * provider, W3C trace-context propagation and the HTTP instrumentation, and returns what to add to clients, workers
 * and the workflow bundle. Returns {@link tracingOff} when tracing is off. Call it once, before the process opens any
 * connection.
 */
export async function startTracing(config: TracingConfig, options: StartTracingOptions): Promise<Tracing> {
  if (config.exporter === 'none' && !options.spanProcessor) return tracingOff;
  const { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor } =
    await import('@opentelemetry/sdk-trace-base');
  const { NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
  const { Resource } = await import('@opentelemetry/resources');
  const { ATTR_SERVICE_NAME } = await import('@opentelemetry/semantic-conventions');
  const { registerInstrumentations } = await import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
  const otelTemporal = await import('@temporalio/interceptors-opentelemetry');

  let spanProcessor: SpanProcessor;
  if (options.spanProcessor) {
    spanProcessor = options.spanProcessor;
  } else if (config.exporter === 'otlp') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url: config.endpoint }));
  } else {
    spanProcessor = new SimpleSpanProcessor(new ConsoleSpanExporter());
  }
  const resource = Resource.default().merge(
    new Resource({ [ATTR_SERVICE_NAME]: config.serviceName ?? options.defaultServiceName }),
  );
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register(); // the global tracer provider, AsyncLocalStorage context and W3C trace-context propagation
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has(req.url?.split('?')[0] ?? ''),
        // The local emulator plays Bandwidth: its callbacks are Bandwidth's requests, not ours, and carry no trace
        // context of ours (in one process, they would otherwise join whichever trace their timer was set in).
        ignoreOutgoingRequestHook: (req) => headerOf(req.headers, 'user-agent') === BANDWIDTH_USER_AGENT,
      }),
    ],
  });
  // The instrumentation patches node's http and https modules in place the next time they are required: require them
  // now, so that servers and clients made from modules loaded before tracing started are traced too.
  module.require('node:http');
  module.require('node:https');

  return {
    enabled: true,
    clientInterceptors: { workflow: [new otelTemporal.OpenTelemetryWorkflowClientInterceptor()] },
    workerOptions: {
      interceptors: {
        activity: [
          (ctx) => ({
            inbound: new otelTemporal.OpenTelemetryActivityInboundInterceptor(ctx),
            outbound: new otelTemporal.OpenTelemetryActivityOutboundInterceptor(ctx),
          }),
        ],
      },
      sinks: { exporter: otelTemporal.makeWorkflowExporter(spanProcessor, resource) },
    },
    workflowInterceptorModules: [require.resolve('../workflows/tracing-interceptors')],
    async shutdown() {
      unregister();
      await provider.shutdown();
    },
  };
}
