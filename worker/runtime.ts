/**
 * The Temporal SDK's runtime, installed so that the process decides when its worker stops. By default the SDK
 * handles SIGINT, SIGTERM, SIGQUIT and SIGUSR2 itself and starts draining the worker at once; a Threadline process
 * stops its intake first and then the worker, within one deadline (stack/shutdown.ts), so it installs the runtime
 * without those handlers before it opens any Temporal connection.
 *
 * The runtime also owns the SDK's own metrics (workflow and activity task latencies, pollers, slots, sticky cache,
 * requests to Temporal: `temporal_*`), which its Prometheus exporter serves at `metricsAddress` (`host:port`,
 * `WORKER_SDK_METRICS_ADDRESS`) when one is given.
 */
import { Runtime } from '@temporalio/worker';

export interface RuntimeOptions {
  /** Where the SDK serves its Prometheus metrics (`host:port`, any path); none when unset. */
  metricsAddress?: string;
}

/** Installs the SDK runtime without its own signal handlers. Call it once, before the first `NativeConnection`. */
export function installRuntimeWithoutSignalHandlers(options: RuntimeOptions = {}): void {
  Runtime.install({
    shutdownSignals: [],
    ...(options.metricsAddress
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: options.metricsAddress } } } }
      : {}),
  });
}
