/**
 * The opt-out ledger on PostgreSQL, in the records database. A change and the state it implies are written in one
 * transaction holding an advisory lock on the (scope, contact), so changes of one contact from any number of server
 * instances and workers take turns and the state always matches the history; changes of different contacts never
 * wait for each other.
 */
import type { Pool } from 'pg';
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
import { inTransaction } from './postgres-transaction';
import { postgresParams, postgresTime } from './sql-params';

const INSERT_CHANGE = `INSERT INTO consent_changes (${CHANGE_INSERT_COLUMNS.join(', ')})
  VALUES (${CHANGE_INSERT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
  ON CONFLICT (id) DO NOTHING RETURNING seq`;
const SELECT_STATES = `SELECT seq, action, ${postgresTime('change_time')} AS time FROM consent_changes
  WHERE scope = $1 AND contact = $2 ORDER BY change_time, seq`;
const UPSERT_STATE = `INSERT INTO opt_outs (scope, contact, opted_out, since, last_change_seq)
  VALUES ($1, $2, $3, $4::timestamptz, $5::bigint)
  ON CONFLICT (scope, contact) DO UPDATE SET opted_out = excluded.opted_out, since = excluded.since,
    last_change_seq = excluded.last_change_seq`;
const SELECT_HISTORY = `SELECT ${changeColumns(postgresTime)} FROM consent_changes c
  WHERE c.scope = $1 AND c.contact = $2 ORDER BY c.change_time, c.seq`;

export function postgresOptOutBackend(pool: Pool): OptOutBackend {
  return {
    async record(change: PreparedChange) {
      const client = await pool.connect();
      try {
        const inserted = await inTransaction(client, async () => {
          // Serialises changes of this contact in this scope (and only those) until the transaction ends.
          await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
            `${change.scope}\n${change.contact}`,
          ]);
          const { rows } = await client.query<{ seq: string }>(INSERT_CHANGE, changeValues(change));
          if (rows.length === 0) return false;
          const history = await client.query<{ seq: string; action: PreparedChange['action']; time: string }>(
            SELECT_STATES,
            [change.scope, change.contact],
          );
          const state = stateOf(history.rows);
          await client.query(UPSERT_STATE, [change.scope, change.contact, state.optedOut, state.since, state.last.seq]);
          return true;
        });
        client.release();
        return inserted;
      } catch (err) {
        client.release(true); // the connection may be in a failed state: don't give it to the next caller
        throw err;
      }
    },
    async optedOut(scope, contacts) {
      const { rows } = await pool.query<{ contact: string }>(
        'SELECT contact FROM opt_outs WHERE scope = $1 AND contact = ANY($2::text[]) AND opted_out',
        [scope, contacts],
      );
      return rows.map((r) => r.contact);
    },
    async history(scope, contact) {
      const { rows } = await pool.query<ChangeRow>(SELECT_HISTORY, [scope, contact]);
      return rows.map(rowToChange);
    },
    async entries(filter, after, limit) {
      const params = postgresParams();
      const sql = entriesSql(postgresTime, filter, after, params, limit);
      const { rows } = await pool.query<EntryRow>(sql, params.values);
      return rows.map(rowToEntry);
    },
  };
}
