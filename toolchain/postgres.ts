/**
 * A throwaway PostgreSQL server for tests, built from Debian's `postgresql` package (binaries under
 * `/usr/lib/postgresql/<version>/bin`). Nothing is downloaded: if the binaries are missing, {@link startTestPostgres}
 * fails and says which package to install.
 *
 * ```ts
 * const pg = await startTestPostgres();
 * try {
 *   const store = await createRecordStore({ databaseUrl: pg.url });
 * } finally {
 *   await pg.stop();
 * }
 * ```
 *
 * The cluster lives in a fresh temporary directory (data, socket and log), listens on a free loopback port only, trusts
 * local connections (user `postgres`, no password) and runs with `fsync=off`: it is for tests, never for data.
 * PostgreSQL refuses to run as root, so when this process is root (as in CI) `initdb` and `pg_ctl` run as the
 * `postgres` OS user through `runuser`, and the temporary directory is handed to that user.
 *
 * Run it by hand to get a server for a debugging session: `npx tsx toolchain/postgres.ts` prints the URL and stops the
 * server on Ctrl-C.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The Debian packages that provide the server binaries this module needs. */
export const POSTGRES_APT_PACKAGES = ['postgresql'] as const;

export interface TestPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`; the `postgres` role is a superuser and may create databases. */
  url: string;
  /** Stops the server (fast shutdown) and removes its temporary directory. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartTestPostgresOptions {
  /** Where progress lines go. Defaults to standard error, so they never mix with a test reporter's standard output. */
  log?: (line: string) => void;
  /** How long to wait for the server to accept connections. Defaults to 60 seconds. */
  startTimeoutSeconds?: number;
}

/** Thrown when a test PostgreSQL cannot be started; the message says what to install or fix. */
export class TestPostgresError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TestPostgresError';
  }
}

const REQUIRED_BINARIES = ['initdb', 'pg_ctl', 'postgres'];

function hasServerBinaries(dir: string): boolean {
  return REQUIRED_BINARIES.every((name) => fs.existsSync(path.join(dir, name)));
}

/**
 * Finds the directory holding PostgreSQL's server binaries (`initdb`, `pg_ctl`, `postgres`), or `null` when none is
 * installed. Looks at `$POSTGRES_BIN_DIR` first, then the newest `/usr/lib/postgresql/<version>/bin` (Debian), then
 * `initdb` on `PATH`.
 */
export function findPostgresBinaries(): string | null {
  const fromEnv = process.env.POSTGRES_BIN_DIR;
  if (fromEnv && hasServerBinaries(fromEnv)) return fromEnv;

  const debianRoot = '/usr/lib/postgresql';
  if (fs.existsSync(debianRoot)) {
    const versions = fs
      .readdirSync(debianRoot)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const dir = path.join(debianRoot, version, 'bin');
      if (hasServerBinaries(dir)) return dir;
    }
  }

  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && hasServerBinaries(dir)) return dir;
  }
  return null;
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface Runner {
  /** Runs a PostgreSQL binary as the right OS user and resolves with its output; rejects with that output on failure. */
  run(binary: string, args: string[], timeoutMs: number): Promise<string>;
  /** The same, synchronously and without throwing: for cleanup on process exit. */
  runSync(binary: string, args: string[]): void;
}

function createRunner(binDir: string, cwd: string): Runner {
  const asRoot = process.getuid?.() === 0;
  const command = (binary: string, args: string[]): [string, string[]] =>
    asRoot
      ? ['runuser', ['-u', 'postgres', '--', path.join(binDir, binary), ...args]]
      : [path.join(binDir, binary), args];
  // Keep the caller's locale out of the cluster; C.UTF-8 exists on every Debian system.
  const env = { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' };

  return {
    run(binary, args, timeoutMs) {
      const [cmd, argv] = command(binary, args);
      return new Promise((resolve, reject) => {
        const child = spawn(cmd, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        child.on('error', (err) => {
          clearTimeout(timer);
          reject(new TestPostgresError(`could not run ${cmd}: ${err.message}`));
        });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          if (code === 0) resolve(output);
          else {
            const how = signal ? `was killed by ${signal} (timeout ${timeoutMs} ms?)` : `exited with code ${code}`;
            reject(new TestPostgresError(`${binary} ${how}:\n${output.trim()}`));
          }
        });
      });
    },
    runSync(binary, args) {
      const [cmd, argv] = command(binary, args);
      spawnSync(cmd, argv, { cwd, env, stdio: 'ignore', timeout: 15_000 });
    },
  };
}

function ensurePostgresUserForRoot(): void {
  if (process.getuid?.() !== 0) return;
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
  } catch {
    throw new TestPostgresError(
      'PostgreSQL refuses to run as root and this machine has no `postgres` OS user to run it as. ' +
        `Install Debian's server package, which creates that user: apt-get install -y ${POSTGRES_APT_PACKAGES.join(' ')}`,
    );
  }
  try {
    execFileSync('runuser', ['--help'], { stdio: 'ignore' });
  } catch {
    throw new TestPostgresError(
      '`runuser` (util-linux) is needed to run PostgreSQL as the `postgres` user; install util-linux',
    );
  }
}

/**
 * Starts a fresh PostgreSQL cluster on a free loopback port and resolves once it accepts connections. Prints one line
 * per step (binaries found, initdb, start, ready) so a slow or failing start is easy to diagnose, and stops the server
 * if this process exits without calling `stop()`.
 *
 * @throws TestPostgresError when the binaries are missing (the message names the apt package) or a step fails (the
 * message carries that step's output and the server log).
 */
export async function startTestPostgres(options: StartTestPostgresOptions = {}): Promise<TestPostgres> {
  const log = options.log ?? ((line: string) => process.stderr.write(`[test-postgres] ${line}\n`));
  const startTimeoutSeconds = options.startTimeoutSeconds ?? 60;
  const started = Date.now();

  const binDir = findPostgresBinaries();
  if (binDir === null) {
    throw new TestPostgresError(
      'PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found in $POSTGRES_BIN_DIR, ' +
        '/usr/lib/postgresql/<version>/bin or PATH. Install them with: ' +
        `apt-get update && apt-get install -y ${POSTGRES_APT_PACKAGES.join(' ')}`,
    );
  }
  ensurePostgresUserForRoot();
  log(`using PostgreSQL binaries in ${binDir}`);

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-pg-'));
  const dataDir = path.join(root, 'data');
  const logFile = path.join(root, 'postgres.log');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    fs.chownSync(root, uid, gid);
  }
  const runner = createRunner(binDir, root);
  const removeRoot = () => fs.rmSync(root, { recursive: true, force: true });

  try {
    log(`initdb into ${dataDir}`);
    await runner.run(
      'initdb',
      ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync'],
      120_000,
    );
  } catch (err) {
    removeRoot();
    throw new TestPostgresError(`initdb failed: ${(err as Error).message}`);
  }

  const serverSettings = [
    '-c listen_addresses=127.0.0.1',
    `-k ${root}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');

  let port = 0;
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3 && port === 0; attempt++) {
    const candidate = await freeLoopbackPort();
    log(`starting postgres on 127.0.0.1:${candidate} (log: ${logFile})`);
    try {
      await runner.run(
        'pg_ctl',
        [
          '-D',
          dataDir,
          '-l',
          logFile,
          '-w',
          '-t',
          String(startTimeoutSeconds),
          '-o',
          `${serverSettings} -p ${candidate}`,
          'start',
        ],
        (startTimeoutSeconds + 10) * 1000,
      );
      port = candidate;
    } catch (err) {
      lastError = err;
      // Another process may have taken the port between our probe and the server's bind; try another one.
      runner.runSync('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    }
  }
  if (port === 0) {
    const serverLog = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').trim() : '(no server log)';
    removeRoot();
    throw new TestPostgresError(
      `PostgreSQL did not start: ${(lastError as Error).message}\n--- server log ---\n${serverLog}`,
    );
  }

  let stopped = false;
  const stopOnExit = () => {
    if (!stopped) runner.runSync('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    removeRoot();
  };
  process.once('exit', stopOnExit);

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  log(`ready at ${url} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  return {
    url,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', stopOnExit);
      try {
        await runner.run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop'], 40_000);
        log(`stopped the server on port ${port}`);
      } catch (err) {
        log(`fast stop failed, stopping immediately: ${(err as Error).message}`);
        runner.runSync('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        removeRoot();
      }
    },
  };
}

async function main(): Promise<void> {
  const pg = await startTestPostgres();
  process.stdout.write(`${pg.url}\n`);
  const keepAlive = setInterval(() => undefined, 60_000); // nothing else keeps this process (and so the server) up
  const shutdown = () => {
    clearInterval(keepAlive);
    pg.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
