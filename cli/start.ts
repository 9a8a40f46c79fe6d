/**
 * `npm start`: the whole stack on one machine with no Bandwidth account and no internet. Starts Temporal's dev
 * server (persistent SQLite in the data directory, Web UI on 8233) unless a Temporal server already answers at
 * TEMPORAL_ADDRESS, then the Bandwidth emulator, the webhook server and a worker.
 *
 * Ctrl-C (SIGINT), SIGTERM or SIGHUP stops everything within THREADLINE_SHUTDOWN_TIMEOUT_MS (5 s): intake first,
 * then the worker, the emulator (its pending work stays in the data directory) and Temporal last; the next start
 * carries on. It exits 0, or 1 after naming on stderr what could not stop; a second Ctrl-C exits at once.
 */
import path from 'node:path';
import { loadConfig } from '../config/env';
import { createLogger } from '../observability/logging';
import { startTracing } from '../observability/tracing';
import { startStack } from '../stack';
import { childProcessPart, closePart } from '../stack/parts';
import { handleShutdownSignals, type ProcessShutdown } from '../stack/process-shutdown';
import { describeTemporalConnection } from '../temporal/connection';
import { uiCodecEndpoint } from '../temporal/data-converter';
import { canConnect, ensureTemporalCli, startDevServer } from '../toolchain/temporal';
import { installRuntimeWithoutSignalHandlers } from '../worker/runtime';

const say = (line: string) => process.stdout.write(`${line}\n`);
let shutdown: ProcessShutdown | undefined;

async function run(): Promise<void> {
  const config = loadConfig();
  const tracing = await startTracing(config.tracing, { defaultServiceName: 'threadline' });
  installRuntimeWithoutSignalHandlers({ metricsAddress: config.workerSdkMetricsAddress });
  shutdown = handleShutdownSignals({
    timeoutMs: config.shutdown.timeoutMs,
    info: say,
    afterStop: (_report, exitCode) => {
      if (exitCode === 0) say('Conversations are kept in the data directory for the next start.');
    },
  });
  shutdown.register([[closePart('traces', () => tracing.shutdown())]]);
  const logger = createLogger({ level: config.logLevel });
  const [host = '127.0.0.1', portText = '7233'] = config.temporal.address.split(':');
  const port = Number(portText);

  let uiUrl: string | null = null;
  // With TLS or an API key configured, Temporal is somebody else's server: never start a dev server in its place.
  const remote = config.temporal.connection.tls !== false || config.temporal.connection.apiKey !== undefined;
  if (remote || (await canConnect(host, port))) {
    say(`Using the Temporal server at ${describeTemporalConnection(config.temporal.connection)}`);
  } else {
    const dbFile = path.join(config.dataDir, 'temporal.sqlite');
    const cli = await ensureTemporalCli((line) => say(`[toolchain] ${line}`));
    const dev = await startDevServer({
      cli: cli.path,
      dbFile,
      ip: host,
      port,
      uiPort: config.temporal.uiPort,
      uiCodecEndpoint: uiCodecEndpoint(config),
      log: say,
      detached: true,
    });
    shutdown.register([[childProcessPart('Temporal dev server', dev.process)]]);
    uiUrl = dev.uiUrl;
  }

  const stack = await startStack({ config, logger, tracing, ...(uiUrl ? { temporalUiUrl: uiUrl } : {}) });
  shutdown.register(stack.stages);
  const ui = uiUrl ?? `(the Web UI of ${config.temporal.address})`;
  say('');
  say('Threadline is running');
  say(
    `  Temporal          ${config.temporal.address}  (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue})`,
  );
  say(`  Temporal Web UI   ${ui}`);
  say(`  Webhook server    ${stack.serverUrl}/callbacks/messaging`);
  say(`  Operator API      ${stack.serverUrl}/api/v1  (OpenAPI: ${stack.serverUrl}/api/v1/openapi.json)`);
  if (config.operator?.devDefault) {
    say(`                    development token: Authorization: Bearer ${config.operator.token}  (set OPERATOR_TOKEN)`);
  }
  say(`  Health, metrics   ${stack.serverUrl}/healthz  /readyz  /metrics`);
  if (stack.emulatorUrl) {
    say(
      `  Bandwidth emulator ${stack.emulatorUrl}  (API ${stack.emulatorUrl}/api/v2, our number ${config.bandwidth.number})`,
    );
    say(`  Phone page        ${stack.emulatorUrl}/  (text the bot from simulated handsets in your browser)`);
    say('');
    say('Text the bot from a simulated phone:');
    say(
      `  curl -s -X POST ${stack.emulatorUrl}/emulator/handsets/%2B19195550123/messages -H 'content-type: application/json' \\`,
    );
    say(`       -d '{"to":"${config.bandwidth.number}","text":"hi"}'`);
    say(`  curl -s ${stack.emulatorUrl}/emulator/handsets/%2B19195550123/messages`);
  } else {
    say(`  Bandwidth API     ${config.bandwidth.baseUrl}`);
  }
  say('');
  say('Press Ctrl-C to stop.');
}

/** Runs `threadline start` (and `npm start`); on failure, says why on stderr and exits 1. */
export function main(): void {
  run().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    // Stop whatever had started (the dev server above all), then exit 1.
    if (shutdown) void shutdown.stop('start-up failed', 1);
    else process.exit(1);
  });
}
