/**
 * OpenTelemetry's standard variables for traces (observability/tracing.ts), parsed by config/env.ts: off unless an
 * endpoint or an exporter is set.
 */
import { z } from 'zod';
import type { TracingConfig } from '../observability/tracing';
import { optionalString } from './env-values';

const otlpProtocol = z
  .enum(['http/protobuf', 'http/json'], {
    message: 'must be http/protobuf or http/json: Threadline exports OTLP over HTTP (port 4318), not gRPC',
  })
  .optional();

/** The `OTEL_*` variables Threadline reads, as fields of the environment schema. */
export const tracingVariables = {
  OTEL_SDK_DISABLED: optionalString.transform((v) => v?.trim().toLowerCase() === 'true'),
  OTEL_TRACES_EXPORTER: optionalString.pipe(
    z
      .enum(['otlp', 'console', 'none'], {
        message: 'must be otlp (OTLP over HTTP), console or none; Threadline exports traces only',
      })
      .optional(),
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalString.pipe(
    z.url({ protocol: /^https?$/, message: 'must be an http(s) URL, e.g. http://localhost:4318' }).optional(),
  ),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalString.pipe(
    z.url({ protocol: /^https?$/, message: 'must be an http(s) URL, e.g. http://localhost:4318/v1/traces' }).optional(),
  ),
  OTEL_EXPORTER_OTLP_PROTOCOL: optionalString.pipe(otlpProtocol),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: optionalString.pipe(otlpProtocol),
  OTEL_SERVICE_NAME: optionalString,
};

type TracingEnv = z.infer<z.ZodObject<typeof tracingVariables>>;

/**
 * Traces from OpenTelemetry's standard variables: off when `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`;
 * on with `OTEL_TRACES_EXPORTER=console`, or OTLP over HTTP when `OTEL_TRACES_EXPORTER=otlp` or an OTLP endpoint is
 * set. `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is used as it is; `OTEL_EXPORTER_OTLP_ENDPOINT` gets `/v1/traces`.
 */
export function tracingConfig(e: TracingEnv): TracingConfig {
  const endpoint =
    e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (e.OTEL_EXPORTER_OTLP_ENDPOINT ? `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` : undefined);
  const exporter = e.OTEL_SDK_DISABLED ? 'none' : (e.OTEL_TRACES_EXPORTER ?? (endpoint ? 'otlp' : 'none'));
  const serviceName = e.OTEL_SERVICE_NAME ? { serviceName: e.OTEL_SERVICE_NAME } : {};
  if (exporter === 'otlp') return { exporter, endpoint: endpoint ?? 'http://localhost:4318/v1/traces', ...serviceName };
  return { exporter, ...serviceName };
}
