/**
 * The goals of the benchmarks (issue 13), each read from bench/results.json under the key its script writes with its
 * default settings, and judged met or missed. `npm run bench` prints them (bench/check.ts), writes the README's
 * table from them and draws docs/bench.svg from the same figures (bench/chart.ts). A target whose figure is missing,
 * or was only measured with other settings, is "not measured".
 */
import fs from 'node:fs';
import { z } from 'zod';
import { RESULTS_FILE } from './lib';

export type Status = 'met' | 'missed' | 'not measured';

export interface TargetCheck {
  id: string;
  /** The goal, in words. */
  target: string;
  /** What was measured, in words with numbers. */
  figure: string;
  status: Status;
  /** The results key the figure was read from, its date and commit. */
  source: { key: string; date?: string; commit?: string; script?: string; loadAverageAtStart?: number };
}

interface Target<T> {
  id: string;
  target: string;
  key: string;
  schema: z.ZodType<T>;
  judge(entry: T): { figure: string; met: boolean };
}

const Provenance = z.object({
  date: z.string(),
  commit: z.string().optional(),
  script: z.string().optional(),
  loadAverageAtStart: z.number().optional(),
});
const Summary = z.object({ n: z.number(), p50: z.number() });
/** The 95 % bootstrap interval of a ratio (load/stats.ts `ratioOfMediansInterval`), where the bench wrote one. */
const Interval = z.object({ low: z.number(), high: z.number(), confidence: z.number() }).nullish();

const percent = (ratio: number) => `${Math.round(ratio * 100)} %`;
const times = (ratio: number) => `${ratio}×`;
/** A ratio and, where the bench wrote it, how sure it is. */
const timesWithin = (ratio: number, interval: z.infer<typeof Interval>) =>
  interval
    ? `${times(ratio)} (${Math.round(interval.confidence * 100)} % interval ${interval.low}-${interval.high}×)`
    : times(ratio);

const BurstSchema = z.object({
  settings: z.object({ conversations: z.number(), concurrency: z.number(), rounds: z.number() }),
  workerMaxCachedWorkflows: z.number(),
  turnsPerSecond: z.object({ threadline: z.number(), bare: z.number() }),
  ratio: z.number(),
});

const LatencySchema = z.object({
  oneConversation: z.object({
    threadlineReplyAccepted: Summary,
    bareLocalActivity: Summary,
    ratioP50: z.number(),
    ratioP50Interval: Interval,
  }),
  twentyConversations: z.object({
    threadlineReplyAccepted: Summary,
    bareLocalActivity: Summary,
    ratioP50: z.number(),
    ratioP50Interval: Interval,
  }),
});

const HistorySchema = z.object({
  history: z.object({ eventsPerTurn: z.number(), turns: z.number() }),
});

const HandoffSchema = z.object({
  callbacksPerSecond: z.number(),
  bareSignalWithStartPerSecond: z.number(),
  ratio: z.number(),
});

const IdleSchema = z.object({
  settings: z.object({ conversations: z.number() }),
  workerMaxCachedWorkflows: z.number(),
  workerProcessIdle: z.object({ rssMB: z.number(), peakRssMB: z.number() }),
  replyAfterEvictionMs: Summary,
  replyWhileCachedMs: Summary,
  evictedToCachedP50: z.number(),
  evictedToCachedP50Interval: Interval,
});

const EmulatorSchema = z.object({
  createMessage: z.object({ ratio: z.number() }),
  callbackDispatch: z.object({ ratioPerCallback: z.number(), ratioPerMessage: z.number() }),
  cpuPerMessage: z.object({ emulatorMs: z.number(), prismMs: z.number(), ratio: z.number() }).optional(),
});

/** Every goal, in the order the README lists them. */
export const TARGETS = [
  {
    id: 'burst',
    target: 'burst of 1,000 new conversations ≥ 50 % of bare turns/s (default settings)',
    key: 'burst',
    schema: BurstSchema,
    judge: (e) => ({
      figure:
        `${e.turnsPerSecond.threadline} vs ${e.turnsPerSecond.bare} turns/s: ${percent(e.ratio)} ` +
        `(median of ${e.settings.rounds} rounds, ${e.settings.concurrency} in flight, cache ${e.workerMaxCachedWorkflows})`,
      met: e.ratio >= 0.5,
    }),
  } satisfies Target<z.infer<typeof BurstSchema>>,
  {
    id: 'latency-1',
    target: 'reply p50 ≤ 1.5× bare signal → local activity, one conversation',
    key: 'replyLatency',
    schema: LatencySchema,
    judge: (e) => ({
      figure: `${e.oneConversation.threadlineReplyAccepted.p50} vs ${e.oneConversation.bareLocalActivity.p50} ms: ${timesWithin(e.oneConversation.ratioP50, e.oneConversation.ratioP50Interval)}`,
      met: e.oneConversation.ratioP50 <= 1.5,
    }),
  } satisfies Target<z.infer<typeof LatencySchema>>,
  {
    id: 'latency-20',
    target: 'reply p50 ≤ 2× bare, 20 conversations at once',
    key: 'replyLatency',
    schema: LatencySchema,
    judge: (e) => ({
      figure: `${e.twentyConversations.threadlineReplyAccepted.p50} vs ${e.twentyConversations.bareLocalActivity.p50} ms: ${timesWithin(e.twentyConversations.ratioP50, e.twentyConversations.ratioP50Interval)}`,
      met: e.twentyConversations.ratioP50 <= 2,
    }),
  } satisfies Target<z.infer<typeof LatencySchema>>,
  {
    id: 'ingestion',
    target: 'callback ingestion ≥ 90 % of bare `signalWithStart`',
    key: 'handoff',
    schema: HandoffSchema,
    judge: (e) => ({
      figure: `${e.callbacksPerSecond} vs ${e.bareSignalWithStartPerSecond}/s: ${percent(e.ratio)}`,
      met: e.ratio >= 0.9,
    }),
  } satisfies Target<z.infer<typeof HandoffSchema>>,
  {
    id: 'idle-memory',
    target: '100,000 idle conversations: worker process alone ≤ 500 MB RSS',
    key: 'idle',
    schema: IdleSchema,
    judge: (e) => ({
      figure:
        `${e.workerProcessIdle.rssMB} MB with ${e.settings.conversations.toLocaleString('en-US')} idle (cache ` +
        `${e.workerMaxCachedWorkflows}; peak ${e.workerProcessIdle.peakRssMB} MB while opening them)`,
      met: e.workerProcessIdle.rssMB <= 500,
    }),
  } satisfies Target<z.infer<typeof IdleSchema>>,
  {
    id: 'idle-evicted',
    target: 'same run: an evicted conversation’s reply p50 ≤ 2× a cached one’s',
    key: 'idle',
    schema: IdleSchema,
    judge: (e) => ({
      figure: `${e.replyAfterEvictionMs.p50} vs ${e.replyWhileCachedMs.p50} ms: ${timesWithin(e.evictedToCachedP50, e.evictedToCachedP50Interval)}`,
      met: e.evictedToCachedP50 <= 2,
    }),
  } satisfies Target<z.infer<typeof IdleSchema>>,
  {
    id: 'history',
    target: '≤ 12 history events per turn (text in, reply out, status callbacks)',
    key: 'replyLatency',
    schema: HistorySchema,
    judge: (e) => ({
      figure: `${e.history.eventsPerTurn} over ${e.history.turns} turns through the emulator`,
      met: e.history.eventsPerTurn <= 12,
    }),
  } satisfies Target<z.infer<typeof HistorySchema>>,
  {
    id: 'emulator',
    target: 'emulator ≥ 5× Prism’s mock, per message',
    key: 'emulator',
    schema: EmulatorSchema,
    judge: (e) => ({
      figure:
        `create ${times(e.createMessage.ratio)}; status callbacks ${times(e.callbackDispatch.ratioPerMessage)} per ` +
        `message (${times(e.callbackDispatch.ratioPerCallback)} per callback: 3 per SMS vs Prism’s 1)` +
        (e.cpuPerMessage
          ? `; CPU per message ${e.cpuPerMessage.emulatorMs} vs ${e.cpuPerMessage.prismMs} ms: ${times(e.cpuPerMessage.ratio)}`
          : ''),
      met: e.createMessage.ratio >= 5 && e.callbackDispatch.ratioPerMessage >= 5,
    }),
  } satisfies Target<z.infer<typeof EmulatorSchema>>,
] as const;

export function readResults(file = RESULTS_FILE): Record<string, unknown> {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
}

function judge<T>(t: Target<T>, results: Record<string, unknown>): TargetCheck {
  const entry = results[t.key];
  const others = Object.keys(results).filter((k) => k.startsWith(`${t.key}[`));
  const provenance = Provenance.safeParse(entry);
  const source = { key: t.key, ...(provenance.success ? provenance.data : {}) };
  const parsed = t.schema.safeParse(entry);
  if (!parsed.success) {
    const why = entry === undefined ? `no \`${t.key}\` figure` : `\`${t.key}\` lacks this figure`;
    return {
      id: t.id,
      target: t.target,
      figure: others.length > 0 ? `${why} (only other settings: ${others.join(', ')})` : why,
      status: 'not measured',
      source,
    };
  }
  const { figure, met } = t.judge(parsed.data);
  return { id: t.id, target: t.target, figure, status: met ? 'met' : 'missed', source };
}

/** Every target judged against the figures in `results` (bench/results.json by default). */
export function checkTargets(results: Record<string, unknown> = readResults()): TargetCheck[] {
  return TARGETS.map((t) => judge(t as Target<unknown>, results));
}
