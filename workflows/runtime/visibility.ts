/**
 * What operators see of a conversation in the Temporal Web UI and in visibility queries: the search attributes
 * (our number, participants, `ThreadlineState`, last activity) and the current details (what it waits for, its
 * deadlines, the last messages). Search attributes change only where the workflow blocks, and only when different:
 * each upsert is a history event.
 */
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { ConversationStart } from '../conversation-start';
import {
  LastActivityAttribute,
  OurNumberAttribute,
  ParticipantsAttribute,
  StateAttribute,
  type ConversationState,
} from '../search-attributes';
import type { Alarm } from '../alarm';
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

export class Visibility {
  /** Labels of the events the conversation waits for now. */
  readonly waitingFor = new Set<string>();
  private readonly indexed: boolean;
  private readonly lastIndexed = { state: '', activity: 0 };

  constructor(
    private readonly id: string,
    private readonly memory: ConversationMemory,
    private readonly alarm: Alarm,
    private readonly start: ConversationStart<unknown, unknown>,
  ) {
    this.indexed = start.searchAttributes !== false;
  }

  /** Sets who the conversation is between, once, on its first run. */
  indexParticipants(): void {
    if (!this.indexed || this.start.carried) return;
    upsertSearchAttributes([
      { key: OurNumberAttribute, value: this.start.ourNumber },
      { key: ParticipantsAttribute, value: [...(this.start.indexedParticipants ?? this.start.participants)] },
    ]);
  }

  /** The state as the search attribute holds it: `paused` whatever the bot was doing when a human took over. */
  get state(): ConversationState {
    return this.memory.paused ? 'paused' : this.memory.state;
  }

  /** Upserts `ThreadlineState` and `ThreadlineLastActivity` where they changed. */
  index(): void {
    if (!this.indexed) return;
    const state = this.state;
    const last = this.memory.transcript.at(-1);
    const activity = last ? Date.parse(last.time) : 0;
    const updates = [];
    if (state !== this.lastIndexed.state) updates.push({ key: StateAttribute, value: state });
    if (activity > this.lastIndexed.activity) updates.push({ key: LastActivityAttribute, value: new Date(activity) });
    if (updates.length === 0) return;
    this.lastIndexed.state = state;
    this.lastIndexed.activity = Math.max(activity, this.lastIndexed.activity);
    upsertSearchAttributes(updates);
  }

  /** Rewrites the current details the Web UI shows (not a history event). */
  refreshDetails(): void {
    const { memory } = this;
    const recent = memory.transcript
      .slice(-5)
      .map((m) => `- ${m.direction === 'in' ? '⬅' : '➡'} ${m.time} \`${m.status}\` ${m.text.slice(0, 80)}`);
    const deadlines = this.alarm.pending().map((d) => `- ${d.label} until ${new Date(d.at).toISOString()}`);
    const now = memory.paused && memory.pausedBy ? `paused by ${memory.pausedBy}` : STATE_IN_WORDS[this.state];
    setCurrentDetails(
      [
        `**${this.id}** · ${workflowInfo().workflowType}${memory.paused ? ' · **paused (human takeover)**' : ''}`,
        '',
        `**Now:** ${now}${this.waitingFor.size ? ` (${[...this.waitingFor].join('; ')})` : ''}`,
        // Blank lines around each list: the Web UI's Markdown renderer runs a list into the paragraph before it.
        ...(deadlines.length ? ['', '**Deadlines**', '', ...deadlines] : []),
        '',
        '**Last messages**',
        '',
        ...recent,
      ].join('\n'),
    );
  }
}
