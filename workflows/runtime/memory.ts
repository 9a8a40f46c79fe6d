/**
 * What a conversation remembers: the transcript, unread messages and external events, the deduplication windows,
 * the receipts of its sends, its media copies and whether a human has taken over. All of it is carried to the next
 * run when the conversation continues as new ({@link ConversationMemory.carry}).
 */
import { addAmounts } from '../../billing/amounts';
import { addUsage, usageOf, type Usage } from '../../billing/usage';
import { defaultConsentPolicy, type ConsentPolicy } from '../consent/policy';
import type { CarriedState, ConversationStart } from '../conversation-start';
import { DEDUP_WINDOW, TRACKED_MESSAGES, TRANSCRIPT_LIMIT } from '../defaults';
import type { MediaCopyResult } from '../media';
import type { ExternalEvent, InboundMessage, TranscriptEntry } from '../messages';
import type { ConversationState } from '../search-attributes';
import type { SentMessage } from '../sent-message';
import { BoundedMap, RecentSet } from './bounded';
import { ReceiptBook } from './receipt-book';

export class ConversationMemory {
  readonly transcript: TranscriptEntry[];
  /** Messages the bot has not read yet, oldest first. */
  readonly inbox: InboundMessage[];
  readonly externalEvents: ExternalEvent[];
  readonly seenInbound: RecentSet;
  readonly seenStatus: RecentSet;
  readonly seenExternal: RecentSet;
  readonly receipts: ReceiptBook;
  /** Outcomes of inbound media copies, by message id. */
  readonly mediaCopies: BoundedMap<string, MediaCopyResult>;
  sendSeq: number;
  /** True while a human operator has taken over (the bot waits to speak, and does not read the inbox). */
  paused: boolean;
  /** The operator who paused the conversation, for the Web UI's details. */
  pausedBy: string | null = null;
  state: ConversationState = 'starting';
  lastSent: SentMessage | null = null;
  firstMessage: InboundMessage | null = null;
  /** The consent policy in force (the start's, or every default). */
  readonly consent: ConsentPolicy;
  /** Participants known to be opted out (by a keyword here, or the ledger refusing a send). */
  readonly optedOut: Set<string>;
  /** The bot's sends in flight (an opt-out or an operator's end waits for them before stopping the bot). */
  botSending = 0;
  /** Inbound messages still being classified (keyword or not). */
  classifying = 0;
  /** Contacts' time zones for quiet hours, by number: they replace their numbers' zones (see send-window.ts). */
  readonly timeZones: Record<string, string>;
  /** The history length of the workflow task that last ran a send (see commit-sends.ts). */
  lastSendTask: number | null = null;
  /** When (workflow time, ms) the last text from a participant arrived: sends soon after are replies (pacing.ts). */
  lastInboundAt: number | null = null;
  /** Messages, segments and cost so far, across runs (the transcript keeps only the newest entries). */
  readonly usage: Usage;
  private readonly runs: number;

  constructor(start: ConversationStart<unknown, unknown>) {
    const carried = start.carried;
    this.transcript = carried?.transcript ?? [];
    this.inbox = carried?.inbox ?? [];
    this.externalEvents = carried?.externalEvents ?? [];
    this.seenInbound = new RecentSet(DEDUP_WINDOW, carried?.seenInbound);
    this.seenStatus = new RecentSet(DEDUP_WINDOW, carried?.seenStatus);
    this.seenExternal = new RecentSet(DEDUP_WINDOW, carried?.seenExternal);
    this.receipts = new ReceiptBook(start.participants, this.transcript, carried?.receipts);
    this.mediaCopies = new BoundedMap(TRACKED_MESSAGES, carried?.mediaCopies);
    this.sendSeq = carried?.sendSeq ?? 0;
    this.paused = carried?.paused ?? false;
    this.runs = carried?.runs ?? 1;
    this.consent = start.consent ?? defaultConsentPolicy(`number:${start.ourNumber}`);
    this.optedOut = new Set(carried?.optedOut);
    this.timeZones = { ...(carried?.timeZones ?? start.timeZones) };
    this.usage = carried?.usage ?? usageOf(this.transcript);
  }

  /**
   * Counts a message received or accepted by Bandwidth, with what it costs (when priced), into its transcript entry
   * and the conversation's {@link usage}; with `surcharge`, only a cost added later (a carrier's, named by a receipt).
   */
  charge(entry: TranscriptEntry, priced: { cost?: number; currency?: string }, surcharge = false): void {
    const { cost, currency } = priced;
    if (cost !== undefined && currency !== undefined) {
      entry.cost = addAmounts(entry.cost, cost);
      entry.currency = currency;
    }
    addUsage(this.usage, entry.direction, {
      segments: surcharge ? 0 : (entry.segmentCount ?? 0),
      message: !surcharge,
      ...(cost !== undefined && currency !== undefined ? { cost, currency } : {}),
    });
  }

  /** Appends to the transcript, forgetting the oldest entries beyond {@link TRANSCRIPT_LIMIT}. */
  addToTranscript(entry: TranscriptEntry): void {
    this.transcript.push(entry);
    if (this.transcript.length > TRANSCRIPT_LIMIT) this.transcript.splice(0, this.transcript.length - TRANSCRIPT_LIMIT);
  }

  /** Everything the next run needs, with the bot's own state. */
  carry<S>(botState: S): CarriedState<S> {
    return {
      botState,
      transcript: this.transcript,
      inbox: this.inbox,
      externalEvents: this.externalEvents,
      seenInbound: this.seenInbound.toJSON(),
      seenStatus: this.seenStatus.toJSON(),
      seenExternal: this.seenExternal.toJSON(),
      receipts: this.receipts.toJSON(),
      mediaCopies: this.mediaCopies.toJSON(),
      sendSeq: this.sendSeq,
      paused: this.paused,
      runs: this.runs + 1,
      optedOut: [...this.optedOut],
      timeZones: this.timeZones,
      usage: this.usage,
    };
  }
}
