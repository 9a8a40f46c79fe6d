import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * Opens the emulator's SQLite database: `<dataDir>/emulator.sqlite` (WAL, synchronous=NORMAL), or an in-memory
 * database when `dataDir` is omitted. Everything that must survive a restart lives here: the directory of accounts,
 * applications and numbers, queued messages, scheduled delivery events, pending callbacks and their attempt log,
 * media, message metadata for search, the toll-free network's opt-outs and the phone page's handsets. Message text is never stored with the
 * metadata (Bandwidth keeps none); only the simulated handsets' inboxes hold text.
 */
export function openDatabase(dataDir?: string): Db {
  let db: Db;
  if (dataDir) {
    fs.mkdirSync(dataDir, { recursive: true });
    db = new Database(path.join(dataDir, 'emulator.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Checkpoint every ~40 MB of WAL, not every ~4 MB (the default): a checkpoint syncs the files on the event loop,
    // and under a stream of small commits the default ran one every few hundred commits. Durability is unchanged: a
    // commit is in the WAL either way.
    db.pragma('wal_autocheckpoint = 10000');
  } else {
    db = new Database(':memory:');
  }
  db.pragma('foreign_keys = OFF');
  migrate(db);
  return db;
}

const SCHEMA_VERSION = 4;

function migrate(db: Db): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version >= SCHEMA_VERSION) return;
  db.exec(`
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS applications (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, data TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS numbers (number TEXT PRIMARY KEY, account_id TEXT NOT NULL, data TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS behaviors (number TEXT PRIMARY KEY, data TEXT NOT NULL);

    CREATE TABLE IF NOT EXISTS messages (
      id TEXT PRIMARY KEY,
      account_id TEXT NOT NULL,
      application_id TEXT NOT NULL,
      direction TEXT NOT NULL,
      from_tn TEXT NOT NULL,
      to_json TEXT NOT NULL,
      owner TEXT NOT NULL,
      time_ms INTEGER NOT NULL,
      segment_count INTEGER NOT NULL,
      message_type TEXT NOT NULL,
      tag TEXT,
      priority TEXT,
      expiration TEXT,
      media_json TEXT,
      message_length INTEGER NOT NULL,
      message_size INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS messages_account_time ON messages (account_id, time_ms);

    CREATE TABLE IF NOT EXISTS recipients (
      message_id TEXT NOT NULL,
      tn TEXT NOT NULL,
      account_id TEXT NOT NULL,
      status TEXT NOT NULL,
      error_code INTEGER NOT NULL DEFAULT 0,
      carrier_name TEXT,
      terminal INTEGER NOT NULL DEFAULT 0,
      updated_ms INTEGER NOT NULL,
      PRIMARY KEY (message_id, tn)
    );
    CREATE INDEX IF NOT EXISTS recipients_tn ON recipients (tn);

    CREATE TABLE IF NOT EXISTS queue (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      message_id TEXT NOT NULL,
      account_id TEXT NOT NULL,
      from_tn TEXT NOT NULL,
      priority INTEGER NOT NULL,
      units INTEGER NOT NULL,
      enqueued_ms INTEGER NOT NULL,
      expiration_ms INTEGER
    );
    CREATE INDEX IF NOT EXISTS queue_order ON queue (account_id, priority DESC, seq);
    CREATE INDEX IF NOT EXISTS queue_expiration ON queue (expiration_ms) WHERE expiration_ms IS NOT NULL;

    CREATE TABLE IF NOT EXISTS events (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      due_ms INTEGER NOT NULL,
      message_id TEXT NOT NULL,
      tn TEXT NOT NULL,
      type TEXT NOT NULL,
      error_code INTEGER,
      description TEXT NOT NULL,
      carrier_name TEXT
    );
    CREATE INDEX IF NOT EXISTS events_due ON events (due_ms);

    CREATE TABLE IF NOT EXISTS callbacks (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      account_id TEXT NOT NULL,
      application_id TEXT NOT NULL,
      url TEXT NOT NULL,
      username TEXT,
      password TEXT,
      body TEXT NOT NULL,
      event_count INTEGER NOT NULL,
      types TEXT NOT NULL,
      message_ids TEXT NOT NULL,
      duplicate_of INTEGER,
      created_ms INTEGER NOT NULL,
      next_attempt_ms INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      state TEXT NOT NULL,
      last_status INTEGER,
      last_error TEXT
    );
    CREATE INDEX IF NOT EXISTS callbacks_due ON callbacks (state, next_attempt_ms);

    CREATE TABLE IF NOT EXISTS callback_attempts (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      callback_id INTEGER NOT NULL,
      attempt INTEGER NOT NULL,
      url TEXT NOT NULL,
      started_ms INTEGER NOT NULL,
      latency_ms REAL NOT NULL,
      status INTEGER,
      error TEXT,
      outcome TEXT NOT NULL,
      next_attempt_ms INTEGER
    );
    CREATE INDEX IF NOT EXISTS callback_attempts_cb ON callback_attempts (callback_id);

    CREATE TABLE IF NOT EXISTS media (
      account_id TEXT NOT NULL,
      media_id TEXT NOT NULL,
      content_type TEXT NOT NULL,
      cache_control TEXT,
      content BLOB NOT NULL,
      size INTEGER NOT NULL,
      uploaded_ms INTEGER NOT NULL,
      expires_ms INTEGER NOT NULL,
      PRIMARY KEY (account_id, media_id)
    );

    CREATE TABLE IF NOT EXISTS handset_inbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      phone TEXT NOT NULL,
      message_id TEXT NOT NULL,
      direction TEXT NOT NULL,
      from_tn TEXT NOT NULL,
      to_json TEXT NOT NULL,
      text TEXT,
      media_json TEXT,
      time_ms INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS handset_inbox_phone ON handset_inbox (phone, id);

    CREATE TABLE IF NOT EXISTS handsets (phone TEXT PRIMARY KEY, name TEXT, created_ms INTEGER NOT NULL);

    CREATE TABLE IF NOT EXISTS toll_free_opt_outs (
      number TEXT NOT NULL,
      phone TEXT NOT NULL,
      keyword TEXT NOT NULL,
      message_id TEXT,
      time_ms INTEGER NOT NULL,
      PRIMARY KEY (number, phone)
    );
  `);
  if (version < 2) {
    const columns = (db.prepare('PRAGMA table_info(messages)').all() as { name: string }[]).map((c) => c.name);
    if (!columns.includes('product')) db.exec('ALTER TABLE messages ADD COLUMN product TEXT');
  }
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}

/** Reads a value from the meta table. */
export function getMeta(db: Db, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

/** Writes a value to the meta table. */
export function setMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
    key,
    value,
  );
}
