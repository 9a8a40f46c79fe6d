/**
 * The schema, as numbered migrations. Both backends apply the same list at open, in order, each once, recording it in
 * `threadline_migrations`; one logical schema, spelled per dialect. Append new migrations; never edit an applied one.
 *
 * Times: SQLite keeps them as text in the normalised form (`2025-06-20T16:13:21.480000Z`, which sorts correctly);
 * PostgreSQL as `timestamptz` (microsecond precision, the same values). JSON: text in SQLite, `jsonb` in PostgreSQL.
 * Participants are also kept one per row in `message_record_participants`, so the participant filter uses an index.
 */

export interface Migration {
  id: string;
  sqlite: string;
  postgres: string;
}

const columnIndexes = ['conversation_id', 'our_number', 'event_type', 'direction', 'kind']
  .map((c) => `CREATE INDEX message_records_by_${c} ON message_records (${c}, event_time, seq);`)
  .join('\n');

const commonIndexes = `
CREATE INDEX message_records_by_time ON message_records (event_time, seq);
${columnIndexes}
CREATE INDEX message_records_by_message_id ON message_records (message_id);
CREATE INDEX message_records_by_error_code ON message_records (error_code, event_time, seq) WHERE error_code IS NOT NULL;
`;

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 'records-0001-message-records',
    sqlite: `
CREATE TABLE message_records (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('inbound', 'outbound', 'status', 'other')),
  message_id TEXT,
  event_type TEXT NOT NULL,
  direction TEXT CHECK (direction IN ('in', 'out')),
  our_number TEXT,
  participants TEXT NOT NULL,
  from_number TEXT,
  to_numbers TEXT NOT NULL,
  recipient TEXT,
  text TEXT,
  media TEXT NOT NULL,
  segment_count INTEGER,
  error_code INTEGER,
  description TEXT,
  conversation_id TEXT,
  tag TEXT,
  event_time TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  raw TEXT
);
CREATE TABLE message_record_participants (
  participant TEXT NOT NULL,
  record_seq INTEGER NOT NULL REFERENCES message_records (seq),
  PRIMARY KEY (participant, record_seq)
) WITHOUT ROWID;
${commonIndexes}`,
    postgres: `
CREATE TABLE message_records (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('inbound', 'outbound', 'status', 'other')),
  message_id TEXT,
  event_type TEXT NOT NULL,
  direction TEXT CHECK (direction IN ('in', 'out')),
  our_number TEXT,
  participants JSONB NOT NULL,
  from_number TEXT,
  to_numbers JSONB NOT NULL,
  recipient TEXT,
  text TEXT,
  media JSONB NOT NULL,
  segment_count INTEGER,
  error_code INTEGER,
  description TEXT,
  conversation_id TEXT,
  tag TEXT,
  event_time TIMESTAMPTZ NOT NULL,
  recorded_at TIMESTAMPTZ NOT NULL,
  raw JSONB
);
CREATE TABLE message_record_participants (
  participant TEXT NOT NULL,
  record_seq BIGINT NOT NULL REFERENCES message_records (seq),
  PRIMARY KEY (participant, record_seq)
);
${commonIndexes}`,
  },
  {
    // Which callback events the webhook server has finished with (handed to Temporal, or decided to record only), by
    // record id. A redelivered callback whose events are all here is acknowledged without touching Temporal again, so
    // a redelivered `message-received` never starts a new conversation run after the first one completed.
    id: 'records-0002-handoffs',
    sqlite: `
CREATE TABLE callback_handoffs (
  record_id TEXT PRIMARY KEY,
  handed_off_at TEXT NOT NULL
) WITHOUT ROWID;`,
    postgres: `
CREATE TABLE callback_handoffs (
  record_id TEXT PRIMARY KEY,
  handed_off_at TIMESTAMPTZ NOT NULL DEFAULT now()
);`,
  },
  {
    // The opt-out ledger (records/opt-out.ts): every change of consent, append-only and idempotent by its id, and each
    // contact's state per scope as the latest change decides it, kept beside the history in the same transaction so
    // the check before every send is one primary-key lookup. Entries are listed in (scope, contact) order, byte-wise
    // in both dialects (SQLite's BINARY, PostgreSQL's "C"), so pages come out the same on either.
    id: 'records-0003-opt-outs',
    sqlite: `
CREATE TABLE consent_changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  contact TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('opt-out', 'opt-in')),
  source TEXT NOT NULL,
  change_time TEXT NOT NULL,
  message_id TEXT,
  keyword TEXT,
  actor TEXT,
  reason TEXT,
  recorded_at TEXT NOT NULL
);
CREATE INDEX consent_changes_by_contact ON consent_changes (scope, contact, change_time, seq);
CREATE TABLE opt_outs (
  scope TEXT NOT NULL,
  contact TEXT NOT NULL,
  opted_out INTEGER NOT NULL CHECK (opted_out IN (0, 1)),
  since TEXT NOT NULL,
  last_change_seq INTEGER NOT NULL REFERENCES consent_changes (seq),
  PRIMARY KEY (scope, contact)
) WITHOUT ROWID;
CREATE INDEX opt_outs_by_contact ON opt_outs (contact, scope);`,
    postgres: `
CREATE TABLE consent_changes (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  contact TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('opt-out', 'opt-in')),
  source TEXT NOT NULL,
  change_time TIMESTAMPTZ NOT NULL,
  message_id TEXT,
  keyword TEXT,
  actor TEXT,
  reason TEXT,
  recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX consent_changes_by_contact ON consent_changes (scope, contact, change_time, seq);
CREATE TABLE opt_outs (
  scope TEXT COLLATE "C" NOT NULL,
  contact TEXT COLLATE "C" NOT NULL,
  opted_out BOOLEAN NOT NULL,
  since TIMESTAMPTZ NOT NULL,
  last_change_seq BIGINT NOT NULL REFERENCES consent_changes (seq),
  PRIMARY KEY (scope, contact)
);
CREATE INDEX opt_outs_by_contact ON opt_outs (contact, scope);`,
  },
  {
    // Send intents (records/send-intent.ts): one row per send, written before create-message and settled after it,
    // so a send executed again after a crash reuses the message Bandwidth accepted instead of sending it twice.
    id: 'records-0004-send-intents',
    sqlite: `
CREATE TABLE send_intents (
  key TEXT PRIMARY KEY,
  conversation_id TEXT,
  tag TEXT NOT NULL,
  from_number TEXT NOT NULL,
  to_numbers TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('attempting', 'accepted', 'not-sent')),
  attempts INTEGER NOT NULL,
  message_id TEXT UNIQUE,
  segment_count INTEGER,
  accepted_time TEXT,
  created_at TEXT NOT NULL,
  attempted_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX message_records_by_tag ON message_records (tag, event_time, seq) WHERE tag IS NOT NULL;`,
    postgres: `
CREATE TABLE send_intents (
  key TEXT PRIMARY KEY,
  conversation_id TEXT,
  tag TEXT NOT NULL,
  from_number TEXT NOT NULL,
  to_numbers JSONB NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('attempting', 'accepted', 'not-sent')),
  attempts INTEGER NOT NULL,
  message_id TEXT UNIQUE,
  segment_count INTEGER,
  accepted_time TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL,
  attempted_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX message_records_by_tag ON message_records (tag, event_time, seq) WHERE tag IS NOT NULL;`,
  },
  {
    // Retention and erasure (records/lifecycle.ts): the audit of every erasure (who asked, when, and how much went;
    // never what), the number of each erasure in progress (so it never enters Temporal), and the indexes the
    // scheduled purge deletes send intents and hand-offs by.
    id: 'records-0005-erasures',
    sqlite: `
CREATE TABLE erasures (
  id TEXT PRIMARY KEY,
  contact_key TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  reason TEXT,
  requested_at TEXT NOT NULL,
  completed_at TEXT,
  erased TEXT
) WITHOUT ROWID;
CREATE INDEX erasures_by_time ON erasures (requested_at);
CREATE TABLE erasure_contacts (
  contact_key TEXT PRIMARY KEY,
  contact TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX send_intents_by_created_at ON send_intents (created_at);
CREATE INDEX callback_handoffs_by_time ON callback_handoffs (handed_off_at);`,
    postgres: `
CREATE TABLE erasures (
  id TEXT PRIMARY KEY,
  contact_key TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  reason TEXT,
  requested_at TIMESTAMPTZ NOT NULL,
  completed_at TIMESTAMPTZ,
  erased JSONB
);
CREATE INDEX erasures_by_time ON erasures (requested_at);
CREATE TABLE erasure_contacts (
  contact_key TEXT PRIMARY KEY,
  contact TEXT NOT NULL
);
CREATE INDEX send_intents_by_created_at ON send_intents (created_at);
CREATE INDEX callback_handoffs_by_time ON callback_handoffs (handed_off_at);`,
  },
  {
    // What each event adds to the bill (billing/message-cost.ts), exact in millionths of the currency, and the carrier
    // a status callback named. Records written before have none (null): they were not priced.
    id: 'records-0006-message-cost',
    sqlite: `
ALTER TABLE message_records ADD COLUMN cost_micros INTEGER;
ALTER TABLE message_records ADD COLUMN currency TEXT;
ALTER TABLE message_records ADD COLUMN carrier_name TEXT;`,
    postgres: `
ALTER TABLE message_records ADD COLUMN cost_micros BIGINT, ADD COLUMN currency TEXT, ADD COLUMN carrier_name TEXT;`,
  },
  {
    // The sends whose delivered receipts a conversation waits for (records/receipt-watch-store.ts): only those wake it.
    // Bandwidth's message id alone, no numbers; purged with the hand-off marks.
    id: 'records-0007-receipt-watches',
    sqlite: `
CREATE TABLE receipt_watches (
  message_id TEXT PRIMARY KEY,
  watched_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX receipt_watches_by_time ON receipt_watches (watched_at);`,
    postgres: `
CREATE TABLE receipt_watches (
  message_id TEXT PRIMARY KEY,
  watched_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX receipt_watches_by_time ON receipt_watches (watched_at);`,
  },
];
