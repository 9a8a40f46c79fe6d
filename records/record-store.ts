/**
 * The backend-independent half of a record store: preparing records, validating queries, paging, exporting. A backend
 * only inserts prepared records and selects pages.
 */
import { csvHeader, csvRow } from './csv';
import type {
  AppendResult,
  ExportFormat,
  MessageRecord,
  MessageRecordInput,
  RecordFilter,
  RecordPage,
  RecordQuery,
  RecordStore,
  RecordStoreOptions,
} from './message-record';
import { createLifecycle, type LifecycleBackend } from './lifecycle';
import { createOptOutLedger, type OptOutBackend } from './opt-out-ledger';
import { prepareRecord, type PreparedRecord } from './prepared-record';
import { encodeCursor, MAX_LIMIT, resolveFilter, resolveQuery, type ResolvedQuery } from './query';
import { RecordQueryError } from './errors';
import { createSendIntents, type SqlRunner } from './send-intent-store';
import { createReceiptWatchRows } from './receipt-watch-store';
import { isTerminalStatus } from './message-record';

export interface RecordBackend {
  /** Inserts in one transaction, skipping ids already stored (or repeated in the batch). */
  insert(records: PreparedRecord[]): Promise<AppendResult>;
  /** Up to `limit` records matching the query, after its cursor, in (eventTime, seq) order. */
  select(query: ResolvedQuery, limit: number): Promise<MessageRecord[]>;
  /** Remembers these record ids as handed off (ids already remembered are left as they are). */
  markHandedOff(ids: string[]): Promise<void>;
  /** The subset of `ids` remembered as handed off. */
  handedOff(ids: string[]): Promise<Set<string>>;
  /** The opt-out ledger, in the same database. */
  optOuts: OptOutBackend;
  /** Runs the statements of send intents and receipt watches, in the same database. */
  sendIntents: SqlRunner;
  /** Retention and erasure, in the same database. */
  lifecycle: LifecycleBackend;
  close(): Promise<void>;
}

export function createStoreOn(backend: RecordBackend, options: RecordStoreOptions = {}): RecordStore {
  const storeText = options.storeText ?? true;
  let closed = false;
  const assertOpen = () => {
    if (closed) throw new Error('This record store is closed');
  };

  async function page(query: ResolvedQuery): Promise<RecordPage> {
    const rows = await backend.select(query, query.limit + 1);
    const records = rows.slice(0, query.limit);
    const last = records.at(-1);
    const nextCursor =
      rows.length > query.limit && last ? encodeCursor({ eventTime: last.eventTime, seq: last.seq }) : null;
    return { records, nextCursor };
  }

  async function* all(filter: RecordFilter): AsyncGenerator<MessageRecord[]> {
    let query: ResolvedQuery = { filter: resolveFilter(filter), limit: MAX_LIMIT, after: null };
    for (;;) {
      assertOpen();
      const records = await backend.select(query, query.limit);
      if (records.length > 0) yield records;
      const last = records.at(-1);
      if (records.length < query.limit || !last) return;
      query = { ...query, after: { eventTime: last.eventTime, seq: last.seq } };
    }
  }

  const watches = createReceiptWatchRows(backend.sendIntents, assertOpen);
  async function receipts(messageId: string): Promise<MessageRecord[]> {
    const { records } = await page(resolveQuery({ messageId, kind: 'status', limit: 1000 }));
    return records.filter((r) => isTerminalStatus(r.eventType));
  }

  return {
    optOuts: createOptOutLedger(backend.optOuts, assertOpen),
    sendIntents: createSendIntents(backend.sendIntents, assertOpen),

    async watchReceipts(messageId: string) {
      await watches.watch(messageId); // before reading: a receipt recorded after this read finds the watch
      return receipts(messageId);
    },

    receipts,

    watchedReceipts(messageIds: string[]) {
      return watches.watched(messageIds);
    },
    lifecycle: createLifecycle(backend.lifecycle, assertOpen),

    async append(inputs: MessageRecordInput[]) {
      assertOpen();
      if (inputs.length === 0) return { inserted: 0, duplicates: 0 };
      return backend.insert(inputs.map((input) => prepareRecord(input, storeText)));
    },

    async search(query: RecordQuery) {
      assertOpen();
      return page(resolveQuery(query));
    },

    export(filter: RecordFilter, format: ExportFormat): AsyncIterable<string> {
      if (format !== 'jsonl' && format !== 'csv') {
        throw new RecordQueryError(`format: must be "jsonl" or "csv", got ${JSON.stringify(format)}`);
      }
      resolveFilter(filter); // fail before the first chunk, not in the middle of a response
      return (async function* () {
        if (format === 'csv') yield csvHeader();
        for await (const records of all(filter)) {
          yield format === 'csv' ? records.map(csvRow).join('') : records.map((r) => `${JSON.stringify(r)}\n`).join('');
        }
      })();
    },

    async markHandedOff(ids: string[]) {
      assertOpen();
      if (ids.length > 0) await backend.markHandedOff([...new Set(ids)].sort());
    },

    async handedOff(ids: string[]) {
      assertOpen();
      return ids.length === 0 ? new Set<string>() : backend.handedOff([...new Set(ids)]);
    },

    async conversation(conversationId: string) {
      const records: MessageRecord[] = [];
      for await (const batch of all({ conversationId })) records.push(...batch);
      return records;
    },

    async close() {
      if (closed) return;
      closed = true;
      await backend.close();
    },
  };
}
