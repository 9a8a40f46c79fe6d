/**
 * `npm run bench:emulator`: create-message throughput and callback dispatch rate of the Bandwidth emulator, side by
 * side in the same run with Stoplight Prism's mock server (`prism mock`) of the same OpenAPI spec, which is what
 * Bandwidth's own SDK CI mocks the API with. Both run as child processes on loopback and get the same load: N
 * create-message requests with Basic auth from C concurrent keep-alive connections, three alternating rounds each after a
 * warm-up (the best round counts). Figures and ratios are merged into bench/results.json under `emulator` (another
 * key when the settings differ from the defaults: bench/lib.ts).
 *
 * Callback dispatch: the emulator sends three status callbacks per SMS (sending, sent, delivered; at time scale 1000
 * so simulated delays are negligible), each a durable SQLite-backed delivery with an attempt log. Prism fires the
 * spec's `statusCallback` once per request; the spec's callback URL key `{statusCallbackUrl}` is not a runtime
 * expression, so the bench gives Prism a copy of the spec whose only change is that key, replaced by
 * `{$request.body#/tag}`, and sends the receiver's URL as the tag. The rate is callbacks received per second, from
 * the first to the last callback of the round. The work differs (three callbacks per message against one), so the
 * ratio is given per callback and per message (callbacks per second divided by callbacks per message); the target,
 * ≥ 5× Prism, is judged per message.
 *
 *   BENCH_REQUESTS=4000 BENCH_CONCURRENCY=32 BENCH_ROUNDS=3 npm run bench:emulator
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { freePort } from '../toolchain/temporal';
import { median, ownCpuMs, processCpuMs, readSettings, round1, writeResults } from './lib';

const ROOT = path.resolve(__dirname, '..');
const SHARED_SPEC = path.resolve(ROOT, '../shared/reference/bandwidth-openapi-node-sdk-v8.1.4.yml');
const SPEC = fs.existsSync(SHARED_SPEC) ? SHARED_SPEC : path.join(ROOT, 'node_modules/bandwidth-sdk/bandwidth.yml');
const DEFAULTS = { requests: 4000, concurrency: 32, rounds: 3 };
const settings = readSettings(DEFAULTS, {
  requests: 'BENCH_REQUESTS',
  concurrency: 'BENCH_CONCURRENCY',
  rounds: 'BENCH_ROUNDS',
});
const REQUESTS = settings.requests;
const CONCURRENCY = settings.concurrency;
const ROUNDS = settings.rounds;
/** Status callbacks per SMS: the emulator sends sending, sent and delivered; Prism's spec callback fires once. */
const CALLBACKS_PER_MESSAGE = { emulator: 3, prism: 1 } as const;
const ACCOUNT = '9900000';
const AUTH = `Basic ${Buffer.from('bench-user:bench-password').toString('base64')}`;

interface Round {
  createPerSecond: number;
  callbacksPerSecond: number;
  callbacks: number;
  errors: number;
  /** CPU the server process (the emulator or Prism) spent per message, from the round's first request to its last callback. */
  serverCpuMsPerMessage: number;
  /** CPU this process (load generator and callback receiver) spent per message over the same span. */
  benchCpuMsPerMessage: number;
}

/**
 * The callback receiver runs on its own thread, so that counting callbacks does not slow the load generator. It
 * answers 200 at once and reports, per path, how many events arrived and when the first and last did.
 */
const RECEIVER_SOURCE = `
const http = require('node:http');
const { parentPort } = require('node:worker_threads');
const counts = {};
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let events = 1;
    const raw = Buffer.concat(chunks);
    if (raw[0] === 0x5b) {
      try { events = JSON.parse(raw.toString()).length; } catch { events = 1; }
    }
    const key = (req.url || '/').split('?')[0];
    const now = performance.timeOrigin + performance.now();
    const c = counts[key] || (counts[key] = { n: 0, first: now, last: now });
    c.n += events;
    c.last = now;
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
setInterval(() => parentPort.postMessage({ counts }), 50);
parentPort.on('message', (m) => { if (m === 'stop') { server.closeAllConnections(); server.close(); process.exit(0); } });
`;

async function startReceiver() {
  const counts = new Map<string, { n: number; first: number; last: number }>();
  const worker = new Worker(RECEIVER_SOURCE, { eval: true });
  const port = await new Promise<number>((resolve) => {
    worker.on(
      'message',
      (m: { port?: number; counts?: Record<string, { n: number; first: number; last: number }> }) => {
        if (m.port !== undefined) resolve(m.port);
        if (m.counts) for (const [k, v] of Object.entries(m.counts)) counts.set(k, v);
      },
    );
  });
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    stop: () => worker.postMessage('stop'),
  };
}

async function waitForHttp(url: string, child: ChildProcess, name: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`${name} did not start within ${timeoutMs / 1000}s`);
}

/** Sends `count` create-message requests over `concurrency` keep-alive connections; returns requests per second. */
async function load(
  baseUrl: string,
  count: number,
  concurrency: number,
  tag: string,
): Promise<{ perSecond: number; errors: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(`${baseUrl}/users/${ACCOUNT}/messages`);
  let next = 0;
  let errors = 0;
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const body = JSON.stringify({
        applicationId: '93de2206-9669-4e07-948d-329f4b722ee2',
        to: [`+1919556${String(1000 + (i % 8000)).padStart(4, '0')}`], // not +1AAA555CCCC: magic numbers fail
        from: '+19195550100',
        text: `Benchmark message ${i}`,
        tag,
      });
      const req = http.request(
        target,
        {
          method: 'POST',
          agent,
          headers: {
            Authorization: AUTH,
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
          },
        },
        (res) => {
          if (res.statusCode !== 202) errors += 1;
          res.resume();
          res.on('end', () => resolve());
        },
      );
      req.on('error', () => {
        errors += 1;
        resolve();
      });
      req.end(body);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await one(next++);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { perSecond: count / seconds, errors };
}

async function waitForCallbacks(
  counts: Map<string, { n: number; first: number; last: number }>,
  key: string,
  expected: number,
  timeoutMs = 120_000,
): Promise<{ n: number; perSecond: number }> {
  const deadline = Date.now() + timeoutMs;
  let lastN = -1;
  let stableSince = Date.now();
  for (;;) {
    const c = counts.get(key);
    const n = c?.n ?? 0;
    if (n >= expected || Date.now() > deadline || (n === lastN && Date.now() - stableSince > 10_000)) {
      const seconds = c ? Math.max(0.001, (c.last - c.first) / 1000) : 1;
      return { n, perSecond: c ? n / seconds : 0 };
    }
    if (n !== lastN) {
      lastN = n;
      stableSince = Date.now();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-emulator-'));
  const receiver = await startReceiver();
  const children: ChildProcess[] = [];
  try {
    // The emulator, as `npm run emulator` runs it (durable SQLite state), with a rate limit that does not throttle.
    const emulatorPort = await freePort();
    const configFile = path.join(tmp, 'emulator.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        accounts: [
          {
            id: ACCOUNT,
            apiUsers: [{ username: 'bench-user', password: 'bench-password' }],
            limits: { messagesPerSecond: 1_000_000 },
          },
        ],
      }),
    );
    const nodeArgs = (process.env.BENCH_EMULATOR_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const emulator = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(ROOT, 'bin/emulator.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        EMULATOR_PORT: String(emulatorPort),
        EMULATOR_TIME_SCALE: '1000',
        EMULATOR_CONFIG: configFile,
        EMULATOR_CALLBACK_URL: `${receiver.url}/emulator`,
        THREADLINE_DATA_DIR: tmp,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(emulator);
    const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;

    // Prism, mocking the same spec (callback URL key made a runtime expression so that it can call back).
    const prismPort = await freePort();
    const prismSpec = path.join(tmp, 'bandwidth-prism.yml');
    fs.writeFileSync(
      prismSpec,
      fs.readFileSync(SPEC, 'utf8').replaceAll("'{statusCallbackUrl}':", "'{$request.body#/tag}':"),
    );
    const prism = spawn(
      path.join(ROOT, 'node_modules/.bin/prism'),
      ['mock', '-h', '127.0.0.1', '-p', String(prismPort), '--errors', 'false', prismSpec],
      {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'ignore'],
      },
    );
    children.push(prism);
    const prismUrl = `http://127.0.0.1:${prismPort}`;

    console.log(`Starting the emulator and Prism (${path.basename(SPEC)})...`);
    await waitForHttp(`${emulatorUrl}/emulator`, emulator, 'emulator');
    await waitForHttp(`${prismUrl}/users/${ACCOUNT}/media`, prism, 'prism');

    const rounds: { emulator: Round[]; prism: Round[] } = { emulator: [], prism: [] };
    const pids = { emulator: emulator.pid, prism: prism.pid };
    const run = async (name: 'emulator' | 'prism', url: string, round: number) => {
      const key = `/${name}-${round}`;
      const tag = name === 'prism' ? `${receiver.url}${key}` : key;
      const pointCallbacksAt = (callbackPath: string) =>
        fetch(`${url}/emulator/applications/93de2206-9669-4e07-948d-329f4b722ee2`, {
          method: 'PATCH',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            inboundCallbackUrl: `${receiver.url}${callbackPath}`,
            statusCallbackUrl: `${receiver.url}${callbackPath}`,
          }),
        });
      if (name === 'emulator') await pointCallbacksAt('/warmup');
      await load(url, 1000, CONCURRENCY, name === 'prism' ? `${receiver.url}/warmup` : '/warmup'); // warm-up
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (name === 'emulator') await pointCallbacksAt(key);
      const perCreate = CALLBACKS_PER_MESSAGE[name];
      const cpuBefore = { server: processCpuMs(pids[name]), bench: ownCpuMs() };
      const created = await load(url, REQUESTS, CONCURRENCY, tag);
      const cb = await waitForCallbacks(receiver.counts, key, REQUESTS * perCreate);
      if (cb.n < REQUESTS * perCreate) {
        // A rate over callbacks that never came would be no figure at all (a server that is not the one meant, or
        // one that stopped calling back): the run fails, and nothing is written.
        throw new Error(
          `${name} round ${round}: ${cb.n} of the ${REQUESTS * perCreate} callbacks expected arrived (${created.errors} ` +
            `create errors); no results written`,
        );
      }
      const r: Round = {
        createPerSecond: created.perSecond,
        callbacksPerSecond: cb.perSecond,
        callbacks: cb.n,
        errors: created.errors,
        serverCpuMsPerMessage: (processCpuMs(pids[name]) - cpuBefore.server) / REQUESTS,
        benchCpuMsPerMessage: (ownCpuMs() - cpuBefore.bench) / REQUESTS,
      };
      rounds[name].push(r);
      console.log(
        `  ${name.padEnd(8)} round ${round}: ${r.createPerSecond.toFixed(0)} creates/s, ${r.callbacksPerSecond.toFixed(0)} callbacks/s ` +
          `(${r.callbacks} callbacks, ${r.errors} errors); CPU per message ${r.serverCpuMsPerMessage.toFixed(3)} ms ` +
          `in ${name}, ${r.benchCpuMsPerMessage.toFixed(3)} ms in the load generator and receiver`,
      );
      // Let the emulator drain its callbacks before the next round.
      await new Promise((resolve) => setTimeout(resolve, 500));
    };
    for (let round = 1; round <= ROUNDS; round++) {
      await run('emulator', emulatorUrl, round);
      await run('prism', prismUrl, round);
    }

    const best = (rs: Round[], k: keyof Round) => Math.max(...rs.map((r) => r[k]));
    const figures = {
      createMessagePerSecond: {
        emulator: best(rounds.emulator, 'createPerSecond'),
        prism: best(rounds.prism, 'createPerSecond'),
      },
      callbacksPerSecond: {
        emulator: best(rounds.emulator, 'callbacksPerSecond'),
        prism: best(rounds.prism, 'callbacksPerSecond'),
      },
    };
    const round3 = (n: number) => Math.round(n * 1000) / 1000;
    const perRound = (r: Round) => ({
      creates: round1(r.createPerSecond),
      callbacks: round1(r.callbacksPerSecond),
      serverCpuMsPerMessage: round3(r.serverCpuMsPerMessage),
      benchCpuMsPerMessage: round3(r.benchCpuMsPerMessage),
    });
    // CPU per message: the median round of each (not the best: a figure of cost, not of what the machine allowed once).
    const cpu = {
      emulator: median(rounds.emulator.map((r) => r.serverCpuMsPerMessage)),
      prism: median(rounds.prism.map((r) => r.serverCpuMsPerMessage)),
    };
    const callbackMessages = {
      emulator: figures.callbacksPerSecond.emulator / CALLBACKS_PER_MESSAGE.emulator,
      prism: figures.callbacksPerSecond.prism / CALLBACKS_PER_MESSAGE.prism,
    };
    const result = {
      spec: path.basename(SPEC),
      createMessage: {
        emulatorPerSecond: round1(figures.createMessagePerSecond.emulator),
        prismPerSecond: round1(figures.createMessagePerSecond.prism),
        ratio: round1(figures.createMessagePerSecond.emulator / figures.createMessagePerSecond.prism),
      },
      callbackDispatch: {
        callbacksPerMessage: CALLBACKS_PER_MESSAGE,
        emulatorCallbacksPerSecond: round1(figures.callbacksPerSecond.emulator),
        prismCallbacksPerSecond: round1(figures.callbacksPerSecond.prism),
        ratioPerCallback: round1(
          figures.callbacksPerSecond.emulator / Math.max(figures.callbacksPerSecond.prism, 0.001),
        ),
        emulatorMessagesPerSecond: round1(callbackMessages.emulator),
        prismMessagesPerSecond: round1(callbackMessages.prism),
        ratioPerMessage: round1(callbackMessages.emulator / Math.max(callbackMessages.prism, 0.001)),
      },
      cpuPerMessage: {
        emulatorMs: round3(cpu.emulator),
        prismMs: round3(cpu.prism),
        ratio: round1(cpu.prism / cpu.emulator),
        loadGeneratorAndReceiverMs: {
          emulatorRounds: round3(median(rounds.emulator.map((r) => r.benchCpuMsPerMessage))),
          prismRounds: round3(median(rounds.prism.map((r) => r.benchCpuMsPerMessage))),
        },
      },
      perRound: {
        emulator: rounds.emulator.map(perRound),
        prism: rounds.prism.map(perRound),
      },
      errors: {
        emulator: rounds.emulator.reduce((n, r) => n + r.errors, 0),
        prism: rounds.prism.reduce((n, r) => n + r.errors, 0),
      },
      target: 'emulator ≥ 5 × Prism per message, for create-message and for callback dispatch',
      notes:
        'Best of alternating rounds. Emulator: bin/emulator.ts with SQLite in a temp data dir, time scale 1000, ' +
        '3 status callbacks per SMS. Prism: prism mock of the same spec, statusCallback URL key replaced by a runtime ' +
        'expression, 1 callback per request. Per message: callbacks per second divided by the callbacks each sends ' +
        'for one SMS, the messages whose status callbacks each delivers per second. CPU per message: user + system ' +
        'time of the server process (from /proc) and of this process, from the first request of a round to its last ' +
        'callback, divided by the requests; the median round. The ratio is Prism’s CPU per message over the emulator’s.',
    };
    const key = writeResults({
      base: 'emulator',
      script: 'bench/emulator.ts',
      settings,
      defaults: DEFAULTS,
      figures: result,
    });
    console.log(
      `\ncreate message:    emulator ${result.createMessage.emulatorPerSecond}/s, prism ${result.createMessage.prismPerSecond}/s, ratio ${result.createMessage.ratio}x`,
    );
    console.log(
      `callback dispatch: emulator ${result.callbackDispatch.emulatorCallbacksPerSecond} callbacks/s, prism ` +
        `${result.callbackDispatch.prismCallbacksPerSecond}/s: ${result.callbackDispatch.ratioPerCallback}x per callback, ` +
        `${result.callbackDispatch.ratioPerMessage}x per message (${CALLBACKS_PER_MESSAGE.emulator} vs ` +
        `${CALLBACKS_PER_MESSAGE.prism} callbacks per SMS)`,
    );
    console.log(
      `CPU per message:   emulator ${result.cpuPerMessage.emulatorMs} ms (${CALLBACKS_PER_MESSAGE.emulator} callbacks), ` +
        `prism ${result.cpuPerMessage.prismMs} ms (${CALLBACKS_PER_MESSAGE.prism}): ${result.cpuPerMessage.ratio}x; ` +
        `load generator and receiver ` +
        `${result.cpuPerMessage.loadGeneratorAndReceiverMs.emulatorRounds} ms in the emulator's rounds, ` +
        `${result.cpuPerMessage.loadGeneratorAndReceiverMs.prismRounds} ms in Prism's`,
    );
    console.log(`written to bench/results.json (${key})`);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    receiver.stop();
    await new Promise((r) => setTimeout(r, 300));
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
