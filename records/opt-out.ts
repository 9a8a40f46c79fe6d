/**
 * The opt-out ledger's shapes: who said STOP (or START) where, when, and how we learned it. Every change of consent is
 * kept, append-only and idempotent by its id; the latest change per (scope, contact) decides whether the contact is
 * opted out now. It lives in the message-records database, so it outlives conversations, restarts and Temporal's
 * retention.
 */

import type { ConsentAction, ConsentChange, ConsentSource } from '../workflows/consent/changes';

/** The change types are shared with the workflows, which record keyword changes through an activity. */
export type { ConsentAction, ConsentChange, ConsentSource } from '../workflows/consent/changes';

export const CONSENT_ACTIONS: readonly ConsentAction[] = ['opt-out', 'opt-in'];
export const CONSENT_SOURCES: readonly ConsentSource[] = ['keyword', 'bandwidth-4775', 'operator', 'api'];

/** A contact's consent in one scope now. */
export interface OptOutEntry {
  scope: string;
  contact: string;
  optedOut: boolean;
  /** Since when the contact has been in this state: the first of the latest run of changes with the same action. */
  since: string;
  /** The change that decides the state (the latest). */
  lastChange: ConsentChange;
}

/** Filters for {@link OptOutLedger.list}; every filter given must match. Entries come in (scope, contact) order. */
export interface OptOutFilter {
  scope?: string;
  contact?: string;
  /** true: only contacts opted out now; false: only contacts opted back in. */
  optedOut?: boolean;
}

export interface OptOutQuery extends OptOutFilter {
  /** Page size: default 100, at most 1000. */
  limit?: number;
  /** `nextCursor` of the previous page. Opaque; only valid with the same filters. */
  cursor?: string;
}

/**
 * The durable opt-out ledger, `RecordStore.optOuts`. Every method may be called concurrently, also from several
 * processes sharing one database.
 */
export interface OptOutLedger {
  /**
   * Records a change (and brings the contact's current state up to date) in one transaction, unless a change with its
   * id is already recorded. Resolves once it is durable.
   * @throws RecordInputError for a change the ledger will not write (an empty id, an unknown action, a bad time, ...)
   */
  record(change: ConsentChange): Promise<{ inserted: boolean }>;
  /**
   * Of `contacts`, those opted out in `scope` now (the latest change per contact decides; time order, then insertion),
   * in the order given. One indexed query: it runs before every send.
   */
  optedOut(scope: string, contacts: readonly string[]): Promise<string[]>;
  /** One contact's state (null when the ledger has never heard of it in this scope) and full history, oldest first. */
  lookup(scope: string, contact: string): Promise<{ entry: OptOutEntry | null; history: ConsentChange[] }>;
  /**
   * One page of entries matching the filter, in (scope, contact) order.
   * @throws RecordQueryError for a bad limit or cursor.
   */
  list(query: OptOutQuery): Promise<{ entries: OptOutEntry[]; nextCursor: string | null }>;
  /**
   * Every entry matching the filter, as JSON Lines (one entry per line, its last change included) or CSV (a header
   * row, see {@link OPT_OUT_CSV_COLUMNS}). Yields one chunk per internal page.
   */
  export(filter: Omit<OptOutFilter, 'contact'>, format: 'jsonl' | 'csv'): AsyncIterable<string>;
}
