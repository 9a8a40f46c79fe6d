/**
 * The Temporal SDK's runtime, installed so that the process decides when its worker stops. By default the SDK
 * handles SIGINT, SIGTERM, SIGQUIT and SIGUSR2 itself and starts draining the worker at once; a Threadline process
 * stops its intake first and then the worker, within one deadline (stack/shutdown.ts), so it installs the runtime
 * without those handlers before it opens any Temporal connection.
 */
import { Runtime } from '@temporalio/worker';

/** Installs the SDK runtime without its own signal handlers. Call it once, before the first `NativeConnection`. */
export function installRuntimeWithoutSignalHandlers(): void {
  Runtime.install({ shutdownSignals: [] });
}
