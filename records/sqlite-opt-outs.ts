/**
 * The opt-out ledger on SQLite, in the records database. A change and the state it implies are written in one
 * `BEGIN IMMEDIATE` transaction, so writers (also in other processes) take turns and the state always matches the
 * history.
 */
import type Database from 'better-sqlite3';
import { nowTime } from './event-time';
import { stateOf, type OptOutBackend, type PreparedChange } from './opt-out-ledger';
import {
  CHANGE_INSERT_COLUMNS,
  changeColumns,
  changeValues,
  entriesSql,
  rowToChange,
  rowToEntry,
  type ChangeRow,
  type EntryRow,
} from './opt-out-sql';
import { sqliteParams } from './sql-params';

const asIs = (column: string) => column;

/** The check before every send: which of the contacts (a JSON array) are opted out in the scope. */
export const OPTED_OUT_SQL =
  'SELECT contact FROM opt_outs WHERE scope = ? AND contact IN (SELECT value FROM json_each(?)) AND opted_out = 1';

export function sqliteOptOutBackend(db: Database.Database): OptOutBackend {
  const columns = [...CHANGE_INSERT_COLUMNS, 'recorded_at'];
  const insertChange = db.prepare<unknown[], { seq: number }>(
    `INSERT INTO consent_changes (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
     ON CONFLICT (id) DO NOTHING RETURNING seq`,
  );
  const selectStates = db.prepare<[string, string], { seq: number; action: PreparedChange['action']; time: string }>(
    `SELECT seq, action, change_time AS time FROM consent_changes WHERE scope = ? AND contact = ?
     ORDER BY change_time, seq`,
  );
  const upsertState = db.prepare(
    `INSERT INTO opt_outs (scope, contact, opted_out, since, last_change_seq) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (scope, contact) DO UPDATE SET opted_out = excluded.opted_out, since = excluded.since,
       last_change_seq = excluded.last_change_seq`,
  );
  const recordOne = db.transaction((c: PreparedChange): boolean => {
    const inserted = insertChange.get(...changeValues(c), nowTime());
    if (inserted === undefined) return false;
    const state = stateOf(selectStates.all(c.scope, c.contact));
    upsertState.run(c.scope, c.contact, state.optedOut ? 1 : 0, state.since, state.last.seq);
    return true;
  });
  const selectOptedOut = db.prepare<[string, string], string>(OPTED_OUT_SQL);
  const selectHistory = db.prepare<[string, string], ChangeRow>(
    `SELECT ${changeColumns(asIs)} FROM consent_changes c WHERE c.scope = ? AND c.contact = ?
     ORDER BY c.change_time, c.seq`,
  );
  const entryStatements = new Map<string, Database.Statement<unknown[], EntryRow>>();

  return {
    record(change) {
      return Promise.resolve(recordOne.immediate(change));
    },
    optedOut(scope, contacts) {
      return Promise.resolve(selectOptedOut.pluck().all(scope, JSON.stringify(contacts)));
    },
    history(scope, contact) {
      return Promise.resolve(selectHistory.all(scope, contact).map(rowToChange));
    },
    entries(filter, after, limit) {
      const params = sqliteParams();
      const sql = entriesSql(asIs, filter, after, params, limit);
      let statement = entryStatements.get(sql);
      if (!statement) {
        statement = db.prepare<unknown[], EntryRow>(sql);
        entryStatements.set(sql, statement);
      }
      return Promise.resolve(statement.all(...params.values).map(rowToEntry));
    },
  };
}
