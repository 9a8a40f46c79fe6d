/**
 * Retention and erasure on PostgreSQL (records/lifecycle.ts): each batch of records and its participant rows deleted
 * in one transaction; a contact's consent minimised in one that holds the ledger's advisory lock of each (scope,
 * contact), so it never races a STOP being recorded (records/postgres-opt-outs.ts).
 */
import type { Pool, PoolClient } from 'pg';
import type { RecordKind } from './message-record';
import { mediaOf, type ErasureEntry, type LifecycleBackend, type RecordRef } from './lifecycle';
import { inTransaction } from './postgres-transaction';
import { postgresTime } from './sql-params';
import { erasureOf } from './sqlite-lifecycle';

interface RefRow {
  seq: string;
  kind: RecordKind;
  message_id: string | null;
  conversation_id: string | null;
  media: unknown;
}

const REF_COLUMNS = 'r.seq, r.kind, r.message_id, r.conversation_id, r.media';
const OF_CONTACT = 'r.seq IN (SELECT mp.record_seq FROM message_record_participants mp WHERE mp.participant = $1)';

const toRef = (row: RefRow): RecordRef => ({
  seq: Number(row.seq),
  kind: row.kind,
  messageId: row.message_id,
  conversationId: row.conversation_id,
  media: mediaOf(row.media),
});

async function transaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    const result = await inTransaction(client, () => work(client));
    client.release();
    return result;
  } catch (err) {
    client.release(true); // the connection may be in a failed state: don't give it to the next caller
    throw err;
  }
}

async function minimise(client: PoolClient, contact: string): Promise<{ kept: number; deleted: number }> {
  const scopes = await client.query<{ scope: string }>(
    'SELECT DISTINCT scope FROM consent_changes WHERE contact = $1',
    [contact],
  );
  let kept = 0;
  let deleted = 0;
  for (const { scope } of scopes.rows.sort((a, b) => (a.scope < b.scope ? -1 : 1))) {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`${scope}\n${contact}`]);
    const { rows } = await client.query<{ opted_out: boolean; last_change_seq: string; first: string | null }>(
      `SELECT o.opted_out, o.last_change_seq,
         (SELECT c.seq FROM consent_changes c WHERE c.scope = o.scope AND c.contact = o.contact
            AND c.action = 'opt-out' AND c.change_time = o.since ORDER BY c.seq LIMIT 1) AS first
       FROM opt_outs o WHERE o.scope = $1 AND o.contact = $2`,
      [scope, contact],
    );
    const state = rows[0];
    if (state?.opted_out) {
      const keep = state.first ?? state.last_change_seq;
      await client.query('UPDATE opt_outs SET last_change_seq = $1::bigint WHERE scope = $2 AND contact = $3', [
        keep,
        scope,
        contact,
      ]);
      await client.query(
        'UPDATE consent_changes SET message_id = NULL, actor = NULL, reason = NULL WHERE seq = $1::bigint',
        [keep],
      );
      const others = await client.query(
        'DELETE FROM consent_changes WHERE scope = $1 AND contact = $2 AND seq <> $3::bigint',
        [scope, contact, keep],
      );
      deleted += others.rowCount ?? 0;
      kept++;
    } else {
      await client.query('DELETE FROM opt_outs WHERE scope = $1 AND contact = $2', [scope, contact]);
      const all = await client.query('DELETE FROM consent_changes WHERE scope = $1 AND contact = $2', [scope, contact]);
      deleted += all.rowCount ?? 0;
    }
  }
  return { kept, deleted };
}

export function postgresLifecycleBackend(pool: Pool): LifecycleBackend {
  const count = async (sql: string, values: unknown[]) => (await pool.query(sql, values)).rowCount ?? 0;
  return {
    async holdContact(key, contact) {
      await pool.query(
        `INSERT INTO erasure_contacts (contact_key, contact) VALUES ($1, $2)
         ON CONFLICT (contact_key) DO UPDATE SET contact = excluded.contact`,
        [key, contact],
      );
    },
    async heldContact(key) {
      const { rows } = await pool.query<{ contact: string }>(
        'SELECT contact FROM erasure_contacts WHERE contact_key = $1',
        [key],
      );
      return rows[0]?.contact ?? null;
    },
    async releaseContact(key) {
      await pool.query('DELETE FROM erasure_contacts WHERE contact_key = $1', [key]);
    },
    async expired(before, limit) {
      const { rows } = await pool.query<RefRow>(
        `SELECT ${REF_COLUMNS} FROM message_records r WHERE r.event_time < $1::timestamptz
         ORDER BY r.event_time, r.seq LIMIT $2`,
        [before, limit],
      );
      return rows.map(toRef);
    },
    async ofContact(contact, limit) {
      const { rows } = await pool.query<RefRow>(
        `SELECT ${REF_COLUMNS} FROM message_records r WHERE ${OF_CONTACT} ORDER BY r.seq LIMIT $2`,
        [contact, limit],
      );
      return rows.map(toRef);
    },
    async conversationsOf(contact) {
      const { rows } = await pool.query<{ conversation_id: string }>(
        `SELECT DISTINCT r.conversation_id FROM message_records r
         WHERE r.conversation_id IS NOT NULL AND ${OF_CONTACT}`,
        [contact],
      );
      return rows.map((r) => r.conversation_id);
    },
    deleteRecords(seqs) {
      return transaction(pool, async (client) => {
        // A hand-off's id is its record's, and a status record's id names the recipient (records/record-key.ts).
        await client.query(
          'DELETE FROM callback_handoffs WHERE record_id IN (SELECT id FROM message_records WHERE seq = ANY($1::bigint[]))',
          [seqs],
        );
        await client.query('DELETE FROM message_record_participants WHERE record_seq = ANY($1::bigint[])', [seqs]);
        return (await client.query('DELETE FROM message_records WHERE seq = ANY($1::bigint[])', [seqs])).rowCount ?? 0;
      });
    },
    deleteSendIntentsBefore: (before) => count('DELETE FROM send_intents WHERE created_at < $1::timestamptz', [before]),
    deleteSendIntentsTo: (contact) =>
      count('DELETE FROM send_intents WHERE to_numbers @> jsonb_build_array($1::text)', [contact]),
    deleteHandoffsBefore: async (before) =>
      (await count('DELETE FROM callback_handoffs WHERE handed_off_at < $1::timestamptz', [before])) +
      (await count('DELETE FROM receipt_watches WHERE watched_at < $1::timestamptz', [before])),
    minimiseConsent: (contact) => transaction(pool, (client) => minimise(client, contact)),
    async beginErasure(e: ErasureEntry) {
      await pool.query(
        `INSERT INTO erasures (id, contact_key, requested_by, reason, requested_at)
         VALUES ($1, $2, $3, $4, $5::timestamptz) ON CONFLICT (id) DO NOTHING`,
        [e.id, e.contactKey, e.requestedBy, e.reason, e.requestedAt],
      );
    },
    async completeErasure(id, completedAt, erased) {
      await pool.query('UPDATE erasures SET completed_at = $1::timestamptz, erased = $2::jsonb WHERE id = $3', [
        completedAt,
        JSON.stringify(erased),
        id,
      ]);
    },
    async erasures(limit) {
      const { rows } = await pool.query(
        `SELECT id, contact_key, requested_by, reason, ${postgresTime('requested_at')} AS requested_at,
           CASE WHEN completed_at IS NULL THEN NULL ELSE ${postgresTime('completed_at')} END AS completed_at, erased
         FROM erasures ORDER BY requested_at DESC, id DESC LIMIT $1`,
        [limit],
      );
      return rows.map((row) => erasureOf(row as Parameters<typeof erasureOf>[0], (v) => v));
    },
  };
}
