/**
 * All of Threadline's configuration, parsed from the environment through one zod schema. Only entry points (bin/)
 * call {@link loadConfig}; everything else receives the typed values it needs.
 *
 * One set of values configures both sides: the emulator's default account, API credentials, application and number
 * come from the same BANDWIDTH_* and CALLBACK_* variables the engine uses to call Bandwidth.
 */
import path from 'node:path';
import { z } from 'zod';
import type { BandwidthAuth } from '../bandwidth/client';
import { E164Schema } from '../bandwidth/schemas';
import { ConfigError } from './config-error';
import { loadTemporalConnection, type TemporalConnectionConfig } from '../temporal/connection';
import type { TracingConfig } from '../observability/tracing';
import { booleanFlag, optionalString, port } from './env-values';
import {
  BotNameSchema,
  ConsentOverridesSchema,
  jsonRoutes,
  jsonVariable,
  RoutesSchema,
  type Routes,
} from './route-settings';
import { tracingConfig, tracingVariables } from './tracing-settings';
import { pacingConfig, pacingVariables } from './pacing-settings';
import type { SendRates } from '../pacing/send-rates';
import { retentionConfig, retentionVariables, type RetentionConfig } from './retention-settings';
import { phoneHashKeyFrom } from '../temporal/phone-hash';
import type { PayloadKey } from '../temporal/payload-codec';
import { OriginListSchema, PayloadKeysSchema } from './payload-settings';
import { priceVariables } from './price-settings';
import { DEFAULT_PRICE_TABLE, type PriceTable } from '../billing/price-table';
import type { ConsentScopeKind } from '../workflows/consent/scope';
import { cachedConversationsFor, DEFAULT_CACHE_MEMORY_MB, workflowHeapMbFor } from '../worker/cache-size';

export { BotNameSchema, ConsentOverridesSchema, RoutesSchema, type Routes };

export const DEFAULT_ACCOUNT_ID = '9900000';
export const DEFAULT_APPLICATION_ID = '93de2206-9669-4e07-948d-329f4b722ee2';
export const DEFAULT_NUMBER = '+19195550100';
export const DEFAULT_CLIENT_ID = 'threadline-dev';
export const DEFAULT_CLIENT_SECRET = 'threadline-dev-secret';
/**
 * The operator API's bearer token when `OPERATOR_TOKEN` is unset and Threadline runs on its local emulator (dev mode
 * only; the server logs a warning). Against the real Bandwidth API, `OPERATOR_TOKEN` is required.
 */
export const DEV_OPERATOR_TOKEN = 'threadline-dev-operator-token';

export const EnvSchema = z.object({
  // Temporal (where and how to connect: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*,
  // TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE, read by temporal/connection.ts through @temporalio/envconfig)
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('threadline'),
  TEMPORAL_CLI: optionalString,
  // Local state (Temporal dev server database, emulator state, message records)
  THREADLINE_DATA_DIR: z.string().default('data'),
  // Webhook server
  HOST: z.string().default('127.0.0.1'),
  PORT: port.default(3000),
  PUBLIC_URL: optionalString,
  /** Idle keep-alive connections stay open this long (server/keep-alive.ts): longer than a load balancer's idle timeout. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(240_000).default(65_000),
  // Emulator
  EMULATOR_PORT: port.default(3100),
  EMULATOR_CALLBACK_URL: optionalString,
  EMULATOR_TIME_SCALE: z.coerce.number().positive().default(1),
  EMULATOR_CONFIG: optionalString,
  EMULATOR_HOST: z.string().default('127.0.0.1'),
  /** `npm run emulator` only: keep no state on disk. */
  EMULATOR_IN_MEMORY: z
    .enum(['0', '1', 'true', 'false'])
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
  // Bandwidth
  BANDWIDTH_BASE_URL: optionalString,
  BANDWIDTH_ACCOUNT_ID: z.string().min(1).default(DEFAULT_ACCOUNT_ID),
  BANDWIDTH_CLIENT_ID: optionalString,
  BANDWIDTH_CLIENT_SECRET: optionalString,
  BANDWIDTH_TOKEN_URL: optionalString,
  BANDWIDTH_USERNAME: optionalString,
  BANDWIDTH_PASSWORD: optionalString,
  BANDWIDTH_APPLICATION_ID: z.string().min(1).default(DEFAULT_APPLICATION_ID),
  BANDWIDTH_NUMBER: E164Schema.default(DEFAULT_NUMBER),
  CALLBACK_USERNAME: optionalString,
  CALLBACK_PASSWORD: optionalString,
  // Message records
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a PostgreSQL URL: postgres://user:password@host:5432/database')
      .optional(),
  ),
  THREADLINE_STORE_TEXT: booleanFlag.default(true),
  // Consent (opt-outs)
  THREADLINE_CONSENT_SCOPE: z
    .enum(['number', 'application', 'account'], {
      message:
        'must be number (an opt-out applies to the number it was sent to, like carriers), application or account',
    })
    .default('number'),
  THREADLINE_PROGRAM_NAME: z.string().min(1).max(60).default('Threadline'),
  THREADLINE_CONSENT: jsonVariable(
    ConsentOverridesSchema,
    '{"+19195550100":{"programName":"Acme","helpReply":"Acme: call 919-555-0100."}}',
  ).default({}),
  /**
   * How long a send whose outcome is unknown (the process died during it) waits for proof that Bandwidth accepted it
   * before it is sent again (docs/operations.md, "Exactly once").
   */
  THREADLINE_SEND_PROOF_WAIT_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  // Encrypted payloads and the codec server (docs/operations.md, "Encrypted payloads")
  THREADLINE_PAYLOAD_KEYS: PayloadKeysSchema.default([]),
  /** Origins of Temporal Web UIs allowed to call /codec (CORS); default: the local dev server's UI. */
  THREADLINE_CODEC_CORS_ORIGINS: OriginListSchema.optional(),
  THREADLINE_HASH_PHONES_IN_SEARCH: booleanFlag.default(false),
  /** The HMAC key for hashed phone numbers; default: derived from the first payload key. */
  THREADLINE_PHONE_HASH_KEY: optionalString.pipe(
    z.string().min(16, 'must be at least 16 characters; generate one with: openssl rand -hex 32').optional(),
  ),
  // Operator API
  OPERATOR_TOKEN: optionalString.pipe(
    z.string().min(16, 'must be at least 16 characters; generate one with: openssl rand -hex 32').optional(),
  ),
  // Bots and routing
  /** The workers' bots: a module exporting them by name (default: the bots that come with Threadline). */
  THREADLINE_WORKFLOWS: optionalString,
  THREADLINE_DEFAULT_BOT: BotNameSchema.default('greeterBot'),
  THREADLINE_ROUTES: jsonRoutes.default({}),
  THREADLINE_UNROUTED: z
    .enum(['default', 'ignore'], {
      message: 'must be default (the default bot answers) or ignore (acknowledge and record only)',
    })
    .default('default'),
  WORKER_METRICS_PORT: z.preprocess((v) => (v === '' ? undefined : v), port.optional()),
  /**
   * Memory a worker may spend on conversations it keeps cached between their events (MB, 10^6 bytes): the cache holds
   * as many as fit (worker/cache-size.ts). Evicted conversations replay their (short) history on their next event.
   */
  WORKER_CACHE_MEMORY_MB: z.coerce.number().int().min(1).default(DEFAULT_CACHE_MEMORY_MB),
  /** The cache's size in conversations, overriding what `WORKER_CACHE_MEMORY_MB` implies. */
  WORKER_MAX_CACHED_WORKFLOWS: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.coerce.number().int().min(2).optional(),
  ),
  /**
   * The V8 heap limit of the worker's workflow thread, where cached conversations live (MiB); 0: V8's own. Unset: from
   * the cache's size (worker/cache-size.ts `workflowHeapMbFor`).
   */
  WORKER_WORKFLOW_HEAP_MB: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).optional()),
  /** Read by glibc's malloc as the process starts, not by Threadline: only whether it is set (worker/malloc-arenas.ts). */
  MALLOC_ARENA_MAX: optionalString,
  /** Where a worker serves the Temporal SDK's own Prometheus metrics (`host:port`); none when unset. */
  WORKER_SDK_METRICS_ADDRESS: optionalString.pipe(
    z
      .string()
      .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'must be host:port, e.g. 0.0.0.0:9465')
      .optional(),
  ),
  ...tracingVariables,
  ...pacingVariables,
  ...retentionVariables,
  ...priceVariables,
  /** How long a process may take to stop on SIGINT or SIGTERM before it gives up and exits non-zero. */
  THREADLINE_SHUTDOWN_TIMEOUT_MS: z.coerce
    .number({ message: 'must be a number of milliseconds' })
    .int()
    .min(100, 'must be at least 100 ms')
    .default(5_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  temporal: {
    /** Where and how to connect (temporal/connection.ts); `address` and `namespace` repeat its values. */
    connection: TemporalConnectionConfig;
    address: string;
    namespace: string;
    uiPort: number;
    taskQueue: string;
    cli?: string;
  };
  dataDir: string;
  server: { host: string; port: number; publicUrl: string; keepAliveTimeoutMs: number };
  emulator: {
    port: number;
    host: string;
    baseUrl: string;
    callbackUrl: string;
    timeScale: number;
    configFile?: string;
    inMemory: boolean;
  };
  bandwidth: {
    baseUrl: string;
    accountId: string;
    applicationId: string;
    number: string;
    auth: BandwidthAuth;
    /** True when Threadline talks to its own local emulator rather than to Bandwidth. */
    usesEmulator: boolean;
  };
  callbackAuth?: { username: string; password: string };
  defaultBot: string;
  /**
   * The module that exports the bots by name (`THREADLINE_WORKFLOWS`, an absolute path); unset: the bots that come
   * with Threadline (workflows/index.ts).
   */
  workflows?: string;
  /** Which bot answers which number or application (see {@link RoutesSchema}), and what answers the rest. */
  routing: RoutingConfig;
  records: { databaseUrl?: string; storeText: boolean };
  /** How long records and stored media are kept (`RECORDS_RETENTION_DAYS`; config/retention-settings.ts). */
  retention: RetentionConfig;
  /**
   * Consent: where an opt-out applies (`THREADLINE_CONSENT_SCOPE`, default `number`, like carriers; `application` or
   * `account` for one list across numbers).
   */
  consent: { scope: ConsentScopeKind; programName: string; overrides: z.infer<typeof ConsentOverridesSchema> };
  /**
   * The operator API's bearer token: from `OPERATOR_TOKEN`, or {@link DEV_OPERATOR_TOKEN} (`devDefault`) on the local
   * emulator; `null` when it is missing against the real Bandwidth API ({@link requireOperatorToken} says what to do).
   */
  operator: { token: string; devDefault: boolean } | null;
  /** Exactly-once sending: how long an unproven attempt is looked for before sending again. */
  sending: { proofWaitMs: number };
  /** Sending rates per number, campaign or account (`THREADLINE_SEND_RATES`, config/pacing-settings.ts). */
  sendRates: SendRates;
  /**
   * Encrypted payloads (`THREADLINE_PAYLOAD_KEYS`): the keys, the first encrypting (none: payloads are plain), and the
   * Web UI origins the codec server answers (`THREADLINE_CODEC_CORS_ORIGINS`).
   */
  payloads: { keys: PayloadKey[]; codecCorsOrigins: string[] };
  /**
   * Phone numbers in search attributes stored as HMAC-SHA256 hashes (`THREADLINE_HASH_PHONES_IN_SEARCH`), with this
   * key (`THREADLINE_PHONE_HASH_KEY`, else derived from the first payload key); null: stored as they are.
   */
  phoneHashKey: Buffer | null;
  /**
   * Conversations a worker keeps cached: `WORKER_MAX_CACHED_WORKFLOWS`, or as many as fit in `WORKER_CACHE_MEMORY_MB`
   * (default 150 MB: 833 conversations). Bounds the worker's memory.
   */
  maxCachedWorkflows: number;
  /**
   * The V8 heap limit of the workflow thread (MiB): `WORKER_WORKFLOW_HEAP_MB`, or what the cache's size needs
   * (worker/cache-size.ts); null: V8's own limit.
   */
  workflowHeapMb: number | null;
  /** `MALLOC_ARENA_MAX`, as glibc's malloc read it when the process started (worker/malloc-arenas.ts). */
  mallocArenaMax: string | undefined;
  /**
   * Stopping on SIGINT or SIGTERM (`THREADLINE_SHUTDOWN_TIMEOUT_MS`, default 5 000): every part of the process stops
   * within `timeoutMs`, or the process exits non-zero naming the parts that did not (stack/shutdown.ts).
   */
  shutdown: { timeoutMs: number };
  /** Where a standalone worker serves Prometheus metrics (`WORKER_METRICS_PORT`); none when unset. */
  workerMetricsPort?: number;
  /** Where a worker serves the Temporal SDK's own Prometheus metrics (`WORKER_SDK_METRICS_ADDRESS`); none when unset. */
  workerSdkMetricsAddress?: string;
  /** OpenTelemetry traces, from the standard `OTEL_*` variables (observability/tracing.ts). */
  tracing: TracingConfig;
  /** What messages cost (`THREADLINE_PRICE_TABLE`, config/price-settings.ts; default: illustrative list prices). */
  prices: PriceTable;
  logLevel: Env['LOG_LEVEL'];
}

export interface RoutingConfig {
  routes: Routes;
  defaultBot: string;
  /** Conversations on a number with no route: answered by the default bot, or acknowledged and recorded only. */
  unrouted: 'default' | 'ignore';
}

export { ConfigError };

/** Parses the environment into a {@link Config}, or throws a {@link ConfigError} that lists every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  let connection: TemporalConnectionConfig | undefined;
  const problems: string[] = [];
  try {
    connection = loadTemporalConnection(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  if (!parsed.success || !connection) {
    const issues = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError([...issues, ...problems]);
  }
  const e = parsed.data;
  const maxCachedWorkflows = e.WORKER_MAX_CACHED_WORKFLOWS ?? cachedConversationsFor(e.WORKER_CACHE_MEMORY_MB);
  const emulatorBaseUrl = `http://127.0.0.1:${e.EMULATOR_PORT}`;
  const serverPublicUrl = e.PUBLIC_URL ?? `http://127.0.0.1:${e.PORT}`;
  const baseUrl = (e.BANDWIDTH_BASE_URL ?? `${emulatorBaseUrl}/api/v2`).replace(/\/+$/, '');
  const usesEmulator = e.BANDWIDTH_BASE_URL === undefined || baseUrl.startsWith(emulatorBaseUrl);

  let auth: BandwidthAuth;
  if (e.BANDWIDTH_USERNAME && e.BANDWIDTH_PASSWORD && !e.BANDWIDTH_CLIENT_ID) {
    auth = { kind: 'basic', username: e.BANDWIDTH_USERNAME, password: e.BANDWIDTH_PASSWORD };
  } else {
    const clientId = e.BANDWIDTH_CLIENT_ID ?? (usesEmulator ? DEFAULT_CLIENT_ID : undefined);
    const clientSecret = e.BANDWIDTH_CLIENT_SECRET ?? (usesEmulator ? DEFAULT_CLIENT_SECRET : undefined);
    const tokenUrl =
      e.BANDWIDTH_TOKEN_URL ??
      (usesEmulator ? `${emulatorBaseUrl}/api/v1/oauth2/token` : 'https://api.bandwidth.com/api/v1/oauth2/token');
    if (!clientId || !clientSecret) {
      problems.push(
        'BANDWIDTH_CLIENT_ID and BANDWIDTH_CLIENT_SECRET: set your Bandwidth API credentials (OAuth2 client credentials), ' +
          'or BANDWIDTH_USERNAME and BANDWIDTH_PASSWORD for legacy Basic auth (retired by Bandwidth on 2026-12-02)',
      );
    }
    auth = { kind: 'oauth2', clientId: clientId ?? '', clientSecret: clientSecret ?? '', tokenUrl };
  }
  if ((e.CALLBACK_USERNAME === undefined) !== (e.CALLBACK_PASSWORD === undefined)) {
    problems.push('CALLBACK_USERNAME and CALLBACK_PASSWORD: set both or neither');
  }
  if (e.THREADLINE_HASH_PHONES_IN_SEARCH && !e.THREADLINE_PHONE_HASH_KEY && e.THREADLINE_PAYLOAD_KEYS.length === 0) {
    problems.push(
      'THREADLINE_HASH_PHONES_IN_SEARCH: needs THREADLINE_PHONE_HASH_KEY (or THREADLINE_PAYLOAD_KEYS, to derive it from)',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    temporal: {
      connection,
      address: connection.address,
      namespace: connection.namespace,
      uiPort: e.TEMPORAL_UI_PORT,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      cli: e.TEMPORAL_CLI,
    },
    dataDir: path.resolve(e.THREADLINE_DATA_DIR),
    server: {
      host: e.HOST,
      port: e.PORT,
      publicUrl: serverPublicUrl,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    },
    emulator: {
      port: e.EMULATOR_PORT,
      baseUrl: emulatorBaseUrl,
      callbackUrl: e.EMULATOR_CALLBACK_URL ?? `${serverPublicUrl}/callbacks/messaging`,
      timeScale: e.EMULATOR_TIME_SCALE,
      configFile: e.EMULATOR_CONFIG,
      host: e.EMULATOR_HOST,
      inMemory: e.EMULATOR_IN_MEMORY,
    },
    bandwidth: {
      baseUrl,
      accountId: e.BANDWIDTH_ACCOUNT_ID,
      applicationId: e.BANDWIDTH_APPLICATION_ID,
      number: e.BANDWIDTH_NUMBER,
      auth,
      usesEmulator,
    },
    callbackAuth:
      e.CALLBACK_USERNAME && e.CALLBACK_PASSWORD
        ? { username: e.CALLBACK_USERNAME, password: e.CALLBACK_PASSWORD }
        : undefined,
    defaultBot: e.THREADLINE_DEFAULT_BOT,
    ...(e.THREADLINE_WORKFLOWS ? { workflows: path.resolve(e.THREADLINE_WORKFLOWS) } : {}),
    routing: { routes: e.THREADLINE_ROUTES, defaultBot: e.THREADLINE_DEFAULT_BOT, unrouted: e.THREADLINE_UNROUTED },
    records: { databaseUrl: e.DATABASE_URL, storeText: e.THREADLINE_STORE_TEXT },
    retention: retentionConfig(e),
    consent: {
      scope: e.THREADLINE_CONSENT_SCOPE,
      programName: e.THREADLINE_PROGRAM_NAME,
      overrides: e.THREADLINE_CONSENT,
    },
    operator: e.OPERATOR_TOKEN
      ? { token: e.OPERATOR_TOKEN, devDefault: false }
      : usesEmulator
        ? { token: DEV_OPERATOR_TOKEN, devDefault: true }
        : null,
    ...(e.WORKER_METRICS_PORT !== undefined ? { workerMetricsPort: e.WORKER_METRICS_PORT } : {}),
    ...(e.WORKER_SDK_METRICS_ADDRESS !== undefined ? { workerSdkMetricsAddress: e.WORKER_SDK_METRICS_ADDRESS } : {}),
    tracing: tracingConfig(e),
    prices: e.THREADLINE_PRICE_TABLE ?? DEFAULT_PRICE_TABLE,
    sending: { proofWaitMs: e.THREADLINE_SEND_PROOF_WAIT_MS },
    sendRates: pacingConfig(e),
    maxCachedWorkflows,
    workflowHeapMb:
      e.WORKER_WORKFLOW_HEAP_MB === 0 ? null : (e.WORKER_WORKFLOW_HEAP_MB ?? workflowHeapMbFor(maxCachedWorkflows)),
    mallocArenaMax: e.MALLOC_ARENA_MAX,
    payloads: {
      keys: e.THREADLINE_PAYLOAD_KEYS,
      codecCorsOrigins: e.THREADLINE_CODEC_CORS_ORIGINS ?? [
        `http://127.0.0.1:${e.TEMPORAL_UI_PORT}`,
        `http://localhost:${e.TEMPORAL_UI_PORT}`,
      ],
    },
    phoneHashKey: e.THREADLINE_HASH_PHONES_IN_SEARCH
      ? phoneHashKeyFrom(e.THREADLINE_PHONE_HASH_KEY, e.THREADLINE_PAYLOAD_KEYS)
      : null,
    shutdown: { timeoutMs: e.THREADLINE_SHUTDOWN_TIMEOUT_MS },
    logLevel: e.LOG_LEVEL,
  };
}

/**
 * The operator API's token, for processes that serve the operator API (the webhook server, `npm start`).
 *
 * @throws ConfigError when `OPERATOR_TOKEN` is unset and Threadline talks to the real Bandwidth API.
 */
export function requireOperatorToken(config: Config): { token: string; devDefault: boolean } {
  if (config.operator) return config.operator;
  throw new ConfigError([
    'OPERATOR_TOKEN: required when Threadline talks to the real Bandwidth API (BANDWIDTH_BASE_URL is set): set a ' +
      'long random secret for the operator API, e.g. OPERATOR_TOKEN=$(openssl rand -hex 32)',
  ]);
}
