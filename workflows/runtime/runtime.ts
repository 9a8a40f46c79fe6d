/**
 * Puts a conversation's runtime together: its memory, its one durable timer, what operators see, the signal handlers,
 * sending, waiting and the dialogue helpers, behind the {@link Conversation} a bot receives.
 */
import { condition } from '@temporalio/workflow';
import { Alarm } from '../alarm';
import type { BotOptions } from '../bot-options';
import type { Conversation } from '../conversation-api';
import type { ConversationStart } from '../conversation-start';
import type { InboundMessage } from '../messages';
import { conversationId } from '../ids';
import type { ConversationState } from '../search-attributes';
import { createCheckpoint } from './checkpoint';
import { createConsentHandling } from './consent';
import { commitSends } from './commit-sends';
import type { ConversationContext } from './context';
import { createDialogue } from './dialogue';
import { createMediaCopier } from './media-copy';
import { ConversationMemory } from './memory';
import { createRace } from './race';
import { createTimeZoneSetter } from './send-window';
import { createSending } from './sending';
import { registerSignalHandlers } from './signal-handlers';
import { Visibility } from './visibility';
import { createEventBuilders } from './wait-events';
import { createReceiptWatch } from './receipt-watch';

export interface ConversationRuntime<P, S> {
  readonly chat: Conversation<P, S>;
  /**
   * Before the bot's code: a participant-started conversation consumes its first text; a proactive one sends its
   * opening. False when a consent keyword alone started the conversation: Threadline answers it, the bot does not run.
   */
  begin(): Promise<boolean>;
  /** Waits for running handlers and unrecorded sends, then marks the conversation ended for operators. */
  end(state: Extract<ConversationState, 'ended' | 'ended-by-operator'>): Promise<void>;
  /** Texts that came but nobody read (the bot had finished, or was ending); a new run must receive them. */
  unread(): InboundMessage[];
  /** Resolves when none of the bot's sends is in flight: a send once started is seen through, never cut off. */
  sendsSettled(): Promise<void>;
}

export interface RuntimeHooks {
  /** A participant opted out; their confirmation is on its way. */
  onOptOut: (contact: string) => void;
}

export function createRuntime<P, S>(
  start: ConversationStart<P, S>,
  options: BotOptions,
  hooks: RuntimeHooks,
): ConversationRuntime<P, S> {
  const id = conversationId(start);
  const memory = new ConversationMemory(start);
  const alarm = new Alarm();
  const visibility = new Visibility(id, memory, alarm, start);
  const ctx: ConversationContext = { id, start, memory, alarm, visibility, options };

  const receipts = createReceiptWatch(ctx);
  const events = createEventBuilders(ctx, receipts);
  const race = createRace(ctx);
  const { send, say } = createSending(ctx, race, events, receipts);
  // Signals of the first activation (the first text of a signal-with-start) are handed over as handlers register.
  const consent = createConsentHandling(ctx, { send, onOptOut: hooks.onOptOut });
  const { receive } = registerSignalHandlers(ctx, { send, copyMedia: createMediaCopier(ctx), consent, receipts });
  for (const message of start.unread ?? []) void receive(message);
  visibility.indexParticipants();
  const dialogue = createDialogue({ participants: start.participants, say, race, events });

  const chat: Conversation<P, S> = {
    id,
    ourNumber: start.ourNumber,
    participants: start.participants,
    params: start.params,
    resumed: start.carried?.botState,
    get firstMessage() {
      return memory.firstMessage;
    },
    say,
    ...dialogue,
    race,
    events: {
      reply: events.reply,
      delivery: events.delivery,
      external: events.external,
      timer: (duration) => events.timer(duration),
      media: events.media,
      optOut: events.optOut,
    },
    get optedOut() {
      return start.participants.filter((p) => memory.optedOut.has(p));
    },
    checkpoint: createCheckpoint<S>(ctx),
    setTimeZone: createTimeZoneSetter(ctx),
    get lastSent() {
      return memory.lastSent;
    },
    transcript: () => memory.transcript,
  };

  return {
    chat,
    async begin() {
      if (start.carried) return true;
      if (start.opening) {
        await say(start.opening);
        return true;
      }
      // Signal-with-start delivers the first text with the start, so the inbox (or, for a keyword, the transcript)
      // already holds it here.
      await condition(() => memory.classifying === 0);
      memory.firstMessage = memory.inbox.shift() ?? null;
      if (memory.firstMessage !== null || !memory.transcript.some((entry) => entry.keyword !== undefined)) return true;
      // A keyword alone started this run: Threadline answers it. A text that comes while it does is the bot's.
      await commitSends(memory);
      memory.firstMessage = memory.inbox.shift() ?? null;
      return memory.firstMessage !== null;
    },
    unread: () => [...memory.inbox],
    sendsSettled: () => condition(() => memory.botSending === 0),
    async end(state) {
      await commitSends(memory);
      memory.state = state;
      visibility.index();
      visibility.refreshDetails();
    },
  };
}
