/**
 * Message records: the store Bandwidth tells integrators to keep.
 *
 * Bandwidth keeps nothing once a callback is acknowledged, so Threadline keeps an append-only record of every inbound
 * message, every outbound send and every status event, written idempotently before the callback is acknowledged and
 * kept independently of Temporal's retention.
 *
 * ## Usage
 *
 * ```ts
 * const store = await createRecordStore(recordStoreTarget({ dataDir, databaseUrl }), { storeText: true });
 *
 * // Webhook: record every event of a callback body, then acknowledge.
 * const events = CallbackBodySchema.parse(req.body);
 * await store.append(events.map((event) => recordFromCallback(event, { conversationId: routeOf(event) })));
 * res.sendStatus(204);
 *
 * // Activity: record a send Bandwidth accepted.
 * await store.append([recordFromSend({ messageId: sent.id, from, to, text, segmentCount: sent.segmentCount,
 *   tag, conversationId, time: sent.time ?? new Date().toISOString(), raw: sent })]);
 *
 * // Operator API: search, page, export.
 * const page = await store.search({ participant: '+19195550123', status: 'failed', limit: 50 });
 * const next = await store.search({ participant: '+19195550123', status: 'failed', limit: 50, cursor: page.nextCursor! });
 * for await (const chunk of store.export({ conversationId }, 'csv')) res.write(chunk);
 *
 * // Opt-out ledger: a STOP, recorded idempotently; checked before every send.
 * await store.optOuts.record({ id: `keyword:${messageId}`, scope: 'number:+19195550100', contact: '+19195550123',
 *   action: 'opt-out', source: 'keyword', time, messageId, keyword: 'STOP' });
 * const blocked = await store.optOuts.optedOut('number:+19195550100', ['+19195550123']); // ['+19195550123']
 * ```
 *
 * ### Backends
 * - `{ sqlitePath }`: the embedded default, a SQLite file (WAL) in the data directory; see {@link recordStoreTarget}.
 * - `{ databaseUrl }`: PostgreSQL, for production and for several server instances.
 * - `{ memory: true }`: SQLite in memory, for tests.
 *
 * All three apply the same migrations at open and behave the same; one contract test suite runs against each.
 */
import path from 'node:path';
import type { RecordStore, RecordStoreOptions, RecordStoreTarget } from './message-record';
import { openPostgresBackend } from './postgres-store';
import { createStoreOn } from './record-store';
import { openSqliteBackend } from './sqlite-store';

export * from './message-record';
export * from './opt-out';
export * from './send-intent';
export type { ErasureCounts, ErasureEntry, RecordLifecycle, RecordRef } from './lifecycle';
export { OPT_OUT_CSV_COLUMNS } from './opt-out-ledger';
export { recordKey } from './record-key';
export { recordFromCallback, type CallbackRecordContext } from './from-callback';
export { recordFromSend, type AcceptedSend } from './from-send';
export { normalizeTime } from './event-time';
export { RecordInputError, RecordQueryError, RecordStoreOpenError } from './errors';
export { CSV_COLUMNS } from './csv';
export { DEFAULT_LIMIT, MAX_LIMIT } from './query';
export { MIGRATIONS } from './migrations';

/** The SQLite file name inside the data directory. */
export const RECORDS_SQLITE_FILE = 'records.sqlite';

/**
 * Where the records live: PostgreSQL when a database URL is configured (`DATABASE_URL`), otherwise
 * `<dataDir>/records.sqlite`.
 */
export function recordStoreTarget(settings: { dataDir: string; databaseUrl?: string | null }): RecordStoreTarget {
  return settings.databaseUrl
    ? { databaseUrl: settings.databaseUrl }
    : { sqlitePath: path.join(settings.dataDir, RECORDS_SQLITE_FILE) };
}

/**
 * A record store in memory (SQLite), opened synchronously: for tests and tools that need a store but no database.
 * Its records are gone when the process ends.
 */
export function createMemoryRecordStore(options: RecordStoreOptions = {}): RecordStore {
  return createStoreOn(openSqliteBackend(':memory:'), options);
}

/**
 * Opens a record store, creating the database (SQLite) and applying pending migrations.
 *
 * @throws RecordStoreOpenError when the database cannot be opened or migrated; the message names it (without password).
 */
export async function createRecordStore(
  target: RecordStoreTarget,
  options: RecordStoreOptions = {},
): Promise<RecordStore> {
  if ('databaseUrl' in target) return createStoreOn(await openPostgresBackend(target.databaseUrl), options);
  if ('sqlitePath' in target) return createStoreOn(openSqliteBackend(target.sqlitePath), options);
  return createStoreOn(openSqliteBackend(':memory:'), options);
}
