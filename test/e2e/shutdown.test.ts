/**
 * `npm start` stopped in the middle of a backlog: hundreds of handsets have texted the echo bot, the emulator is
 * still delivering their texts one at a time and its queue holds the replies. SIGTERM stops the whole stack (its own
 * Temporal dev server included) within the shutdown deadline, which the program enforces itself: exit code 0 means
 * every part stopped in time. Every port is free right after, the emulator's pending work is in the data directory,
 * and the next start delivers all of it: every text gets its reply, none twice.
 *
 * This runs the real `npm start` (npm, then node) as an operator would, with its ports and data directory in a
 * temporary directory and a Temporal address nothing answers at, so it starts a dev server of its own.
 *
 * Then a process whose part cannot stop (test/fixtures/stuck-part-process.ts): it exits 1 at the deadline and names
 * the part; a second signal exits at once.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { REPEAT_WINDOW_MS } from '../../stack/process-shutdown';
import { eventually } from '../helpers/eventually';
import { handsetInbox, handsetText } from '../helpers/handsets';

const OUR = '+19195550100';
const HANDSETS = Array.from({ length: 300 }, (_, i) => `+1919556${String(i).padStart(4, '0')}`);
const root = path.resolve(__dirname, '../..');

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Runs `npm start` and resolves once it says it is running. */
async function npmStart(env: NodeJS.ProcessEnv): Promise<Running> {
  const child = spawn('npm', ['start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = eventually(() => assert.ok(stdout.includes('Press Ctrl-C to stop.'), 'not running yet'), {
    timeoutMs: 180_000,
    intervalMs: 200,
  });
  const early = exited.then((code) => {
    throw new Error(`npm start exited with ${code} before it was running:\n${stdout}\n${stderr}`);
  });
  await Promise.race([ready, early]);
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Sends SIGTERM and waits for the exit; prints how long the stop took. */
async function stop(running: Running, label: string): Promise<number | null> {
  const sent = Date.now();
  running.child.kill('SIGTERM');
  const code = await running.exited;
  const summary = /Stopped in .*/.exec(running.stdout())?.[0] ?? '(no summary)';
  process.stderr.write(`[shutdown] ${label}: exit ${code} ${Date.now() - sent} ms after SIGTERM; ${summary}\n`);
  return code;
}

/**
 * A free port below Linux's ephemeral range (32768 and up). The dev server picks its own HTTP API, metrics and
 * internal ports at random from that range, so a port chosen there could be taken by the time it binds it.
 */
async function portBelowEphemeralRange(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await isFree(port)) return port;
  }
}

/** True when nothing listens on `port` any more: it can be bound again at once. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function emulator(base: string, method: string, route: string, body: unknown): Promise<void> {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200, await response.text());
}

describe('npm start stopped with a backlog', () => {
  const running: Running[] = [];
  after(() => {
    for (const r of running) r.child.kill('SIGKILL');
  });

  it('stops within its deadline on SIGTERM, frees every port, keeps the backlog, and delivers it after the next start, each reply once', async () => {
    const dataDir = fs.mkdtempSync(path.join(process.env.THREADLINE_TEST_TMP ?? '/tmp', 'shutdown-'));
    const ports = {
      temporal: await portBelowEphemeralRange(),
      temporalUi: await portBelowEphemeralRange(),
      server: await portBelowEphemeralRange(),
      emulator: await portBelowEphemeralRange(),
    };
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
      TEMPORAL_UI_PORT: String(ports.temporalUi),
      PORT: String(ports.server),
      EMULATOR_PORT: String(ports.emulator),
      THREADLINE_DATA_DIR: dataDir,
      THREADLINE_DEFAULT_BOT: 'echoBot',
      DATABASE_URL: '',
      LOG_LEVEL: 'warn',
      npm_config_update_notifier: 'false',
    };
    const base = `http://127.0.0.1:${ports.emulator}`;

    const first = await npmStart(env);
    running.push(first);
    // The emulator delivers one callback at a time, and sends one message a second (the default account rate).
    await emulator(base, 'PATCH', '/emulator/settings', { callbacks: { concurrency: 1 } });
    for (let i = 0; i < HANDSETS.length; i += 50) {
      await Promise.all(HANDSETS.slice(i, i + 50).map((phone) => handsetText(base, phone, OUR, 'hi')));
    }
    await eventually(
      async () => {
        const queue = (await (await fetch(`${base}/emulator/queue`)).json()) as { queuedUnits: number }[];
        assert.ok(
          queue.some((q) => q.queuedUnits >= 10),
          'fewer than 10 replies queued yet',
        );
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );

    assert.equal(await stop(first, 'first start, 300 texts in flight'), 0, first.stderr());
    for (const [name, port] of Object.entries(ports)) assert.ok(await isFree(port), `the ${name} port is still bound`);

    const db = new Database(path.join(dataDir, 'emulator.sqlite'), { readonly: true });
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const pendingInbound = count(
      `SELECT COUNT(*) AS n FROM callbacks WHERE state = 'pending' AND types LIKE '%message-received%'`,
    );
    const queued = count('SELECT COUNT(*) AS n FROM queue');
    db.close();
    process.stderr.write(`[shutdown] left in the data directory: ${pendingInbound} texts, ${queued} queued replies\n`);
    assert.ok(pendingInbound > 0, 'no text was still waiting to be delivered');
    assert.ok(queued > 0, 'no reply was still queued');

    const second = await npmStart(env);
    running.push(second);
    await emulator(base, 'PATCH', '/emulator/settings', { callbacks: { concurrency: 64 } });
    await emulator(base, 'PATCH', '/emulator/accounts/9900000', { limits: { messagesPerSecond: 100 } });
    const inboxes = () =>
      Promise.all(HANDSETS.map(async (phone) => (await handsetInbox(base, phone)).map((m) => m.text)));
    await eventually(
      async () => {
        for (const [i, replies] of (await inboxes()).entries())
          assert.ok(replies.length > 0, `${HANDSETS[i]} no reply`);
      },
      { timeoutMs: 180_000, intervalMs: 1_000 },
    );
    // Settled: nothing left to deliver either way. Then each handset has exactly its one reply.
    await eventually(
      async () => {
        const pending = (await (await fetch(`${base}/emulator/callbacks?state=pending`)).json()) as unknown[];
        const queue = (await (await fetch(`${base}/emulator/queue`)).json()) as { queuedUnits: number }[];
        assert.equal(pending.length, 0, 'callbacks still pending');
        assert.ok(
          queue.every((q) => q.queuedUnits === 0),
          'messages still queued',
        );
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    for (const [i, replies] of (await inboxes()).entries()) {
      assert.deepEqual(replies, ['#1: hi'], `${HANDSETS[i]} got ${JSON.stringify(replies)}`);
    }

    assert.equal(await stop(second, 'second start, idle'), 0, second.stderr());
    for (const [name, port] of Object.entries(ports)) assert.ok(await isFree(port), `the ${name} port is still bound`);
  });
});

describe('a part that cannot stop', () => {
  /** Runs test/fixtures/stuck-part-process.ts and resolves with its port once it listens. */
  async function startStuck(timeoutMs: number) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/stuck-part-process.ts'], {
      cwd: root,
      env: { ...process.env, SHUTDOWN_TIMEOUT_MS: String(timeoutMs) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const port = await eventually(
      () => {
        const found = /listening on (\d+)/.exec(stdout);
        assert.ok(found, 'not listening yet');
        return Number(found[1]);
      },
      { timeoutMs: 60_000 },
    );
    return { child, port, exited, stdout: () => stdout, stderr: () => stderr };
  }

  it('makes the process exit 1 at the deadline, naming the part on stderr, and the parts that could stop are stopped', async () => {
    const stuck = await startStuck(1_000);
    stuck.child.kill('SIGTERM');
    assert.equal(await stuck.exited, 1);
    assert.match(stuck.stderr(), /Could not stop the stuck part: did not stop within the 1000 ms deadline/);
    assert.doesNotMatch(stuck.stderr(), /webhook server/);
    assert.ok(await isFree(stuck.port), 'the webhook server port is still bound');
  });

  it('takes a signal repeated at once (Ctrl-C forwarded by npm) as the same request', async () => {
    const stuck = await startStuck(1_000);
    stuck.child.kill('SIGINT');
    stuck.child.kill('SIGINT');
    assert.equal(await stuck.exited, 1, 'the deadline ended it, not the repeated signal');
    assert.doesNotMatch(stuck.stderr(), /again/);
  });

  it('exits at once on a second signal, naming what had not stopped', async () => {
    const stuck = await startStuck(600_000);
    stuck.child.kill('SIGINT');
    await eventually(() => assert.match(stuck.stdout(), /SIGINT: stopping/));
    // A second Ctrl-C is one a person presses: later than the repeat window.
    await new Promise((resolve) => setTimeout(resolve, REPEAT_WINDOW_MS + 200));
    stuck.child.kill('SIGINT');
    assert.equal(await stuck.exited, 130);
    assert.match(stuck.stderr(), /SIGINT again: exiting at once; not stopped: stuck part/);
  });
});
