/**
 * The embedded backend: one SQLite file in the data directory (or memory, for tests). WAL journal with
 * `synchronous=NORMAL`: a commit survives a crash of the process, and readers never block the writer. Several
 * processes may share the file; writers take turns (`BEGIN IMMEDIATE`, waiting up to `busy_timeout`).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { RecordStoreOpenError } from './errors';
import type { MessageRecord } from './message-record';
import { MIGRATIONS } from './migrations';
import { INSERT_COLUMNS, insertValues, rowToRecord, type PreparedRecord, type RecordRow } from './prepared-record';
import { pageSql, type ResolvedQuery } from './query';
import { sqliteParams } from './sql-params';
import { sqliteOptOutBackend } from './sqlite-opt-outs';
import { sqliteLifecycleBackend } from './sqlite-lifecycle';
import type { RecordBackend } from './record-store';
import { nowTime } from './event-time';

/** How long a writer waits for another process's write transaction before failing. */
const BUSY_TIMEOUT_MS = 10_000;

const SELECT_COLUMNS = `r.seq, r.id, r.kind, r.message_id, r.event_type, r.direction, r.our_number, r.participants,
  r.from_number, r.to_numbers, r.recipient, r.text, r.media, r.segment_count, r.error_code, r.description,
  r.cost_micros, r.currency, r.carrier_name, r.conversation_id, r.tag, r.event_time, r.recorded_at, r.raw`;

/** Runs `work`, retrying it while SQLite reports the database busy, for up to {@link BUSY_TIMEOUT_MS}. */
function whileBusy<T>(work: () => T): T {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let delayMs = 5; ; delayMs = Math.min(delayMs * 2, 100)) {
    try {
      return work();
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw err;
      Atomics.wait(pause, 0, 0, delayMs); // opening is synchronous anyway; this only delays the retry
    }
  }
}

function migrate(db: Database.Database): void {
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS threadline_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    const applied = new Set(
      db
        .prepare('SELECT id FROM threadline_migrations')
        .pluck()
        .all()
        .map((id) => String(id)),
    );
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.id)) continue;
      db.exec(migration.sqlite);
      db.prepare('INSERT INTO threadline_migrations (id, applied_at) VALUES (?, ?)').run(migration.id, nowTime());
    }
  }).immediate();
}

/** Opens (creating if needed) the SQLite database at `filename`, or an in-memory one for `':memory:'`. */
export function openSqliteBackend(filename: string): RecordBackend {
  let db: Database.Database;
  try {
    if (filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
    db = new Database(filename);
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Switching a new file to WAL needs an exclusive lock, and SQLite answers SQLITE_BUSY at once (no busy handler)
    // when another process opens the same new file at the same moment: retry for as long as a writer would wait.
    whileBusy(() => db.pragma('journal_mode = WAL'));
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (err) {
    throw new RecordStoreOpenError(`Cannot open the message records database ${filename}: ${(err as Error).message}`, {
      cause: err,
    });
  }

  const insertRecord = db.prepare<unknown[], { seq: number }>(
    `INSERT INTO message_records (${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map(() => '?').join(', ')})
     ON CONFLICT (id) DO NOTHING RETURNING seq`,
  );
  const insertParticipant = db.prepare(
    'INSERT OR IGNORE INTO message_record_participants (participant, record_seq) VALUES (?, ?)',
  );
  const insertAll = db.transaction((records: PreparedRecord[]) => {
    let inserted = 0;
    for (const record of records) {
      const row = insertRecord.get(...insertValues(record, JSON.stringify));
      if (row === undefined) continue;
      inserted++;
      for (const participant of record.participants) insertParticipant.run(participant, row.seq);
    }
    return { inserted, duplicates: records.length - inserted };
  });

  const insertHandoff = db.prepare('INSERT OR IGNORE INTO callback_handoffs (record_id, handed_off_at) VALUES (?, ?)');
  const markAll = db.transaction((ids: string[]) => {
    const at = nowTime();
    for (const id of ids) insertHandoff.run(id, at);
  });
  const selectHandoffs = db.prepare<[string], string>(
    'SELECT record_id FROM callback_handoffs WHERE record_id IN (SELECT value FROM json_each(?))',
  );

  const statements = new Map<string, Database.Statement<unknown[], RecordRow>>();
  const otherStatements = new Map<string, Database.Statement>();
  const prepared = (sql: string) => {
    let statement = otherStatements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      otherStatements.set(sql, statement);
    }
    return statement;
  };
  const parseJson = (value: unknown) => JSON.parse(value as string) as unknown;

  return {
    optOuts: sqliteOptOutBackend(db),
    lifecycle: sqliteLifecycleBackend(db),
    sendIntents: {
      params: sqliteParams,
      time: (column) => column,
      all<T>(sql: string, values: unknown[]) {
        return Promise.resolve(prepared(sql).all(...values) as T[]);
      },
      run(sql, values) {
        return Promise.resolve(prepared(sql).run(...values).changes);
      },
      isUniqueViolation: (err) => (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE',
    },
    insert(records) {
      return Promise.resolve(insertAll.immediate(records));
    },
    select(query: ResolvedQuery, limit: number): Promise<MessageRecord[]> {
      const params = sqliteParams();
      const sql = pageSql(SELECT_COLUMNS, query, params, limit);
      let statement = statements.get(sql);
      if (!statement) {
        statement = db.prepare<unknown[], RecordRow>(sql);
        statements.set(sql, statement);
      }
      return Promise.resolve(statement.all(...params.values).map((row) => rowToRecord(row, parseJson)));
    },
    markHandedOff(ids) {
      markAll.immediate(ids);
      return Promise.resolve();
    },
    handedOff(ids) {
      return Promise.resolve(new Set(selectHandoffs.pluck().all(JSON.stringify(ids))));
    },
    close() {
      db.close();
      return Promise.resolve();
    },
  };
}
