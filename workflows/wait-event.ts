/**
 * The events a bot can wait for with `chat.race`: a reply, a delivery receipt, an external event, a timer, a media
 * copy. Each knows whether it has happened (`ready`) and what it yields (`take`); the runtime builds them
 * (runtime/wait-events.ts) and races them (runtime/race.ts).
 */

/**
 * What kind of thing an event waits for; a race's kinds decide the conversation's `ThreadlineState`. (`send-window`:
 * the runtime's own wait for quiet hours to end.)
 * @example
 * // a race of a reply and a timer shows `waiting-for-reply` in ThreadlineState
 * await chat.race({ reply: chat.events.reply(), later: chat.events.timer('1 hour') });
 */
export type WaitKind = 'reply' | 'delivery' | 'media' | 'external' | 'timer' | 'send-window';

/**
 * One thing a bot can wait for; build them with `chat.events` and wait with `chat.race`.
 * @example
 * const first = await chat.race({ reply: chat.events.reply(), later: chat.events.timer('1 hour') });
 */
export interface WaitEvent<T> {
  /** What it waits for, in words (shown in the Web UI's current details). */
  readonly label: string;
  /** What kind of thing it waits for (the builders set it); a race shows the most telling kind as its state. */
  readonly kind?: WaitKind;
  /** @internal */ start(): void;
  /** @internal Runs once before a race waits for this event, if it has not happened yet (a receipt: watch it). */
  prepare?(): Promise<void>;
  /** @internal */ ready(): boolean;
  /** @internal */ take(): T;
  /** @internal */ stop(): void;
}

/**
 * The result of {@link Conversation.race}: which event happened first, and its value.
 * @example
 * const first = await chat.race({ paid: chat.events.external<{ amount: number }>('payment'), later: chat.events.timer('1 day') });
 * if (first.event === 'paid') await chat.say(`Got ${first.value.amount}`);
 */
export type RaceResult<E extends Record<string, WaitEvent<unknown>>> = {
  [K in keyof E]: { event: K; value: E[K] extends WaitEvent<infer T> ? T : never };
}[keyof E];
