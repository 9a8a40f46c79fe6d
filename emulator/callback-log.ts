/**
 * The callback log as the admin API shows it (`GET /emulator/callbacks`): every callback the emulator queued, its
 * state and every attempt made, read from the tables the dispatcher (callback-dispatcher.ts) writes.
 */
import { type CallbackEventBody } from './callback-payloads';
import { type Db } from './database';

export type CallbackState = 'pending' | 'delivered' | 'dropped';

export interface CallbackAttempt {
  attempt: number;
  url: string;
  time: string;
  latencyMs: number;
  status: number | null;
  error: string | null;
  outcome: 'delivered' | 'retry' | 'dropped';
  nextAttemptTime: string | null;
}

export interface CallbackRecord {
  id: number;
  accountId: string;
  applicationId: string;
  url: string;
  state: CallbackState;
  types: string[];
  messageIds: string[];
  duplicateOf: number | null;
  createdTime: string;
  nextAttemptTime: string | null;
  attempts: CallbackAttempt[];
  body: CallbackEventBody[];
}

/** A row of the `callbacks` table. */
export interface CallbackRow {
  id: number;
  account_id: string;
  application_id: string;
  url: string;
  username: string | null;
  password: string | null;
  body: string;
  event_count: number;
  types: string;
  message_ids: string;
  duplicate_of: number | null;
  created_ms: number;
  next_attempt_ms: number;
  attempts: number;
  state: CallbackState;
}

export interface CallbackFilter {
  messageId?: string;
  state?: CallbackState;
  type?: string;
  limit?: number;
}

/** The callback log, newest first. */
export function listCallbacks(db: Db, filter: CallbackFilter = {}): CallbackRecord[] {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.messageId) {
    where.push(`(',' || message_ids || ',') LIKE ?`);
    params.push(`%,${filter.messageId},%`);
  }
  if (filter.state) {
    where.push('state = ?');
    params.push(filter.state);
  }
  if (filter.type) {
    where.push(`(',' || types || ',') LIKE ?`);
    params.push(`%,${filter.type},%`);
  }
  const sql = `SELECT * FROM callbacks ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
  const rows = db.prepare(sql).all(...params, filter.limit ?? 100) as CallbackRow[];
  const attemptsStmt = db.prepare('SELECT * FROM callback_attempts WHERE callback_id = ? ORDER BY attempt');
  return rows.map((r) => ({
    id: r.id,
    accountId: r.account_id,
    applicationId: r.application_id,
    url: r.url,
    state: r.state,
    types: r.types.split(','),
    messageIds: r.message_ids.split(','),
    duplicateOf: r.duplicate_of,
    createdTime: new Date(r.created_ms).toISOString(),
    nextAttemptTime: r.state === 'pending' ? new Date(r.next_attempt_ms).toISOString() : null,
    body: JSON.parse(r.body) as CallbackEventBody[],
    attempts: (attemptsStmt.all(r.id) as AttemptRow[]).map((a) => ({
      attempt: a.attempt,
      url: a.url,
      time: new Date(a.started_ms).toISOString(),
      latencyMs: a.latency_ms,
      status: a.status,
      error: a.error,
      outcome: a.outcome,
      nextAttemptTime: a.next_attempt_ms === null ? null : new Date(a.next_attempt_ms).toISOString(),
    })),
  }));
}

/** Counts of callbacks by state. */
export function callbackStats(db: Db): Record<CallbackState, number> {
  const rows = db.prepare('SELECT state, COUNT(*) AS n FROM callbacks GROUP BY state').all() as {
    state: CallbackState;
    n: number;
  }[];
  const out: Record<CallbackState, number> = { pending: 0, delivered: 0, dropped: 0 };
  for (const r of rows) out[r.state] = r.n;
  return out;
}

interface AttemptRow {
  attempt: number;
  url: string;
  started_ms: number;
  latency_ms: number;
  status: number | null;
  error: string | null;
  outcome: 'delivered' | 'retry' | 'dropped';
  next_attempt_ms: number | null;
}
