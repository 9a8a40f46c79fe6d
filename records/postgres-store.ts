/**
 * The production backend: PostgreSQL at `DATABASE_URL`. Migrations run at open in one transaction under an advisory
 * lock, so several server instances can start at once; appends from any number of instances are safe.
 */
import { createHash } from 'node:crypto';
import { Pool, type PoolClient, type QueryConfig } from 'pg';
import { RecordStoreOpenError } from './errors';
import type { MessageRecord } from './message-record';
import { MIGRATIONS } from './migrations';
import { INSERT_COLUMNS, insertValues, rowToRecord, type PreparedRecord, type RecordRow } from './prepared-record';
import { pageSql, type ResolvedQuery } from './query';
import { postgresOptOutBackend } from './postgres-opt-outs';
import { postgresLifecycleBackend } from './postgres-lifecycle';
import { inTransaction } from './postgres-transaction';
import { postgresParams, postgresTime } from './sql-params';
import type { RecordBackend } from './record-store';

/** Key of the advisory lock held while migrating: "thrdline" in ASCII. */
const MIGRATION_LOCK = '8388080081618693733';

const SELECT_COLUMNS = `r.seq, r.id, r.kind, r.message_id, r.event_type, r.direction, r.our_number, r.participants,
  r.from_number, r.to_numbers, r.recipient, r.text, r.media, r.segment_count, r.error_code, r.description,
  r.cost_micros, r.currency, r.carrier_name, r.conversation_id, r.tag, ${postgresTime('r.event_time')} AS event_time, ${postgresTime('r.recorded_at')} AS recorded_at, r.raw`;

/** Retried appends: deadlock (another instance inserting the same keys) and serialization failures. */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 5;

/** The URL with its password replaced, for error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable DATABASE_URL)';
  }
}

async function migrate(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await inTransaction(client, async () => {
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK]);
      await client.query(
        'CREATE TABLE IF NOT EXISTS threadline_migrations (id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
      );
      const { rows } = await client.query<{ id: string }>('SELECT id FROM threadline_migrations');
      const applied = new Set(rows.map((r) => r.id));
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.id)) continue;
        await client.query(migration.postgres);
        await client.query('INSERT INTO threadline_migrations (id) VALUES ($1)', [migration.id]);
      }
    });
  } finally {
    client.release();
  }
}

const INSERT_RECORD = `INSERT INTO message_records (${INSERT_COLUMNS.join(', ')})
  VALUES (${INSERT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
  ON CONFLICT (id) DO NOTHING RETURNING seq`;
const INSERT_PARTICIPANTS = `INSERT INTO message_record_participants (participant, record_seq)
  SELECT DISTINCT unnest($1::text[]), $2::bigint ON CONFLICT DO NOTHING`;

async function insertBatch(client: PoolClient, records: PreparedRecord[]) {
  return inTransaction(client, async () => {
    let inserted = 0;
    for (const record of records) {
      const { rows } = await client.query<{ seq: string }>(INSERT_RECORD, insertValues(record, JSON.stringify));
      const row = rows[0];
      if (row === undefined) continue;
      inserted++;
      if (record.participants.length > 0) await client.query(INSERT_PARTICIPANTS, [record.participants, row.seq]);
    }
    return { inserted, duplicates: records.length - inserted };
  });
}

/** Most distinct statements given a name (prepared once per connection); rarer ones, beyond it, are parsed each time. */
const MAX_NAMED_STATEMENTS = 100;

/**
 * The send intents' statements as named prepared statements: each send runs the same few, so PostgreSQL parses and
 * plans each once per connection rather than on every send.
 */
function namedStatements() {
  const names = new Map<string, string>();
  return (text: string, values: unknown[]): QueryConfig => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_NAMED_STATEMENTS) {
      name = `threadline_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
      names.set(text, name);
    }
    return name === undefined ? { text, values } : { name, text, values };
  };
}

/** Connects to PostgreSQL at `databaseUrl` and brings its schema up to date. */
export async function openPostgresBackend(databaseUrl: string): Promise<RecordBackend> {
  const pool = new Pool({ connectionString: databaseUrl, max: 10, connectionTimeoutMillis: 10_000 });
  // An idle connection dropped by the server must not crash the process; the next query reports the problem.
  pool.on('error', () => undefined);
  try {
    await migrate(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new RecordStoreOpenError(
      `Cannot open the message records database ${redactUrl(databaseUrl)}: ${(err as Error).message}`,
      { cause: err },
    );
  }

  const statement = namedStatements();
  return {
    optOuts: postgresOptOutBackend(pool),
    lifecycle: postgresLifecycleBackend(pool),
    sendIntents: {
      params: postgresParams,
      time: postgresTime,
      async all<T>(sql: string, values: unknown[]) {
        return (await pool.query(statement(sql, values))).rows as T[];
      },
      async run(sql, values) {
        return (await pool.query(statement(sql, values))).rowCount ?? 0;
      },
      isUniqueViolation: (err) => (err as { code?: string }).code === '23505',
    },
    async insert(records) {
      // Insert in key order: two instances appending overlapping batches then lock keys in the same order and cannot
      // deadlock each other. Order within a batch does not matter; records are read back by event time.
      const sorted = [...records].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        try {
          const result = await insertBatch(client, sorted);
          client.release();
          return result;
        } catch (err) {
          client.release(true); // the connection may be in a failed state: don't give it to the next caller
          const code = (err as { code?: string }).code;
          if (attempt >= MAX_ATTEMPTS || code === undefined || !RETRYABLE.has(code)) throw err;
        }
      }
    },
    async select(query: ResolvedQuery, limit: number): Promise<MessageRecord[]> {
      const params = postgresParams();
      const sql = pageSql(SELECT_COLUMNS, query, params, limit);
      const { rows } = await pool.query<RecordRow>(sql, params.values);
      return rows.map((row) => rowToRecord(row, (value) => value));
    },
    async markHandedOff(ids) {
      await pool.query(
        'INSERT INTO callback_handoffs (record_id) SELECT unnest($1::text[]) ORDER BY 1 ON CONFLICT DO NOTHING',
        [ids],
      );
    },
    async handedOff(ids) {
      const { rows } = await pool.query<{ record_id: string }>(
        'SELECT record_id FROM callback_handoffs WHERE record_id = ANY($1::text[])',
        [ids],
      );
      return new Set(rows.map((r) => r.record_id));
    },
    async close() {
      await pool.end();
    },
  };
}
