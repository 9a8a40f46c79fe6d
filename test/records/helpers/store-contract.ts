/**
 * The behaviour every record store backend must have. Each backend's test file calls
 * {@link describeRecordStoreContract} once, so SQLite and PostgreSQL are held to exactly the same tests.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  CSV_COLUMNS,
  MIGRATIONS,
  RecordInputError,
  RecordQueryError,
  recordFromCallback,
  recordFromSend,
  recordKey,
  normalizeTime,
  type MessageRecord,
  type MessageRecordInput,
  type RecordKind,
  type RecordQuery,
  type RecordStore,
  type RecordStoreOptions,
} from '../../../records';
import type { Backend, TestDatabase } from './backends';
import {
  ALICE,
  BOB,
  deliveredBody,
  groupSendingBody,
  inboundBody,
  inboundGroupBody,
  OUR_NUMBER,
  parseBody,
  readBody,
  sentBody,
} from './bandwidth-examples';
import { parseCsv } from './csv-parse';
import { conversationIdOf, makeRecord, NUMBERS, numberedRecord, range } from './records';

const CONVERSATION = conversationIdOf(OUR_NUMBER, ALICE);
const fromCallbacks = (body: unknown[], conversationId: string | null = CONVERSATION) =>
  parseBody(body).map((event) => recordFromCallback(event, { conversationId }));

/** Strips what the store adds, to compare a stored record with its input. */
function asInput(record: MessageRecord): MessageRecordInput {
  const { id: _id, seq: _seq, recordedAt: _recordedAt, ...input } = record;
  return input;
}

/** Asserts that records come in strictly increasing (eventTime, seq) order. */
function assertOrdered(records: MessageRecord[]): void {
  for (let k = 1; k < records.length; k++) {
    const a = records[k - 1]!;
    const b = records[k]!;
    const ordered = a.eventTime < b.eventTime || (a.eventTime === b.eventTime && a.seq < b.seq);
    assert.ok(ordered, `records ${k - 1} and ${k} out of order: ${a.eventTime}#${a.seq} then ${b.eventTime}#${b.seq}`);
  }
}

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

async function searchAll(store: RecordStore, query: RecordQuery, limit: number): Promise<MessageRecord[][]> {
  const pages: MessageRecord[][] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.search({ ...query, limit, cursor });
    pages.push(page.records);
    if (page.nextCursor === null) return pages;
    assert.ok(pages.length < 10_000, 'pagination does not end');
    cursor = page.nextCursor;
  }
}

function runAppendWorker(target: unknown, start: number, end: number, order: 'up' | 'down') {
  const worker = path.join(__dirname, 'append-worker.ts');
  const args = ['--import', 'tsx', worker, JSON.stringify(target), String(start), String(end), '10', order];
  return new Promise<{ inserted: number; duplicates: number }>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(out) as { inserted: number; duplicates: number });
      else reject(new Error(`append worker exited with ${code}:\n${err}`));
    });
  });
}

export function describeRecordStoreContract(backend: Backend): void {
  void describe(`message records on ${backend.name}`, () => {
    // Started by the first test that needs it, not in a `before` hook: a failure to start (no PostgreSQL binaries, say)
    // then fails every test with its message, where a failing hook would only mark them cancelled.
    let started: Promise<void> | undefined;
    const createDatabase = async () => {
      await (started ??= backend.start());
      return backend.createDatabase();
    };
    after(async () => {
      if (started === undefined) return;
      await started.catch(() => undefined);
      await backend.stop();
    });

    async function withStore(
      work: (store: RecordStore, db: TestDatabase) => Promise<void>,
      options?: RecordStoreOptions,
    ): Promise<void> {
      const db = await createDatabase();
      const store = await db.open(options);
      try {
        await work(store, db);
      } finally {
        await store.close();
        await db.drop();
      }
    }

    void describe('appending', () => {
      void it('records an inbound callback with its ids, numbers, text, times and conversation', () =>
        withStore(async (store) => {
          const input = fromCallbacks(inboundBody)[0]!;
          assert.deepEqual(await store.append([input]), { inserted: 1, duplicates: 0 });

          const { records, nextCursor } = await store.search({});
          assert.equal(nextCursor, null);
          assert.equal(records.length, 1);
          const record = records[0]!;
          assert.equal(record.id, 'in:1718900700000z9x8c7v6b5n4m3l2:+19195550100');
          assert.ok(Number.isSafeInteger(record.seq));
          assert.match(record.recordedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
          assert.deepEqual(asInput(record), {
            ...input,
            eventTime: '2025-06-20T16:25:00.512000Z',
            cost: null,
            currency: null,
            carrierName: null,
          });
          assert.equal(record.text, 'STOP');
          assert.deepEqual(record.participants, [ALICE]);
          assert.equal(record.conversationId, CONVERSATION);
        }));

      void it('adds nothing for a redelivered callback and counts it as a duplicate', () =>
        withStore(async (store) => {
          assert.deepEqual(await store.append(fromCallbacks(inboundGroupBody)), { inserted: 2, duplicates: 0 });
          // Bandwidth redelivers the same body: parsed and mapped again, it must add nothing.
          assert.deepEqual(await store.append(fromCallbacks(inboundGroupBody)), { inserted: 0, duplicates: 2 });
          // A body mixing a redelivered event with a new one writes only the new one.
          const mixed = [...inboundGroupBody.slice(0, 1), ...deliveredBody];
          assert.deepEqual(await store.append(fromCallbacks(mixed)), { inserted: 1, duplicates: 1 });
          // The same event twice in one body is written once.
          const twice = fromCallbacks([...sentBody, ...sentBody]);
          assert.deepEqual(await store.append(twice), { inserted: 1, duplicates: 1 });

          const { records } = await store.search({});
          assert.equal(records.length, 4);
          assert.equal(new Set(records.map((r) => r.id)).size, 4);
        }));

      void it('keeps one status record per recipient and event type of a group message', () =>
        withStore(async (store) => {
          const sending = fromCallbacks(groupSendingBody);
          assert.deepEqual(await store.append(sending), { inserted: 2, duplicates: 0 });
          const { records } = await store.search({ messageId: '1718900401000q1w2e3r4t5y6u7i8' });
          assert.deepEqual(
            records.map((r) => [r.recipient, r.eventType]),
            [
              [ALICE, 'message-sending'],
              [BOB, 'message-sending'],
            ],
          );
          assert.deepEqual(records[0]!.participants, [ALICE, BOB]);
          assert.deepEqual(records[0]!.media, ['https://example.com/flyer.png']);
        }));

      void it('finds a send and its status events by message id, in event order', () =>
        withStore(async (store) => {
          const send = recordFromSend({
            messageId: '1718900000000k3j2h4g5f6d7s8a9',
            from: OUR_NUMBER,
            to: [ALICE],
            text: 'Your order is ready',
            segmentCount: 1,
            tag: 'order-42',
            conversationId: CONVERSATION,
            time: '2025-06-20T16:13:20.000Z',
          });
          // Callbacks can arrive before the activity records its send; the order of appends does not matter.
          await store.append([...fromCallbacks(deliveredBody), ...fromCallbacks(sentBody)]);
          await store.append([send]);
          const { records } = await store.search({ messageId: '1718900000000k3j2h4g5f6d7s8a9' });
          assert.deepEqual(
            records.map((r) => [r.kind, r.eventType, r.text]),
            [
              ['outbound', 'send-accepted', 'Your order is ready'],
              ['status', 'message-sent', null],
              ['status', 'message-delivered', null],
            ],
          );
          assert.equal(records[1]!.eventTime, '2025-06-20T16:13:21.160544Z', 'microseconds are kept');
          assert.ok(records.every((r) => r.conversationId === CONVERSATION && r.ourNumber === OUR_NUMBER));
        }));

      void it('records a callback type it does not know, once', () =>
        withStore(async (store) => {
          const [read] = fromCallbacks(readBody, null);
          assert.deepEqual(await store.append([read!]), { inserted: 1, duplicates: 0 });
          assert.deepEqual(await store.append(fromCallbacks(readBody, null)), { inserted: 0, duplicates: 1 });
          const { records } = await store.search({ kind: 'other' });
          assert.equal(records.length, 1);
          assert.match(records[0]!.id, /^ot:/);
          assert.equal(records[0]!.eventType, 'message-read');
          assert.deepEqual(records[0]!.raw, readBody[0]);
        }));

      void it('writes a batch all or nothing', () =>
        withStore(async (store) => {
          const good = makeRecord({ messageId: 'good' });
          const bad = makeRecord({ messageId: 'bad', kind: 'bogus' as RecordKind });
          await assert.rejects(store.append([good, bad]));
          assert.deepEqual((await store.search({})).records, []);
          assert.deepEqual(await store.append([good]), { inserted: 1, duplicates: 0 });
        }));

      void it('rejects a record whose eventTime is not a time, writing nothing', () =>
        withStore(async (store) => {
          const records = [makeRecord({ messageId: 'a' }), makeRecord({ messageId: 'b', eventTime: 'yesterday' })];
          await assert.rejects(store.append(records), RecordInputError);
          assert.deepEqual((await store.search({})).records, []);
        }));

      void it('stores text holding NUL or a lone surrogate instead of failing the callback', () =>
        withStore(async (store) => {
          const text = 'a\u0000b\ud800c';
          await store.append([makeRecord({ text, raw: { message: { text } } })]);
          const [record] = (await store.search({})).records;
          assert.equal(record!.text, 'a\ufffdb\ufffdc');
          assert.deepEqual(record!.raw, { message: { text: 'a\ufffdb\ufffdc' } });
        }));

      void it('keeps no message text in privacy mode, and still deduplicates', () =>
        withStore(
          async (store) => {
            const inbound = fromCallbacks(inboundGroupBody);
            const send = recordFromSend({
              messageId: 'out-1',
              from: OUR_NUMBER,
              to: [ALICE],
              text: 'secret reply',
              conversationId: CONVERSATION,
              time: '2025-06-20T16:31:00Z',
              raw: { id: 'out-1', text: 'secret reply', from: OUR_NUMBER },
            });
            assert.deepEqual(await store.append([...inbound, send]), { inserted: 3, duplicates: 0 });
            assert.deepEqual(await store.append(fromCallbacks(inboundGroupBody)), { inserted: 0, duplicates: 2 });

            const { records } = await store.search({});
            assert.equal(records.length, 3);
            for (const record of records) {
              assert.equal(record.text, null);
              assert.ok(!JSON.stringify(record).includes('see pic'), 'inbound text left somewhere');
              assert.ok(!JSON.stringify(record).includes('secret reply'), 'outbound text left somewhere');
            }
            const first = records[0]!;
            const raw = first.raw as { message: Record<string, unknown> };
            assert.equal('text' in raw.message, false);
            assert.equal(raw.message.id, '1718901000000a1s2d3f4g5h6j7k8');
            assert.equal(first.from, ALICE);
            assert.equal(first.media.length, 1);
            assert.equal(first.segmentCount, 1);
            assert.deepEqual(records[2]!.raw, { id: 'out-1', from: OUR_NUMBER });
          },
          { storeText: false },
        ));
    });

    void describe('searching', () => {
      const COUNT = 120;
      const inputs = range(0, COUNT).map(numberedRecord);
      let seeded: Promise<{ db: TestDatabase; store: RecordStore }> | undefined;
      const seed = async () => {
        const db = await createDatabase();
        const store = await db.open();
        assert.deepEqual(await store.append(inputs), { inserted: COUNT, duplicates: 0 });
        return { db, store };
      };
      /** The store holding the data set, seeded by the first test that asks (see `createDatabase` for why). */
      const seededStore = async () => (await (seeded ??= seed())).store;
      after(async () => {
        const s = await seeded?.catch(() => undefined);
        await s?.store.close();
        await s?.db.drop();
      });

      const expected = (predicate: (r: MessageRecordInput) => boolean) =>
        inputs.filter(predicate).map(recordKey).sort();
      const time = (i: number) => normalizeTime(inputs[i]!.eventTime)!;

      const cases: [string, RecordQuery, (r: MessageRecordInput) => boolean][] = [
        [
          'conversation',
          { conversationId: conversationIdOf(NUMBERS.ours[0]!, NUMBERS.others[0]!) },
          (r) => r.conversationId === conversationIdOf(NUMBERS.ours[0]!, NUMBERS.others[0]!),
        ],
        ['our number', { ourNumber: NUMBERS.ours[1] }, (r) => r.ourNumber === NUMBERS.ours[1]],
        [
          'participant, including group members',
          { participant: NUMBERS.others[1] },
          (r) => r.participants.includes(NUMBERS.others[1]!),
        ],
        ['direction in', { direction: 'in' }, (r) => r.direction === 'in'],
        ['direction out', { direction: 'out' }, (r) => r.direction === 'out'],
        ['kind inbound', { kind: 'inbound' }, (r) => r.kind === 'inbound'],
        ['kind outbound', { kind: 'outbound' }, (r) => r.kind === 'outbound'],
        ['kind status', { kind: 'status' }, (r) => r.kind === 'status'],
        ['kind other', { kind: 'other' }, (r) => r.kind === 'other'],
        ['event type', { eventType: 'message-read' }, (r) => r.eventType === 'message-read'],
        ['status delivered', { status: 'delivered' }, (r) => r.eventType === 'message-delivered'],
        ['status failed', { status: 'failed' }, (r) => r.eventType === 'message-failed'],
        ['status accepted', { status: 'accepted' }, (r) => r.eventType === 'send-accepted'],
        ['status received', { status: 'received' }, (r) => r.eventType === 'message-received'],
        ['error code', { errorCode: 4720 }, (r) => r.errorCode === 4720],
        ['message id', { messageId: inputs[7]!.messageId! }, (r) => r.messageId === inputs[7]!.messageId],
        [
          'time range',
          { from: inputs[30]!.eventTime, to: inputs[60]!.eventTime },
          (r) => normalizeTime(r.eventTime)! >= time(30) && normalizeTime(r.eventTime)! < time(60),
        ],
        ['from only', { from: inputs[100]!.eventTime }, (r) => normalizeTime(r.eventTime)! >= time(100)],
        ['to only', { to: inputs[10]!.eventTime }, (r) => normalizeTime(r.eventTime)! < time(10)],
        [
          'several filters at once',
          { ourNumber: NUMBERS.ours[1], status: 'failed', participant: NUMBERS.others[0] },
          (r) =>
            r.ourNumber === NUMBERS.ours[1] &&
            r.eventType === 'message-failed' &&
            r.participants.includes(NUMBERS.others[0]!),
        ],
        ['a participant never seen', { participant: '+19990000000' }, () => false],
        ['contradicting event type and status', { eventType: 'message-read', status: 'failed' }, () => false],
      ];

      for (const [name, query, predicate] of cases) {
        void it(`filters by ${name}`, async () => {
          const { records, nextCursor } = await (await seededStore()).search({ ...query, limit: 1000 });
          assert.equal(nextCursor, null);
          assert.deepEqual(records.map((r) => r.id).sort(), expected(predicate));
          assertOrdered(records);
          if (name !== 'a participant never seen' && !name.startsWith('contradicting')) {
            assert.ok(records.length > 0, 'this case should match something, or it proves nothing');
          }
        });
      }

      void it('pages through every record with no gaps and no repeats', async () => {
        for (const limit of [1, 7, 60, 119, 120, 1000]) {
          const pages = await searchAll(await seededStore(), {}, limit);
          const all = pages.flat();
          assert.equal(all.length, COUNT, `limit ${limit}`);
          assert.equal(new Set(all.map((r) => r.id)).size, COUNT, `limit ${limit}`);
          assertOrdered(all);
          assert.ok(pages.every((p) => p.length <= limit && p.length > 0));
          assert.equal(pages.length, Math.ceil(COUNT / limit), `limit ${limit}: no empty last page`);
        }
      });

      void it('pages through a filtered search with the filter kept on every page', async () => {
        const query: RecordQuery = { participant: NUMBERS.others[2], direction: 'out' };
        const all = (await searchAll(await seededStore(), query, 4)).flat();
        assert.deepEqual(
          all.map((r) => r.id).sort(),
          expected((r) => r.participants.includes(NUMBERS.others[2]!) && r.direction === 'out'),
        );
        assertOrdered(all);
      });

      void it('defaults to 100 records a page', async () => {
        const page = await (await seededStore()).search({});
        assert.equal(page.records.length, 100);
        assert.notEqual(page.nextCursor, null);
      });

      void it('rejects bad queries with a RecordQueryError that names the field', async () => {
        const bad: [RecordQuery, RegExp][] = [
          [{ limit: 0 }, /limit/],
          [{ limit: 1001 }, /limit/],
          [{ limit: 2.5 }, /limit/],
          [{ cursor: 'not-a-cursor' }, /cursor/],
          [{ cursor: Buffer.from('["x",1]').toString('base64url') }, /cursor/],
          [{ from: 'yesterday' }, /from/],
          [{ to: '2025-02-30T00:00:00Z' }, /to/],
          [{ status: 'lost' as never }, /status/],
          [{ direction: 'sideways' as never }, /direction/],
          [{ kind: 'weird' as never }, /kind/],
          [{ errorCode: 'x' as never }, /errorCode/],
        ];
        for (const [query, message] of bad) {
          await assert.rejects((await seededStore()).search(query), (err: unknown) => {
            assert.ok(err instanceof RecordQueryError, `${JSON.stringify(query)} threw ${String(err)}`);
            assert.match(err.message, message);
            return true;
          });
        }
      });

      void it('returns a whole conversation, oldest first', async () => {
        const id = conversationIdOf(NUMBERS.ours[1]!, NUMBERS.others[2]!);
        const records = await (await seededStore()).conversation(id);
        assert.deepEqual(
          records.map((r) => r.id).sort(),
          expected((r) => r.conversationId === id),
        );
        assertOrdered(records);
        assert.deepEqual(await (await seededStore()).conversation('no-such-conversation'), []);
      });

      void it('exports JSON Lines that parse back to the records search returns', async () => {
        const text = await collect((await seededStore()).export({}, 'jsonl'));
        assert.ok(text.endsWith('\n'));
        const lines = text.slice(0, -1).split('\n');
        const parsed = lines.map((line) => JSON.parse(line) as MessageRecord);
        const { records } = await (await seededStore()).search({ limit: 1000 });
        assert.deepEqual(parsed, records);

        const failed = await collect((await seededStore()).export({ status: 'failed' }, 'jsonl'));
        const failedIds = failed
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as MessageRecord).id);
        assert.deepEqual(
          failedIds.sort(),
          expected((r) => r.eventType === 'message-failed'),
        );
      });

      void it('exports CSV with a header row and escaping that parses back to the records', async () => {
        const rows = parseCsv(await collect((await seededStore()).export({}, 'csv')));
        assert.deepEqual(rows[0], [...CSV_COLUMNS]);
        const { records } = await (await seededStore()).search({ limit: 1000 });
        assert.equal(rows.length - 1, records.length);
        records.forEach((record, k) => {
          const row = rows[k + 1]!;
          CSV_COLUMNS.forEach((column, c) => {
            const value = record[column];
            const want = value === null ? '' : Array.isArray(value) ? value.join(' ') : String(value);
            assert.equal(row[c], want, `row ${k + 1}, column ${column}`);
          });
        });
        // The data set holds text with quotes, commas, a line break and emoji; make sure it survived.
        assert.ok(rows.some((row) => row[CSV_COLUMNS.indexOf('text')]?.includes('"quotes", commas\nand')));
        assert.ok(rows.some((row) => row[CSV_COLUMNS.indexOf('text')]?.includes('✓ 😀')));
      });

      void it('exports only a header when nothing matches', async () => {
        assert.equal(
          await collect((await seededStore()).export({ participant: '+19990000000' }, 'csv')),
          `${CSV_COLUMNS.join(',')}\r\n`,
        );
        assert.equal(await collect((await seededStore()).export({ participant: '+19990000000' }, 'jsonl')), '');
      });

      void it('refuses an unknown export format or a bad filter before streaming anything', async () => {
        const store = await seededStore();
        assert.throws(() => store.export({}, 'xml' as never), RecordQueryError);
        assert.throws(() => store.export({ from: 'soon' }, 'csv'), RecordQueryError);
      });
    });

    void it('filters a time range to the microsecond, from inclusive and to exclusive, across time zones', () =>
      withStore(async (store) => {
        const times = [
          '2025-06-20T16:13:21.160543Z',
          '2025-06-20T16:13:21.160544Z',
          '2025-06-20T18:13:21.160545+02:00', // 16:13:21.160545Z
          '2025-06-20T16:13:22Z',
          '2025-06-21',
        ];
        await store.append(times.map((eventTime, k) => makeRecord({ messageId: `t${k}`, eventTime })));
        const ids = async (q: RecordQuery) => (await store.search(q)).records.map((r) => r.messageId);
        assert.deepEqual(await ids({}), ['t0', 't1', 't2', 't3', 't4']);
        assert.deepEqual(await ids({ from: '2025-06-20T16:13:21.160544Z' }), ['t1', 't2', 't3', 't4']);
        assert.deepEqual(await ids({ to: '2025-06-20T16:13:21.160545Z' }), ['t0', 't1']);
        assert.deepEqual(await ids({ from: '2025-06-20T12:13:21.160544-04:00', to: '2025-06-20T16:13:22Z' }), [
          't1',
          't2',
        ]);
        assert.deepEqual(await ids({ from: '2025-06-21' }), ['t4']);
        assert.deepEqual(await ids({ to: '2025-06-21' }), ['t0', 't1', 't2', 't3']);
        const all = (await store.search({})).records;
        assert.equal(all[2]!.eventTime, '2025-06-20T16:13:21.160545Z');
        assert.equal(all[4]!.eventTime, '2025-06-21T00:00:00.000000Z');
      }));

    void it('exports and returns conversations larger than one internal page', () =>
      withStore(async (store) => {
        const COUNT = 2345;
        for (let start = 0; start < COUNT; start += 500) {
          await store.append(
            range(start, Math.min(start + 500, COUNT)).map((i) => ({
              ...numberedRecord(i),
              conversationId: 'big',
            })),
          );
        }
        const lines = (await collect(store.export({}, 'jsonl'))).trim().split('\n');
        assert.equal(lines.length, COUNT);
        assert.equal(new Set(lines.map((l) => (JSON.parse(l) as MessageRecord).id)).size, COUNT);
        const csvRows = parseCsv(await collect(store.export({ conversationId: 'big' }, 'csv')));
        assert.equal(csvRows.length, COUNT + 1);
        const conversation = await store.conversation('big');
        assert.equal(conversation.length, COUNT);
        assertOrdered(conversation);
      }));

    if (backend.shared) {
      void describe('sharing one database', () => {
        void it('applies migrations once and keeps every record across reopening', async () => {
          const db = await createDatabase();
          try {
            let store = await db.open();
            await store.append(fromCallbacks(inboundGroupBody));
            await store.close();
            for (let reopen = 0; reopen < 2; reopen++) {
              store = await db.open();
              assert.deepEqual(await store.append(fromCallbacks(inboundGroupBody)), { inserted: 0, duplicates: 2 });
              assert.equal((await store.search({})).records.length, 2);
              await store.close();
            }
            const applied = await db.query<{ id: string }>('SELECT id FROM threadline_migrations ORDER BY id');
            assert.deepEqual(
              applied.map((m) => m.id),
              MIGRATIONS.map((m) => m.id),
            );
          } finally {
            await db.drop();
          }
        });

        void it('lets two store instances open a fresh database at the same moment', async () => {
          const db = await createDatabase();
          try {
            const stores = await Promise.all([db.open(), db.open(), db.open()]);
            await Promise.all(stores.map((s) => s.append(fromCallbacks(inboundBody))));
            assert.equal((await stores[0].search({})).records.length, 1);
            await Promise.all(stores.map((s) => s.close()));
            const applied = await db.query<{ id: string }>('SELECT id FROM threadline_migrations');
            assert.equal(applied.length, MIGRATIONS.length);
          } finally {
            await db.drop();
          }
        });

        void it('writes each record once when two store instances append overlapping records concurrently', async () => {
          const db = await createDatabase();
          const [a, b] = await Promise.all([db.open(), db.open()]);
          try {
            // a appends 0..199 and b 100..299 in opposite orders, ten batches in flight each.
            const batches = (indexes: number[]) =>
              range(0, Math.ceil(indexes.length / 10)).map((k) =>
                indexes.slice(k * 10, k * 10 + 10).map(numberedRecord),
              );
            const results = await Promise.all([
              ...batches(range(0, 200)).map((batch) => a.append(batch)),
              ...batches(range(100, 300).reverse()).map((batch) => b.append(batch)),
            ]);
            const inserted = results.reduce((n, r) => n + r.inserted, 0);
            const duplicates = results.reduce((n, r) => n + r.duplicates, 0);
            assert.deepEqual({ inserted, duplicates }, { inserted: 300, duplicates: 100 });
            const all = (await searchAll(a, {}, 1000)).flat();
            assert.equal(all.length, 300);
            assert.deepEqual(
              all.map((r) => r.id).sort(),
              range(0, 300)
                .map((i) => recordKey(numberedRecord(i)))
                .sort(),
            );
          } finally {
            await a.close();
            await b.close();
            await db.drop();
          }
        });

        void it('writes each record once when two processes open a fresh database and append concurrently', async () => {
          const db = await createDatabase();
          try {
            const [up, down] = await Promise.all([
              runAppendWorker(db.target, 0, 300, 'up'),
              runAppendWorker(db.target, 150, 450, 'down'),
            ]);
            assert.equal(up.inserted + down.inserted, 450);
            assert.equal(up.duplicates + down.duplicates, 150);
            const store = await db.open();
            try {
              const all = (await searchAll(store, {}, 1000)).flat();
              assert.equal(all.length, 450);
              assert.equal(new Set(all.map((r) => r.id)).size, 450);
            } finally {
              await store.close();
            }
          } finally {
            await db.drop();
          }
        });
      });
    }
  });
}
