/**
 * `npm run bench:burst`: a thousand new conversations at once. Threadline with `npm start` defaults (bench/burst-stack.ts:
 * greeter bot, worker cache `WORKER_MAX_CACHED_WORKFLOWS` default, records and emulator state in SQLite, the
 * emulator's rate limit lifted through its admin API) takes N `message-received` callbacks from new participants with
 * C in flight, and the clock stops when every conversation's first reply was accepted by the emulator (its handset
 * inbox row, written as the emulator takes the message, before its 202; `threadline_sends_total` is checked to have
 * risen by N): turns per second.
 *
 * The Threadline side is a run of the load-test tool (load/runner.ts, `threadline load`) with load/scripts/burst.json
 * (one text, then any reply): N handsets, all conversations at once, C texts in flight; it learns each first reply
 * from the emulator's inbox feed. The callbacks are posted to the webhook server as Bandwidth posts them (keep-alive
 * connections, one per callback in flight), not texted through the emulator's handset API: that way exactly C callbacks are in flight, as in the bare
 * baseline's C calls in flight, instead of however many the emulator's callback dispatcher sends at once; the
 * emulator still does Bandwidth's side of every reply (the API call, its queue, three status callbacks per SMS).
 * `BENCH_BURST_VIA=handset` texts through the handset API instead.
 *
 * Beside it, on the same dev server and in the same process: bare Temporal, N `signalWithStart` calls of a new workflow
 * that runs one local activity per signal, C in flight, until every activity ran. Rounds alternate (bare first in odd
 * rounds, Threadline first in even ones) after a warm-up of each; between rounds the run waits for the previous
 * round's tail (status callbacks, evicted conversations replaying them) to finish. Reported: each round, and the
 * median round of each (the headline figures and ratio), plus CPU time per turn of this process, the dev server and,
 * in a last round with the emulator in its own process, of the emulator alone.
 *
 *   BENCH_BURST=1000 BENCH_BURST_CONCURRENCY=32 BENCH_BURST_ROUNDS=3 npm run bench:burst
 */
import fs from 'node:fs';
import path from 'node:path';
import { TEMPORAL_CLI_VERSION } from '../toolchain/temporal';
import { benchWorkflowBundle, startBareTemporal } from './bare';
import { burstConfig, startThreadline, type ThreadlineUnderTest } from './burst-stack';
import { runLoad } from '../load/runner';
import { loadScriptFile } from '../load/script';
import {
  ownCpuMs,
  pool,
  processCpuMs,
  readSettings,
  round1,
  round2,
  sleep,
  startBenchTemporal,
  summary,
  waitForQuiet,
  withTimeout,
  writeResults,
  runBench,
} from './lib';
import { pingSignal } from './workflows';

const DEFAULTS = {
  conversations: 1000,
  concurrency: 32,
  rounds: 3,
  warmup: 100,
  via: 'webhook',
  /** `WORKER_MAX_CACHED_WORKFLOWS` for Threadline and the bare worker; 0: the configuration's default. */
  workerMaxCachedWorkflows: 0,
  /** A last Threadline round with the emulator in its own process, to read its CPU time apart. */
  emulatorProcessRound: true,
};
const settings = readSettings(DEFAULTS, {
  conversations: 'BENCH_BURST',
  concurrency: 'BENCH_BURST_CONCURRENCY',
  rounds: 'BENCH_BURST_ROUNDS',
  warmup: 'BENCH_BURST_WARMUP',
  via: 'BENCH_BURST_VIA',
  workerMaxCachedWorkflows: 'WORKER_MAX_CACHED_WORKFLOWS',
  emulatorProcessRound: 'BENCH_BURST_EMULATOR_PROCESS',
});
if (settings.via !== 'webhook' && settings.via !== 'handset') throw new Error('BENCH_BURST_VIA: webhook or handset');
/** One text from a new participant, and the bot's first reply (load/scripts/burst.json). */
const BURST_SCRIPT = loadScriptFile(path.join(__dirname, '../load/scripts/burst.json'));
/** Status callbacks the emulator sends per SMS with its default features: sending, sent, delivered. */
const STATUS_CALLBACKS_PER_SMS = 3;
const log = (line: string) => process.stdout.write(`${line}\n`);

interface Round {
  turnsPerSecond: number;
  /** Callbacks answered (Threadline) or `signalWithStart` calls returned (bare) per second, during the same burst. */
  acknowledgedPerSecond: number;
  /** Per conversation: from its callback (or call) leaving the load generator to its first reply accepted. */
  firstReplyMs: ReturnType<typeof summary>;
  /** CPU time per turn, from the burst's start until its tail went quiet. */
  cpuMsPerTurn: { thisProcess: number; temporal: number; emulator?: number };
  /** How long the round's tail (status callbacks, replays) ran after the last first reply. */
  tailMs: number;
  errors: number;
}

const cpuPerTurn = (before: number[], after: number[], n: number) =>
  after.map((ms, i) => round2((ms - before[i]!) / n));

async function main(): Promise<void> {
  const temporal = await startBenchTemporal();
  const temporalPid = temporal.process.pid;
  const cache = burstConfig({}, settings.workerMaxCachedWorkflows || undefined).maxCachedWorkflows;
  let sequence = 0;
  try {
    const bundle = await benchWorkflowBundle();

    // --- bare Temporal: signalWithStart → a new workflow → one local activity -------------------------------------
    const bareDone = new Map<string, () => void>();
    const bare = await startBareTemporal(temporal.address, bundle, {
      taskQueue: 'bare-burst',
      maxCachedWorkflows: cache,
      reply(id) {
        bareDone.get(id)?.();
        bareDone.delete(id);
      },
    });
    const client = bare.client;

    async function bareRound(n: number): Promise<Round> {
      const ids = Array.from({ length: n }, () => `bare-burst-${++sequence}`);
      const sentAt = new Map<string, number>();
      const firstReplyMs: number[] = [];
      const done = Promise.all(
        ids.map((id) => new Promise<void>((resolve) => bareDone.set(id, resolve)).then(() => performance.now())),
      );
      let errors = 0;
      const cpuBefore = [ownCpuMs(), processCpuMs(temporalPid)];
      const started = performance.now();
      const ackMs = await pool(n, settings.concurrency, async (i) => {
        const id = ids[i]!;
        sentAt.set(id, performance.now());
        try {
          await client.workflow.signalWithStart('bareRoundTrip', {
            workflowId: id,
            taskQueue: 'bare-burst',
            args: ['local'],
            signal: pingSignal,
            signalArgs: [0],
          });
        } catch {
          errors += 1;
        }
      });
      const finished = await withTimeout(
        done,
        300_000,
        () => `bare: ${bareDone.size} of ${n} workflows had not run their activity 5 minutes after the burst`,
      );
      finished.forEach((at, i) => firstReplyMs.push(at - sentAt.get(ids[i]!)!));
      const wallMs = Math.max(...finished) - started;
      const tailMs = await waitForQuiet([temporalPid]);
      const [thisProcess, temporalMs] = cpuPerTurn(cpuBefore, [ownCpuMs(), processCpuMs(temporalPid)], n);
      return {
        turnsPerSecond: round1((n / wallMs) * 1000),
        acknowledgedPerSecond: round1((n / ackMs) * 1000),
        firstReplyMs: summary(firstReplyMs),
        cpuMsPerTurn: { thisProcess: thisProcess!, temporal: temporalMs! },
        tailMs,
        errors,
      };
    }

    // --- Threadline: the load tool's runner (load/runner.ts), one text and the first reply per conversation -------
    async function threadlineRound(t: ThreadlineUnderTest, n: number): Promise<Round> {
      const { bandwidth } = t.config;
      const firstHandset = sequence;
      sequence += n;
      const emulatorPid = t.emulatorProcess?.pid;
      const pids = [temporalPid, emulatorPid];
      const callbacksBefore = await t.callbacksDelivered();
      const sendsBefore = await t.sends();
      const cpuBefore = [ownCpuMs(), ...pids.map(processCpuMs)];
      // Every conversation at once (each waits for its reply for free), C texts in flight, as the bare side's C calls.
      const report = await runLoad({
        emulatorUrl: t.emulatorUrl,
        botNumber: bandwidth.number,
        script: BURST_SCRIPT,
        handsets: n,
        conversations: n,
        concurrency: n,
        inFlight: settings.concurrency,
        firstHandset,
        injection:
          settings.via === 'webhook'
            ? {
                via: 'webhook',
                url: `${t.stack.serverUrl}/callbacks/messaging`,
                applicationId: bandwidth.applicationId,
              }
            : { via: 'handset' },
        settleMs: 0,
      });
      const replied = report.conversations.completed;
      if (replied < n) {
        throw new Error(`${n - replied} of ${n} conversations had no reply: ${JSON.stringify(report.failures)}`);
      }
      const errors = report.failures.reduce((sum, f) => sum + f.count, 0);
      // The tail: every reply's status callbacks delivered (and the inbound ones via the handset API), then quiet.
      const expected = callbacksBefore + n * STATUS_CALLBACKS_PER_SMS + (settings.via === 'handset' ? n : 0) - errors;
      const tailStarted = performance.now();
      while ((await t.callbacksDelivered()) < expected && performance.now() - tailStarted < 120_000) await sleep(250);
      await waitForQuiet(pids);
      const tailMs = Math.round(performance.now() - tailStarted);
      const [thisProcess, temporalMs, emulatorMs] = cpuPerTurn(cpuBefore, [ownCpuMs(), ...pids.map(processCpuMs)], n);
      const sends = (await t.sends()) - sendsBefore;
      if (sends < n) log(`  warning: threadline_sends_total rose by ${sends}, not ${n}`);
      return {
        turnsPerSecond: round1((n / report.durationMs) * 1000),
        acknowledgedPerSecond: report.sends.acknowledgedPerSecond,
        firstReplyMs: report.firstReplyMs,
        cpuMsPerTurn: {
          thisProcess: thisProcess!,
          temporal: temporalMs!,
          ...(emulatorPid !== undefined ? { emulator: emulatorMs! } : {}),
        },
        tailMs,
        errors,
      };
    }

    const describe = (name: string, r: Round) =>
      `  ${name.padEnd(10)} ${String(r.turnsPerSecond).padStart(6)} turns/s, ${r.acknowledgedPerSecond} acknowledged/s, ` +
      `first reply p50 ${r.firstReplyMs.p50} ms, CPU/turn ${JSON.stringify(r.cpuMsPerTurn)} ms, tail ${r.tailMs} ms` +
      (r.errors ? `, ${r.errors} errors` : '');

    const threadline = await startThreadline({
      temporalAddress: temporal.address,
      dataDir: path.join(temporal.dir, 'threadline'),
      workflowBundle: bundle,
      emulator: 'embedded',
      ...(settings.workerMaxCachedWorkflows ? { maxCachedWorkflows: settings.workerMaxCachedWorkflows } : {}),
    });
    log(
      `burst: ${settings.conversations} new conversations, ${settings.concurrency} in flight, ${settings.rounds} ` +
        `alternating rounds (worker cache ${threadline.config.maxCachedWorkflows}, callbacks via ${settings.via})`,
    );
    log(`warm-up: ${settings.warmup} of each`);
    await bareRound(settings.warmup);
    await threadlineRound(threadline, settings.warmup);

    const rounds: { bare: Round[]; threadline: Round[] } = { bare: [], threadline: [] };
    for (let r = 1; r <= settings.rounds; r++) {
      const order = r % 2 === 1 ? (['bare', 'threadline'] as const) : (['threadline', 'bare'] as const);
      for (const side of order) {
        const result =
          side === 'bare'
            ? await bareRound(settings.conversations)
            : await threadlineRound(threadline, settings.conversations);
        rounds[side].push(result);
        log(describe(`${side} ${r}`, result));
      }
    }
    await threadline.stop();

    let emulatorProcess: Round | null = null;
    if (settings.emulatorProcessRound) {
      const apart = await startThreadline({
        temporalAddress: temporal.address,
        dataDir: path.join(temporal.dir, 'threadline-apart'),
        workflowBundle: bundle,
        emulator: 'process',
        ...(settings.workerMaxCachedWorkflows ? { maxCachedWorkflows: settings.workerMaxCachedWorkflows } : {}),
      });
      await threadlineRound(apart, settings.warmup);
      emulatorProcess = await threadlineRound(apart, settings.conversations);
      log(describe('emulator in its own process', emulatorProcess));
      await apart.stop();
    }

    const median = (rs: Round[]) => [...rs].sort((a, b) => a.turnsPerSecond - b.turnsPerSecond)[(rs.length - 1) >> 1]!;
    const best = (rs: Round[]) => Math.max(...rs.map((r) => r.turnsPerSecond));
    const medianThreadline = median(rounds.threadline);
    const medianBare = median(rounds.bare);
    const callbacksPerTurn = STATUS_CALLBACKS_PER_SMS + (settings.via === 'handset' ? 1 : 0);
    const figures = {
      method:
        `Threadline (npm start defaults: greeterBot, records and emulator state in SQLite files, emulator time scale 1, ` +
        `LOG_LEVEL=info to /dev/null; emulator account rate limit lifted to 1,000,000/s with PATCH /emulator/accounts): ` +
        `${settings.via === 'webhook' ? 'message-received callbacks posted to the webhook server' : 'texts through the emulator handset API'}, ` +
        `each from a new participant, until every conversation's first reply was accepted by the emulator (its ` +
        `inbox feed, read by the load tool's runner, load/runner.ts). Bare: client.workflow.signalWithStart of a new workflow (bench/workflows bareRoundTrip) ` +
        `whose signal runs one local activity, until every activity ran. Same dev server (Temporal CLI ${TEMPORAL_CLI_VERSION}, ` +
        `SQLite file, WAL, synchronous=NORMAL), same process (the load generator included); headline figures are the ` +
        `median round of each.`,
      workerMaxCachedWorkflows: threadline.config.maxCachedWorkflows,
      bareWorkerMaxCachedWorkflows: cache,
      turnsPerSecond: { threadline: medianThreadline.turnsPerSecond, bare: medianBare.turnsPerSecond },
      bestTurnsPerSecond: { threadline: best(rounds.threadline), bare: best(rounds.bare) },
      ratio: round2(medianThreadline.turnsPerSecond / medianBare.turnsPerSecond),
      target: 0.5,
      acknowledgedPerSecond: {
        threadline: medianThreadline.acknowledgedPerSecond,
        bareSignalWithStart: medianBare.acknowledgedPerSecond,
      },
      firstReplyMs: { threadline: medianThreadline.firstReplyMs, bare: medianBare.firstReplyMs },
      cpuMsPerTurn: { threadline: medianThreadline.cpuMsPerTurn, bare: medianBare.cpuMsPerTurn },
      rounds,
      emulatorInItsOwnProcess: emulatorProcess && {
        note:
          'One more round with the emulator as a separate process (bin/emulator.ts, as npm run emulator runs it), ' +
          'the rest unchanged, after a warm-up: its CPU time read from /proc/<pid>/stat.',
        round: emulatorProcess,
        statusCallbacksPerTurn: callbacksPerTurn,
        emulatorCpuMsPerCallback: round2((emulatorProcess.cpuMsPerTurn.emulator ?? NaN) / callbacksPerTurn),
      },
    };
    const key = writeResults({ base: 'burst', script: 'bench/burst.ts', settings, defaults: DEFAULTS, figures });
    log(
      `\nburst (median of ${settings.rounds} rounds): Threadline ${figures.turnsPerSecond.threadline} turns/s, bare ` +
        `${figures.turnsPerSecond.bare} turns/s: ${Math.round(figures.ratio * 100)} % (target ≥ 50 %); ` +
        `written to bench/results.json (${key})`,
    );

    await bare.stop();
  } finally {
    await temporal.stop();
    fs.rmSync(temporal.dir, { recursive: true, force: true });
  }
}

runBench(main);
