/**
 * What operators see of a conversation in the Temporal Web UI and in visibility queries: the search attributes
 * (our number, participants, `ThreadlineState`, last activity) and the current details (what it waits for, its
 * deadlines, the last messages). Search attributes change only where the workflow blocks, and only when different:
 * each upsert is a history event.
 */
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { ConversationStart } from '../conversation-start';
import {
  LastActivityAttribute,
  OurNumberAttribute,
  ParticipantsAttribute,
  StateAttribute,
  type ConversationState,
} from '../search-attributes';
import type { Alarm } from '../alarm';
import { currentDetails } from './current-details';
import type { ConversationMemory } from './memory';

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

  /** Rewrites the current details the Web UI shows (not a history event): what an operator needs first. */
  refreshDetails(): void {
    setCurrentDetails(currentDetails(this, this.memory, this.alarm, this.start, this.id));
  }
}
