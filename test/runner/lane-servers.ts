/**
 * The Temporal dev server of one test lane (TEMPORAL_ADDRESS). Tests on one dev server share its `default` namespace
 * and derive workflow ids from the same phone numbers, so two files must never use one at the same time; a lane runs
 * one file at a time, so each lane has its own.
 */
import { freePort, startDevServer, type ensureTemporalCli, type Log } from '../../toolchain/temporal';

export interface LaneServers {
  /** What a file run in this lane gets in its environment. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** The lane's Temporal dev server. */
export async function startLaneServers(
  cli: Awaited<ReturnType<typeof ensureTemporalCli>>,
  log: Log,
): Promise<LaneServers> {
  const dev = await startDevServer({ cli: cli.path, port: await freePort(), uiPort: null, synchronous: 'OFF', log });
  return { env: { TEMPORAL_ADDRESS: dev.address, TEMPORAL_CLI: cli.path }, stop: () => dev.stop() };
}
