/**
 * A real Temporal server on PostgreSQL: what an operator runs once Threadline outgrows one machine (docs/deploying.md),
 * and what test/cluster/ runs servers and workers against. Nothing here is a dev server: it is Temporal's own `server`
 * binary with every service (frontend, history, matching, worker), its `temporal-sql-tool`, the module's PostgreSQL
 * schemas and its env-templated config (`config/docker.yaml`, the one Temporal's container image uses).
 *
 * - {@link ensureTemporalServer} finds the binaries in the cache (toolchain/temporal.ts `cacheDir()`), or builds them
 *   with `go install` (about 4 minutes cold on 2 cores), and keeps the templates and schemas beside them;
 * - {@link setupTemporalSchemas} creates the `temporal` and `temporal_visibility` databases and brings their schemas
 *   up to date;
 * - {@link temporalServerCommand} writes a config directory and says how to start the server (the chaos supervisor
 *   starts it as one of its parts); {@link startTemporalServer} starts it here;
 * - {@link prepareNamespace} registers the namespace and Threadline's search attributes and waits until both work.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { ensureSearchAttributes } from '../worker/search-attributes';
import { OurNumberAttribute } from '../workflows/search-attributes';
import { cacheDir, onPath, runWithProgress, stopProcess, type Log } from './temporal';

/** The server release built and run: the newest one that builds with the Go toolchain from Debian. */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
const MODULE = 'go.temporal.io/server';
const PACKAGES = [
  `${MODULE}/cmd/server@v${TEMPORAL_SERVER_VERSION}`,
  `${MODULE}/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`,
];

const defaultLog: Log = (line) => process.stderr.write(`[temporal-server] ${line}\n`);

/** The server's files, all in the cache. */
export interface TemporalServerToolchain {
  /** The `server` binary (every service, or the ones named with `--service`). */
  server: string;
  /** `temporal-sql-tool`. */
  sql: string;
  /** The module's config templates: `docker.yaml` (filled in from the environment) and `dynamicconfig/docker.yaml`. */
  configDir: string;
  /** The PostgreSQL schemas: `temporal/versioned` and `visibility/versioned` under it. */
  schemaDir: string;
  source: 'cache' | 'built';
}

/** Where the module's source is, downloading it (into Go's module cache) if need be. */
function moduleDir(env: NodeJS.ProcessEnv): string {
  const result = spawnSync('go', ['mod', 'download', '-json', `${MODULE}@v${TEMPORAL_SERVER_VERSION}`], {
    env: { ...env, GOFLAGS: '-mod=mod' },
    encoding: 'utf8',
    timeout: 600_000,
  });
  const dir = result.status === 0 ? (JSON.parse(result.stdout) as { Dir?: string }).Dir : undefined;
  if (!dir) throw new Error(`go mod download ${MODULE}@v${TEMPORAL_SERVER_VERSION} failed:\n${result.stderr}`);
  return dir;
}

/**
 * Finds the Temporal server, its SQL tool, config templates and schemas in the cache
 * (`<cacheDir>/temporal-server-<version>/`), or builds and copies them there:
 * `CGO_ENABLED=0 GOBIN=<dir> go install go.temporal.io/server/cmd/server@v1.29.1 .../cmd/tools/sql@v1.29.1`.
 */
export async function ensureTemporalServer(
  log: Log = defaultLog,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TemporalServerToolchain> {
  const dir = path.join(cacheDir(env), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
  const toolchain: TemporalServerToolchain = {
    server: path.join(dir, 'server'),
    sql: path.join(dir, 'sql'),
    configDir: path.join(dir, 'config'),
    schemaDir: path.join(dir, 'schema', 'postgresql', 'v12'),
    source: 'cache',
  };
  const templates = path.join(dir, '.templates-complete');
  const built = fs.existsSync(toolchain.server) && fs.existsSync(toolchain.sql);
  if (built && fs.existsSync(templates)) return toolchain;
  if (!onPath('go')) {
    throw new Error(
      `the Temporal server ${TEMPORAL_SERVER_VERSION} is not in ${dir} and there is no Go toolchain to build it ` +
        '(apt-get install -y golang-go)',
    );
  }
  fs.mkdirSync(dir, { recursive: true });
  if (!built) {
    log(`building the Temporal server ${TEMPORAL_SERVER_VERSION} and temporal-sql-tool into ${dir}`);
    log('the first build downloads the server module and compiles it: about 4 minutes on 2 cores');
    await runWithProgress(
      'go',
      ['install', '-v', ...PACKAGES],
      { ...env, CGO_ENABLED: '0', GOBIN: dir },
      'Temporal server',
      log,
    );
    for (const binary of [toolchain.server, toolchain.sql]) {
      if (!fs.existsSync(binary)) throw new Error(`go install finished but ${binary} is missing`);
    }
    toolchain.source = 'built';
  }
  const source = moduleDir(env);
  // The module cache is read-only; the copies are not.
  const copy = (from: string, to: string) => {
    fs.cpSync(path.join(source, from), to, { recursive: true });
    spawnSync('chmod', ['-R', 'u+w', to]);
  };
  copy('config/docker.yaml', path.join(toolchain.configDir, 'docker.yaml'));
  copy('config/dynamicconfig/docker.yaml', path.join(toolchain.configDir, 'dynamicconfig', 'docker.yaml'));
  copy('schema/postgresql/v12', toolchain.schemaDir);
  fs.writeFileSync(templates, new Date().toISOString());
  return toolchain;
}

/** The PostgreSQL server Temporal keeps its state in, and the two databases it uses there. */
export interface TemporalDatabases {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Workflow histories, task queues, namespaces (`temporal` by default). */
  database: string;
  /** What list and search queries read (`temporal_visibility` by default). */
  visibilityDatabase: string;
}

/** The databases on the server of a `postgres://user:password@host:port/...` URL (its own database is not used). */
export function temporalDatabasesAt(
  url: string,
  names: Partial<Pick<TemporalDatabases, 'database' | 'visibilityDatabase'>> = {},
): TemporalDatabases {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: names.database ?? 'temporal',
    visibilityDatabase: names.visibilityDatabase ?? 'temporal_visibility',
  };
}

/**
 * Creates both databases (if they do not exist) and brings their schemas to the server's version, with
 * `temporal-sql-tool`: `create-database`, `setup-schema -v 0.0`, `update-schema -d <schema>/versioned`. Running it
 * again on an up-to-date database changes nothing, so it is also the upgrade step.
 */
export async function setupTemporalSchemas(
  toolchain: TemporalServerToolchain,
  databases: TemporalDatabases,
  log: Log = defaultLog,
): Promise<void> {
  const env = {
    ...process.env,
    SQL_PLUGIN: 'postgres12',
    SQL_HOST: databases.host,
    SQL_PORT: String(databases.port),
    SQL_USER: databases.user,
    SQL_PASSWORD: databases.password,
  };
  const sql = (database: string, args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(toolchain.sql, ['--database', database, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve(output) : reject(new Error(`sql ${args.join(' ')} on ${database} failed:\n${output}`)),
      );
    });
  for (const [database, schema] of [
    [databases.database, 'temporal'],
    [databases.visibilityDatabase, 'visibility'],
  ] as const) {
    await sql(database, ['create-database']).catch((err: Error) => {
      if (!/already exists/.test(err.message)) throw err;
    });
    await sql(database, ['setup-schema', '-v', '0.0']);
    await sql(database, ['update-schema', '-d', path.join(toolchain.schemaDir, schema, 'versioned')]);
    log(`schema ${schema} ready in database ${database} on ${databases.host}:${databases.port}`);
  }
}

/** Dynamic config beyond the template's: what the dev server is started with too (toolchain/temporal.ts). */
const DYNAMIC_CONFIG = {
  'system.enableActivityEagerExecution': true,
  'frontend.enableUpdateWorkflowExecution': true,
  'frontend.enableExecuteMultiOperation': true,
};

export interface TemporalServerOptions {
  toolchain: TemporalServerToolchain;
  databases: TemporalDatabases;
  /** Where the config is written (`<dir>/config`). */
  dir: string;
  ip?: string;
  /**
   * The frontend's gRPC port, the one clients and workers connect to (default: a free one). The other services get
   * free ports below 32768: the cluster membership table keeps ports as `smallint`.
   */
  port?: number;
  /** `debug`, `info`, `warn` or `error` (default `warn`). */
  logLevel?: string;
}

/** How to start the server: the same command, arguments and environment every time (the ports stay the same). */
export interface TemporalServerCommand {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** The frontend's address, `host:port`. */
  address: string;
}

/**
 * Writes `<dir>/config` (the module's `docker.yaml` and a dynamic config) and returns how to start every service of the
 * server with it: `server --root <dir> --config config --env docker --allow-no-auth start`, with the template's
 * variables (`DB`, `POSTGRES_SEEDS`, `DB_PORT`, `DBNAME`, `VISIBILITY_DBNAME`, the ports) in the environment.
 */
export async function temporalServerCommand(options: TemporalServerOptions): Promise<TemporalServerCommand> {
  const ip = options.ip ?? '127.0.0.1';
  const configDir = path.join(options.dir, 'config');
  fs.mkdirSync(path.join(configDir, 'dynamicconfig'), { recursive: true });
  fs.copyFileSync(path.join(options.toolchain.configDir, 'docker.yaml'), path.join(configDir, 'docker.yaml'));
  const dynamicConfig = path.join(configDir, 'dynamicconfig', 'threadline.yaml');
  const template = fs.readFileSync(path.join(options.toolchain.configDir, 'dynamicconfig', 'docker.yaml'), 'utf8');
  const extra = Object.entries(DYNAMIC_CONFIG)
    .filter(([key]) => !new RegExp(`^${key.replace(/\./g, '\\.')}:`, 'm').test(template))
    .map(([key, value]) => `${key}:\n  - value: ${JSON.stringify(value)}\n`);
  fs.writeFileSync(dynamicConfig, `${template.trimEnd()}\n${extra.join('')}`);

  const taken = new Set<number>();
  const frontendPort = options.port ?? (await freeLowPort(ip, taken));
  taken.add(frontendPort);
  const ports: Record<string, number> = {};
  for (const service of ['FRONTEND', 'HISTORY', 'MATCHING', 'WORKER']) {
    for (const kind of service === 'FRONTEND' ? ['HTTP', 'MEMBERSHIP'] : ['GRPC', 'MEMBERSHIP']) {
      const port = await freeLowPort(ip, taken);
      taken.add(port);
      ports[`${service}_${kind}_PORT`] = port;
    }
  }
  const { databases } = options;
  // Only what the template reads: none of the caller's TEMPORAL_* client settings reach the server.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    DB: 'postgres12',
    POSTGRES_SEEDS: databases.host,
    DB_PORT: String(databases.port),
    POSTGRES_PORT: String(databases.port),
    POSTGRES_USER: databases.user,
    POSTGRES_PWD: databases.password,
    DBNAME: databases.database,
    VISIBILITY_DBNAME: databases.visibilityDatabase,
    // Every service in one process shares the PostgreSQL server with the records: keep the pools small.
    SQL_MAX_CONNS: '10',
    SQL_MAX_IDLE_CONNS: '10',
    SQL_VIS_MAX_CONNS: '5',
    SQL_VIS_MAX_IDLE_CONNS: '5',
    BIND_ON_IP: ip,
    TEMPORAL_BROADCAST_ADDRESS: ip,
    FRONTEND_GRPC_PORT: String(frontendPort),
    ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
    DYNAMIC_CONFIG_FILE_PATH: dynamicConfig,
    LOG_LEVEL: options.logLevel ?? 'warn',
  };
  return {
    command: options.toolchain.server,
    args: ['--root', options.dir, '--config', 'config', '--env', 'docker', '--allow-no-auth', 'start'],
    env,
    address: `${ip}:${frontendPort}`,
  };
}

/** A free port below 32768 (the ephemeral ports the system hands out, 32768 and up, do not fit a `smallint`). */
async function freeLowPort(ip: string, taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, ip, () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** A running server. */
export interface TemporalServer {
  address: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the server ({@link temporalServerCommand}) and resolves once its frontend accepts connections. */
export async function startTemporalServer(options: TemporalServerOptions & { log?: Log }): Promise<TemporalServer> {
  const log = options.log ?? defaultLog;
  const { command, args, env, address } = await temporalServerCommand(options);
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString().split('\n').filter(Boolean));
    output.splice(0, output.length - 30);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const killWithParent = () => child.kill('SIGKILL');
  process.once('exit', killWithParent);
  const state: { exited: number | null } = { exited: null };
  child.on('exit', (code) => {
    state.exited = code ?? -1;
    process.removeListener('exit', killWithParent);
  });
  const deadline = Date.now() + 60_000;
  const serving = await untilServing(address, () => state.exited === null && Date.now() < deadline);
  if (!serving) {
    child.kill('SIGKILL');
    const why = state.exited !== null ? `exited with ${state.exited}` : `did not answer on ${address} within 60 s`;
    throw new Error(`the Temporal server ${why}:\n${output.join('\n')}`);
  }
  log(`Temporal server ${TEMPORAL_SERVER_VERSION} listening on ${address} (PostgreSQL ${options.databases.database})`);
  return { address, process: child, stop: () => stopProcess(child) };
}

/**
 * Resolves once the frontend at `address` answers (its port opens before the services have joined each other), or
 * `false` once `alive()` turns false.
 */
export async function untilServing(address: string, alive: () => boolean = () => true): Promise<boolean> {
  while (alive()) {
    const connection = await Connection.connect({ address, connectTimeout: 2_000 }).catch(() => null);
    if (connection) {
      const answered = await connection.workflowService.getSystemInfo({}).then(
        () => true,
        () => false,
      );
      await connection.close();
      if (answered) return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

const NOT_FOUND = 5; // gRPC status NOT_FOUND
const ALREADY_EXISTS = 6;

/**
 * Registers `namespace` (if it is new) and Threadline's search attributes, then waits until the frontend serves both
 * (it refreshes its namespace cache every 2 s): what `temporal operator namespace create` and `temporal operator
 * search-attribute create` do by hand.
 */
export async function prepareNamespace(
  /** The frontend's address (plain gRPC), or a connection the caller made (TLS, say) and keeps open. */
  target: string | Connection,
  options: { namespace?: string; retentionDays?: number; log?: Log } = {},
): Promise<void> {
  const namespace = options.namespace ?? 'default';
  const log = options.log ?? defaultLog;
  const connection = typeof target === 'string' ? await Connection.connect({ address: target }) : target;
  try {
    const service = connection.workflowService;
    const exists = await service.describeNamespace({ namespace }).then(
      () => true,
      (err: { code?: number }) => {
        if (err.code === NOT_FOUND) return false;
        throw err;
      },
    );
    if (!exists) {
      const days = options.retentionDays ?? 3;
      await service
        .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(days * 86_400_000) })
        .catch((err: { code?: number }) => {
          if (err.code !== ALREADY_EXISTS) throw err;
        });
      log(`namespace ${namespace} registered (retention ${days} days)`);
    }
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await ensureSearchAttributes(connection, namespace);
        await service.listWorkflowExecutions({ namespace, pageSize: 1, query: `${OurNumberAttribute.name} = "ready"` });
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } finally {
    if (typeof target === 'string') await connection.close();
  }
}
