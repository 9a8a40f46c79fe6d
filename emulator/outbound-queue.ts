/**
 * The account message queue (reference §8): messages wait here after the 202 and leave at the account's rate,
 * counted in segments (a group message costs one unit per recipient), and at the from-number's rate (P2P numbers:
 * 1 per second). `priority: high` jumps ahead of default traffic. Capacity is 15 minutes of the account's rate; past
 * that, create answers 429 `max-message-queue-size-exceeded`.
 */
import { type Db } from './database';
import { type Directory } from './directory';

export interface QueueEntry {
  seq: number;
  messageId: string;
  accountId: string;
  fromTn: string;
  priority: number;
  units: number;
  enqueuedMs: number;
  expirationMs: number | null;
}

interface QueueRow {
  seq: number;
  message_id: string;
  account_id: string;
  from_tn: string;
  priority: number;
  units: number;
  enqueued_ms: number;
  expiration_ms: number | null;
}

const toEntry = (r: QueueRow): QueueEntry => ({
  seq: r.seq,
  messageId: r.message_id,
  accountId: r.account_id,
  fromTn: r.from_tn,
  priority: r.priority,
  units: r.units,
  enqueuedMs: r.enqueued_ms,
  expirationMs: r.expiration_ms,
});

/** How far a rate limiter may lag behind the clock: up to one second of burst after an idle spell. */
const BURST_MS = 1000;
const PAGE = 500;

export class OutboundQueue {
  private readonly queuedUnits = new Map<string, number>();
  private readonly accountNextFree = new Map<string, number>();
  private readonly numberNextFree = new Map<string, number>();
  private readonly insertStmt;
  private readonly headStmt;
  private readonly deleteStmt;
  private readonly expiredStmt;
  private readonly nextExpiryStmt;

  constructor(
    private readonly db: Db,
    private readonly directory: Directory,
  ) {
    for (const r of db.prepare('SELECT account_id, SUM(units) AS u FROM queue GROUP BY account_id').all() as {
      account_id: string;
      u: number;
    }[]) {
      this.queuedUnits.set(r.account_id, r.u);
    }
    this.insertStmt = db.prepare(
      `INSERT INTO queue (message_id, account_id, from_tn, priority, units, enqueued_ms, expiration_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.headStmt = db.prepare('SELECT * FROM queue WHERE account_id = ? ORDER BY priority DESC, seq LIMIT ?');
    this.deleteStmt = db.prepare('DELETE FROM queue WHERE seq = ?');
    this.expiredStmt = db.prepare(
      'SELECT * FROM queue WHERE expiration_ms IS NOT NULL AND expiration_ms <= ? ORDER BY expiration_ms LIMIT 500',
    );
    this.nextExpiryStmt = db.prepare('SELECT MIN(expiration_ms) AS due FROM queue WHERE expiration_ms IS NOT NULL');
  }

  /** Capacity of an account's queue in units: `queueMinutes` of its rate. */
  capacity(accountId: string): number {
    const account = this.directory.account(accountId);
    if (!account) return 0;
    return Math.floor(account.limits.messagesPerSecond * 60 * account.limits.queueMinutes);
  }

  /** Units waiting in an account's queue. */
  depth(accountId: string): number {
    return this.queuedUnits.get(accountId) ?? 0;
  }

  /** True when `units` more would overflow the account's queue. */
  wouldOverflow(accountId: string, units: number): boolean {
    return this.depth(accountId) + units > this.capacity(accountId);
  }

  /** Counts `units` against the account's queue before they are written (so a burst cannot overfill it). */
  reserve(accountId: string, units: number): void {
    this.queuedUnits.set(accountId, this.depth(accountId) + units);
  }

  /** Gives back a reservation whose message was never written. */
  release(accountId: string, units: number): void {
    this.queuedUnits.set(accountId, Math.max(0, this.depth(accountId) - units));
  }

  /** Writes a queued message whose units were already reserved. */
  persist(entry: Omit<QueueEntry, 'seq'>): void {
    this.insertStmt.run(
      entry.messageId,
      entry.accountId,
      entry.fromTn,
      entry.priority,
      entry.units,
      entry.enqueuedMs,
      entry.expirationMs,
    );
  }

  enqueue(entry: Omit<QueueEntry, 'seq'>): void {
    this.persist(entry);
    this.queuedUnits.set(entry.accountId, this.depth(entry.accountId) + entry.units);
  }

  /** Removes and returns every queued entry whose expiration has passed. */
  takeExpired(now: number): QueueEntry[] {
    const rows = (this.expiredStmt.all(now) as QueueRow[]).map(toEntry);
    for (const e of rows) this.remove(e);
    return rows;
  }

  /** Emulated time at which the next queued message expires. */
  nextExpiry(): number | undefined {
    return (this.nextExpiryStmt.get() as { due: number | null }).due ?? undefined;
  }

  /**
   * Takes every entry the rate limits allow at `now`, highest priority first, then oldest. Returns them with the
   * emulated time when the queue should be looked at again (undefined when empty).
   */
  takeReady(now: number): { ready: QueueEntry[]; nextDue?: number } {
    const ready: QueueEntry[] = [];
    let nextDue: number | undefined;
    const consider = (t: number) => {
      nextDue = nextDue === undefined ? t : Math.min(nextDue, t);
    };
    for (const [accountId, units] of this.queuedUnits) {
      if (units <= 0) continue;
      const account = this.directory.account(accountId);
      const rate = account?.limits.messagesPerSecond ?? 1;
      let skipped = 0; // entries held back by their number's rate stay at the head
      for (;;) {
        const free = this.accountNextFree.get(accountId) ?? 0;
        if (free > now) {
          consider(free);
          break;
        }
        const rows = (this.headStmt.all(accountId, skipped + PAGE) as QueueRow[]).slice(skipped).map(toEntry);
        if (rows.length === 0) break;
        for (const e of rows) {
          const accountFree = this.accountNextFree.get(accountId) ?? 0;
          if (accountFree > now) break;
          const numberRate = this.numberRate(e.fromTn);
          const numberFree = this.numberNextFree.get(e.fromTn) ?? 0;
          if (numberRate !== undefined && numberFree > now) {
            consider(numberFree);
            skipped += 1;
            continue;
          }
          this.accountNextFree.set(accountId, Math.max(accountFree, now - BURST_MS) + (e.units * 1000) / rate);
          if (numberRate !== undefined) {
            this.numberNextFree.set(e.fromTn, Math.max(numberFree, now - BURST_MS) + (e.units * 1000) / numberRate);
          }
          this.remove(e);
          ready.push(e);
        }
        if (rows.length < PAGE && (this.accountNextFree.get(accountId) ?? 0) <= now) break;
      }
    }
    return { ready, nextDue };
  }

  /** Per-number rate in segments per second, or undefined when only the account rate applies. */
  private numberRate(tn: string): number | undefined {
    const n = this.directory.number(tn);
    if (!n) return undefined;
    if (n.messagesPerSecond !== undefined) return n.messagesPerSecond;
    return n.product === 'P2P' ? 1 : undefined;
  }

  /** Forgets all queue state (after the tables were emptied). */
  reset(): void {
    this.queuedUnits.clear();
    this.accountNextFree.clear();
    this.numberNextFree.clear();
  }

  private remove(e: QueueEntry): void {
    this.deleteStmt.run(e.seq);
    this.queuedUnits.set(e.accountId, Math.max(0, this.depth(e.accountId) - e.units));
  }
}
