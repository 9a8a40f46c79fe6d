/**
 * Installs and starts the Temporal servers Threadline runs on, with no hand steps:
 * - the Temporal CLI (dev server + Web UI), pinned, fetched the fastest way that works (toolchain/temporal-cli.ts);
 * - Temporal's Java time-skipping test server, resolved from Maven Central into the same cache;
 * - {@link startDevServer}: `temporal server start-dev` with Threadline's settings.
 *
 * The cache (`$THREADLINE_CACHE_DIR`, else `$XDG_CACHE_HOME/threadline`, else `~/.cache/threadline`) survives a
 * fresh clone, so only the first run on a machine pays for the downloads.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { conversationSearchAttributes, searchAttributeFlag } from '../workflows/search-attributes';
import { cacheDir, onPath, runWithProgress, type Log } from './install-steps';

export { cacheDir, onPath, runWithProgress, type Log } from './install-steps';
export { ensureTemporalCli, TEMPORAL_CLI_VERSION, type TemporalCli } from './temporal-cli';

export const TEST_SERVER_VERSION = '1.31.0';

const defaultLog: Log = (line) => process.stderr.write(`[toolchain] ${line}\n`);

/**
 * Resolves the Java time-skipping test server into the cache and writes a wrapper that `exec`s it, so
 * `TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } })` can start
 * it (the SDK passes just the port). Returns the wrapper's path.
 */
export async function ensureTestServer(log: Log = defaultLog, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const dir = path.join(cacheDir(env), `temporal-test-server-${TEST_SERVER_VERSION}`);
  const lib = path.join(dir, 'lib');
  const wrapper = path.join(dir, 'temporal-test-server');
  const ready = path.join(dir, '.complete');
  if (!fs.existsSync(ready)) {
    if (!onPath('mvn') || !onPath('java')) {
      throw new Error(
        'the time-skipping test server needs Java and Maven (apt-get install -y maven default-jdk-headless)',
      );
    }
    fs.mkdirSync(dir, { recursive: true });
    log(`resolving io.temporal:temporal-test-server:${TEST_SERVER_VERSION} from Maven Central into ${dir}`);
    await runWithProgress(
      'mvn',
      [
        '-B',
        '-q',
        '-f',
        path.join(__dirname, 'test-server-pom.xml'),
        `-Dtemporal.test.server.version=${TEST_SERVER_VERSION}`,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${lib}`,
      ],
      env,
      'test server',
      log,
    );
    fs.writeFileSync(ready, new Date().toISOString());
  }
  const script = [
    '#!/bin/sh',
    "# Written by threadline toolchain/temporal.ts: starts Temporal's time-skipping test server. Argument: the port.",
    `exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -cp '${lib}/*' io.temporal.testserver.TestServer "$@"`,
    '',
  ].join('\n');
  if (!fs.existsSync(wrapper) || fs.readFileSync(wrapper, 'utf8') !== script) {
    fs.writeFileSync(wrapper, script, { mode: 0o755 });
  }
  return wrapper;
}

export interface DevServerOptions {
  cli: string;
  /** SQLite file for persistence; omit for an in-memory server (tests). */
  dbFile?: string;
  ip?: string;
  port: number;
  /** Web UI port; omit or `null` for a headless server. */
  uiPort?: number | null;
  namespace?: string;
  /**
   * The codec server the Web UI decodes payloads with (`--ui-codec-endpoint`), when payloads are encrypted: the
   * webhook server's `/codec` (temporal/data-converter.ts, `uiCodecEndpoint`).
   */
  uiCodecEndpoint?: string;
  /** SQLite `synchronous` pragma: NORMAL keeps commits safe against a process crash; OFF trades that for speed. */
  synchronous?: 'NORMAL' | 'OFF' | 'FULL';
  extraArgs?: string[];
  log?: Log;
  /** Where the server's own output goes (default: ignored unless it fails to start). */
  stdio?: 'inherit' | 'ignore';
  /**
   * Run it in a process group of its own, so that Ctrl-C at the terminal reaches only the parent, which stops it
   * last, after the worker that uses it (bin/start.ts). It is SIGKILLed if the parent exits without stopping it.
   */
  detached?: boolean;
}

export interface DevServer {
  address: string;
  uiUrl: string | null;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** The `temporal server start-dev` arguments Threadline uses: WAL SQLite, eager activities, our search attributes. */
export function devServerArgs(options: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', options.ip ?? '127.0.0.1', '--port', String(options.port)];
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  if (options.uiPort && options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  if (options.namespace && options.namespace !== 'default') args.push('--namespace', options.namespace);
  args.push(
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--sqlite-pragma',
    `synchronous=${options.synchronous ?? 'NORMAL'}`,
    '--dynamic-config-value',
    'system.enableActivityEagerExecution=true',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value',
    'frontend.enableExecuteMultiOperation=true',
    // Task priority (replies before proactive sends, docs/operations.md "Sending rates"): the default from Server 1.31.
    '--dynamic-config-value',
    'matching.useNewMatcher=true',
    // One partition per task queue: a rate limit (maxTaskQueueActivitiesPerSecond) and priorities then hold exactly,
    // where several partitions each take a share and drift (one dev server gains nothing from partitions).
    '--dynamic-config-value',
    'matching.numTaskqueueReadPartitions=1',
    '--dynamic-config-value',
    'matching.numTaskqueueWritePartitions=1',
    // Deleting a closed workflow (an erasure, docs/operations.md) waits until the history's transfer queue has
    // acknowledged the close, which it records every 30 s or so by default: 26-32 s per deletion here, 1-4 s with
    // this. A dev server only writes its acknowledgement more often.
    '--dynamic-config-value',
    'history.transferProcessorUpdateAckInterval="1s"',
    '--log-level',
    'warn',
  );
  for (const key of conversationSearchAttributes) args.push('--search-attribute', searchAttributeFlag(key));
  args.push(...(options.extraArgs ?? []));
  return args;
}

/** Starts `temporal server start-dev` and resolves once its frontend accepts connections. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const log = options.log ?? defaultLog;
  const ip = options.ip ?? '127.0.0.1';
  if (options.dbFile) fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
  const child = spawn(options.cli, devServerArgs(options), {
    detached: options.detached ?? false,
    stdio: [
      'ignore',
      options.stdio === 'inherit' ? 'inherit' : 'pipe',
      options.stdio === 'inherit' ? 'inherit' : 'pipe',
    ],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const state: { exited: number | null } = { exited: null };
  const killWithParent = () => child.kill('SIGKILL');
  if (options.detached) process.once('exit', killWithParent);
  child.on('exit', (code) => {
    state.exited = code ?? -1;
    process.removeListener('exit', killWithParent);
  });
  const deadline = Date.now() + 60_000;
  while (!(await canConnect(ip, options.port))) {
    if (state.exited !== null)
      throw new Error(`temporal server start-dev exited with ${state.exited}:\n${output.join('')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `temporal server start-dev did not listen on ${ip}:${options.port} within 60 s:\n${output.join('')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  log(`Temporal dev server listening on ${ip}:${options.port}${options.dbFile ? ` (data: ${options.dbFile})` : ''}`);
  return {
    address: `${ip}:${options.port}`,
    uiUrl: options.uiPort ? `http://${ip}:${options.uiPort}` : null,
    process: child,
    stop: () => stopProcess(child),
  };
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the process has exited. */
export function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Ports {@link freePort} handed out in this process. A port is free when asked for but only taken when its user
 * binds it, and the kernel picks ports for `listen(0)` at random, so two calls before the first user binds can get
 * the same one (3,000 calls here gave 2,401 distinct ports): a port is never handed out twice.
 */
const handedOut = new Set<number>();

/** A free loopback TCP port, not handed out before by this process. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  if (handedOut.size > 20_000) handedOut.clear(); // most of the ephemeral range: start over rather than spin
  for (;;) {
    const port = await unusedPort(host);
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

function unusedPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
