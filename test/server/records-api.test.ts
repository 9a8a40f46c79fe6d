/**
 * Searching and exporting the message records through the operator API, on SQLite and on PostgreSQL: every filter,
 * paging with cursors, JSON Lines and CSV exports streamed across the store's internal pages, privacy mode, and bad
 * queries; every exchange checked against the served OpenAPI document.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { CSV_COLUMNS, recordFromSend, type RecordStore } from '../../records';
import { createApp } from '../../server/app';
import { postgresBackend, sqliteFileBackend, type Backend } from '../records/helpers/backends';
import { deliveredBody, failedBody, inboundGroupBody, readBody } from '../records/helpers/bandwidth-examples';
import { parseCsv } from '../records/helpers/csv-parse';
import { createApiChecker, type ApiChecker } from './openapi-check';
import { serveOperatorApp, type OperatorApp } from './operator-app';
import {
  capturingLogger,
  inboundEvent,
  messageId,
  postCallbacks,
  serve,
  statusEvent,
  uniqueNumber,
  type Served,
} from './helpers';

const TOKEN = 'records-api-test-token-0123456789';

interface Page {
  records: {
    id: string;
    kind: string;
    eventType: string;
    text: string | null;
    errorCode: number | null;
    eventTime: string;
  }[];
  nextCursor: string | null;
}

for (const backend of [sqliteFileBackend(), postgresBackend()] satisfies Backend[]) {
  describe(`message records through the operator API on ${backend.name}`, () => {
    let app: OperatorApp | undefined;
    let temporal: Client;
    let records: RecordStore;
    let server: Served;
    let api: ApiChecker;
    const ours = uniqueNumber();
    const alice = uniqueNumber();
    const bob = uniqueNumber();
    const alicesConversation = `sms:${ours}:${alice}`;

    const search = async (query: Record<string, string | number | undefined>) => {
      const answer = await api.call('GET', '/records', { query });
      assert.equal(answer.status, 200, answer.text);
      return answer.body as Page;
    };

    before(async () => {
      app = await serveOperatorApp(backend, { token: TOKEN, taskQueue: 'records-only' });
      ({ temporal, records, server, api } = app);

      // Alice: three texts in, two replies out (one delivered, one failed); Bob: one text, one failed reply.
      const body = [1, 2, 3].map((n) => inboundEvent({ from: alice, to: ours, text: `from Alice ${n}` }));
      body.push(inboundEvent({ from: bob, to: ours, text: 'from Bob' }));
      assert.equal((await postCallbacks(server.url, body)).status, 200);
      const [toAlice1, toAlice2, toBob] = [messageId(), messageId(), messageId()];
      await records.append([
        recordFromSend({
          messageId: toAlice1,
          from: ours,
          to: [alice],
          text: 'reply 1',
          conversationId: alicesConversation,
          time: new Date().toISOString(),
        }),
        recordFromSend({
          messageId: toAlice2,
          from: ours,
          to: [alice],
          text: 'reply 2',
          conversationId: alicesConversation,
          time: new Date().toISOString(),
        }),
        recordFromSend({
          messageId: toBob,
          from: ours,
          to: [bob],
          text: 'reply',
          conversationId: `sms:${ours}:${bob}`,
          time: new Date().toISOString(),
        }),
      ]);
      const statuses = [
        statusEvent({ type: 'message-delivered', from: ours, to: alice, id: toAlice1 }),
        statusEvent({ type: 'message-failed', from: ours, to: alice, id: toAlice2, errorCode: 4720 }),
        statusEvent({ type: 'message-failed', from: ours, to: bob, id: toBob, errorCode: 4406 }),
      ];
      assert.equal((await postCallbacks(server.url, statuses)).status, 200);
      for (const reference of [deliveredBody, failedBody, readBody, inboundGroupBody]) {
        assert.equal((await postCallbacks(server.url, reference)).status, 200);
      }
    });
    after(async () => {
      await app?.close();
    });

    it('finds records by conversation, our number, participant, direction, kind, type, status, error code and id', async () => {
      const count = async (query: Record<string, string | number>) => (await search(query)).records.length;
      assert.equal(await count({ conversationId: alicesConversation }), 5, 'inbound and outbound records carry it');
      assert.equal(await count({ ourNumber: ours }), 10);
      assert.equal(await count({ participant: alice }), 7);
      assert.equal(await count({ participant: alice, direction: 'in' }), 3);
      assert.equal(await count({ participant: alice, direction: 'out' }), 4);
      assert.equal(await count({ ourNumber: ours, kind: 'outbound' }), 3);
      assert.equal(await count({ ourNumber: ours, eventType: 'send-accepted' }), 3);
      assert.equal(await count({ ourNumber: ours, status: 'failed' }), 2);
      assert.equal(await count({ ourNumber: ours, status: 'delivered' }), 1);
      assert.equal(await count({ ourNumber: ours, errorCode: 4720 }), 1);
      assert.equal(await count({ errorCode: 4406, ourNumber: ours }), 1);
      assert.equal(await count({ messageId: '1718900000000k3j2h4g5f6d7s8a9' }), 2, 'the delivered and read events');
      assert.equal(await count({ kind: 'other', messageId: '1718900000000k3j2h4g5f6d7s8a9' }), 1);
      const texts = (await search({ participant: alice, kind: 'inbound' })).records.map((r) => r.text);
      assert.deepEqual(texts, ['from Alice 1', 'from Alice 2', 'from Alice 3']);
    });

    it('finds records in a time range, oldest first', async () => {
      const all = (await search({ ourNumber: ours })).records;
      const times = all.map((r) => r.eventTime);
      assert.deepEqual(times, [...times].sort(), 'oldest first');
      const middle = times[4]!;
      const before = (await search({ ourNumber: ours, to: middle })).records;
      const fromMiddle = (await search({ ourNumber: ours, from: middle })).records;
      assert.equal(before.length + fromMiddle.length, all.length);
      assert.ok(before.every((r) => r.eventTime < middle) && fromMiddle.every((r) => r.eventTime >= middle));
      assert.equal(
        (await search({ from: '2025-06-20', to: '2025-06-21', messageId: '1718900000100p0o9i8u7y6t5r4e3' })).records
          .length,
        1,
      );
    });

    it('pages through the records with cursors, each record once', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await search({ ourNumber: ours, limit: 3, cursor });
        seen.push(...page.records.map((r) => r.id));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      assert.equal(pages, 4);
      assert.equal(seen.length, 10);
      assert.equal(new Set(seen).size, 10);
    });

    it('answers 400 for a bad query', async () => {
      for (const query of [
        { limit: 0 },
        { limit: 1001 },
        { from: 'yesterday' },
        { cursor: 'not-a-cursor' },
        { status: 'lost' },
        { direction: 'up' },
        { kind: 'note' },
        { errorCode: 'x' },
      ]) {
        const answer = await api.call('GET', '/records', { query, validRequest: false });
        assert.equal(answer.status, 400, JSON.stringify(query));
        assert.equal((answer.body as { type: string }).type, 'invalid-request');
      }
      const badFormat = await api.call('GET', '/records/export', { query: { format: 'xml' }, validRequest: false });
      assert.equal(badFormat.status, 400);
      const badExport = await api.call('GET', '/records/export', { query: { to: 'soon' }, validRequest: false });
      assert.equal(badExport.status, 400, 'a bad filter fails before the export starts');
    });

    it('exports as JSON Lines and CSV, streamed across the store pages', async () => {
      const many = uniqueNumber();
      const bulk = Array.from({ length: 1205 }, (_, i) =>
        recordFromSend({
          messageId: `bulk-${many}-${i}`,
          from: many,
          to: [alice],
          text: `bulk message, "quoted", ${i}`,
          conversationId: null,
          time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
        }),
      );
      await records.append(bulk);

      const jsonl = await api.call('GET', '/records/export', { query: { ourNumber: many, format: 'jsonl' } });
      assert.equal(jsonl.status, 200);
      assert.equal(jsonl.headers.get('content-type'), 'application/x-ndjson');
      assert.match(jsonl.headers.get('content-disposition') ?? '', /attachment; filename="threadline-records\.jsonl"/);
      const lines = jsonl.text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { messageId: string; text: string });
      assert.equal(lines.length, 1205);
      assert.deepEqual(
        lines.map((l) => l.messageId),
        bulk.map((r) => r.messageId),
        'every record once, oldest first',
      );
      // Each line is a record as searchRecords documents it.
      api.validate('searchRecords', 200, { records: lines, nextCursor: null });

      const csv = await api.call('GET', '/records/export', { query: { ourNumber: many, format: 'csv' } });
      assert.equal(csv.status, 200);
      assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
      const rows = parseCsv(csv.text);
      assert.deepEqual(rows[0], [...CSV_COLUMNS]);
      assert.equal(rows.length, 1206);
      assert.equal(rows[1]![CSV_COLUMNS.indexOf('text')], 'bulk message, "quoted", 0');

      const filtered = await api.call('GET', '/records/export', { query: { ourNumber: ours, status: 'failed' } });
      assert.equal(filtered.text.trimEnd().split('\n').length, 2, 'JSON Lines is the default, filters apply');
    });

    it('keeps no message text in privacy mode', async () => {
      const privateDb = await backend.createDatabase();
      const privateStore = await privateDb.open({ storeText: false });
      const privateServer = await serve(
        createApp({
          temporal,
          taskQueue: 'records-only',
          routeBot: () => null,
          records: privateStore,
          logger: capturingLogger('silent').logger,
          operatorToken: TOKEN,
        }),
      );
      try {
        const event = inboundEvent({ from: alice, to: ours, text: 'my secret' });
        assert.equal((await postCallbacks(privateServer.url, [event])).status, 200);
        const privateApi = await createApiChecker(privateServer.url, TOKEN);
        const answer = await privateApi.call('GET', '/records', { query: { messageId: event.message.id } });
        assert.equal((answer.body as Page).records[0]?.text, null);
        assert.ok(!answer.text.includes('my secret'), 'not even in the raw event');
      } finally {
        await privateServer.close();
        await privateStore.close();
        await privateDb.drop();
      }
    });

    it('exercised both records operations with a successful answer', () => {
      assert.ok(api.seen.has('searchRecords 200'));
      assert.ok(api.seen.has('exportRecords 200'));
    });
  });
}
