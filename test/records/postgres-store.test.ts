import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRecordStore, RecordStoreOpenError } from '../../records';
import { findPostgresBinaries, POSTGRES_APT_PACKAGES } from '../../toolchain/postgres';
import { postgresBackend } from './helpers/backends';
import { describeOptOutLedgerContract } from './helpers/ledger-contract';
import { describeCostContract } from './helpers/cost-contract';
import { describeReceiptWatchContract } from './helpers/receipt-watch-contract';
import { describeSendIntentContract } from './helpers/send-intent-contract';
import { describeRecordStoreContract } from './helpers/store-contract';

// These tests never skip: without a server (THREADLINE_TEST_DATABASE_URL) or the binaries to start one, they fail.
if (!process.env.THREADLINE_TEST_DATABASE_URL) {
  void it('finds the PostgreSQL server binaries to start a test database', () => {
    assert.notEqual(
      findPostgresBinaries(),
      null,
      `PostgreSQL server binaries are missing: apt-get install -y ${POSTGRES_APT_PACKAGES.join(' ')} ` +
        '(or set THREADLINE_TEST_DATABASE_URL to a server these tests may create databases on)',
    );
  });
}

describeRecordStoreContract(postgresBackend());
describeOptOutLedgerContract(postgresBackend());
describeSendIntentContract(postgresBackend());
describeCostContract(postgresBackend());
describeReceiptWatchContract(postgresBackend());

void describe('opening PostgreSQL', () => {
  void it('fails with a RecordStoreOpenError that names the server but not the password', async () => {
    await assert.rejects(
      createRecordStore({ databaseUrl: 'postgres://threadline:hunter2@127.0.0.1:1/records' }),
      (err: unknown) => {
        assert.ok(err instanceof RecordStoreOpenError);
        assert.match(err.message, /127\.0\.0\.1:1/);
        assert.doesNotMatch(err.message, /hunter2/);
        return true;
      },
    );
  });
});
