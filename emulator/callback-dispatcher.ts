/**
 * Delivers callbacks the way Bandwidth does (reference §3.1): POST a JSON array to the application's URL with
 * `Content-Type: application/json; charset=utf-8`, `User-Agent: BandwidthAPI/v2` and the application's Basic
 * credentials; any 2xx is success; a timeout (10 s) or anything else is retried on a back-off schedule until 24 hours
 * after the callback was first due, then dropped. Every attempt is logged.
 *
 * Pending callbacks live in SQLite, so a restart resumes them. A callback in flight holds a lease (its next attempt
 * time is pushed past the timeout); if the process dies mid-request, the lease runs out and the callback is retried,
 * which is at-least-once delivery, as Bandwidth promises. On a clean stop ({@link CallbackDispatcher.pause}, then
 * {@link CallbackDispatcher.close}) nothing new is sent, and a request cut short by the stop is not counted as an
 * attempt: its callback is due again at once, for the next start.
 */
import { performance } from 'node:perf_hooks';
import { type Logger } from 'pino';
import { type ScaledClock } from './clock';
import { type CallbackEventBody } from './callback-payloads';
import { type Db } from './database';
import { HttpPoster } from './http-post';
import {
  callbackStats,
  listCallbacks,
  type CallbackFilter,
  type CallbackRecord,
  type CallbackRow,
  type CallbackState,
} from './callback-log';
import { type Settings } from './settings';

export type { CallbackAttempt, CallbackRecord, CallbackState } from './callback-log';

export interface CallbackTarget {
  accountId: string;
  applicationId: string;
  url: string;
  credentials?: { username: string; password: string };
}

export class CallbackDispatcher {
  private inFlight = 0;
  private readonly inFlightIds = new Set<number>();
  /** Requests started and not yet released (their slot and rows still held). */
  private readonly live = new Set<CallbackRow[]>();
  private completions: Completion[] = [];
  private paused = false;
  private readonly pending = new Set<Promise<void>>();
  private readonly poster: HttpPoster;
  private readonly insertStmt;
  private readonly dueStmt;
  private readonly leaseStmt;
  private readonly nextDueStmt;
  private readonly updateStmt;
  private readonly attemptStmt;
  /** Leases every row of `chunks` until emulated time `until`, in one transaction (the caller's, if one is open). */
  private readonly leaseTx: (chunks: CallbackRow[][], until: number) => void;
  /** Applies finished attempts in one transaction (the caller's, if one is open); returns the earliest retry. */
  private readonly recordTx: (batch: Completion[]) => number | undefined;
  /** `Authorization` header values by `username:password`. */
  private readonly authorizations = new Map<string, string>();

  constructor(
    private readonly db: Db,
    private readonly clock: ScaledClock,
    private readonly settings: () => Settings,
    private readonly random: () => number,
    private readonly logger: Logger,
    /** Called when callback work becomes due at emulated time `dueMs`. */
    private readonly wake: (dueMs: number) => void,
  ) {
    this.poster = new HttpPoster();
    this.insertStmt = db.prepare(
      `INSERT INTO callbacks (account_id, application_id, url, username, password, body, event_count, types, message_ids,
         duplicate_of, created_ms, next_attempt_ms, attempts, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 'pending')`,
    );
    this.dueStmt = db.prepare(
      `SELECT * FROM callbacks WHERE state = 'pending' AND next_attempt_ms <= ? ORDER BY next_attempt_ms, id LIMIT ?`,
    );
    this.leaseStmt = db.prepare('UPDATE callbacks SET next_attempt_ms = ? WHERE id = ?');
    this.nextDueStmt = db.prepare(`SELECT MIN(next_attempt_ms) AS due FROM callbacks WHERE state = 'pending'`);
    this.updateStmt = db.prepare(
      `UPDATE callbacks SET state = ?, attempts = ?, next_attempt_ms = ?, last_status = ?, last_error = ? WHERE id = ?`,
    );
    this.attemptStmt = db.prepare(
      `INSERT INTO callback_attempts (callback_id, attempt, url, started_ms, latency_ms, status, error, outcome,
         next_attempt_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const lease = (chunks: CallbackRow[][], until: number) => {
      for (const chunk of chunks) for (const row of chunk) this.leaseStmt.run(until, row.id);
    };
    const leaseTx = db.transaction(lease);
    // Within the engine's tick the leases join its transaction; on their own they get one.
    this.leaseTx = (chunks, until) => (db.inTransaction ? lease(chunks, until) : leaseTx(chunks, until));
    const record = (batch: Completion[]) => {
      let retryAt: number | undefined;
      for (const c of batch) {
        const next = this.applyCompletion(c);
        if (next !== undefined) retryAt = retryAt === undefined ? next : Math.min(retryAt, next);
      }
      return retryAt;
    };
    const recordTx = db.transaction(record);
    this.recordTx = (batch) => (db.inTransaction ? record(batch) : recordTx(batch));
  }

  /** Queues one callback POST carrying `events`, first due at emulated time `dueMs`. */
  enqueue(target: CallbackTarget, events: CallbackEventBody[], dueMs: number, duplicateOf?: number): void {
    const policy = this.settings().callbacks;
    let due = dueMs;
    if (duplicateOf === undefined && policy.reorderRate > 0 && this.random() < policy.reorderRate) {
      due += Math.ceil(this.random() * policy.reorderMaxDelayMs);
    }
    this.insertStmt.run(
      target.accountId,
      target.applicationId,
      target.url,
      target.credentials?.username ?? null,
      target.credentials?.password ?? null,
      JSON.stringify(events),
      events.length,
      distinct(events, (e) => e.type),
      distinct(events, (e) => e.message.id),
      duplicateOf ?? null,
      due,
      due,
    );
    this.wake(due);
  }

  /** Starts every due callback the concurrency limit allows. */
  pump(now: number): void {
    if (this.paused) return;
    const policy = this.settings().callbacks;
    const room = policy.concurrency - this.inFlight;
    if (room <= 0) return;
    const rows = (this.dueStmt.all(now, room * policy.batchMaxEvents) as CallbackRow[]).filter(
      (r) => !this.inFlightIds.has(r.id),
    );
    if (rows.length === 0) return;
    // Rows beyond the room (more chunks than requests allowed) are not leased: they stay due as they were.
    const chunks = chunkByTarget(rows, policy.batchMaxEvents).slice(0, room);
    // The lease outlives the real timeout of the request, converted to emulated time, with a wide margin.
    const realTimeoutMs = Math.max(policy.minRealTimeoutMs, this.clock.toRealMs(policy.timeoutMs));
    const leaseUntil = now + Math.ceil(realTimeoutMs * this.clock.timeScale * 2) + 1000;
    this.leaseTx(chunks, leaseUntil);
    for (const chunk of chunks) {
      this.inFlight += 1;
      this.live.add(chunk);
      for (const row of chunk) this.inFlightIds.add(row.id);
      const p = this.deliver(chunk).finally(() => {
        // Normally released when its attempt was recorded; here when it ended otherwise (cut short by a stop).
        if (this.release(chunk)) this.wake(this.clock.now());
        this.pending.delete(p);
      });
      this.pending.add(p);
    }
  }

  /** Emulated time of the next pending attempt, if any. */
  nextDue(): number | undefined {
    const row = this.nextDueStmt.get() as { due: number | null };
    return row.due ?? undefined;
  }

  hasRoom(): boolean {
    return this.inFlight < this.settings().callbacks.concurrency;
  }

  /** Starts no more requests; those in flight finish. Pending callbacks stay in the database, due as they were. */
  pause(): void {
    this.paused = true;
    // No tick will come to record finished attempts: record them on their own.
    if (this.completions.length > 0) setImmediate(() => this.recordCompletions());
  }

  /**
   * Pauses, waits for the requests in flight (until `force` aborts, if given), then cuts short any still running:
   * they are not counted as attempts and are due again at once.
   */
  async close(force?: AbortSignal): Promise<void> {
    this.pause();
    const inFlight = Promise.allSettled([...this.pending]);
    const forced = new Promise((resolve) => force?.addEventListener('abort', resolve, { once: true }));
    if (!force?.aborted) await Promise.race([inFlight, forced]);
    this.poster.close();
    await Promise.allSettled([...this.pending]);
  }

  private async deliver(rows: CallbackRow[]): Promise<void> {
    const first = rows[0];
    if (!first) return;
    const policy = this.settings().callbacks;
    const headers: Record<string, string> = {
      'Content-Type': 'application/json; charset=utf-8',
      'User-Agent': 'BandwidthAPI/v2',
    };
    if (first.username !== null && first.password !== null) {
      headers.Authorization = this.authorization(first.username, first.password);
    }
    const startedMs = this.clock.now();
    const t0 = performance.now();
    const timeoutMs = Math.max(policy.minRealTimeoutMs, this.clock.toRealMs(policy.timeoutMs));
    const result = await this.poster.post(first.url, headers, postBody(rows), timeoutMs);
    const status: number | null = 'status' in result ? result.status : null;
    const error: string | null = 'error' in result ? result.error : null;
    const latencyMs = Math.round((performance.now() - t0) * 100) / 100;
    if (this.paused && status === null) {
      // Cut short by the stop, not refused by the server: no attempt counted, due again at once.
      for (const row of rows) this.leaseStmt.run(this.clock.now(), row.id);
      return;
    }
    await new Promise<void>((resolve) => {
      this.completions.push({ rows, startedMs, latencyMs, status, error, resolve });
      if (this.completions.length > 1) return; // already asked for
      // The engine's next tick records it, in the tick's transaction; once paused, there is no tick.
      if (this.paused) setImmediate(() => this.recordCompletions());
      else this.wake(this.clock.now());
    });
  }

  /** Frees the request's slot and rows; false when it was already freed. */
  private release(chunk: CallbackRow[]): boolean {
    if (!this.live.delete(chunk)) return false;
    this.inFlight -= 1;
    for (const row of chunk) this.inFlightIds.delete(row.id);
    return true;
  }

  private authorization(username: string, password: string): string {
    const key = `${username}:${password}`;
    let value = this.authorizations.get(key);
    if (value === undefined) {
      value = `Basic ${Buffer.from(key).toString('base64')}`;
      if (this.authorizations.size >= 1000) this.authorizations.clear();
      this.authorizations.set(key, value);
    }
    return value;
  }

  /**
   * Records the attempts finished since the last call, all in one transaction (within a tick, the tick's), and frees
   * their requests' slots: the engine calls it at the start of each tick, before starting more requests.
   */
  recordCompletions(): void {
    if (this.completions.length === 0) return;
    const batch = this.completions;
    this.completions = [];
    let wakeAt: number | undefined;
    try {
      wakeAt = this.recordTx(batch);
    } catch (err) {
      this.logger.error({ err }, 'recording callback attempts failed; they will be retried');
    }
    for (const c of batch) {
      this.release(c.rows);
      c.resolve();
    }
    if (wakeAt !== undefined) this.wake(wakeAt);
  }

  /** Applies one attempt's outcome; returns the emulated time of the retry when one is scheduled. */
  private applyCompletion({ rows, startedMs, latencyMs, status, error }: Completion): number | undefined {
    const policy = this.settings().callbacks;
    const ok = status !== null && status >= 200 && status < 300;
    const now = this.clock.now();
    let retryAt: number | undefined;
    for (const row of rows) {
      const attempt = row.attempts + 1;
      if (ok) {
        this.updateStmt.run('delivered', attempt, now, status, null, row.id);
        this.attemptStmt.run(row.id, attempt, row.url, startedMs, latencyMs, status, null, 'delivered', null);
        if (row.duplicate_of === null && policy.duplicateRate > 0 && this.random() < policy.duplicateRate) {
          const delay = 1 + Math.ceil(this.random() * Math.max(1, policy.reorderMaxDelayMs));
          this.enqueue(targetOf(row), JSON.parse(row.body) as CallbackEventBody[], now + delay, row.id);
        }
        continue;
      }
      const schedule = policy.retryScheduleSeconds;
      const backoffS = schedule[Math.min(attempt - 1, schedule.length - 1)] ?? 3600;
      const next = now + backoffS * 1000;
      const expired = next > row.created_ms + policy.maxAgeSeconds * 1000;
      this.updateStmt.run(expired ? 'dropped' : 'pending', attempt, expired ? now : next, status, error, row.id);
      this.attemptStmt.run(
        row.id,
        attempt,
        row.url,
        startedMs,
        latencyMs,
        status,
        error,
        expired ? 'dropped' : 'retry',
        expired ? null : next,
      );
      if (expired) this.logger.warn({ callbackId: row.id, url: row.url }, 'callback dropped after 24 hours of retries');
      else
        this.logger.debug({ callbackId: row.id, url: row.url, status, error, attempt }, 'callback failed; will retry');
      if (!expired) retryAt = retryAt === undefined ? next : Math.min(retryAt, next);
    }
    return retryAt;
  }

  /** The callback log, newest first. */
  list(filter: CallbackFilter = {}): CallbackRecord[] {
    return listCallbacks(this.db, filter);
  }

  /** Counts of callbacks by state. */
  stats(): Record<CallbackState, number> {
    return callbackStats(this.db);
  }
}

interface Completion {
  rows: CallbackRow[];
  startedMs: number;
  latencyMs: number;
  status: number | null;
  error: string | null;
  resolve: () => void;
}

function targetOf(row: CallbackRow): CallbackTarget {
  return {
    accountId: row.account_id,
    applicationId: row.application_id,
    url: row.url,
    credentials:
      row.username !== null && row.password !== null ? { username: row.username, password: row.password } : undefined,
  };
}

/** The distinct values of `key` over `events`, in first-seen order, comma-separated. */
function distinct(events: CallbackEventBody[], key: (e: CallbackEventBody) => string): string {
  if (events.length === 1) return key(events[0]!);
  return [...new Set(events.map(key))].join(',');
}

/**
 * The JSON array a POST carries: the events of every row, in order. Each row's body is the JSON array of its events
 * as `JSON.stringify` wrote it, so a single row's body goes out as stored, and several rows' arrays are spliced into
 * one without parsing them (the same bytes as stringifying the parsed events again).
 */
function postBody(rows: CallbackRow[]): string {
  if (rows.length === 1) return rows[0]!.body;
  const parts: string[] = [];
  for (const row of rows) {
    const inner = row.body.slice(1, -1);
    if (inner.length > 0) parts.push(inner);
  }
  return `[${parts.join(',')}]`;
}

function chunkByTarget(rows: CallbackRow[], max: number): CallbackRow[][] {
  const chunks: CallbackRow[][] = [];
  const open = new Map<string, CallbackRow[]>();
  for (const row of rows) {
    const key = `${row.url}\u0000${row.username ?? ''}\u0000${row.password ?? ''}`;
    let chunk = open.get(key);
    if (!chunk || chunk.length >= max) {
      chunk = [];
      open.set(key, chunk);
      chunks.push(chunk);
    }
    chunk.push(row);
  }
  return chunks;
}
