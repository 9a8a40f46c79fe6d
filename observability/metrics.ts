/**
 * Prometheus metrics (prom-client), in a registry per app so several servers and workers can share a process (tests)
 * without sharing counters. `GET /metrics` serves it; a standalone worker serves its own on `WORKER_METRICS_PORT`.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  /** Callback events by Bandwidth `type` and what the server did with them. */
  callbacks: Counter<'type' | 'outcome'>;
  /** Callback requests by HTTP status. */
  callbackRequests: Counter<'status'>;
  /** From the callback's arrival to Temporal accepting the event (signal or signal-with-start), by event type. */
  handoffSeconds: Histogram<'type'>;
  /** Messages Bandwidth accepted from us (the send activity's records hook), and whether the record was written. */
  sends: Counter<'outcome'>;
  /** Sends executed again after a crash, by how they were settled (reused, proven-by-records, proven-by-search, resent). */
  sendsExecutedAgain: Counter<'how'>;
  /** Terminal delivery outcomes reported by status callbacks, by Bandwidth error code (`none` when delivered). */
  deliveryOutcomes: Counter<'outcome' | 'error_code'>;
  /** Operator API requests by operation and HTTP status. */
  operatorRequests: Counter<'operation' | 'status'>;
  /** SMS segments received and sent (an MMS or group message counts 1), by our number, direction and sms/mms. */
  segments: Counter<'number' | 'direction' | 'kind'>;
  /** What messages cost (price table), in currency units, by our number, direction and currency. */
  cost: Counter<'number' | 'direction' | 'currency'>;
}

export interface MetricsOptions {
  /** Also collect Node's process metrics (CPU, memory, event loop); on in the real processes, off in tests. */
  processMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'threadline_' });
  return {
    registry,
    callbacks: new Counter({
      name: 'threadline_callbacks_total',
      help: 'Callback events received, by type and outcome (started-or-signalled, signalled, recorded-only, duplicate, unavailable)',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
    callbackRequests: new Counter({
      name: 'threadline_callback_requests_total',
      help: 'Callback requests, by HTTP status answered',
      labelNames: ['status'],
      registers: [registry],
    }),
    handoffSeconds: new Histogram({
      name: 'threadline_handoff_seconds',
      help: 'Seconds from a callback arriving to Temporal accepting its event',
      labelNames: ['type'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    sendsExecutedAgain: new Counter({
      name: 'threadline_sends_executed_again_total',
      help: 'Sends whose activity ran again after a crash, by how the earlier attempt was settled (reused, proven-by-records, proven-by-search, resent)',
      labelNames: ['how'],
      registers: [registry],
    }),
    sends: new Counter({
      name: 'threadline_sends_total',
      help: 'Messages Bandwidth accepted from Threadline, by whether their record was written (recorded, record-failed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    deliveryOutcomes: new Counter({
      name: 'threadline_delivery_outcomes_total',
      help: 'Terminal delivery outcomes from status callbacks (delivered, failed), by Bandwidth error code',
      labelNames: ['outcome', 'error_code'],
      registers: [registry],
    }),
    operatorRequests: new Counter({
      name: 'threadline_operator_requests_total',
      help: 'Operator API requests, by operation and HTTP status',
      labelNames: ['operation', 'status'],
      registers: [registry],
    }),
    segments: new Counter({
      name: 'threadline_segments_total',
      help: 'SMS segments received and sent (an MMS or a group message is 1), by our number, direction (in, out) and kind (sms, mms)',
      labelNames: ['number', 'direction', 'kind'],
      registers: [registry],
    }),
    cost: new Counter({
      name: 'threadline_cost_total',
      help: 'What messages cost by the configured price table (THREADLINE_PRICE_TABLE), in currency units, by our number, direction and currency; carrier surcharges count as out',
      labelNames: ['number', 'direction', 'currency'],
      registers: [registry],
    }),
  };
}
