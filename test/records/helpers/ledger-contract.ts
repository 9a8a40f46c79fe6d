/**
 * The behaviour every backend's opt-out ledger must have. Each backend's test file calls
 * {@link describeOptOutLedgerContract} once, so SQLite and PostgreSQL are held to exactly the same tests.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  OPT_OUT_CSV_COLUMNS,
  RecordInputError,
  RecordQueryError,
  type ConsentChange,
  type OptOutEntry,
  type OptOutLedger,
  type RecordStore,
} from '../../../records';
import type { Backend, TestDatabase } from './backends';
import { parseCsv } from './csv-parse';
import { range } from './records';

const SHOP = 'number:+19195550100';
const OTHER_SHOP = 'number:+19195550101';
const APP = 'application:93de2206-9669-4e07-948d-329f4b722ee2';
const ADA = '+19195550123';
const BEN = '+19195550124';
const CY = '+19195550125';

/** The n-th second of a day in June 2025, as the ledger returns times. */
const at = (second: number) => new Date(Date.UTC(2025, 5, 20, 16, 0, second)).toISOString().replace('Z', '000Z');

let changes = 0;
/** A change with every field set (the ledger returns them all), unique by id unless `id` is given. */
function change(overrides: Partial<ConsentChange> & Pick<ConsentChange, 'action'>): Required<ConsentChange> {
  changes += 1;
  const optOut = overrides.action === 'opt-out';
  return {
    id: `test:${changes}`,
    scope: SHOP,
    contact: ADA,
    source: 'keyword',
    time: at(0),
    messageId: `msg-${changes}`,
    keyword: optOut ? 'STOP' : 'START',
    actor: null,
    reason: null,
    ...overrides,
  };
}
const stop = (overrides: Partial<ConsentChange> = {}) => change({ action: 'opt-out', ...overrides });
const start = (overrides: Partial<ConsentChange> = {}) => change({ action: 'opt-in', ...overrides });

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

async function listAll(ledger: OptOutLedger, filter: Parameters<OptOutLedger['list']>[0], limit: number) {
  const pages: OptOutEntry[][] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await ledger.list({ ...filter, limit, cursor });
    pages.push(page.entries);
    if (page.nextCursor === null) return pages;
    assert.ok(pages.length < 1000, 'pagination does not end');
    cursor = page.nextCursor;
  }
}

export function describeOptOutLedgerContract(backend: Backend): void {
  void describe(`the opt-out ledger on ${backend.name}`, () => {
    // Started by the first test that needs it (see store-contract.ts for why not in a `before` hook).
    let started: Promise<void> | undefined;
    after(async () => {
      if (started === undefined) return;
      await started.catch(() => undefined);
      await backend.stop();
    });

    async function withLedger(work: (ledger: OptOutLedger, store: RecordStore, db: TestDatabase) => Promise<void>) {
      await (started ??= backend.start());
      const db = await backend.createDatabase();
      const store = await db.open();
      try {
        await work(store.optOuts, store, db);
      } finally {
        await store.close();
        await db.drop();
      }
    }

    void it('records a STOP once, however often it is recorded, and reports the contact opted out', () =>
      withLedger(async (ledger) => {
        const first = stop({ time: at(1), messageId: 'in-1' });
        assert.deepEqual(await ledger.record(first), { inserted: true });
        // Delivered again (a retried activity or callback): nothing changes, even if the rest differs.
        assert.deepEqual(await ledger.record(first), { inserted: false });
        assert.deepEqual(await ledger.record({ ...first, action: 'opt-in', time: at(9) }), { inserted: false });

        assert.deepEqual(await ledger.optedOut(SHOP, [ADA]), [ADA]);
        const { entry, history } = await ledger.lookup(SHOP, ADA);
        assert.deepEqual(history, [first]);
        assert.deepEqual(entry, { scope: SHOP, contact: ADA, optedOut: true, since: at(1), lastChange: first });
      }));

    void it('keeps every change, oldest first, through opt-out, opt-in and opt-out again', () =>
      withLedger(async (ledger) => {
        const said = stop({ time: at(1), messageId: 'in-1', keyword: 'STOP' });
        const refused = stop({
          id: '4775:out-7:+19195550123',
          time: at(5),
          source: 'bandwidth-4775',
          messageId: 'out-7',
          keyword: null,
        });
        const removed = start({
          time: at(10),
          source: 'operator',
          messageId: null,
          keyword: null,
          actor: 'dana',
          reason: 'Ada called and asked to hear from us again',
        });
        const again = stop({ time: at(20), messageId: 'in-9', keyword: 'QUIT' });
        for (const c of [said, refused]) await ledger.record(c);
        let entry = (await ledger.lookup(SHOP, ADA)).entry;
        assert.equal(entry?.since, at(1), 'a second opt-out does not restart the opt-out');
        assert.deepEqual(entry?.lastChange, refused);

        await ledger.record(removed);
        assert.deepEqual(await ledger.optedOut(SHOP, [ADA]), []);
        entry = (await ledger.lookup(SHOP, ADA)).entry;
        assert.deepEqual(entry, { scope: SHOP, contact: ADA, optedOut: false, since: at(10), lastChange: removed });

        await ledger.record(again);
        assert.deepEqual(await ledger.optedOut(SHOP, [ADA]), [ADA]);
        const looked = await ledger.lookup(SHOP, ADA);
        assert.deepEqual(looked.history, [said, refused, removed, again]);
        assert.deepEqual(looked.entry, { scope: SHOP, contact: ADA, optedOut: true, since: at(20), lastChange: again });
      }));

    void it('lets the latest change decide by its time, then by insertion, whatever order they arrive in', () =>
      withLedger(async (ledger) => {
        // Ada opted back in at 0:10; the STOP from 0:05 is recorded only afterwards (a slow worker): she stays in.
        const optIn = start({ time: at(10) });
        const lateStop = stop({ time: at(5) });
        await ledger.record(optIn);
        await ledger.record(lateStop);
        assert.deepEqual(await ledger.optedOut(SHOP, [ADA]), []);
        assert.deepEqual((await ledger.lookup(SHOP, ADA)).history, [lateStop, optIn]);
        assert.deepEqual((await ledger.lookup(SHOP, ADA)).entry?.lastChange, optIn);

        // Two changes at the same instant: the one recorded last wins.
        await ledger.record(start({ contact: BEN, time: at(30) }));
        const same = stop({ contact: BEN, time: at(30) });
        await ledger.record(same);
        assert.deepEqual(await ledger.optedOut(SHOP, [BEN]), [BEN]);
        assert.deepEqual((await ledger.lookup(SHOP, BEN)).entry?.lastChange, same);

        // Times with an offset or fewer digits are normalised, and compared as instants.
        await ledger.record(start({ contact: CY, time: '2025-06-20T12:00:40-04:00' }));
        await ledger.record(stop({ contact: CY, time: '2025-06-20T16:00:39.999999Z' }));
        const cy = await ledger.lookup(SHOP, CY);
        assert.equal(cy.entry?.optedOut, false);
        assert.deepEqual(
          cy.history.map((c) => c.time),
          ['2025-06-20T16:00:39.999999Z', '2025-06-20T16:00:40.000000Z'],
        );
      }));

    void it('keeps scopes apart: a STOP to one number leaves the others and the application untouched', () =>
      withLedger(async (ledger) => {
        await ledger.record(stop({ scope: SHOP }));
        await ledger.record(stop({ scope: APP, contact: BEN }));
        assert.deepEqual(await ledger.optedOut(SHOP, [ADA, BEN]), [ADA]);
        assert.deepEqual(await ledger.optedOut(OTHER_SHOP, [ADA, BEN]), []);
        assert.deepEqual(await ledger.optedOut(APP, [ADA, BEN]), [BEN]);
        assert.deepEqual(await ledger.lookup(OTHER_SHOP, ADA), { entry: null, history: [] });

        await ledger.record(start({ scope: OTHER_SHOP, time: at(50) }));
        assert.deepEqual(await ledger.optedOut(SHOP, [ADA]), [ADA], 'an opt-in elsewhere does not lift it here');
        const everywhere = (await ledger.list({ contact: ADA })).entries;
        assert.deepEqual(
          everywhere.map((e) => [e.scope, e.optedOut]),
          [
            [SHOP, true],
            [OTHER_SHOP, false],
          ],
        );
      }));

    void it('answers for several contacts at once, in the order asked, each once', () =>
      withLedger(async (ledger) => {
        await ledger.record(stop({ contact: ADA }));
        await ledger.record(stop({ contact: CY }));
        await ledger.record(stop({ contact: BEN, time: at(1) }));
        await ledger.record(start({ contact: BEN, time: at(2) }));
        assert.deepEqual(await ledger.optedOut(SHOP, [CY, BEN, '+19195550199', ADA, CY]), [CY, ADA]);
        assert.deepEqual(await ledger.optedOut(SHOP, []), []);
        assert.deepEqual(await ledger.optedOut(SHOP, ['+19195550199']), []);
      }));

    void it('lists entries by scope and state a page at a time, in (scope, contact) order', () =>
      withLedger(async (ledger) => {
        const contacts = range(0, 230).map((i) => `+1202555${String(i).padStart(4, '0')}`);
        // Every third contact opted back in; all in SHOP, and the first ten in APP too.
        await Promise.all(
          contacts.map(async (contact, i) => {
            await ledger.record(stop({ contact, time: at(1) }));
            if (i % 3 === 0) await ledger.record(start({ contact, time: at(2) }));
            if (i < 10) await ledger.record(stop({ scope: APP, contact }));
          }),
        );
        const pages = await listAll(ledger, { scope: SHOP }, 100);
        assert.deepEqual(
          pages.map((p) => p.length),
          [100, 100, 30],
        );
        assert.deepEqual(
          pages.flat().map((e) => e.contact),
          contacts,
        );
        const out = (await listAll(ledger, { scope: SHOP, optedOut: true }, 50)).flat();
        assert.deepEqual(
          out.map((e) => e.contact),
          contacts.filter((_, i) => i % 3 !== 0),
        );
        const back = (await listAll(ledger, { scope: SHOP, optedOut: false }, 1000)).flat();
        assert.equal(back.length, 77);
        assert.ok(back.every((e) => !e.optedOut && e.lastChange.action === 'opt-in'));

        const all = (await listAll(ledger, {}, 7)).flat();
        assert.equal(all.length, 240);
        assert.deepEqual(
          all.map((e) => e.scope),
          [...Array<string>(10).fill(APP), ...Array<string>(230).fill(SHOP)],
          'application: sorts before number:',
        );
        assert.deepEqual((await ledger.list({})).entries.length, 100, 'the default page is 100');

        await assert.rejects(ledger.list({ limit: 0 }), RecordQueryError);
        await assert.rejects(ledger.list({ limit: 1001 }), RecordQueryError);
        await assert.rejects(ledger.list({ cursor: 'not-a-cursor' }), RecordQueryError);
      }));

    void it('exports every entry as JSON Lines or CSV, past the internal page size', () =>
      withLedger(async (ledger) => {
        const contacts = range(0, 1005).map((i) => `+1303555${String(i).padStart(4, '0')}`);
        for (let k = 0; k < contacts.length; k += 100) {
          await Promise.all(contacts.slice(k, k + 100).map((contact) => ledger.record(stop({ contact }))));
        }
        const tricky = start({
          contact: contacts[0],
          time: at(3),
          source: 'operator',
          actor: 'Dana "D" Smith',
          reason: 'asked by phone, then by mail,\r\nsigned',
        });
        await ledger.record(tricky);

        const lines = (await collect(ledger.export({}, 'jsonl'))).trim().split('\n');
        assert.equal(lines.length, 1005);
        const entries = lines.map((line) => JSON.parse(line) as OptOutEntry);
        assert.deepEqual(entries[0], {
          scope: SHOP,
          contact: contacts[0],
          optedOut: false,
          since: at(3),
          lastChange: tricky,
        });
        assert.deepEqual(
          entries.map((e) => e.contact),
          contacts,
        );

        const rows = parseCsv(await collect(ledger.export({ scope: SHOP }, 'csv')));
        assert.deepEqual(rows[0], [...OPT_OUT_CSV_COLUMNS]);
        assert.equal(rows.length, 1006);
        assert.deepEqual(rows[1], [
          SHOP,
          contacts[0],
          'false',
          at(3),
          tricky.id,
          'opt-in',
          'operator',
          at(3),
          tricky.messageId,
          'START',
          'Dana "D" Smith',
          'asked by phone, then by mail,\r\nsigned',
        ]);
        const onlyOut = parseCsv(await collect(ledger.export({ optedOut: true }, 'csv')));
        assert.equal(onlyOut.length, 1005, 'the header and every contact still opted out');
        assert.equal(await collect(ledger.export({ scope: OTHER_SHOP }, 'jsonl')), '');
        assert.throws(() => ledger.export({}, 'xml' as 'csv'), RecordQueryError);
      }));

    void it('refuses a change it cannot keep, writing nothing', () =>
      withLedger(async (ledger) => {
        const bad: [string, ConsentChange][] = [
          ['no id', stop({ id: '' })],
          ['an unscoped scope', stop({ scope: '+19195550100' })],
          ['no contact', stop({ contact: '' })],
          ['an unknown action', { ...stop(), action: 'maybe' as 'opt-in' }],
          ['an unknown source', { ...stop(), source: 'carrier' as 'api' }],
          ['a time that is not one', stop({ time: 'yesterday' })],
        ];
        for (const [what, c] of bad) await assert.rejects(ledger.record(c), RecordInputError, what);
        assert.deepEqual((await ledger.list({})).entries, []);
        // Text no database can hold (NUL) is kept as U+FFFD, like message text.
        await ledger.record(start({ reason: 'a\u0000b' }));
        assert.equal((await ledger.lookup(SHOP, ADA)).history[0]!.reason, 'a\ufffdb');
      }));

    void it('refuses to work once its store is closed', async () => {
      await (started ??= backend.start());
      const db = await backend.createDatabase();
      const store = await db.open();
      await store.close();
      try {
        await assert.rejects(store.optOuts.record(stop()), /closed/);
        await assert.rejects(store.optOuts.optedOut(SHOP, [ADA]), /closed/);
      } finally {
        await db.drop();
      }
    });

    if (backend.shared) {
      void it('keeps the state true to the history when several store instances record changes of one contact at once', () =>
        withLedger(async (first, _store, db) => {
          const second = await db.open();
          try {
            // Two hundred changes of Ada, alternating, all in flight at once across the two instances (twenty
            // connections on PostgreSQL): a change that does not wait for the others to commit computes her state from
            // a history that lacks them, and the last one to commit would then leave a stale state behind.
            const all = range(0, 200).map((i) =>
              (i % 2 === 0 ? stop : start)({ time: at(i), messageId: null, keyword: null }),
            );
            await Promise.all(all.map((c, k) => (k % 2 === 0 ? first : second.optOuts).record(c)));
            const { entry, history } = await second.optOuts.lookup(SHOP, ADA);
            assert.deepEqual(history, all);
            assert.deepEqual(entry, {
              scope: SHOP,
              contact: ADA,
              optedOut: false,
              since: at(199),
              lastChange: all[199],
            });
            assert.deepEqual(await first.optedOut(SHOP, [ADA]), []);
          } finally {
            await second.close();
          }
        }));
    }
  });
}
