import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../config/env';
import { startTracing, tracingOff } from '../../observability/tracing';

describe("traces and the SDK's metrics, configured with the standard variables", () => {
  it('traces nothing unless an endpoint or an exporter is set', async () => {
    assert.deepEqual(loadConfig({}).tracing, { exporter: 'none' });
    assert.equal(await startTracing(loadConfig({}).tracing, { defaultServiceName: 'threadline' }), tracingOff);
  });

  it('sends to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces, or to the traces endpoint as it is given', () => {
    assert.deepEqual(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing, {
      exporter: 'otlp',
      endpoint: 'http://collector:4318/v1/traces',
    });
    assert.deepEqual(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/otlp/traces',
        OTEL_SERVICE_NAME: 'sms-east',
      }).tracing,
      { exporter: 'otlp', endpoint: 'https://traces.example.com/otlp/traces', serviceName: 'sms-east' },
    );
  });

  it('sends to the local collector when only OTEL_TRACES_EXPORTER=otlp is set, and prints with console', () => {
    assert.deepEqual(loadConfig({ OTEL_TRACES_EXPORTER: 'otlp' }).tracing, {
      exporter: 'otlp',
      endpoint: 'http://localhost:4318/v1/traces',
    });
    assert.deepEqual(loadConfig({ OTEL_TRACES_EXPORTER: 'console' }).tracing, { exporter: 'console' });
  });

  it('stays off with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none, endpoint or not', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    assert.equal(loadConfig({ ...endpoint, OTEL_SDK_DISABLED: 'TRUE' }).tracing.exporter, 'none');
    assert.equal(loadConfig({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }).tracing.exporter, 'none');
    assert.equal(loadConfig({ ...endpoint, OTEL_SDK_DISABLED: 'false' }).tracing.exporter, 'otlp');
  });

  it('refuses gRPC, an exporter it does not have, a bad endpoint and a metrics address without a port', () => {
    assert.throws(
      () =>
        loadConfig({
          OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
          OTEL_TRACES_EXPORTER: 'zipkin',
          OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
          WORKER_SDK_METRICS_ADDRESS: '0.0.0.0',
        }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.problems.length === 4 &&
        /OTEL_EXPORTER_OTLP_PROTOCOL: .*not gRPC/.test(err.message) &&
        /OTEL_TRACES_EXPORTER/.test(err.message) &&
        /OTEL_EXPORTER_OTLP_ENDPOINT/.test(err.message) &&
        /WORKER_SDK_METRICS_ADDRESS: must be host:port/.test(err.message),
    );
  });

  it('serves the SDK metrics at WORKER_SDK_METRICS_ADDRESS, IPv6 included', () => {
    assert.equal(loadConfig({ WORKER_SDK_METRICS_ADDRESS: '0.0.0.0:9465' }).workerSdkMetricsAddress, '0.0.0.0:9465');
    assert.equal(loadConfig({ WORKER_SDK_METRICS_ADDRESS: '[::]:9465' }).workerSdkMetricsAddress, '[::]:9465');
    assert.equal(loadConfig({}).workerSdkMetricsAddress, undefined);
  });
});
