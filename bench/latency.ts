/**
 * Reply latency: a handset texts the echo bot through the emulator, and we time until the bot's reply is accepted by
 * the emulator's Bandwidth API (and, for one conversation, until the handset's inbox shows it). Beside it, in the same
 * run and on the same dev server: a bare Temporal signal → workflow → local activity → back round trip, and the same
 * with a regular (eagerly executed) activity. Target: Threadline's p50 within 1.5× the bare local-activity p50.
 *
 *   npm run bench:latency      (also part of `npm run bench`)
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/env';
import { createRecordStore, type RecordStore } from '../records';
import { startStack } from '../stack';
import { freePort, stopProcess } from '../toolchain/temporal';
import { conversationId } from '../workflows/ids';
import { pingSignal } from './workflows';
import { benchWorkflowBundle, startBareTemporal } from './bare';
import {
  ownCpuMs,
  processCpuMs,
  ratioOfMediansInterval,
  readSettings,
  round1,
  round2,
  sleep,
  startBenchTemporal,
  startEmulatorProcess,
  summary,
  writeResults,
  runBench,
} from './lib';

const DEFAULTS = {
  /** Timed turns of the one conversation (after two warm-up turns). */
  turns: 60,
  concurrent: 20,
  /** Timed turns of each of the concurrent conversations. */
  turnsConcurrent: 10,
  /** Pause between a reply and the next text, for both Threadline and the bare baseline. */
  thinkMs: 100,
  /**
   * Rounds, each bare then Threadline for one conversation, then for the concurrent ones, so that the machine's drift
   * touches both alike; every round runs the turns above, and the figures pool the rounds' samples (at most 9).
   */
  rounds: 3,
};
const settings = readSettings(DEFAULTS, {
  turns: 'BENCH_TURNS',
  concurrent: 'BENCH_CONCURRENT',
  turnsConcurrent: 'BENCH_TURNS_CONCURRENT',
  thinkMs: 'BENCH_THINK_MS',
  rounds: 'BENCH_ROUNDS',
});
const TURNS_SINGLE = settings.turns;
const CONCURRENT = settings.concurrent;
const TURNS_CONCURRENT = settings.turnsConcurrent;
const THINK_MS = settings.thinkMs;
const ROUNDS = settings.rounds;
if (!Number.isInteger(ROUNDS) || ROUNDS < 1 || ROUNDS > 9) throw new Error('BENCH_ROUNDS must be 1 to 9');
const OUR = '+19195550100';

/** One timed turn, ms since the handset's request began. */
interface TurnHops {
  /** The emulator answered the handset's text (stored, its callback due). */
  handsetAnswered: number;
  /** The webhook server wrote the inbound record, just before its signal-with-start. */
  atServer: number;
  /** The send activity opened the reply's send intent: consent read, about to call Bandwidth (null: not seen). */
  sendBegan: number | null;
  /** The outbound record is written: Bandwidth's 202 in hand (the timed end). */
  accepted: number;
}

interface CpuTotals {
  turns: number;
  nodeProcessMs: number;
  devServerMs: number;
  /** The emulator's, when it runs in a process of its own. */
  emulatorMs?: number;
}

/** Resolves waiters keyed by `${conversation}|${n}`. */
class Waiters {
  private readonly waiting = new Map<string, () => void>();
  wait(key: string): Promise<void> {
    return new Promise((resolve) => this.waiting.set(key, resolve));
  }
  resolve(key: string): void {
    this.waiting.get(key)?.();
    this.waiting.delete(key);
  }
}

async function main(): Promise<void> {
  const temporal = await startBenchTemporal();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const bundle = await benchWorkflowBundle();

    // --- bare Temporal --------------------------------------------------------------------------------------------
    const bareWaiters = new Waiters();
    const bareTemporal = await startBareTemporal(temporal.address, bundle, {
      taskQueue: 'bare',
      reply: (workflowId, n) => bareWaiters.resolve(`${workflowId}|${n}`),
    });
    const client = bareTemporal.client;

    async function bare(mode: 'local' | 'remote', conversations: number, turns: number): Promise<number[]> {
      const samples: number[] = [];
      await Promise.all(
        Array.from({ length: conversations }, async (_, c) => {
          const workflowId = `bare-${mode}-${conversations}-${c}-${Date.now()}`;
          const handle = await client.workflow.start('bareRoundTrip', { workflowId, taskQueue: 'bare', args: [mode] });
          for (let n = 0; n < turns + 2; n++) {
            const started = performance.now();
            const done = bareWaiters.wait(`${workflowId}|${n}`);
            await handle.signal(pingSignal, n);
            await done;
            if (n >= 2) samples.push(performance.now() - started); // the first two turns warm the cache up
            await new Promise((r) => setTimeout(r, THINK_MS));
          }
          await handle.signal(pingSignal, -1);
        }),
      );
      return samples;
    }

    // --- Threadline ------------------------------------------------------------------------------------------------
    const replyWaiters = new Waiters();
    const inboundWaiters = new Waiters();
    const inner: RecordStore = await createRecordStore({ memory: true });
    /** When the send activity opened its send intent (it had decided to send), by recipient: the reply's way out. */
    const sendStarted = new Map<string, number>();
    const intents: RecordStore['sendIntents'] = new Proxy(inner.sendIntents, {
      get(target, property, receiver) {
        if (property !== 'openAttempting') return Reflect.get(target, property, receiver) as unknown;
        return (input: Parameters<RecordStore['sendIntents']['openAttempting']>[0]) => {
          if (input.to[0]) sendStarted.set(input.to[0], performance.now());
          return target.openAttempting(input);
        };
      },
    });
    // Watch what the stack records: the inbound text reaching the server, the send beginning, and the reply Bandwidth
    // accepted. The stack's own code is not touched: the bench only sees what it stores.
    const records: RecordStore = new Proxy(inner, {
      get(target, property, receiver) {
        if (property === 'sendIntents') return intents;
        if (property !== 'append') return Reflect.get(target, property, receiver) as unknown;
        return async (inputs: Parameters<RecordStore['append']>[0]) => {
          const result = await target.append(inputs);
          for (const r of inputs) {
            if (r.kind === 'outbound' && r.text && r.to[0]) replyWaiters.resolve(`${r.to[0]}|${r.text}`);
            if (r.kind === 'inbound' && r.text && r.from) inboundWaiters.resolve(`${r.from}|${r.text}`);
          }
          return result;
        };
      },
    });
    const dataDir = fs.mkdtempSync(path.join(temporal.dir, 'stack-'));
    const stackConfig = (ports: { PORT: string; EMULATOR_PORT: string }) =>
      loadConfig({
        TEMPORAL_ADDRESS: temporal.address,
        THREADLINE_DATA_DIR: dataDir,
        THREADLINE_DEFAULT_BOT: 'echoBot',
        ...ports,
        EMULATOR_TIME_SCALE: '1000',
        LOG_LEVEL: 'error',
      });
    let stack = await startStack({
      config: stackConfig({ PORT: '0', EMULATOR_PORT: '0' }),
      persistEmulator: false,
      workflowBundle: bundle,
      records,
    });
    let emulatorUrl = stack.emulatorUrl ?? '';

    async function handsetText(phone: string, text: string): Promise<void> {
      const response = await fetch(`${emulatorUrl}/emulator/handsets/${encodeURIComponent(phone)}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to: OUR, text }),
      });
      if (response.status !== 202) throw new Error(`handset text refused: ${response.status} ${await response.text()}`);
    }

    async function handsetHas(phone: string, text: string): Promise<void> {
      for (;;) {
        const response = await fetch(`${emulatorUrl}/emulator/handsets/${encodeURIComponent(phone)}/messages`);
        const body = (await response.json()) as { messages: { text: string; fromHandset: boolean }[] };
        if (body.messages.some((m) => !m.fromHandset && m.text === text)) return;
        await new Promise((r) => setTimeout(r, 2));
      }
    }

    /** A handset per round, conversation and phase (one conversation or several), so no two phases share one. */
    function phoneOf(c: number, conversations: number, round: number): string {
      return `+191966${round}${String(1000 + c + conversations * 10).slice(-4)}`;
    }

    /**
     * History events per turn of a conversation whose first two turns were warm-up: the events from its third text's
     * signal to the end of its history, once that stopped growing (the last reply's status callbacks handled),
     * divided by the timed turns. A turn is a text in, the reply out and its status callbacks.
     */
    async function historyPerTurn(phone: string, turns: number) {
      const handle = stack.client.workflow.getHandle(conversationId({ ourNumber: OUR, participants: [phone] }));
      let events = (await handle.fetchHistory()).events ?? [];
      for (let stable = 0, waited = 0; stable < 4 && waited < 120; waited++) {
        await sleep(250);
        const now = (await handle.fetchHistory()).events ?? [];
        stable = now.length === events.length ? stable + 1 : 0;
        events = now;
      }
      const inbound = events.flatMap((e, i) =>
        e.workflowExecutionSignaledEventAttributes?.signalName === 'inboundMessage' ? [i] : [],
      );
      const from = inbound[2];
      if (from === undefined || inbound.length !== turns + 2) {
        return {
          eventsPerTurn: null,
          note: `the run holds ${inbound.length} texts, not ${turns + 2} (continued as new?)`,
        };
      }
      return {
        eventsPerTurn: round2((events.length - from) / turns),
        turns,
        events: events.length - from,
        method:
          'The one-conversation run: events from the 3rd text signal to the end of the history once it stopped ' +
          'growing, over the timed turns. A turn: a text in, the echo bot reply out, the emulator status callbacks.',
      };
    }

    async function threadline(conversations: number, turns: number, atHandset: boolean, round: number) {
      /** Each timed turn's hops, and when the handset showed the reply (`atHandset`), ms since its request began. */
      const timed: TurnHops[] = [];
      const handset: number[] = [];
      await Promise.all(
        Array.from({ length: conversations }, async (_, c) => {
          const phone = phoneOf(c, conversations, round);
          for (let n = 1; n <= turns + 2; n++) {
            const text = `ping ${n} ${Date.now()}`;
            const expected = `#${n}: ${text}`;
            const started = performance.now();
            const replied = replyWaiters.wait(`${phone}|${expected}`);
            const received = inboundWaiters.wait(`${phone}|${text}`).then(() => performance.now() - started);
            sendStarted.delete(phone);
            await handsetText(phone, text);
            const handsetAnswered = performance.now() - started;
            await replied;
            const atBandwidth = performance.now() - started;
            if (n > 2) {
              const began = sendStarted.get(phone);
              const sendBegan = began === undefined ? null : began - started;
              timed.push({ handsetAnswered, atServer: await received, sendBegan, accepted: atBandwidth });
            }
            if (atHandset) await handsetHas(phone, expected);
            if (n > 2 && atHandset) handset.push(performance.now() - started);
            // People take seconds to answer; the bench waits a moment so each text meets an idle conversation (the
            // previous reply's status callbacks handled), as the bare baseline's signals do.
            await new Promise((r) => setTimeout(r, THINK_MS));
          }
        }),
      );
      return { turns: timed, handset };
    }

    /**
     * A turn's hops as the bench sees them from outside the stack (p50 of each, ms since the handset's request began),
     * and the three stretches between them: the text's way in (emulator, callback, webhook server, record), Temporal
     * (signal-with-start, the workflow task, the bot, the local activity starting: what the bare round trip measures),
     * and the send (the Bandwidth request through the official SDK, the emulator's 202, the outbound record).
     */
    function hops(all: TurnHops[]) {
      const turns = all.flatMap((t) => (t.sendBegan === null ? [] : [{ ...t, sendBegan: t.sendBegan }]));
      const p50 = (value: (t: (typeof turns)[number]) => number) =>
        turns.length ? summary(turns.map(value)).p50 : null;
      return {
        method:
          'p50 ms since the handset request began, of: the emulator answering the handset, the inbound record written ' +
          'by the webhook server (just before signalWithStart), the send activity opening its send intent, the ' +
          'outbound record written (the 202 in hand); the stretches are p50s of the per-turn differences.',
        turns: turns.length,
        handsetAnswered: p50((t) => t.handsetAnswered),
        textRecordedAtServer: p50((t) => t.atServer),
        sendActivityBegan: p50((t) => t.sendBegan),
        replyAccepted: p50((t) => t.accepted),
        wayIn: p50((t) => t.atServer),
        temporal: p50((t) => t.sendBegan - t.atServer),
        send: p50((t) => t.accepted - t.sendBegan),
      };
    }

    log(
      `${ROUNDS} rounds, each warming up, then ${TURNS_SINGLE} turns for one conversation and ` +
        `${CONCURRENT}×${TURNS_CONCURRENT} at once, bare then Threadline`,
    );
    /**
     * CPU of a phase: this process (the load generator, and the stack or the bare client and worker, all threads), the
     * dev server and the emulator's process when it has one, added to `into`. Each phase ends with a short pause
     * inside the window, so the last replies' status callbacks are counted with it.
     */
    async function withCpu<T>(
      into: CpuTotals,
      turns: number,
      phase: () => Promise<T>,
      emulatorPid?: number,
    ): Promise<T> {
      const ownBefore = ownCpuMs();
      const serverBefore = processCpuMs(temporal.process.pid);
      const emulatorBefore = processCpuMs(emulatorPid);
      const result = await phase();
      await sleep(500);
      into.turns += turns;
      into.nodeProcessMs += ownCpuMs() - ownBefore;
      into.devServerMs += processCpuMs(temporal.process.pid) - serverBefore;
      if (emulatorPid !== undefined)
        into.emulatorMs = (into.emulatorMs ?? 0) + processCpuMs(emulatorPid) - emulatorBefore;
      return result;
    }
    const perTurn = (cpu: CpuTotals) => ({
      turns: cpu.turns,
      nodeProcessMs: round1(cpu.nodeProcessMs / cpu.turns),
      devServerMs: round1(cpu.devServerMs / cpu.turns),
      ...(cpu.emulatorMs !== undefined ? { emulatorProcessMs: round1(cpu.emulatorMs / cpu.turns) } : {}),
    });
    const ratio = (ours: number[], theirs: number[]) => round2(summary(ours).p50 / summary(theirs).p50);

    const bareLocal1: number[] = [];
    const bareRemote1: number[] = [];
    const tl1: Awaited<ReturnType<typeof threadline>> = { turns: [], handset: [] };
    const bareLocal20: number[] = [];
    const tl20: Awaited<ReturnType<typeof threadline>> = { turns: [], handset: [] };
    const tlCpu20: CpuTotals = { turns: 0, nodeProcessMs: 0, devServerMs: 0 };
    const bareCpu20: CpuTotals = { turns: 0, nodeProcessMs: 0, devServerMs: 0 };
    const rounds: Record<
      'oneConversation' | 'twentyConversations',
      { threadline: number; bare: number; ratio: number }
    >[] = [];
    const side = (ours: number[], theirs: number[]) => ({
      threadline: summary(ours).p50,
      bare: summary(theirs).p50,
      ratio: ratio(ours, theirs),
    });
    let history: Awaited<ReturnType<typeof historyPerTurn>> | undefined;
    const pool = (into: typeof tl1, from: typeof tl1) => {
      into.turns.push(...from.turns);
      into.handset.push(...from.handset);
    };
    const accepted = (run: typeof tl1) => run.turns.map((t) => t.accepted);
    const turns20 = CONCURRENT * (TURNS_CONCURRENT + 2);
    for (let round = 0; round < ROUNDS; round++) {
      const bare1 = await bare('local', 1, TURNS_SINGLE);
      bareRemote1.push(...(await bare('remote', 1, TURNS_SINGLE)));
      const ours1 = await threadline(1, TURNS_SINGLE, true, round);
      if (round === 0) history = await historyPerTurn(phoneOf(0, 1, round), TURNS_SINGLE);
      const bare20 = await withCpu(bareCpu20, turns20, () => bare('local', CONCURRENT, TURNS_CONCURRENT));
      const ours20 = await withCpu(tlCpu20, turns20, () => threadline(CONCURRENT, TURNS_CONCURRENT, false, round));
      rounds.push({
        oneConversation: side(accepted(ours1), bare1),
        twentyConversations: side(accepted(ours20), bare20),
      });
      log(`  round ${round + 1}: ${JSON.stringify(rounds.at(-1))}`);
      bareLocal1.push(...bare1);
      bareLocal20.push(...bare20);
      pool(tl1, ours1);
      pool(tl20, ours20);
    }

    // The concurrent conversations once more with the emulator in a process of its own, to read apart the CPU of
    // Bandwidth's side of a turn (the handset's text, the API call, the callbacks), which the bench process counts as
    // its own above.
    await stack.stop();
    const port = await freePort();
    const emulatorPort = await freePort();
    const emulatorProcess = await startEmulatorProcess({
      port: emulatorPort,
      callbackUrl: `http://127.0.0.1:${port}/callbacks/messaging`,
      dataDir,
      env: { EMULATOR_TIME_SCALE: '1000', EMULATOR_IN_MEMORY: 'true', LOG_LEVEL: 'error' },
    });
    const apartCpu20: CpuTotals = { turns: 0, nodeProcessMs: 0, devServerMs: 0 };
    let apart20: Awaited<ReturnType<typeof threadline>>;
    try {
      stack = await startStack({
        config: stackConfig({ PORT: String(port), EMULATOR_PORT: String(emulatorPort) }),
        emulator: false,
        workflowBundle: bundle,
        records,
      });
      emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
      await threadline(1, TURNS_SINGLE, false, ROUNDS); // warms the new stack up, as each round's one conversation does
      apart20 = await withCpu(
        apartCpu20,
        turns20,
        () => threadline(CONCURRENT, TURNS_CONCURRENT, false, ROUNDS),
        emulatorProcess.pid,
      );
    } finally {
      await stopProcess(emulatorProcess); // a failed phase leaves no emulator behind
    }
    log(`  emulator apart: ${JSON.stringify(perTurn(apartCpu20))}`);

    const result = {
      method:
        'Threadline: handset text (emulator handset API) → message-received callback → webhook server → signalWithStart → echoBot → sendMessage local activity → emulator 202 (recorded), and → the handset inbox shows the reply (1 conversation, 2 ms polling). Bare: client signal → workflow → local activity (or eager activity) → back. Same dev server (WAL, synchronous=NORMAL, eager activities), same process, first two turns of each conversation discarded.',
      oneConversation: {
        threadlineReplyAccepted: summary(accepted(tl1)),
        threadlineReplyAtHandset: summary(tl1.handset),
        threadlineTextReachedServer: summary(tl1.turns.map((t) => t.atServer)),
        whereTheTimeGoes: hops(tl1.turns),
        bareLocalActivity: summary(bareLocal1),
        bareActivity: summary(bareRemote1),
        ratioP50: ratio(accepted(tl1), bareLocal1),
        ratioP50Interval: ratioOfMediansInterval(accepted(tl1), bareLocal1),
      },
      twentyConversations: {
        threadlineReplyAccepted: summary(accepted(tl20)),
        whereTheTimeGoes: hops(tl20.turns),
        bareLocalActivity: summary(bareLocal20),
        ratioP50: ratio(accepted(tl20), bareLocal20),
        ratioP50Interval: ratioOfMediansInterval(accepted(tl20), bareLocal20),
        cpuPerTurn: {
          method:
            'CPU (user + system) per turn over each phase, warm-up turns included: the bench process (load ' +
            'generator; for Threadline the emulator, webhook server and worker; for bare its client and worker) and ' +
            'the dev server (/proc/<pid>/stat).',
          threadline: perTurn(tlCpu20),
          bare: perTurn(bareCpu20),
          nodeProcessRatio: round2(tlCpu20.nodeProcessMs / bareCpu20.nodeProcessMs),
          devServerRatio: round2(tlCpu20.devServerMs / bareCpu20.devServerMs),
        },
        emulatorApart: {
          method:
            'After the rounds, one more Threadline phase of concurrent conversations as above, with the emulator in a ' +
            'process of its own (bin/emulator.ts, time scale 1000, state in memory) and the webhook server and worker ' +
            "in the bench process, after one conversation's turns to warm the new stack up: each part's CPU per turn, " +
            "warm-up turns included, and the phase's reply p50 (not pooled above).",
          threadlineReplyAccepted: summary(accepted(apart20)),
          cpuPerTurn: perTurn(apartCpu20),
          nodeProcessRatioWithoutEmulator: round2(
            apartCpu20.nodeProcessMs / apartCpu20.turns / (bareCpu20.nodeProcessMs / bareCpu20.turns),
          ),
        },
      },
      rounds: {
        method:
          'Each round: bare then Threadline, one conversation, then the concurrent ones; the figures above pool every ' +
          "round's samples. Each round's own p50s (ms) and their ratio:",
        ratios: rounds,
      },
      history,
      target: 'p50 ≤ 1.5 × bare local-activity p50 (one conversation), ≤ 2 × at 20 concurrent; ≤ 12 events per turn',
    };
    const key = writeResults({
      base: 'replyLatency',
      script: 'bench/latency.ts',
      settings,
      defaults: DEFAULTS,
      figures: result,
    });
    log(JSON.stringify(result, null, 2));
    log(`written to bench/results.json (${key})`);

    await stack.stop();
    await bareTemporal.stop();
  } finally {
    await temporal.stop();
    fs.rmSync(temporal.dir, { recursive: true, force: true });
  }
}

runBench(main);
