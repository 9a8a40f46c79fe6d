/**
 * The whole of Threadline (emulator, webhook server, worker) on the test lane's Temporal dev server, for end-to-end
 * tests: its own task queue and data directory, any free ports, the emulator 20× faster than real time and in memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../config/env';
import { startStack, type Stack, type StackOptions } from '../../stack';
import { uniqueTaskQueue, workflowSource } from './temporal';

export interface TestStack {
  stack: Stack;
  /** The task queue its worker polls (unique to this stack). */
  taskQueue: string;
  /** Its THREADLINE_DATA_DIR (records, media). */
  dataDir: string;
}

/**
 * Starts a stack named `name` (task queue and data directory prefix). `env` adds or overrides environment variables
 * (a bot, routes, retention, `LOG_LEVEL`); `options` the stack's own options.
 */
export async function startTestStack(
  name: string,
  env: Record<string, string | undefined> = {},
  options: Omit<StackOptions, 'config'> = {},
): Promise<TestStack> {
  const dataDir = fs.mkdtempSync(path.join(process.env.THREADLINE_TEST_TMP ?? '/tmp', `${name}-`));
  const taskQueue = uniqueTaskQueue(name);
  const config = loadConfig({
    TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: taskQueue,
    THREADLINE_DATA_DIR: dataDir,
    PORT: '0',
    EMULATOR_PORT: '0',
    EMULATOR_TIME_SCALE: '20',
    LOG_LEVEL: 'warn',
    ...env,
  });
  const stack = await startStack({
    config,
    persistEmulator: false,
    workflowBundle: workflowSource().workflowBundle,
    ...options,
  });
  return { stack, taskQueue, dataDir };
}
