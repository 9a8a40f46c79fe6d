/**
 * The toll-free network's STOP handling (reference §4, "STOP and opt-out"). Bandwidth enforces STOP only on toll-free
 * numbers, at the network layer: a handset that texts STOP to one of our toll-free numbers gets the network's own
 * "NETWORK MSG" reply, and every later message from that number to that handset fails with 4775
 * (`destination-rejected-due-to-user-opt-out`) until the handset texts START or UNSTOP. The keyword itself still
 * reaches the application as a `message-received`, like any other message ("the onus of honoring the STOP lies with
 * the customer"). Local (10DLC), P2P and short-code numbers get none of this: there, honouring STOP is the
 * application's job.
 *
 * The opt-outs are per (toll-free number, handset) and live in SQLite, so they survive restarts like the rest of the
 * emulator's state.
 */
import type { InboxEntry } from './handset-inbox';
import { type Db } from './database';
import { type PhoneNumber } from './directory-schemas';
import { newMessageId } from './ids';
import { type TollFreeSettings } from './settings';

/** A handset blocked from one of our toll-free numbers. */
export interface TollFreeOptOut {
  /** Our toll-free number. */
  number: string;
  /** The handset that opted out. */
  phone: string;
  /** The word that opted it out, as the network matched it (upper case), e.g. `STOP`. */
  keyword: string;
  /** The handset's message that carried the keyword; null when set through the admin API. */
  messageId: string | null;
  /** When the opt-out happened (emulated time, ISO 8601). */
  time: string;
}

/** A keyword the toll-free network acts on. */
export interface NetworkKeyword {
  action: 'opt-out' | 'opt-in';
  /** The configured keyword that matched, e.g. `UNSTOP`. */
  keyword: string;
}

/** The network's answer to a keyword, put in the handset's inbox. */
export interface NetworkReply {
  messageId: string;
  from: string;
  to: string;
  text: string;
}

/**
 * The keyword a message is, for the toll-free network: the whole text, trimmed, in any case, must be one of the
 * configured words (" stop " is STOP; "Stop." and "stop texting me" are not).
 */
export function matchNetworkKeyword(text: string | undefined, settings: TollFreeSettings): NetworkKeyword | undefined {
  const word = text?.trim().toUpperCase();
  if (!word) return undefined;
  const is = (keywords: string[]) => keywords.find((k) => k.toUpperCase() === word);
  const optOut = is(settings.optOutKeywords);
  if (optOut) return { action: 'opt-out', keyword: optOut.toUpperCase() };
  const optIn = is(settings.optInKeywords);
  if (optIn) return { action: 'opt-in', keyword: optIn.toUpperCase() };
  return undefined;
}

interface OptOutRow {
  number: string;
  phone: string;
  keyword: string;
  message_id: string | null;
  time_ms: number;
}

const toOptOut = (r: OptOutRow): TollFreeOptOut => ({
  number: r.number,
  phone: r.phone,
  keyword: r.keyword,
  messageId: r.message_id,
  time: new Date(r.time_ms).toISOString(),
});

/** The opt-out list of the toll-free network, and what the network does with the keywords handsets send. */
export class TollFreeNetwork {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly deleteStmt;
  constructor(
    private readonly db: Db,
    private readonly addToInbox: (entry: InboxEntry) => void,
  ) {
    this.insertStmt = db.prepare(
      `INSERT INTO toll_free_opt_outs (number, phone, keyword, message_id, time_ms) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (number, phone) DO NOTHING`,
    );
    this.getStmt = db.prepare('SELECT * FROM toll_free_opt_outs WHERE number = ? AND phone = ?');
    this.deleteStmt = db.prepare('DELETE FROM toll_free_opt_outs WHERE number = ? AND phone = ?');
  }

  /** True when `phone` has opted out of messages from our toll-free `number`. */
  isOptedOut(number: string, phone: string): boolean {
    return this.getStmt.get(number, phone) !== undefined;
  }

  /** One opt-out, or undefined. */
  get(number: string, phone: string): TollFreeOptOut | undefined {
    const row = this.getStmt.get(number, phone) as OptOutRow | undefined;
    return row ? toOptOut(row) : undefined;
  }

  /** Opt-outs, oldest first, optionally of one of our numbers and/or one handset. */
  list(filter: { number?: string; phone?: string } = {}): TollFreeOptOut[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM toll_free_opt_outs WHERE (@number IS NULL OR number = @number)
           AND (@phone IS NULL OR phone = @phone) ORDER BY time_ms, rowid`,
      )
      .all({ number: filter.number ?? null, phone: filter.phone ?? null }) as OptOutRow[];
    return rows.map(toOptOut);
  }

  /** Blocks `phone` from `number`; an existing opt-out is kept as it was. Returns the opt-out in force. */
  optOut(entry: { number: string; phone: string; keyword: string; messageId?: string; atMs: number }): TollFreeOptOut {
    this.insertStmt.run(entry.number, entry.phone, entry.keyword, entry.messageId ?? null, entry.atMs);
    return this.get(entry.number, entry.phone)!;
  }

  /** Lifts an opt-out; false when there was none. */
  optIn(number: string, phone: string): boolean {
    return this.deleteStmt.run(number, phone).changes > 0;
  }

  /** Forgets every opt-out (of one of our numbers, when given); returns how many. */
  clear(number?: string): number {
    return this.db
      .prepare('DELETE FROM toll_free_opt_outs WHERE @number IS NULL OR number = @number')
      .run({ number: number ?? null }).changes;
  }

  /**
   * What the network does with a message `phone` sent to our `number` (call it inside the transaction that stores
   * the message): on a toll-free number, an opt-out keyword blocks the handset and the network answers it (every
   * time it is sent); an opt-in keyword from a blocked handset lifts the block and the network answers it. Returns
   * the network's answer, if any; the message goes on to the application either way.
   */
  handleInbound(
    input: { number: PhoneNumber; phone: string; text: string | undefined; messageId: string; atMs: number },
    settings: TollFreeSettings,
  ): NetworkReply | undefined {
    if (input.number.product !== 'TOLL_FREE') return undefined;
    const keyword = matchNetworkKeyword(input.text, settings);
    if (!keyword) return undefined;
    const { number, phone, atMs } = input;
    if (keyword.action === 'opt-out') {
      this.optOut({ number: number.number, phone, keyword: keyword.keyword, messageId: input.messageId, atMs });
      return this.reply(number.number, phone, settings.optOutReply, input.text, atMs);
    }
    if (!this.optIn(number.number, phone)) return undefined;
    return this.reply(number.number, phone, settings.optInReply, input.text, atMs);
  }

  private reply(from: string, to: string, template: string, sent: string | undefined, atMs: number): NetworkReply {
    const text = template.replaceAll('{keyword}', (sent ?? '').trim().toLowerCase());
    const messageId = newMessageId(atMs);
    this.addToInbox({ phone: to, messageId, direction: 'network', from, to: [to], text, media: null, timeMs: atMs });
    return { messageId, from, to, text };
  }
}
