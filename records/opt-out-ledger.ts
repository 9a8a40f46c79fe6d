/**
 * The backend-independent half of the opt-out ledger: validating changes, deciding a contact's state from its history,
 * paging and exporting. A backend only writes a change with the state it implies, and selects.
 */
import { csvField } from './csv';
import { RecordInputError, RecordQueryError } from './errors';
import { normalizeTime } from './event-time';
import {
  CONSENT_ACTIONS,
  CONSENT_SOURCES,
  type ConsentChange,
  type OptOutEntry,
  type OptOutFilter,
  type OptOutLedger,
  type OptOutQuery,
} from './opt-out';
import { storable } from './prepared-record';
import { DEFAULT_LIMIT, MAX_LIMIT } from './query';

/** A change ready to write: validated, its time normalised, every field present. */
export type PreparedChange = Required<ConsentChange>;

/** A position in the (scope, contact) order: the last entry of the previous page. */
export interface OptOutPosition {
  scope: string;
  contact: string;
}

export interface OptOutBackend {
  /**
   * In one transaction, serialised with every other change of the same (scope, contact): inserts the change unless its
   * id is stored and, when it did, stores the contact's state as {@link stateOf} decides it from the whole history.
   * Resolves with whether it inserted.
   */
  record(change: PreparedChange): Promise<boolean>;
  /** Those of `contacts` (distinct) whose state in `scope` is opted out, in any order. */
  optedOut(scope: string, contacts: string[]): Promise<string[]>;
  /** Every change of one contact in one scope, in (time, insertion) order. */
  history(scope: string, contact: string): Promise<PreparedChange[]>;
  /** Up to `limit` entries matching the filter, after `after`, in (scope, contact) order. */
  entries(filter: OptOutFilter, after: OptOutPosition | null, limit: number): Promise<OptOutEntry[]>;
}

/** The CSV columns of an opt-out export, in order: the entry, then its last change. */
export const OPT_OUT_CSV_COLUMNS = [
  'scope',
  'contact',
  'optedOut',
  'since',
  'changeId',
  'action',
  'source',
  'time',
  'messageId',
  'keyword',
  'actor',
  'reason',
] as const;

const SCOPE = /^(number|application|account):\S+$/;

function optionalText(name: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new RecordInputError(`${name}: must be a string or null`);
  return value;
}

/** Validates a change and puts it in the form the backends store. */
export function prepareChange(change: ConsentChange): PreparedChange {
  const { id, scope, contact, action, source } = change;
  if (typeof id !== 'string' || id === '') throw new RecordInputError('id: must be a non-empty string');
  if (typeof scope !== 'string' || !SCOPE.test(scope)) {
    throw new RecordInputError(
      `scope: must be number:<E.164>, application:<applicationId> or account:<accountId>, got ${JSON.stringify(scope)}`,
    );
  }
  if (typeof contact !== 'string' || !/^\S+$/.test(contact)) {
    throw new RecordInputError(`contact: must be a phone number, got ${JSON.stringify(contact)}`);
  }
  if (!CONSENT_ACTIONS.includes(action)) {
    throw new RecordInputError(`action: must be one of ${CONSENT_ACTIONS.join(', ')}, got ${JSON.stringify(action)}`);
  }
  if (!CONSENT_SOURCES.includes(source)) {
    throw new RecordInputError(`source: must be one of ${CONSENT_SOURCES.join(', ')}, got ${JSON.stringify(source)}`);
  }
  const time = typeof change.time === 'string' ? normalizeTime(change.time) : null;
  if (time === null) throw new RecordInputError(`time: must be an ISO 8601 time, got ${JSON.stringify(change.time)}`);
  return storable({
    id,
    scope,
    contact,
    action,
    source,
    time,
    messageId: optionalText('messageId', change.messageId),
    keyword: optionalText('keyword', change.keyword),
    actor: optionalText('actor', change.actor),
    reason: optionalText('reason', change.reason),
  });
}

/**
 * A contact's state from its history in (time, insertion) order: the latest change decides, and the state holds since
 * the first change of the latest run of changes with the same action (a second STOP does not reset "since").
 */
export function stateOf<C extends { action: ConsentChange['action']; time: string }>(
  history: readonly C[],
): { optedOut: boolean; since: string; last: C } {
  const last = history.at(-1);
  if (last === undefined) throw new Error('stateOf needs at least one change');
  let first = history.length - 1;
  while (first > 0 && history[first - 1]!.action === last.action) first--;
  return { optedOut: last.action === 'opt-out', since: history[first]!.time, last };
}

function encodeCursor(position: OptOutPosition): string {
  return Buffer.from(JSON.stringify([position.scope, position.contact])).toString('base64url');
}

function decodeCursor(cursor: string): OptOutPosition {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && decoded.length === 2 && decoded.every((v) => typeof v === 'string')) {
      const [scope, contact] = decoded as [string, string];
      return { scope, contact };
    }
  } catch {
    // fall through to the error below
  }
  throw new RecordQueryError('cursor: not a cursor this ledger returned; pass a nextCursor unchanged');
}

function resolveFilter(filter: OptOutFilter): OptOutFilter {
  if (filter.optedOut !== undefined && typeof filter.optedOut !== 'boolean') {
    throw new RecordQueryError(`optedOut: must be true or false, got ${JSON.stringify(filter.optedOut)}`);
  }
  return {
    ...(filter.scope !== undefined ? { scope: filter.scope } : {}),
    ...(filter.contact !== undefined ? { contact: filter.contact } : {}),
    ...(filter.optedOut !== undefined ? { optedOut: filter.optedOut } : {}),
  };
}

function csvRow(entry: OptOutEntry): string {
  const c = entry.lastChange;
  const values = [
    entry.scope,
    entry.contact,
    String(entry.optedOut),
    entry.since,
    c.id,
    c.action,
    c.source,
    c.time,
    c.messageId ?? null,
    c.keyword ?? null,
    c.actor ?? null,
    c.reason ?? null,
  ];
  return `${values.map(csvField).join(',')}\r\n`;
}

/** The ledger on a backend; `assertOpen` throws once the store that owns the backend is closed. */
export function createOptOutLedger(backend: OptOutBackend, assertOpen: () => void): OptOutLedger {
  async function* pages(filter: OptOutFilter): AsyncGenerator<OptOutEntry[]> {
    let after: OptOutPosition | null = null;
    for (;;) {
      assertOpen();
      const entries = await backend.entries(filter, after, MAX_LIMIT);
      if (entries.length > 0) yield entries;
      const last = entries.at(-1);
      if (entries.length < MAX_LIMIT || !last) return;
      after = { scope: last.scope, contact: last.contact };
    }
  }

  return {
    async record(change) {
      assertOpen();
      return { inserted: await backend.record(prepareChange(change)) };
    },

    async optedOut(scope, contacts) {
      assertOpen();
      const distinct = [...new Set(contacts)];
      if (distinct.length === 0) return [];
      const opted = new Set(await backend.optedOut(scope, distinct));
      return distinct.filter((contact) => opted.has(contact));
    },

    async lookup(scope, contact) {
      assertOpen();
      const [entry] = await backend.entries({ scope, contact }, null, 1);
      const history = entry === undefined ? [] : await backend.history(scope, contact);
      return { entry: entry ?? null, history };
    },

    async list(query: OptOutQuery) {
      assertOpen();
      const limit = query.limit ?? DEFAULT_LIMIT;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
        throw new RecordQueryError(`limit: must be an integer from 1 to ${MAX_LIMIT}, got ${JSON.stringify(limit)}`);
      }
      const after = query.cursor === undefined || query.cursor === '' ? null : decodeCursor(query.cursor);
      const rows = await backend.entries(resolveFilter(query), after, limit + 1);
      const entries = rows.slice(0, limit);
      const last = entries.at(-1);
      return { entries, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
    },

    export(filter, format) {
      if (format !== 'jsonl' && format !== 'csv') {
        throw new RecordQueryError(`format: must be "jsonl" or "csv", got ${JSON.stringify(format)}`);
      }
      const resolved = resolveFilter({ scope: filter.scope, optedOut: filter.optedOut }); // fail before any chunk
      return (async function* () {
        if (format === 'csv') yield `${OPT_OUT_CSV_COLUMNS.join(',')}\r\n`;
        for await (const entries of pages(resolved)) {
          yield format === 'csv' ? entries.map(csvRow).join('') : entries.map((e) => `${JSON.stringify(e)}\n`).join('');
        }
      })();
    },
  };
}
