/**
 * What every record store backend keeps of a message's cost: the price of a message received or accepted and the
 * carrier surcharge a status callback names, exact to millionths, with its currency and the carrier; and a database
 * made before Threadline priced messages gains the columns, its old records unpriced.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { DEFAULT_PRICE_TABLE } from '../../../billing/price-table';
import { MIGRATIONS, recordFromCallback, recordFromSend, type MessageRecordInput } from '../../../records';
import { INSERT_COLUMNS, insertValues, prepareRecord } from '../../../records/prepared-record';
import { useDatabases, type Backend, type TestDatabase } from './backends';
import { ALICE, deliveredBody, inboundBody, OUR_NUMBER, parseBody } from './bandwidth-examples';
import { parseCsv } from './csv-parse';

const prices = DEFAULT_PRICE_TABLE;
const conversationId = `sms:${OUR_NUMBER}:${ALICE}`;
const priced = (body: unknown[]) => parseBody(body).map((e) => recordFromCallback(e, { conversationId, prices }));
/** Alice's reply was delivered through T-Mobile: Bandwidth names the carrier URL-encoded. */
const deliveredByTMobile = deliveredBody.map((e) => ({ ...e, carrierName: 'T-Mobile' }));
const deliveredByAtt = deliveredBody.map((e) => ({ ...e, to: ALICE, carrierName: 'AT%26T' }));
const accepted: MessageRecordInput = recordFromSend({
  messageId: 'out-long-1',
  from: OUR_NUMBER,
  to: [ALICE],
  text: 'x'.repeat(200),
  segmentCount: 2,
  cost: 0.008,
  currency: 'USD',
  conversationId,
  time: '2025-06-20T16:13:19.000Z',
});

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

export function describeCostContract(backend: Backend): void {
  void describe(`the cost of messages on ${backend.name}`, () => {
    const { fresh } = useDatabases(backend);

    void it('keeps what each event adds to the bill, with its currency and the carrier a receipt named', async () => {
      const store = await (await fresh()).open();
      try {
        await store.append([...priced(inboundBody), accepted, ...priced(deliveredByTMobile)]);
        const { records } = await store.search({});
        const byKind = Object.fromEntries(records.map((r) => [r.kind, r]));
        assert.deepEqual(
          records.map((r) => [r.kind, r.segmentCount, r.cost, r.currency, r.carrierName]),
          [
            ['outbound', 2, 0.008, 'USD', null],
            ['status', 1, 0.003, 'USD', 'T-Mobile'],
            ['inbound', 1, 0.004, 'USD', null],
          ],
        );
        assert.equal(byKind.status?.eventType, 'message-delivered');

        const csv = parseCsv(await collect(store.export({}, 'csv')));
        const header = csv[0]!;
        const column = (name: string) => csv.slice(1).map((row) => row[header.indexOf(name)]);
        assert.deepEqual(column('cost'), ['0.008', '0.003', '0.004']);
        assert.deepEqual(column('currency'), ['USD', 'USD', 'USD']);
        assert.deepEqual(column('carrierName'), ['', 'T-Mobile', '']);
        const jsonl = (await collect(store.export({}, 'jsonl'))).trim().split('\n');
        assert.deepEqual(
          jsonl.map((l) => (JSON.parse(l) as { cost: number | null }).cost),
          [0.008, 0.003, 0.004],
        );
      } finally {
        await store.close();
      }
    });

    void it('adds up a thousand prices without drift, and decodes the carrier Bandwidth URL-encodes', async () => {
      const store = await (await fresh()).open();
      try {
        const many = Array.from({ length: 1000 }, (_, k) => ({ ...accepted, messageId: `out-${k}`, cost: 0.0001 }));
        await store.append([...many, ...priced(deliveredByAtt)]);
        const all = (await store.conversation(conversationId)).filter((r) => r.kind === 'outbound');
        const micros = all.reduce((sum, r) => sum + Math.round((r.cost ?? 0) * 1e6), 0);
        assert.equal(micros / 1e6, 0.1);
        const status = (await store.search({ kind: 'status' })).records[0];
        assert.deepEqual([status?.carrierName, status?.cost], ['AT&T', 0.002]);
      } finally {
        await store.close();
      }
    });

    if (backend.shared) {
      void it('adds the cost columns to a database made before messages were priced, its records unpriced', async () => {
        const db = await fresh();
        await applyOldSchema(db, priced(inboundBody)[0]!);
        const store = await db.open();
        try {
          await store.append([accepted]);
          const { records } = await store.search({});
          assert.deepEqual(
            records.map((r) => [r.kind, r.cost, r.currency]),
            [
              ['outbound', 0.008, 'USD'],
              ['inbound', null, null],
            ],
          );
          const applied = await db.query<{ id: string }>('SELECT id FROM threadline_migrations');
          assert.equal(applied.length, MIGRATIONS.length);
        } finally {
          await store.close();
        }
      });
    }
  });
}

/** The schema as it was before migration 0005 (records-0001 to -0004 applied), with one record written then. */
async function applyOldSchema(db: TestDatabase, record: MessageRecordInput): Promise<void> {
  const old = MIGRATIONS.slice(
    0,
    MIGRATIONS.findIndex((m) => m.id === 'records-0006-message-cost'),
  );
  const prepared = prepareRecord({ ...record, cost: null, currency: null }, true);
  const columns = INSERT_COLUMNS.filter((c) => !['cost_micros', 'currency', 'carrier_name'].includes(c));
  const values = insertValues(prepared, JSON.stringify).slice(0, columns.length);
  if ('sqlitePath' in db.target) {
    fs.mkdirSync(path.dirname(db.target.sqlitePath), { recursive: true });
    const sqlite = new Database(db.target.sqlitePath);
    try {
      sqlite.exec('CREATE TABLE threadline_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
      for (const m of old) {
        sqlite.exec(m.sqlite);
        sqlite.prepare('INSERT INTO threadline_migrations VALUES (?, ?)').run(m.id, '2025-06-20T00:00:00.000000Z');
      }
      sqlite
        .prepare(`INSERT INTO message_records (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)
        .run(...values);
    } finally {
      sqlite.close();
    }
    return;
  }
  assert.ok('databaseUrl' in db.target);
  const pg = new Client({ connectionString: db.target.databaseUrl });
  await pg.connect();
  try {
    await pg.query(
      'CREATE TABLE threadline_migrations (id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    for (const m of old) {
      await pg.query(m.postgres);
      await pg.query('INSERT INTO threadline_migrations (id) VALUES ($1)', [m.id]);
    }
    await pg.query(
      `INSERT INTO message_records (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
      values,
    );
  } finally {
    await pg.end();
  }
}
