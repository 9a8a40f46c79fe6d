/**
 * Retention and erasure on SQLite (records/lifecycle.ts): each batch of records and its participant rows deleted in one
 * `BEGIN IMMEDIATE` transaction; a contact's consent minimised in one, so it never races a STOP being recorded.
 */
import type Database from 'better-sqlite3';
import type { RecordKind } from './message-record';
import { mediaOf, type ErasureCounts, type ErasureEntry, type LifecycleBackend, type RecordRef } from './lifecycle';

interface RefRow {
  seq: number;
  kind: RecordKind;
  message_id: string | null;
  conversation_id: string | null;
  media: string;
}

interface ErasureRow {
  id: string;
  contact_key: string;
  requested_by: string;
  reason: string | null;
  requested_at: string;
  completed_at: string | null;
  erased: string | null;
}

const REF_COLUMNS = 'r.seq, r.kind, r.message_id, r.conversation_id, r.media';
const OF_CONTACT = 'r.seq IN (SELECT mp.record_seq FROM message_record_participants mp WHERE mp.participant = ?)';

const toRef = (row: RefRow): RecordRef => ({
  seq: row.seq,
  kind: row.kind,
  messageId: row.message_id,
  conversationId: row.conversation_id,
  media: mediaOf(row.media),
});

export function erasureOf(row: ErasureRow, parse: (value: unknown) => unknown): ErasureEntry {
  return {
    id: row.id,
    contactKey: row.contact_key,
    requestedBy: row.requested_by,
    reason: row.reason,
    requestedAt: row.requested_at,
    completedAt: row.completed_at,
    erased: row.erased === null ? null : (parse(row.erased) as ErasureCounts),
  };
}

export function sqliteLifecycleBackend(db: Database.Database): LifecycleBackend {
  const expired = db.prepare<[string, number], RefRow>(
    `SELECT ${REF_COLUMNS} FROM message_records r WHERE r.event_time < ? ORDER BY r.event_time, r.seq LIMIT ?`,
  );
  const ofContact = db.prepare<[string, number], RefRow>(
    `SELECT ${REF_COLUMNS} FROM message_records r WHERE ${OF_CONTACT} ORDER BY r.seq LIMIT ?`,
  );
  const conversationsOf = db.prepare<[string], string>(
    `SELECT DISTINCT r.conversation_id FROM message_records r WHERE r.conversation_id IS NOT NULL AND ${OF_CONTACT}`,
  );
  const deleteParticipants = db.prepare(
    'DELETE FROM message_record_participants WHERE record_seq IN (SELECT value FROM json_each(?))',
  );
  const deleteRecords = db.prepare('DELETE FROM message_records WHERE seq IN (SELECT value FROM json_each(?))');
  // A hand-off's id is its record's, and a status record's id names the recipient (records/record-key.ts).
  const deleteHandoffs = db.prepare(
    `DELETE FROM callback_handoffs WHERE record_id IN
       (SELECT id FROM message_records WHERE seq IN (SELECT value FROM json_each(?)))`,
  );
  const deleteAll = db.transaction((seqs: string) => {
    deleteHandoffs.run(seqs);
    deleteParticipants.run(seqs);
    return deleteRecords.run(seqs).changes;
  });
  const intentsBefore = db.prepare('DELETE FROM send_intents WHERE created_at < ?');
  const intentsTo = db.prepare(
    'DELETE FROM send_intents WHERE EXISTS (SELECT 1 FROM json_each(send_intents.to_numbers) j WHERE j.value = ?)',
  );
  const handoffsBefore = db.prepare('DELETE FROM callback_handoffs WHERE handed_off_at < ?');
  const watchesBefore = db.prepare('DELETE FROM receipt_watches WHERE watched_at < ?');

  const states = db.prepare<[string], { scope: string; opted_out: number; last_change_seq: number }>(
    'SELECT scope, opted_out, last_change_seq FROM opt_outs WHERE contact = ?',
  );
  const firstOfRun = db.prepare<[string, string], number>(
    `SELECT c.seq FROM consent_changes c JOIN opt_outs o ON o.scope = c.scope AND o.contact = c.contact
     WHERE o.scope = ? AND o.contact = ? AND c.action = 'opt-out' AND c.change_time = o.since ORDER BY c.seq LIMIT 1`,
  );
  const pointAt = db.prepare('UPDATE opt_outs SET last_change_seq = ? WHERE scope = ? AND contact = ?');
  const strip = db.prepare('UPDATE consent_changes SET message_id = NULL, actor = NULL, reason = NULL WHERE seq = ?');
  const deleteOthers = db.prepare('DELETE FROM consent_changes WHERE scope = ? AND contact = ? AND seq <> ?');
  const deleteState = db.prepare('DELETE FROM opt_outs WHERE scope = ? AND contact = ?');
  const deleteStateless = db.prepare(
    `DELETE FROM consent_changes WHERE contact = ? AND NOT EXISTS
     (SELECT 1 FROM opt_outs o WHERE o.scope = consent_changes.scope AND o.contact = consent_changes.contact)`,
  );
  const minimise = db.transaction((contact: string) => {
    let kept = 0;
    let deleted = 0;
    for (const state of states.all(contact)) {
      if (state.opted_out !== 1) {
        deleteState.run(state.scope, contact);
        continue;
      }
      const keep = firstOfRun.pluck().get(state.scope, contact) ?? state.last_change_seq;
      pointAt.run(keep, state.scope, contact);
      strip.run(keep);
      kept++;
      deleted += deleteOthers.run(state.scope, contact, keep).changes;
    }
    deleted += deleteStateless.run(contact).changes; // the opt-ins, and any change whose state was removed above
    return { kept, deleted };
  });

  const insertErasure = db.prepare(
    `INSERT INTO erasures (id, contact_key, requested_by, reason, requested_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (id) DO NOTHING`,
  );
  const complete = db.prepare('UPDATE erasures SET completed_at = ?, erased = ? WHERE id = ?');
  const latest = db.prepare<[number], ErasureRow>('SELECT * FROM erasures ORDER BY requested_at DESC, id DESC LIMIT ?');

  const hold = db.prepare(
    `INSERT INTO erasure_contacts (contact_key, contact) VALUES (?, ?)
     ON CONFLICT (contact_key) DO UPDATE SET contact = excluded.contact`,
  );
  const held = db.prepare<[string], string>('SELECT contact FROM erasure_contacts WHERE contact_key = ?');
  const release = db.prepare('DELETE FROM erasure_contacts WHERE contact_key = ?');

  return {
    holdContact(key, contact) {
      hold.run(key, contact);
      return Promise.resolve();
    },
    heldContact: (key) => Promise.resolve(held.pluck().get(key) ?? null),
    releaseContact(key) {
      release.run(key);
      return Promise.resolve();
    },
    expired: (before, limit) => Promise.resolve(expired.all(before, limit).map(toRef)),
    ofContact: (contact, limit) => Promise.resolve(ofContact.all(contact, limit).map(toRef)),
    conversationsOf: (contact) => Promise.resolve(conversationsOf.pluck().all(contact)),
    deleteRecords: (seqs) => Promise.resolve(deleteAll.immediate(JSON.stringify(seqs))),
    deleteSendIntentsBefore: (before) => Promise.resolve(intentsBefore.run(before).changes),
    deleteSendIntentsTo: (contact) => Promise.resolve(intentsTo.run(contact).changes),
    deleteHandoffsBefore: (before) =>
      Promise.resolve(handoffsBefore.run(before).changes + watchesBefore.run(before).changes),
    minimiseConsent: (contact) => Promise.resolve(minimise.immediate(contact)),
    beginErasure(e) {
      insertErasure.run(e.id, e.contactKey, e.requestedBy, e.reason, e.requestedAt);
      return Promise.resolve();
    },
    completeErasure(id, completedAt, erased) {
      complete.run(completedAt, JSON.stringify(erased), id);
      return Promise.resolve();
    },
    erasures: (limit) =>
      Promise.resolve(latest.all(limit).map((row) => erasureOf(row, (v) => JSON.parse(v as string)))),
  };
}
