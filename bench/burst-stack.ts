/**
 * Threadline as `npm start` runs it, for bench/burst.ts: the webhook server, the worker and the Bandwidth emulator
 * with the default settings (greeter bot, message records in SQLite in the data directory, emulator state on disk, time
 * scale 1, `info` logs: here written to /dev/null), on an existing dev server. The emulator is embedded in the
 * stack's process as `npm start` has it, or runs in a process of its own (`bin/emulator.ts`, as `npm run emulator`)
 * so that its CPU time can be read apart from Threadline's.
 *
 * The account's rate limit (1 message per second by default, as Bandwidth's) is lifted through the emulator's admin
 * API (load/emulator-admin.ts). Replies are learned from the emulator by the load tool's runner (bench/burst.ts).
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { WorkerOptions } from '@temporalio/worker';
import pino from 'pino';
import { loadConfig, type Config } from '../config/env';
import { createLogger } from '../observability/logging';
import { openRecordStore, startStack, type Stack } from '../stack';
import { freePort, stopProcess } from '../toolchain/temporal';
import { liftRateLimit } from '../load/emulator-admin';
import { startEmulatorProcess } from './lib';

export interface ThreadlineUnderTest {
  config: Config;
  stack: Stack;
  emulatorUrl: string;
  /** The emulator's own process, when it runs in one. */
  emulatorProcess: ChildProcess | null;
  /** Status and inbound callbacks the emulator delivered so far (its admin API's count). */
  callbacksDelivered(): Promise<number>;
  /** `threadline_sends_total`, every outcome. */
  sends(): Promise<number>;
  stop(): Promise<void>;
}

export interface ThreadlineOptions {
  temporalAddress: string;
  dataDir: string;
  workflowBundle: WorkerOptions['workflowBundle'];
  emulator: 'embedded' | 'process';
  /** `WORKER_MAX_CACHED_WORKFLOWS`; the configuration's default when unset. */
  maxCachedWorkflows?: number;
}

/** The configuration `npm start` would load in this environment, on free ports. */
export function burstConfig(env: Record<string, string>, maxCachedWorkflows?: number): Config {
  return loadConfig({
    LOG_LEVEL: 'info',
    ...(maxCachedWorkflows !== undefined ? { WORKER_MAX_CACHED_WORKFLOWS: String(maxCachedWorkflows) } : {}),
    ...env,
  });
}

export async function startThreadline(options: ThreadlineOptions): Promise<ThreadlineUnderTest> {
  fs.mkdirSync(options.dataDir, { recursive: true });
  let emulatorProcess: ChildProcess | null = null;
  let config: Config;
  if (options.emulator === 'embedded') {
    config = burstConfig(
      {
        TEMPORAL_ADDRESS: options.temporalAddress,
        THREADLINE_DATA_DIR: options.dataDir,
        PORT: '0',
        EMULATOR_PORT: '0',
      },
      options.maxCachedWorkflows,
    );
  } else {
    const port = await freePort();
    const emulatorPort = await freePort();
    config = burstConfig(
      {
        TEMPORAL_ADDRESS: options.temporalAddress,
        THREADLINE_DATA_DIR: options.dataDir,
        PORT: String(port),
        EMULATOR_PORT: String(emulatorPort),
      },
      options.maxCachedWorkflows,
    );
    emulatorProcess = await startEmulatorProcess({
      port: emulatorPort,
      callbackUrl: `http://127.0.0.1:${port}/callbacks/messaging`,
      dataDir: options.dataDir,
    });
  }

  const records = await openRecordStore(config);
  const logger = createLogger({
    level: config.logLevel,
    destination: pino.destination({ dest: '/dev/null', sync: false }),
  });
  const stack = await startStack({
    config,
    logger,
    records,
    workflowBundle: options.workflowBundle,
    emulator: options.emulator === 'embedded',
  });
  const emulatorUrl = stack.emulatorUrl ?? config.emulator.baseUrl;
  await liftRateLimit(emulatorUrl, config.bandwidth.accountId);

  return {
    config,
    stack,
    emulatorUrl,
    emulatorProcess,
    async callbacksDelivered() {
      const body = (await (await fetch(`${emulatorUrl}/emulator`)).json()) as { callbacks: { delivered: number } };
      return body.callbacks.delivered;
    },
    async sends() {
      const metric = await stack.metrics.sends.get();
      return metric.values.reduce((sum, v) => sum + v.value, 0);
    },
    async stop() {
      await stack.stop();
      await records.close();
      if (emulatorProcess) await stopProcess(emulatorProcess);
    },
  };
}
