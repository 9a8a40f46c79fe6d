/**
 * Forgetting: the records' half of retention (records older than `RECORDS_RETENTION_DAYS` are purged on a schedule,
 * workflows/data-lifecycle) and of erasing a person (`DELETE /api/v1/contacts/{phone}`), with the audit of every
 * erasure. Deletes go batch by batch, each batch's records in one transaction with their participant rows, so a purge
 * or an erasure stopped half-way (a crash, a deploy) is resumed by running it again: what is left is found the same way.
 */
import { RecordInputError } from './errors';
import { normalizeTime } from './event-time';
import type { RecordKind } from './message-record';
import type { ErasureCounts } from '../workflows/data-lifecycle/lifecycle-activities';

/** The counts are shared with the erasure workflow, which returns them. */
export type { ErasureCounts } from '../workflows/data-lifecycle/lifecycle-activities';

/** What a deletion needs to know about a record before it goes: whose media to delete, which conversation it was in. */
export interface RecordRef {
  seq: number;
  kind: RecordKind;
  messageId: string | null;
  conversationId: string | null;
  /** The media URLs the record lists (Bandwidth's, for an inbound MMS: our stored copies are under its message id). */
  media: string[];
}

/** The audit entry of one erasure request. */
export interface ErasureEntry {
  /** The erasure workflow's run id. */
  id: string;
  /** The person's number, hashed (`hmac:...` with the phone hash key, else `sha256:...`): never the number itself. */
  contactKey: string;
  /** Who asked (the operator API's `operator`). */
  requestedBy: string;
  reason: string | null;
  requestedAt: string;
  /** Null while the erasure runs. */
  completedAt: string | null;
  erased: ErasureCounts | null;
}

export interface LifecycleBackend {
  /** Up to `limit` records with an event time before `before`, oldest first. */
  expired(before: string, limit: number): Promise<RecordRef[]>;
  /** Up to `limit` records that list `contact` among their participants. */
  ofContact(contact: string, limit: number): Promise<RecordRef[]>;
  /** The conversations of the records that list `contact`. */
  conversationsOf(contact: string): Promise<string[]>;
  /** Deletes these records and their participant rows in one transaction; resolves with how many records went. */
  deleteRecords(seqs: number[]): Promise<number>;
  deleteSendIntentsBefore(before: string): Promise<number>;
  deleteSendIntentsTo(contact: string): Promise<number>;
  /** The hand-off marks and the receipt watches older than `before`: bookkeeping of callbacks long answered. */
  deleteHandoffsBefore(before: string): Promise<number>;
  /** See {@link RecordLifecycle.minimiseConsent}. */
  minimiseConsent(contact: string): Promise<{ kept: number; deleted: number }>;
  holdContact(contactKey: string, contact: string): Promise<void>;
  heldContact(contactKey: string): Promise<string | null>;
  releaseContact(contactKey: string): Promise<void>;
  /** Inserts the entry unless its id is stored. */
  beginErasure(entry: ErasureEntry): Promise<void>;
  completeErasure(id: string, completedAt: string, erased: ErasureCounts): Promise<void>;
  /** The latest `limit` entries, newest first. */
  erasures(limit: number): Promise<ErasureEntry[]>;
}

/** `RecordStore.lifecycle`: deleting what retention or an erasure says must go, and the erasure audit. */
export interface RecordLifecycle {
  /**
   * Deletes every record with an event time before `before` (and send intents, callback hand-offs and receipt watches
   * older than it), batch by batch; `onBatch` runs before each batch is deleted (the caller deletes the batch's stored
   * media there, so no media outlives its record). Safe to run again, also concurrently.
   */
  purgeBefore(
    before: string,
    onBatch?: (refs: RecordRef[]) => Promise<void>,
  ): Promise<{ records: number; sendIntents: number; handoffs: number }>;
  /** Deletes every record that lists `contact` and every send intent to them, like {@link purgeBefore}. */
  eraseContact(
    contact: string,
    onBatch?: (refs: RecordRef[]) => Promise<void>,
  ): Promise<{ records: number; sendIntents: number }>;
  /** The conversation ids of the records that list `contact` (before {@link eraseContact} deletes them). */
  conversationsOf(contact: string): Promise<string[]>;
  /**
   * Keeps in the opt-out ledger only what honouring a STOP needs: in each scope where `contact` is opted out, the
   * number, the scope and the opt-out that started it (its time, source and keyword; its message id, operator and
   * reason cleared); every other change deleted. In scopes where they are not opted out, nothing is kept.
   */
  minimiseConsent(contact: string): Promise<{ kept: number; deleted: number }>;
  /**
   * Keeps the number of an erasure about to run under its key, so the erasure workflow is given the key alone and its
   * history never holds the number. Overwrites (the same key is the same number).
   */
  holdContact(contactKey: string, contact: string): Promise<void>;
  /** The number held under the key; null once released (the erasure finished). */
  heldContact(contactKey: string): Promise<string | null>;
  /** Forgets the number held under the key. */
  releaseContact(contactKey: string): Promise<void>;
  beginErasure(entry: ErasureEntry): Promise<void>;
  /** Completes the entry with what was erased; resolves with the completion time written. */
  completeErasure(id: string, erased: ErasureCounts): Promise<string>;
  /** The latest erasures, newest first (at most 1000). */
  erasures(limit?: number): Promise<ErasureEntry[]>;
}

/** Records deleted per transaction. */
export const DELETE_BATCH = 500;

function time(name: string, value: string): string {
  const normalized = normalizeTime(value);
  if (normalized === null)
    throw new RecordInputError(`${name}: must be an ISO 8601 time, got ${JSON.stringify(value)}`);
  return normalized;
}

/** The lifecycle on a backend; `assertOpen` throws once the store that owns the backend is closed. */
export function createLifecycle(backend: LifecycleBackend, assertOpen: () => void): RecordLifecycle {
  async function drain(select: () => Promise<RecordRef[]>, onBatch?: (refs: RecordRef[]) => Promise<void>) {
    let deleted = 0;
    for (;;) {
      assertOpen();
      const refs = await select();
      if (refs.length === 0) return deleted;
      await onBatch?.(refs);
      deleted += await backend.deleteRecords(refs.map((r) => r.seq));
      if (refs.length < DELETE_BATCH) return deleted;
    }
  }

  return {
    async purgeBefore(before, onBatch) {
      const cutoff = time('before', before);
      const records = await drain(() => backend.expired(cutoff, DELETE_BATCH), onBatch);
      const sendIntents = await backend.deleteSendIntentsBefore(cutoff);
      const handoffs = await backend.deleteHandoffsBefore(cutoff);
      return { records, sendIntents, handoffs };
    },
    async eraseContact(contact, onBatch) {
      const records = await drain(() => backend.ofContact(contact, DELETE_BATCH), onBatch);
      return { records, sendIntents: await backend.deleteSendIntentsTo(contact) };
    },
    async conversationsOf(contact) {
      assertOpen();
      return backend.conversationsOf(contact);
    },
    async minimiseConsent(contact) {
      assertOpen();
      return backend.minimiseConsent(contact);
    },
    async holdContact(contactKey, contact) {
      assertOpen();
      await backend.holdContact(contactKey, contact);
    },
    async heldContact(contactKey) {
      assertOpen();
      return backend.heldContact(contactKey);
    },
    async releaseContact(contactKey) {
      assertOpen();
      await backend.releaseContact(contactKey);
    },
    async beginErasure(entry) {
      assertOpen();
      await backend.beginErasure({ ...entry, requestedAt: time('requestedAt', entry.requestedAt) });
    },
    async completeErasure(id, erased) {
      assertOpen();
      const completedAt = time('completedAt', new Date().toISOString());
      await backend.completeErasure(id, completedAt, erased);
      return completedAt;
    },
    async erasures(limit = 100) {
      assertOpen();
      return backend.erasures(Math.min(Math.max(1, Math.trunc(limit)), 1000));
    },
  };
}

/** A media column as either backend returns it (JSON text in SQLite, jsonb in PostgreSQL). */
export function mediaOf(value: unknown): string[] {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  return Array.isArray(parsed) ? parsed.filter((m): m is string => typeof m === 'string') : [];
}
