/**
 * Send intents on either backend: one set of statements, spelled through the backend's {@link Params} (`?` or `$n`)
 * and time selector, run by a small {@link SqlRunner} each backend provides. Every change is one statement, so it is
 * atomic on its own; a message id can belong to one intent only (a unique index), so two executions proving the same
 * message cannot both claim it.
 */
import { nowTime } from './event-time';
import type { Params } from './query';
import { RecordInputError } from './errors';
import type { AcceptedMessage, SendIntent, SendIntentInput, SendIntents, SendIntentState } from './send-intent';

/** How a backend runs one statement. */
export interface SqlRunner {
  params(): Params;
  /** A time column selected in the store's normalised form. */
  time(column: string): string;
  all<T>(sql: string, values: unknown[]): Promise<T[]>;
  /** Rows changed. */
  run(sql: string, values: unknown[]): Promise<number>;
  isUniqueViolation(err: unknown): boolean;
}

interface IntentRow {
  key: string;
  conversation_id: string | null;
  tag: string;
  from_number: string;
  to_numbers: unknown;
  state: SendIntentState;
  attempts: number | string;
  message_id: string | null;
  segment_count: number | string | null;
  accepted_time: string | null;
  created_at: string;
  attempted_at: string;
}

function toIntent(row: IntentRow): SendIntent {
  const to =
    typeof row.to_numbers === 'string' ? (JSON.parse(row.to_numbers) as string[]) : (row.to_numbers as string[]);
  return {
    key: row.key,
    conversationId: row.conversation_id,
    tag: row.tag,
    from: row.from_number,
    to,
    state: row.state,
    attempts: Number(row.attempts),
    accepted:
      row.message_id === null
        ? null
        : { messageId: row.message_id, segmentCount: Number(row.segment_count ?? 1), time: row.accepted_time ?? '' },
    createdAt: row.created_at,
    attemptedAt: row.attempted_at,
  };
}

export function createSendIntents(db: SqlRunner, assertOpen: () => void): SendIntents {
  const columns = `key, conversation_id, tag, from_number, to_numbers, state, attempts, message_id, segment_count,
    ${db.time('accepted_time')} AS accepted_time, ${db.time('created_at')} AS created_at,
    ${db.time('attempted_at')} AS attempted_at`;

  async function read(key: string): Promise<SendIntent> {
    const p = db.params();
    const [row] = await db.all<IntentRow>(`SELECT ${columns} FROM send_intents WHERE key = ${p.add(key)}`, p.values);
    if (!row) throw new Error(`No send intent ${key}`);
    return toIntent(row);
  }

  /**
   * Writes the intent for `input.key` as `state` with `attempts` begun, unless it exists: the new intent, or undefined.
   * One statement: the new row comes back from the insert.
   */
  async function insert(
    input: SendIntentInput,
    state: 'not-sent' | 'attempting',
    attempts: 0 | 1,
  ): Promise<SendIntent | undefined> {
    assertOpen();
    if (!input.key || !input.tag || !input.from || input.to.length === 0) {
      throw new RecordInputError(`A send intent needs a key, a tag, a sender and recipients: ${JSON.stringify(input)}`);
    }
    const p = db.params();
    const now = nowTime();
    const values = [
      p.add(input.key),
      p.add(input.conversationId),
      p.add(input.tag),
      p.add(input.from),
      p.add(JSON.stringify(input.to)),
      p.add(state),
      p.add(attempts),
      p.time(now),
      p.time(now),
    ];
    const [row] = await db.all<IntentRow>(
      `INSERT INTO send_intents (key, conversation_id, tag, from_number, to_numbers, state, attempts, created_at,
         attempted_at) VALUES (${values.join(', ')}) ON CONFLICT (key) DO NOTHING RETURNING ${columns}`,
      p.values,
    );
    return row ? toIntent(row) : undefined;
  }

  return {
    // Only an existing intent (a send executed again) is read after the insert.
    async open(input: SendIntentInput) {
      return (await insert(input, 'not-sent', 0)) ?? read(input.key);
    },

    async openAttempting(input: SendIntentInput) {
      const created = await insert(input, 'attempting', 1);
      return created ? { intent: created, created: true } : { intent: await read(input.key), created: false };
    },

    async attempt(key) {
      assertOpen();
      const p = db.params();
      const [row] = await db.all<IntentRow>(
        `UPDATE send_intents SET state = 'attempting', attempts = attempts + 1, attempted_at = ${p.time(nowTime())}
         WHERE key = ${p.add(key)} AND state <> 'accepted' RETURNING ${columns}`,
        p.values,
      );
      return row ? toIntent(row) : read(key); // accepted already: unchanged
    },

    async settle(key, outcome) {
      assertOpen();
      const p = db.params();
      if (outcome.state === 'not-sent') {
        await db.run(
          `UPDATE send_intents SET state = 'not-sent' WHERE key = ${p.add(key)} AND state <> 'accepted'`,
          p.values,
        );
        return true;
      }
      const { messageId, segmentCount, time } = outcome.accepted;
      try {
        const changed = await db.run(
          `UPDATE send_intents SET state = 'accepted', message_id = ${p.add(messageId)},
             segment_count = ${p.add(segmentCount)}, accepted_time = ${p.time(time)}
           WHERE key = ${p.add(key)} AND (message_id IS NULL OR message_id = ${p.add(messageId)})`,
          p.values,
        );
        return changed > 0;
      } catch (err) {
        if (db.isUniqueViolation(err)) return false;
        throw err;
      }
    },

    async provenByRecords(intent, since) {
      assertOpen();
      const p = db.params();
      const where = [
        ...(intent.conversationId === null ? [] : [`r.conversation_id = ${p.add(intent.conversationId)}`]),
        `r.tag = ${p.add(intent.tag)}`,
        `r.direction = 'out'`,
        'r.message_id IS NOT NULL',
        `r.event_time >= ${p.time(since)}`,
        'NOT EXISTS (SELECT 1 FROM send_intents i WHERE i.message_id = r.message_id)',
      ];
      const [row] = await db.all<{ message_id: string; segment_count: number | string | null; event_time: string }>(
        `SELECT r.message_id, r.segment_count, ${db.time('r.event_time')} AS event_time FROM message_records r
         WHERE ${where.join(' AND ')} ORDER BY r.event_time, r.seq LIMIT 1`,
        p.values,
      );
      return row
        ? ({
            messageId: row.message_id,
            segmentCount: Number(row.segment_count ?? 1),
            time: row.event_time,
          } satisfies AcceptedMessage)
        : null;
    },

    async owned(messageIds) {
      assertOpen();
      if (messageIds.length === 0) return new Set();
      const p = db.params();
      const list = messageIds.map((id) => p.add(id)).join(', ');
      const rows = await db.all<{ message_id: string }>(
        `SELECT message_id FROM send_intents WHERE message_id IN (${list})`,
        p.values,
      );
      return new Set(rows.map((r) => r.message_id));
    },
  };
}
