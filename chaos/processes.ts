/**
 * The stack under test as real OS processes, started the way an operator starts them: the Temporal dev server on its
 * own SQLite file (`temporal server start-dev --db-filename`) or a real Temporal server on PostgreSQL
 * (toolchain/temporal-server.ts), and `bin/emulator.ts`, `bin/server.ts` (one, or several behind a round-robin
 * balancer) and two `bin/worker.ts`, each with its own environment. Every part can be SIGKILLed and started again on
 * the same port and the same files. A part that exits without being killed is noted (the report lists it) and started
 * again.
 *
 * Each worker reaches the emulator's API through its own {@link SendTap}, so a worker can be killed the moment the
 * emulator accepts one of its messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_NUMBER } from '../config/env';
import { devServerArgs, freePort, stopProcess } from '../toolchain/temporal';
import { prepareNamespace, untilServing, type TemporalServerCommand } from '../toolchain/temporal-server';
import { openBalancer, type Balancer } from './balancer';
import { openSendTap, type SendTap } from './send-tap';

const ROOT = path.resolve(__dirname, '..');
const HOST = '127.0.0.1';
/** How long a part may take to answer after it was started (a worker bundles its workflows first). */
const READY_TIMEOUT_MS = 180_000;
/** How long after an unexpected exit a part is started again. */
const RESTART_DELAY_MS = 1_000;

export type PartName = 'temporal' | 'emulator' | 'server' | `server-${number}` | `worker-${number}`;

/** A part of the stack that exited without being killed. */
export interface UnexpectedExit {
  part: PartName;
  code: number | null;
  signal: NodeJS.Signals | null;
  atMs: number;
}

/** One supervised process of the stack. */
export interface Part {
  readonly name: PartName;
  /** The process id while it runs. */
  readonly pid: number | undefined;
  /** When the running process started to answer; `null` while it is down or starting. */
  readonly readySince: number | null;
  /** Starts the part (if it is not running) and resolves once it answers. */
  start(): Promise<void>;
  /** Resolves once the part answers (starting it again if it is down). */
  waitReady(): Promise<void>;
  /** SIGKILLs the process at once (synchronously), resolving when it has gone. It is not started again. */
  kill(): Promise<void>;
  /** SIGTERM (SIGKILL after a grace period), for the end of the run. */
  stop(): Promise<void>;
}

/** How a part is launched and how we know it answers. */
interface PartSpec {
  name: PartName;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /**
   * Resolves `true` once the process answers: `lines` sees every line it writes; a check that polls gives up with
   * `false` once `alive()` turns false (the process died, or took too long).
   */
  ready: (process: { lines: (listener: (line: string) => void) => void; alive: () => boolean }) => Promise<boolean>;
  /** Runs when the part goes down: right before we kill it, and when it has exited. */
  onDown?: () => void | Promise<void>;
  onReady?: () => void | Promise<void>;
}

class SupervisedPart implements Part {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private starting: Promise<void> | undefined;
  private expected = new WeakSet<ChildProcess>();
  private stopping = false;
  readySince: number | null = null;

  constructor(
    private readonly spec: PartSpec,
    private readonly logFile: string,
    private readonly exits: UnexpectedExit[],
    private readonly log: (line: string) => void,
  ) {}

  get name(): PartName {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    if (this.stopping) return Promise.reject(new Error(`${this.name} is stopping`));
    if (this.starting) return this.starting;
    if (this.child && this.readySince !== null) return Promise.resolve();
    this.starting = this.launch().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  waitReady(): Promise<void> {
    return this.start();
  }

  kill(): Promise<void> {
    const child = this.child;
    if (!child) return this.exited;
    this.expected.add(child);
    this.readySince = null;
    void this.spec.onDown?.();
    child.kill('SIGKILL');
    return this.exited;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child) return;
    this.expected.add(child);
    this.readySince = null;
    await stopProcess(child, 5_000);
    await this.exited;
  }

  private async launch(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      await this.exited;
      const child = spawn(this.spec.command, this.spec.args, {
        cwd: ROOT,
        env: this.spec.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.child = child;
      const out = fs.createWriteStream(this.logFile, { flags: 'a' });
      out.write(`--- ${new Date().toISOString()} started pid ${child.pid}\n`);
      const listeners: ((line: string) => void)[] = [];
      let partial = '';
      const onData = (chunk: Buffer) => {
        out.write(chunk);
        const text = partial + chunk.toString();
        const lines = text.split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) for (const listener of listeners) listener(line);
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      let died: (() => void) | undefined;
      const death = new Promise<void>((resolve) => (died = resolve));
      this.exited = new Promise<void>((resolve) => {
        child.once('exit', (code, signal) => {
          out.end(`--- ${new Date().toISOString()} exited code ${code} signal ${signal}\n`);
          if (this.child === child) {
            this.child = undefined;
            this.readySince = null;
          }
          resolve();
          died?.();
          void this.spec.onDown?.();
          if (!this.expected.has(child) && !this.stopping) {
            this.exits.push({ part: this.name, code, signal, atMs: Date.now() });
            this.log(`${this.name} exited on its own (code ${code}, signal ${signal}); starting it again`);
            if (!this.starting) {
              setTimeout(() => {
                if (!this.stopping && !this.child) this.start().catch((err: unknown) => this.log(String(err)));
              }, RESTART_DELAY_MS);
            }
          }
        });
      });
      let timer: NodeJS.Timeout | undefined;
      const answered = await Promise.race([
        this.spec.ready({
          lines: (listener) => listeners.push(listener),
          alive: () => this.child === child && Date.now() < deadline,
        }),
        death.then(() => false),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), deadline - Date.now()))),
      ]);
      clearTimeout(timer);
      if (answered && this.child === child) {
        this.readySince = Date.now();
        await this.spec.onReady?.();
        return;
      }
      if (this.stopping) throw new Error(`${this.name} is stopping`);
      if (Date.now() > deadline) {
        this.expected.add(child);
        child.kill('SIGKILL');
        throw new Error(`${this.name} did not answer within ${READY_TIMEOUT_MS / 1000} s: see ${this.logFile}`);
      }
      // It died before answering (a worker that found Temporal down, say): wait a moment and try again.
      await new Promise((resolve) => setTimeout(resolve, RESTART_DELAY_MS));
    }
  }
}

/** The whole stack: its parts, its addresses, and what went wrong on its own. */
export interface ChaosStack {
  readonly dir: string;
  /** The message records' PostgreSQL, when they are not SQLite files in `dir`. */
  readonly databaseUrl?: string;
  readonly temporalAddress: string;
  readonly taskQueue: string;
  readonly emulatorUrl: string;
  /** Where the emulator delivers callbacks: the webhook server, or the balancer in front of several. */
  readonly serverUrl: string;
  readonly ourNumber: string;
  readonly temporal: Part;
  readonly emulator: Part;
  /** The (first) webhook server. */
  readonly server: Part;
  readonly servers: readonly Part[];
  /** In front of the webhook servers when there are several. */
  readonly balancer: Balancer | null;
  readonly workers: readonly Part[];
  /** `taps[i]` relays `workers[i]`'s API calls. */
  readonly taps: readonly SendTap[];
  /** Parts that exited without being killed, in order. */
  readonly exits: readonly UnexpectedExit[];
  /** Every part answers. */
  allReady(): Promise<void>;
  stop(): Promise<void>;
}

export interface ChaosStackOptions {
  /** Where the SQLite files (Temporal, emulator, records) and the parts' logs go. */
  dir: string;
  /** The Temporal CLI binary: its dev server is the `temporal` part (unless `temporalServer` is given). */
  cli?: string;
  /** A real Temporal server to run as the `temporal` part; the namespace is prepared each time it comes up. */
  temporalServer?: TemporalServerCommand;
  /** Webhook servers (default 1); several share the callbacks through a round-robin {@link Balancer}. */
  servers?: number;
  /** The message records' PostgreSQL (`DATABASE_URL`); by default they are SQLite files in `dir`. */
  databaseUrl?: string;
  workers?: number;
  log: (line: string) => void;
}

/** Variables of the harness's own environment that would change how the parts run; they get only ours. */
const OWN_SETTINGS =
  /^(THREADLINE_|TEMPORAL_|EMULATOR_|BANDWIDTH_|CALLBACK_|DATABASE_URL$|OPERATOR_TOKEN$|PORT$|HOST$|PUBLIC_URL$|WORKER_|LOG_LEVEL$|NODE_TEST_CONTEXT$)/;

function baseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !OWN_SETTINGS.test(key)));
}

async function untilAnswers(url: string, alive: () => boolean): Promise<boolean> {
  while (alive()) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** Starts every part on free ports and resolves once all of them answer. */
export async function startChaosStack(options: ChaosStackOptions): Promise<ChaosStack> {
  const { dir, log } = options;
  const logs = path.join(dir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  const [temporalPort, emulatorPort] = [await freePort(), await freePort()];
  const serverPorts = await Promise.all(Array.from({ length: options.servers ?? 1 }, () => freePort()));
  const temporalAddress = options.temporalServer?.address ?? `${HOST}:${temporalPort}`;
  const emulatorUrl = `http://${HOST}:${emulatorPort}`;
  const serverUrls = serverPorts.map((port) => `http://${HOST}:${port}`);
  const balancer = serverUrls.length > 1 ? await openBalancer(serverUrls, HOST) : null;
  const serverUrl = balancer?.url ?? serverUrls[0]!;
  const taskQueue = 'chaos';
  const exits: UnexpectedExit[] = [];
  const taps = await Promise.all(Array.from({ length: options.workers ?? 2 }, () => openSendTap(emulatorPort, HOST)));

  const common: NodeJS.ProcessEnv = {
    ...baseEnv(),
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    THREADLINE_DATA_DIR: dir,
    THREADLINE_DEFAULT_BOT: 'echoBot',
    EMULATOR_PORT: String(emulatorPort),
    EMULATOR_CALLBACK_URL: `${serverUrl}/callbacks/messaging`,
    BANDWIDTH_BASE_URL: `${emulatorUrl}/api/v2`,
    BANDWIDTH_TOKEN_URL: `${emulatorUrl}/api/v1/oauth2/token`,
    BANDWIDTH_CLIENT_ID: DEFAULT_CLIENT_ID,
    BANDWIDTH_CLIENT_SECRET: DEFAULT_CLIENT_SECRET,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    LOG_LEVEL: 'warn',
  };
  const node = (entry: string) => ['--import', 'tsx', path.join(ROOT, 'bin', entry)];
  const part = (spec: PartSpec) => new SupervisedPart(spec, path.join(logs, `${spec.name}.log`), exits, log);

  const real = options.temporalServer;
  const cli = options.cli ?? '';
  if (!real && !cli) throw new Error('the chaos stack needs the Temporal CLI or a Temporal server');
  const temporal = part({
    name: 'temporal',
    ...(real ?? {
      command: cli,
      args: devServerArgs({ cli, port: temporalPort, uiPort: null, dbFile: path.join(dir, 'temporal.sqlite') }),
      env: baseEnv(),
    }),
    ready: ({ alive }) => untilServing(temporalAddress, alive),
    onReady: real ? () => prepareNamespace(real.address, { log }) : undefined,
  });
  const emulator = part({
    name: 'emulator',
    command: process.execPath,
    args: node('emulator.ts'),
    env: common,
    ready: ({ alive }) => untilAnswers(`${emulatorUrl}/emulator`, alive),
    onDown: async () => {
      await Promise.all(taps.map((tap) => tap.pause()));
    },
    onReady: async () => {
      await Promise.all(taps.map((tap) => tap.resume()));
    },
  });
  const servers = serverUrls.map((url, i) =>
    part({
      name: serverUrls.length > 1 ? `server-${i + 1}` : 'server',
      command: process.execPath,
      args: node('server.ts'),
      env: { ...common, PORT: new URL(url).port },
      ready: ({ alive }) => untilAnswers(`${url}/healthz`, alive),
    }),
  );
  const server = servers[0]!;
  const workers = taps.map((tap, i) =>
    part({
      name: `worker-${i + 1}`,
      command: process.execPath,
      args: node('worker.ts'),
      // Info level: the worker says "worker started" once its workflows are bundled and it is about to poll.
      env: { ...common, BANDWIDTH_BASE_URL: `${tap.url}/api/v2`, LOG_LEVEL: 'info' },
      ready: ({ lines }) =>
        new Promise<boolean>((resolve) => lines((line) => line.includes('"worker started"') && resolve(true))),
    }),
  );

  const all = [temporal, emulator, ...servers, ...workers];
  // Should the harness exit without stopping the stack (an uncaught error), take the parts with it.
  const killAll = () => {
    for (const p of all) {
      try {
        if (p.pid !== undefined) process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.on('exit', killAll);
  const stack: ChaosStack = {
    dir,
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
    temporalAddress,
    taskQueue,
    emulatorUrl,
    serverUrl,
    ourNumber: DEFAULT_NUMBER,
    temporal,
    emulator,
    server,
    servers,
    balancer,
    workers,
    taps,
    exits,
    allReady: async () => {
      await Promise.all(all.map((p) => p.waitReady()));
    },
    stop: async () => {
      process.off('exit', killAll);
      await Promise.allSettled([...workers, ...servers].map((p) => p.stop()));
      await Promise.allSettled([emulator.stop(), temporal.stop()]);
      await Promise.allSettled([...taps.map((tap) => tap.close()), balancer?.close()]);
    },
  };
  try {
    // The emulator and the server need nothing else to start; the workers need Temporal.
    await Promise.all([
      emulator.start(),
      ...servers.map((s) => s.start()),
      temporal.start().then(() => Promise.all(workers.map((w) => w.start()))),
    ]);
  } catch (err) {
    await stack.stop();
    throw err;
  }
  log(
    `stack up: Temporal ${temporalAddress}, emulator ${emulatorUrl}, ${servers.length} server(s) at ${serverUrl}, ` +
      `${workers.length} workers`,
  );
  return stack;
}
