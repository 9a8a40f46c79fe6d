/**
 * A load run's report (JSON; load/html-report.ts draws it): conversations per second, reply latency (p50/p90/p99, in
 * all and per expect step), failures by reason and error code (name and code, a few examples each), messages and SMS
 * segments in each direction, what they cost with the price table (billing/price-table.ts), a per-second timeline,
 * and what the emulator counted meanwhile (callbacks, injected API faults). docs/load-testing.md explains each field.
 */
import { describeErrorCode, lookupErrorCode } from '../bandwidth/error-codes';
import { smsSegmentInfo } from '../bandwidth/segments';
import { fromMicros } from '../billing/amounts';
import { messageCostMicros, type PriceTable } from '../billing/price-table';
import type { FeedMessage } from './reply-feed';
import { describeExpectation, type LoadScript } from './script';
import { summary } from './stats';

/**
 * Why a conversation failed: its text was refused (`send-rejected`: the HTTP status as `code`) or never arrived
 * (`send-error`), no reply came in time (`reply-timeout`), the reply was not the one expected (`unexpected-reply`), or
 * a reply of ours failed to deliver (`delivery-failed`: Bandwidth's error code and its name).
 */
export type FailureReason = 'send-rejected' | 'send-error' | 'reply-timeout' | 'unexpected-reply' | 'delivery-failed';

export interface Failure {
  reason: FailureReason;
  code?: number;
  name?: string;
  detail?: string;
  /** The script step (0-based) it happened at. */
  step?: number;
}

/** One conversation as the runner saw it; times in ms since the run started. */
export interface ConversationRecord {
  index: number;
  phone: string;
  startedAt: number;
  endedAt: number;
  /** Texts the emulator (or the webhook server) took. */
  sent: { text: string; media: number }[];
  replies: { step: number; messageId: string; text: string; latencyMs: number; at: number }[];
  failure: Failure | null;
}

/** What the runner hands over. */
export interface RunFacts {
  script: LoadScript;
  settings: Record<string, string | number | null>;
  /** From the start to the last conversation's end. */
  wallMs: number;
  /** How long each text's POST took to be answered. */
  sendAckMs: number[];
  /** From the start until the last text was answered. */
  sendsAcknowledgedMs: number;
  conversations: ConversationRecord[];
  /** Every message of ours to the run's handsets, with its final status. */
  replies: FeedMessage[];
  prices: PriceTable;
  priceSource: string;
  emulator: { callbacks: Record<string, number>; apiFaults: Record<string, number> };
  feedErrors: string[];
  /** Replies that came after their conversation had moved on (load/reply-feed.ts `stray`): priced, not matched. */
  strayReplies: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const perSecond = (count: number, ms: number) => (ms > 0 ? round1((count / ms) * 1000) : 0);

/** The groups failures are counted in: reason plus error code. */
function failureKey(f: Failure): string {
  return `${f.reason}:${f.code ?? ''}:${f.name ?? ''}`;
}

function failureName(f: Failure): Pick<Failure, 'code' | 'name'> & { description?: string } {
  if (f.reason === 'delivery-failed' && f.code !== undefined) {
    const info = describeErrorCode(f.code);
    return { code: f.code, name: info.name, description: info.description };
  }
  return { ...(f.code !== undefined ? { code: f.code } : {}), ...(f.name !== undefined ? { name: f.name } : {}) };
}

/** Adds delivery failures to the conversations they belong to (a conversation keeps its first failure). */
function attachDeliveryFailures(conversations: ConversationRecord[], replies: FeedMessage[]): void {
  const byMessage = new Map<string, ConversationRecord>();
  const lastByPhone = new Map<string, ConversationRecord>();
  for (const c of conversations) {
    for (const r of c.replies) byMessage.set(r.messageId, c);
    const last = lastByPhone.get(c.phone);
    if (!last || last.startedAt < c.startedAt) lastByPhone.set(c.phone, c);
  }
  for (const m of replies) {
    if (m.status !== 'FAILED') continue;
    const conversation = byMessage.get(m.messageId) ?? lastByPhone.get(m.phone);
    if (conversation && !conversation.failure) {
      const step = conversation.replies.find((r) => r.messageId === m.messageId)?.step;
      conversation.failure = {
        reason: 'delivery-failed',
        code: m.errorCode,
        detail: m.text.slice(0, 160),
        ...(step !== undefined ? { step } : {}),
      };
    }
  }
}

export function buildReport(facts: RunFacts) {
  const { conversations, replies, prices } = facts;
  attachDeliveryFailures(conversations, replies);
  const completed = conversations.filter((c) => !c.failure);
  const latencies = conversations.flatMap((c) => c.replies.map((r) => r.latencyMs));
  const firstReplies = conversations.map((c) => c.replies[0]?.latencyMs).filter((ms): ms is number => ms !== undefined);

  const failureGroups = new Map<string, { failure: Failure; examples: Failure[]; phones: string[]; count: number }>();
  for (const c of conversations) {
    if (!c.failure) continue;
    const key = failureKey(c.failure);
    const group = failureGroups.get(key) ?? { failure: c.failure, examples: [], phones: [], count: 0 };
    group.count += 1;
    if (group.examples.length < 3) {
      group.examples.push(c.failure);
      group.phones.push(c.phone);
    }
    failureGroups.set(key, group);
  }
  const failures = [...failureGroups.values()]
    .sort((a, b) => b.count - a.count)
    .map((g) => ({
      reason: g.failure.reason,
      ...failureName(g.failure),
      count: g.count,
      examples: g.examples.map((e, i) => ({
        handset: g.phones[i]!,
        ...(e.step !== undefined ? { step: e.step } : {}),
        ...(e.detail !== undefined ? { detail: e.detail } : {}),
      })),
    }));

  // Messages, segments and cost: the texts the handsets sent, and every message of ours they were sent.
  let inboundSegments = 0;
  let inboundMicros = 0;
  let inboundCount = 0;
  for (const c of conversations) {
    for (const s of c.sent) {
      const kind = s.media > 0 ? 'mms' : 'sms';
      const segments = kind === 'mms' ? 1 : smsSegmentInfo(s.text).segments;
      inboundCount += 1;
      inboundSegments += segments;
      inboundMicros += messageCostMicros(prices, { direction: 'in', kind, segments });
    }
  }
  let outboundSegments = 0;
  let outboundMicros = 0;
  const byStatus: Record<string, number> = {};
  for (const m of replies) {
    byStatus[m.status] = (byStatus[m.status] ?? 0) + 1;
    outboundSegments += m.segmentCount;
    // Bandwidth bills a failed message only when its error code is billable.
    const billed = m.status !== 'FAILED' || (lookupErrorCode(m.errorCode)?.billable ?? false);
    if (billed) {
      outboundMicros += messageCostMicros(prices, {
        direction: 'out',
        kind: m.messageType,
        segments: m.segmentCount,
        carrierName: m.carrierName,
      });
    }
  }

  const seconds = Math.max(1, Math.ceil(facts.wallMs / 1000));
  const timeline = Array.from({ length: seconds }, (_, second) => ({ second, completed: 0, failed: 0, replies: 0 }));
  const bucket = (ms: number) => timeline[Math.min(seconds - 1, Math.max(0, Math.floor(ms / 1000)))]!;
  for (const c of conversations) {
    if (c.failure) bucket(c.endedAt).failed += 1;
    else bucket(c.endedAt).completed += 1;
    for (const r of c.replies) bucket(r.at).replies += 1;
  }

  return {
    tool: 'threadline load',
    date: new Date().toISOString(),
    script: {
      name: facts.script.name,
      ...(facts.script.description !== undefined ? { description: facts.script.description } : {}),
      steps: facts.script.steps.length,
    },
    settings: facts.settings,
    durationMs: Math.round(facts.wallMs),
    conversations: {
      started: conversations.length,
      completed: completed.length,
      failed: conversations.length - completed.length,
      perSecond: perSecond(completed.length, facts.wallMs),
    },
    replyLatencyMs: summary(latencies),
    firstReplyMs: summary(firstReplies),
    steps: facts.script.steps.map((step, index) => ({
      step: index,
      kind: step.kind,
      ...(step.kind === 'expect'
        ? {
            expect: describeExpectation(step.expect),
            latencyMs: summary(
              conversations.flatMap((c) => c.replies.filter((r) => r.step === index).map((r) => r.latencyMs)),
            ),
          }
        : {}),
      failures: conversations.filter((c) => c.failure?.step === index).length,
    })),
    sends: {
      count: facts.sendAckMs.length,
      acknowledgedPerSecond: perSecond(facts.sendAckMs.length, facts.sendsAcknowledgedMs),
      acknowledgedMs: summary(facts.sendAckMs),
    },
    failures,
    messages: {
      inbound: { messages: inboundCount, segments: inboundSegments },
      outbound: { messages: replies.length, segments: outboundSegments, byStatus },
    },
    cost: {
      currency: prices.currency,
      priceTable: facts.priceSource,
      inbound: fromMicros(inboundMicros),
      outbound: fromMicros(outboundMicros),
      total: fromMicros(inboundMicros + outboundMicros),
      perConversation: conversations.length
        ? fromMicros(Math.round((inboundMicros + outboundMicros) / conversations.length))
        : 0,
    },
    timeline,
    emulator: facts.emulator,
    ...(facts.feedErrors.length ? { feedErrors: facts.feedErrors.slice(0, 10) } : {}),
    strayReplies: facts.strayReplies,
  };
}

/** The report of a load run (JSON). */
export type LoadReport = ReturnType<typeof buildReport>;
