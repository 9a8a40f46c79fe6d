/**
 * The kit's environment: one Temporal test server (time-skipping, or an existing server), a quiet runtime, and the
 * bots bundled once for every conversation it starts.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, bundleWorkflowCode, makeTelemetryFilterString } from '@temporalio/worker';
import { minutesOf, nextAt } from '../activities/local-time';
import { ensureTestServer } from '../toolchain/temporal';
import { quietBundlerLogger, startTimeSkippingEnvironment } from '../worker/create-worker';
import { workflowBundlerOptions, workflowsPath } from '../worker/workflow-bundle';
import type { BotChat } from './bot-chat';
import { startBotChat, type KitWorkflows, type StartBotOptions } from './start-bot';
import { createKitWorker } from './kit-worker';
import { createMemoryRecordStore, type OptOutLedger } from '../records';

/**
 * Where the kit runs the bots.
 *
 * @example
 * ```ts
 * // Record histories on a dev server instead of the time-skipping test server:
 * const kit = await createBotTestEnvironment({ existingServer: { address: '127.0.0.1:7233' } });
 * ```
 */
export interface KitEnvironmentOptions {
  /**
   * Path to the Java test server wrapper; default `$THREADLINE_TEST_SERVER` (set by `npm test`), else the one in
   * Threadline's cache (`threadline toolchain` puts it there; the first use resolves it with Maven).
   */
  testServer?: string;
  /** The bots: a workflow bundle or a workflows path (default: Threadline's workflows/index.ts). */
  workflows?: KitWorkflows;
  /**
   * Run on an existing Temporal server (e.g. the dev server, to record histories for replay tests) instead of the
   * time-skipping test server; `advance` then really waits.
   */
  existingServer?: { address: string };
  /**
   * Where the test server's clock starts: at the next `time` (`HH:MM`) in `timeZone`; by default 12:00 in
   * America/New_York, the zone of the kit's default numbers (+1 919), so quiet hours (and anything else that depends
   * on the time of day) never depend on when the tests run. `'now'` keeps the real time. Ignored on an existing
   * server, whose clock is the real one.
   */
  startClock?: { time: string; timeZone: string } | 'now';
}

/** Where the kit's clock starts unless the test file says otherwise. */
const DEFAULT_START_CLOCK = { time: '12:00', timeZone: 'America/New_York' };

/**
 * The kit for one test file: starts bots, and tears everything down at the end.
 *
 * @example
 * ```ts
 * let kit: BotTestEnvironment;
 * before(async () => {
 *   kit = await createBotTestEnvironment();
 * });
 * after(async () => {
 *   await kit?.teardown();
 * });
 * ```
 */
export interface BotTestEnvironment {
  /** The Temporal test environment: its client, and its clock (`env.currentTimeMs()`). */
  readonly env: TestWorkflowEnvironment;
  /**
   * Starts a conversation with `bot` (a workflow name); it begins with the first `text`, or at once with `opening` or
   * `startProactively`.
   */
  startBot<P = unknown>(bot: string, options?: StartBotOptions<P>): Promise<BotChat>;
  /**
   * The opt-out ledger every bot of this environment sends through and records keywords in (in memory), shared by
   * its conversations the way one records database is: a STOP in one test conversation holds for the next.
   * @example
   * ```ts
   * await kit.optOuts.record({ id: 'seed-1', scope: 'number:+19195550100', contact: '+19195550123', action: 'opt-out',
   *   source: 'operator', time: new Date().toISOString() });
   * assert.deepEqual(await kit.optOuts.optedOut('number:+19195550100', ['+19195550123']), ['+19195550123']);
   * ```
   */
  readonly optOuts: OptOutLedger;
  /**
   * Moves the test server's clock forward to the next `time` (`HH:MM`) in `timeZone`; timers due before then fire.
   * @example
   * ```ts
   * await kit.advanceTo('22:00', 'America/New_York'); // 22:00 in New York, 17:00 in Honolulu (in winter)
   * const chat = await kit.startBot('appointmentReminderBot', { opening: 'Reminder: ...' });
   * ```
   */
  advanceTo(time: string, timeZone: string): Promise<void>;
  /** Closes every chat it started, then the test server. */
  teardown(): Promise<void>;
}

/**
 * Creates the time-skipping environment, once per test file.
 *
 * @example
 * ```ts
 * const kit = await createBotTestEnvironment();
 * const chat = await kit.startBot('pizzaBot');
 * await chat.text('hi');
 * await chat.expectReply(/size/);
 * await kit.teardown();
 * ```
 */
export async function createBotTestEnvironment(options: KitEnvironmentOptions = {}): Promise<BotTestEnvironment> {
  installQuietRuntime();
  const testServer =
    options.testServer ??
    process.env.THREADLINE_TEST_SERVER ??
    (options.existingServer ? undefined : await ensureTestServer());
  const env = options.existingServer
    ? await TestWorkflowEnvironment.createFromExistingServer({ address: options.existingServer.address })
    : await startTimeSkippingEnvironment(testServer!);
  const worker = createKitWorker(env.nativeConnection, await bundledWorkflows(options.workflows));
  const open = new Set<BotChat>();
  async function advanceTo(time: string, timeZone: string): Promise<void> {
    const now = await env.currentTimeMs();
    await env.sleep(nextAt(now, minutesOf(time), timeZone) - now);
  }
  const startClock = options.startClock ?? DEFAULT_START_CLOCK;
  if (!options.existingServer && startClock !== 'now') await advanceTo(startClock.time, startClock.timeZone);
  const records = createMemoryRecordStore();
  return {
    env,
    advanceTo,
    optOuts: records.optOuts,
    async startBot(bot, startOptions = {}) {
      const chat = await startBotChat(env, worker, records, bot, startOptions);
      open.add(chat);
      return chat;
    },
    async teardown() {
      for (const chat of open) await chat.close();
      await worker.shutdown();
      await env.teardown();
      await records.close();
    },
  };
}

/** The bots to run, bundled once for every bot this environment starts rather than once per worker. */
async function bundledWorkflows(workflows: KitWorkflows | undefined): Promise<KitWorkflows> {
  const bundlePath = process.env.THREADLINE_TEST_WORKFLOW_BUNDLE;
  const chosen = workflows ?? (bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath });
  if (chosen.workflowsPath && !chosen.workflowBundle) {
    return {
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: chosen.workflowsPath,
        logger: quietBundlerLogger,
        ...workflowBundlerOptions,
      }),
    };
  }
  return chosen;
}

let runtimeInstalled = false;

/** Keeps Temporal's runtime quiet (warnings and errors only), unless the test file installed a runtime already. */
function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN'),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
    });
  } catch {
    // A runtime was installed already (by the test file): keep it.
  }
}
