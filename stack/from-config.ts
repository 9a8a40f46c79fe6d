/**
 * What the configuration implies for the webhook app and for the worker's activities, in one place: `npm start`
 * (stack/index.ts), `npm run server` and `npm run worker` all build them here, so they cannot drift apart.
 */
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { createActivities } from '../activities';
import { createBandwidthClient } from '../bandwidth/client';
import { ConfigError, requireOperatorToken, type Config } from '../config/env';
import type { Metrics } from '../observability/metrics';
import { tracingOff, type Tracing } from '../observability/tracing';
import type { RecordStore } from '../records';
import type { AppDeps } from '../server/app';
import { createBotRouter, routingProblems } from '../server/bot-router';
import { knownBots } from './bots';
import { recordSends } from './send-recorder';
import { createWorker, workerShutdownTimes, type CreateWorkerOptions } from '../worker/create-worker';
import { createSendQueueWorkers, workerGroup, type WorkerGroup } from '../worker/send-queue-workers';
import { sendLimitsFor } from '../pacing/send-rates';
import { dataConverterFromConfig } from '../temporal/data-converter';
import { createEncryptionCodec } from '../temporal/payload-codec';
import { phoneIndexer } from '../temporal/phone-hash';
import type { NativeConnection } from '@temporalio/worker';
import { mallocArenaHint } from '../worker/malloc-arenas';

/** Our Bandwidth numbers: the default one and every number with a route of its own. */
export function ourNumbers(config: Config): string[] {
  return [config.bandwidth.number, ...Object.keys(config.routing.routes).filter((key) => key.startsWith('+'))];
}

/**
 * The webhook app's dependencies. Throws a {@link ConfigError} when a route names a bot the workers do not run or the
 * operator token is missing against the real API.
 */
export function appDepsFromConfig(
  config: Config,
  parts: { client: Client; records: RecordStore; metrics: Metrics; logger: Logger },
): AppDeps {
  const bots = knownBots(config.workflows);
  const problems = routingProblems(config.routing, bots);
  if (problems.length > 0) throw new ConfigError(problems);
  const operator = requireOperatorToken(config);
  if (operator.devDefault) {
    parts.logger.warn('OPERATOR_TOKEN is not set: the operator API accepts the documented development token');
  }
  return {
    temporal: parts.client,
    taskQueue: config.temporal.taskQueue,
    routeBot: createBotRouter(config.routing),
    records: parts.records,
    metrics: parts.metrics,
    logger: parts.logger,
    operatorToken: operator.token,
    defaults: { ourNumber: config.bandwidth.number, applicationId: config.bandwidth.applicationId },
    consent: { ...config.consent, accountId: config.bandwidth.accountId },
    ourNumbers: ourNumbers(config),
    knownBots: bots,
    prices: config.prices,
    ...(config.phoneHashKey ? { indexPhone: phoneIndexer(config.phoneHashKey) } : {}),
    ...(config.payloads.keys.length > 0
      ? {
          codec: {
            codec: createEncryptionCodec(config.payloads.keys),
            token: operator.devDefault ? null : operator.token,
            corsOrigins: config.payloads.codecCorsOrigins,
          },
        }
      : {}),
    ...(config.callbackAuth ? { callbackAuth: config.callbackAuth } : {}),
  };
}

/**
 * The worker's activities: Bandwidth through the official SDK, every accepted send recorded, every send checked
 * against the opt-out ledger and made exactly-once by send intents, all in the same records database.
 */
export function activitiesFromConfig(
  config: Config,
  parts: { records: RecordStore; metrics: Metrics; logger: Logger },
): ReturnType<typeof createActivities> {
  return createActivities({
    bandwidth: createBandwidthClient({
      baseUrl: config.bandwidth.baseUrl,
      accountId: config.bandwidth.accountId,
      auth: config.bandwidth.auth,
    }),
    applicationId: config.bandwidth.applicationId,
    dataDir: config.dataDir,
    onSent: recordSends(parts),
    consent: parts.records.optOuts,
    intents: parts.records.sendIntents,
    records: parts.records,
    ...(config.phoneHashKey ? { indexPhone: phoneIndexer(config.phoneHashKey) } : {}),
    proofWaitMs: config.sending.proofWaitMs,
    sendLimits: (from) => sendLimitsFor(config.sendRates, config.temporal.taskQueue, from),
    prices: config.prices,
    onSettled: (how, input) => {
      parts.metrics.sendsExecutedAgain.inc({ how });
      parts.logger.warn({ how, intentKey: input.intentKey, to: input.to }, 'a send was executed again after a crash');
    },
  });
}

/**
 * The worker the configuration describes, with its activities, and one more worker per sending rate
 * (worker/send-queue-workers.ts), run and stopped as one: `npm start` and `npm run worker` both build it here.
 */
export async function workerFromConfig(
  config: Config,
  parts: { connection: NativeConnection; records: RecordStore; metrics: Metrics; logger: Logger; tracing?: Tracing },
  options: Pick<CreateWorkerOptions, 'workflowBundle'> = {},
): Promise<WorkerGroup> {
  const tracing = parts.tracing ?? tracingOff;
  const arenaHint = mallocArenaHint(config.mallocArenaMax);
  if (arenaHint) parts.logger.info(arenaHint);
  const activities = activitiesFromConfig(config, parts);
  const main = await createWorker({
    connection: parts.connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    maxCachedWorkflows: config.maxCachedWorkflows,
    ...(config.workflowHeapMb !== null ? { workflowHeapMb: config.workflowHeapMb } : {}),
    shutdownTimeoutMs: config.shutdown.timeoutMs,
    activities,
    workflowInterceptorModules: tracing.workflowInterceptorModules,
    overrides: tracing.workerOptions,
    ...(config.workflows ? { workflowsPath: config.workflows } : {}),
    dataConverter: dataConverterFromConfig(config),
    ...options,
  });
  const rateWorkers = await createSendQueueWorkers({
    connection: parts.connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    rates: config.sendRates,
    activities,
    dataConverter: dataConverterFromConfig(config),
    overrides: { ...workerShutdownTimes(config.shutdown.timeoutMs), interceptors: tracing.workerOptions.interceptors },
  });
  return workerGroup(main, rateWorkers);
}
