/**
 * The current details the Temporal Web UI shows on a conversation's page (Markdown; not a history event), in the order
 * an operator reads them: who and which bot, what it waits for (a reply to which question, until when; a delivery;
 * quiet hours; a human), who opted out, the last messages with their delivery status, and the segments and cost so
 * far.
 */
import { workflowInfo } from '@temporalio/workflow';
import { formatCost } from '../../billing/usage';
import type { Alarm } from '../alarm';
import type { ConversationStart } from '../conversation-start';
import type { TranscriptEntry } from '../messages';
import type { ConversationState } from '../search-attributes';
import type { ConversationMemory } from './memory';

/** `ThreadlineState` in words, for the current details. */
const STATE_IN_WORDS: Record<ConversationState, string> = {
  starting: 'starting',
  sending: 'sending',
  'waiting-for-reply': 'waiting for a reply',
  'waiting-for-delivery': 'waiting for a delivery receipt',
  'waiting-for-media': 'waiting for a media copy',
  'waiting-for-event': 'waiting for an event',
  'waiting-for-timer': 'waiting for a timer',
  'waiting-for-send-window': 'waiting for the send window (quiet hours)',
  paused: 'paused',
  ended: 'ended',
  'ended-by-operator': 'ended by an operator',
};

/** How many of the newest messages the details list. */
const RECENT = 5;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
/** Markdown-safe one-line text (the UI renders the details as Markdown). */
const plain = (text: string, max = 80) => clip(text.replace(/\s+/g, ' ').replace(/([\\`*_[\]<>|#])/g, '\\$1'), max);

/** The details' Markdown; `view` is the conversation's {@link Visibility}: its state and what it waits for. */
export function currentDetails(
  view: { state: ConversationState; waitingFor: ReadonlySet<string> },
  memory: ConversationMemory,
  alarm: Alarm,
  start: ConversationStart<unknown, unknown>,
  id: string,
): string {
  const state = view.state;
  const optedOut = start.participants.filter((p) => memory.optedOut.has(p));
  const who = start.participants.map((p) => (memory.optedOut.has(p) ? `${p} (opted out)` : p)).join(', ');
  // Watched in every wait, so they say nothing about this one: an opt-out, a question's delivery failing.
  const waits = [...view.waitingFor].filter((label) => label !== 'an opt-out' && !label.startsWith('failure of '));
  const now =
    memory.paused && memory.pausedBy ? `paused by ${memory.pausedBy} (human takeover)` : STATE_IN_WORDS[state];
  const deadlines = alarm.pending().map((d) => `- ${d.label} until ${new Date(d.at).toISOString()}`);
  const question = state === 'waiting-for-reply' ? lastQuestion(memory.transcript) : undefined;
  const { messages, segments, cost } = memory.usage;
  return [
    `**${id}** · ${workflowInfo().workflowType}${memory.paused ? ' · **paused (human takeover)**' : ''}`,
    '',
    `**Who:** ${who} ↔ ${start.ourNumber} (our number) · **Bot:** ${workflowInfo().workflowType}`,
    '',
    `**Now:** ${now}${waits.length ? ` (${waits.join('; ')})` : ''}`,
    ...(question
      ? ['', `**Waiting for the answer to:** “${plain(question.text)}” (sent ${question.time}, \`${question.status}\`)`]
      : []),
    // Blank lines around each list: the Web UI's Markdown renderer runs a list into the paragraph before it.
    ...(deadlines.length ? ['', '**Deadlines**', '', ...deadlines] : []),
    ...(optedOut.length ? ['', `**Opted out (STOP):** ${optedOut.join(', ')}: nothing more is sent to them`] : []),
    '',
    `**Usage:** ${messages.in} in, ${messages.out} out · ${segments.in + segments.out} segments ` +
      `(${segments.in} in, ${segments.out} out) · cost ${formatCost(cost)}`,
    '',
    '**Last messages**',
    '',
    ...memory.transcript.slice(-RECENT).map(line),
  ].join('\n');
}

/** The bot's last message before the wait: the question a reply would answer. */
function lastQuestion(transcript: readonly TranscriptEntry[]): TranscriptEntry | undefined {
  for (let i = transcript.length - 1; i >= 0; i--) {
    const m = transcript[i]!;
    if (m.direction === 'out') return m.consentReply || m.operator ? undefined : m;
  }
  return undefined;
}

/** One message: direction, time, delivery status (per recipient when they differ, with error codes), text, cost. */
function line(m: TranscriptEntry): string {
  const arrow = m.direction === 'in' ? '⬅' : '➡';
  const failed = Object.entries(m.recipients ?? {})
    .filter(([, r]) => r.errorCode !== undefined)
    .map(([to, r]) => `${to}: ${r.errorCode} ${plain(r.description ?? '', 40)}`);
  const usage = [
    m.segmentCount !== null ? `${m.segmentCount} seg` : null,
    m.cost !== undefined && m.currency ? `${m.cost} ${m.currency}` : null,
  ].filter((x) => x !== null);
  const from = m.direction === 'in' ? ` from ${m.from}` : m.operator ? ` by ${m.operator}` : '';
  return (
    `- ${arrow} ${m.time} \`${m.status}\` ${plain(m.text)}${m.media.length ? ` (+${m.media.length} media)` : ''}` +
    `${from}${failed.length ? ` — ${failed.join('; ')}` : ''}${usage.length ? ` · ${usage.join(' · ')}` : ''}`
  );
}
