/**
 * `chat.race`: waits for the first of several events. While it waits, the conversation's state and current details say
 * what it waits for; its timers share the conversation's one durable timer.
 */
import { condition } from '@temporalio/workflow';
import type { ConversationState } from '../search-attributes';
import type { RaceResult, WaitEvent, WaitKind } from '../wait-event';
import type { ConversationContext } from './context';

/** The state a wait shows, by the most telling kind of event in it: a reply beats a receipt beats a timer. */
const STATE_BY_KIND: [WaitKind, ConversationState][] = [
  ['reply', 'waiting-for-reply'],
  ['delivery', 'waiting-for-delivery'],
  ['media', 'waiting-for-media'],
  ['external', 'waiting-for-event'],
  ['timer', 'waiting-for-timer'],
  ['send-window', 'waiting-for-send-window'],
];

export type Race = <E extends Record<string, WaitEvent<unknown>>>(events: E) => Promise<RaceResult<E>>;

export function createRace({ memory, visibility }: ConversationContext): Race {
  return async function race<E extends Record<string, WaitEvent<unknown>>>(events: E): Promise<RaceResult<E>> {
    const entries = Object.entries(events);
    const labels = entries.map(([, e]) => e.label);
    const kinds = new Set(entries.map(([, e]) => e.kind));
    const state = STATE_BY_KIND.find(([kind]) => kinds.has(kind))?.[1];
    if (state) memory.state = state;
    for (const [, e] of entries) e.start();
    for (const label of labels) visibility.waitingFor.add(label);
    try {
      const firstReady = () => entries.find(([, e]) => e.ready());
      if (!firstReady()) for (const [, e] of entries) if (!e.ready()) await e.prepare?.();
      if (!firstReady()) {
        visibility.index();
        visibility.refreshDetails();
        await condition(() => firstReady() !== undefined);
      }
      const [key, event] = firstReady()!;
      return { event: key, value: event.take() } as RaceResult<E>;
    } finally {
      for (const [, e] of entries) e.stop();
      for (const label of labels) visibility.waitingFor.delete(label);
      visibility.refreshDetails();
    }
  };
}
