/**
 * The load tool's own stack, for a run that needs nothing else running: a Temporal dev server in memory (the
 * toolchain's CLI, toolchain/temporal.ts), and the stack `npm start` runs (stack/: the embedded emulator, the webhook
 * server and a worker) in this process on free ports, with the bot under test as the default bot and the emulator's
 * rate limit lifted. Everything lives in a temporary directory removed at stop.
 *
 * The bots are Threadline's own unless THREADLINE_WORKFLOWS names a module of yours; THREADLINE_ROUTES and the
 * other THREADLINE_* and WORKER_* settings of this environment apply. Bandwidth, Temporal and database settings do not:
 * this stack always talks to its own emulator, dev server and SQLite file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';
import pino from 'pino';
import { loadConfig, type Config } from '../config/env';
import { createLogger } from '../observability/logging';
import { startStack } from '../stack';
import { ensureTemporalCli, freePort, startDevServer } from '../toolchain/temporal';
import { liftRateLimit } from './emulator-admin';

export interface OwnStack {
  config: Config;
  emulatorUrl: string;
  serverUrl: string;
  stop(): Promise<void>;
}

export interface OwnStackOptions {
  /** The bot that answers the handsets (THREADLINE_DEFAULT_BOT; default: the environment's, else greeterBot). */
  bot?: string;
  /** A bundle built already (tests); default: the worker bundles the workflows at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Progress lines. */
  log?: (line: string) => void;
}

/** The settings of this environment the own stack keeps: which bots, how they are routed, the worker's tuning. */
function keptSettings(env: NodeJS.ProcessEnv): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || key === 'THREADLINE_DATA_DIR') continue;
    if (key.startsWith('THREADLINE_') || key.startsWith('WORKER_')) kept[key] = value;
  }
  return kept;
}

/** Starts a dev server and the stack; `stop` stops both and removes their directory. */
export async function startOwnStack(options: OwnStackOptions = {}): Promise<OwnStack> {
  const log = options.log ?? (() => undefined);
  const cli = await ensureTemporalCli((line) => log(`[toolchain] ${line}`));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-load-'));
  const dev = await startDevServer({ cli: cli.path, port: await freePort(), uiPort: null, log: () => undefined });
  try {
    const config = loadConfig({
      ...keptSettings(process.env),
      ...(options.bot ? { THREADLINE_DEFAULT_BOT: options.bot } : {}),
      TEMPORAL_ADDRESS: dev.address,
      THREADLINE_DATA_DIR: dir,
      PORT: '0',
      EMULATOR_PORT: '0',
      LOG_LEVEL: 'warn',
    });
    const logger = createLogger({ level: 'warn', destination: pino.destination({ dest: '/dev/null', sync: false }) });
    log(`own stack: Temporal dev server at ${dev.address}, bot ${config.routing.defaultBot}`);
    const stack = await startStack({
      config,
      logger,
      persistEmulator: false,
      ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : {}),
    });
    const emulatorUrl = stack.emulatorUrl!;
    await liftRateLimit(emulatorUrl, config.bandwidth.accountId).catch(async (err: unknown) => {
      await stack.stop();
      throw err;
    });
    return {
      config,
      emulatorUrl,
      serverUrl: stack.serverUrl,
      async stop() {
        await stack.stop();
        await dev.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await dev.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
