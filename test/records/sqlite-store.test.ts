import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createRecordStore, RecordStoreOpenError, recordStoreTarget } from '../../records';
import { OPTED_OUT_SQL } from '../../records/sqlite-opt-outs';
import { sqliteFileBackend, sqliteMemoryBackend } from './helpers/backends';
import { describeOptOutLedgerContract } from './helpers/ledger-contract';
import { describeCostContract } from './helpers/cost-contract';
import { describeReceiptWatchContract } from './helpers/receipt-watch-contract';
import { describeSendIntentContract } from './helpers/send-intent-contract';
import { describeRecordStoreContract } from './helpers/store-contract';

describeRecordStoreContract(sqliteFileBackend());
describeRecordStoreContract(sqliteMemoryBackend());
describeOptOutLedgerContract(sqliteFileBackend());
describeOptOutLedgerContract(sqliteMemoryBackend());
describeSendIntentContract(sqliteFileBackend());
describeSendIntentContract(sqliteMemoryBackend());
describeCostContract(sqliteFileBackend());
describeCostContract(sqliteMemoryBackend());
describeReceiptWatchContract(sqliteFileBackend());
describeReceiptWatchContract(sqliteMemoryBackend());

void describe('the SQLite file', () => {
  void it('lives in the data directory unless a database URL is configured', () => {
    assert.deepEqual(recordStoreTarget({ dataDir: '/var/lib/threadline' }), {
      sqlitePath: '/var/lib/threadline/records.sqlite',
    });
    assert.deepEqual(recordStoreTarget({ dataDir: 'data', databaseUrl: 'postgres://db/threadline' }), {
      databaseUrl: 'postgres://db/threadline',
    });
  });

  /** Opens a records store on a fresh file, and the same file with plain better-sqlite3 beside it, for `check`. */
  async function onDisk(check: (db: Database.Database) => void): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-records-'));
    try {
      const sqlitePath = path.join(dir, 'records.sqlite');
      const store = await createRecordStore({ sqlitePath });
      const db = new Database(sqlitePath);
      try {
        check(db);
      } finally {
        db.close();
        await store.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  void it('uses the WAL journal and indexes every filter column', async () => {
    await onDisk((db) => {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      const indexes = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'message_records'")
        .pluck()
        .all();
      for (const column of ['conversation_id', 'our_number', 'event_type', 'direction', 'kind', 'message_id']) {
        assert.ok(indexes.includes(`message_records_by_${column}`), `no index on ${column}`);
      }
    });
  });

  void it("checks a send's recipients against the opt-out ledger with one primary-key search", async () => {
    await onDisk((db) => {
      const plan = db
        .prepare(`EXPLAIN QUERY PLAN ${OPTED_OUT_SQL}`)
        .all('number:+19195550100', '["+19195550123","+19195550124"]') as { detail: string }[];
      assert.ok(
        plan.some((step) => /SEARCH opt_outs USING PRIMARY KEY \(scope=\? AND contact=\?\)/.test(step.detail)),
        JSON.stringify(plan),
      );
      assert.ok(!plan.some((step) => /SCAN opt_outs/.test(step.detail)), JSON.stringify(plan));
    });
  });

  void it('fails to open with a RecordStoreOpenError that names the file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-records-'));
    try {
      const blocker = path.join(dir, 'not-a-dir');
      fs.writeFileSync(blocker, '');
      await assert.rejects(createRecordStore({ sqlitePath: path.join(blocker, 'records.sqlite') }), (err: unknown) => {
        assert.ok(err instanceof RecordStoreOpenError);
        assert.match(err.message, /not-a-dir/);
        return true;
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
