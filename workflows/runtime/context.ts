/** The parts of a running conversation that the runtime's pieces share. */
import type { Alarm } from '../alarm';
import type { BotOptions } from '../bot-options';
import type { ConversationStart } from '../conversation-start';
import type { ConversationMemory } from './memory';
import type { Visibility } from './visibility';

export interface ConversationContext {
  /** The workflow id, `sms:<our number>:<participants>`. */
  readonly id: string;
  readonly start: ConversationStart<unknown, unknown>;
  readonly memory: ConversationMemory;
  /** The conversation's one durable timer. */
  readonly alarm: Alarm;
  readonly visibility: Visibility;
  /** What the bot declared with `defineBot(body, options)`. */
  readonly options: BotOptions;
}
