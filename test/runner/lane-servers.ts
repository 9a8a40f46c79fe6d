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

/** The lane's Temporal server: the dev server when the CLI is installed, else the SDK's own download of it. */
export async function startLaneServers(
  cli: Awaited<ReturnType<typeof ensureTemporalCli>>,
  log: Log,
): Promise<LaneServers> {
  if (cli.kind === 'binary') {
    const dev = await startDevServer({ cli: cli.path, port: await freePort(), uiPort: null, synchronous: 'OFF', log });
    return { env: { TEMPORAL_ADDRESS: dev.address, TEMPORAL_CLI: cli.path }, stop: () => dev.stop() };
  }
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const { conversationSearchAttributes } = await import('../../workflows/search-attributes');
  const local = await TestWorkflowEnvironment.createLocal({
    server: { searchAttributes: [...conversationSearchAttributes] },
  });
  return { env: { TEMPORAL_ADDRESS: local.address }, stop: () => local.teardown() };
}
