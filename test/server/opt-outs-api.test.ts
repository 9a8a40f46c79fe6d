/**
 * The opt-out ledger through the operator API, on SQLite and on PostgreSQL: adding an opt-out with who and why,
 * looking a contact up with its history, removing an opt-out (only with a reason), listing by scope, contact and state
 * a page at a time, exporting as JSON Lines and CSV, and the opt-outs Bandwidth's error 4775 records by itself; every
 * exchange checked against the served OpenAPI document.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OPT_OUT_CSV_COLUMNS, type RecordStore } from '../../records';
import { postgresBackend, sqliteFileBackend, type Backend } from '../records/helpers/backends';
import { parseCsv } from '../records/helpers/csv-parse';
import type { ApiChecker } from './openapi-check';
import { serveOperatorApp, type OperatorApp } from './operator-app';
import { APPLICATION_ID, postCallbacks, statusEvent, uniqueNumber, type Served } from './helpers';

const TOKEN = 'opt-outs-api-test-token-0123456789';
const ACCOUNT_ID = '9900000';

interface Change {
  id: string;
  action: string;
  source: string;
  time: string;
  messageId: string | null;
  keyword: string | null;
  actor: string | null;
  reason: string | null;
}
interface Entry {
  scope: string;
  contact: string;
  optedOut: boolean;
  since: string;
  lastChange: Change;
}
interface Lookup {
  scope: string;
  contact: string;
  optedOut: boolean;
  entry: Entry | null;
  history: Change[];
}
interface Page {
  entries: Entry[];
  nextCursor: string | null;
}

for (const backend of [sqliteFileBackend(), postgresBackend()] satisfies Backend[]) {
  describe(`the opt-out ledger through the operator API on ${backend.name}`, () => {
    let app: OperatorApp | undefined;
    let records: RecordStore;
    let server: Served;
    let api: ApiChecker;
    const ours = uniqueNumber();
    const here = `number:${ours}`;

    before(async () => {
      app = await serveOperatorApp(backend, {
        token: TOKEN,
        taskQueue: 'opt-outs-only',
        defaults: { ourNumber: ours, applicationId: APPLICATION_ID },
        consent: { scope: 'number', accountId: ACCOUNT_ID },
      });
      ({ records, server, api } = app);
    });
    after(async () => {
      await app?.close();
    });

    const lookup = async (scope: string, contact: string) => {
      const answer = await api.call('GET', `/opt-outs/${scope}/${contact}`);
      assert.equal(answer.status, 200, answer.text);
      return answer.body as Lookup;
    };

    it('adds an opt-out for our number with who and why, and looks the contact up with its history', async () => {
      const ada = uniqueNumber();
      const added = await api.call('POST', '/opt-outs', {
        body: { contact: ada, reason: 'Ada asked at the front desk', operator: 'dana' },
      });
      assert.equal(added.status, 201, added.text);
      assert.equal(
        added.headers.get('location'),
        `/api/v1/opt-outs/${encodeURIComponent(here)}/${encodeURIComponent(ada)}`,
      );
      const body = added.body as Lookup;
      assert.deepEqual(
        { scope: body.scope, contact: body.contact, optedOut: body.optedOut, history: body.history.length },
        { scope: here, contact: ada, optedOut: true, history: 1 },
      );
      const change = body.entry!.lastChange;
      assert.deepEqual(
        { ...change, id: undefined, time: undefined },
        {
          id: undefined,
          time: undefined,
          scope: here,
          contact: ada,
          action: 'opt-out',
          source: 'operator',
          messageId: null,
          keyword: null,
          actor: 'dana',
          reason: 'Ada asked at the front desk',
        },
      );
      assert.match(change.id, /^operator:[0-9a-f-]{36}$/);
      assert.equal(body.entry!.since, change.time);

      assert.deepEqual(await lookup(here, ada), body);
      // The location works percent-encoded too (the checker needs the plain form to match the document).
      const encoded = await fetch(`${server.url}${added.headers.get('location')!}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      assert.deepEqual(await encoded.json(), body);
      assert.deepEqual(await records.optOuts.optedOut(here, [ada]), [ada], 'the ledger sends check has it');
    });

    it('answers a contact the ledger has never heard of as not opted out', async () => {
      const nobody = uniqueNumber();
      assert.deepEqual(await lookup(here, nobody), {
        scope: here,
        contact: nobody,
        optedOut: false,
        entry: null,
        history: [],
      });
    });

    it('removes an opt-out only with a reason, keeping it in the history, and says when there is none', async () => {
      const ben = uniqueNumber();
      assert.equal(
        (
          await api.call('POST', '/opt-outs', {
            body: { contact: ben, reason: 'texted STOP to our old number', operator: 'dana' },
          })
        ).status,
        201,
      );
      const path = `/opt-outs/${here}/${ben}`;
      for (const query of [{ operator: 'eli' }, { reason: '', operator: 'eli' }, { reason: 'asked again' }]) {
        const refused = await api.call('DELETE', path, { query, validRequest: false });
        assert.equal(refused.status, 400, JSON.stringify(query));
      }
      assert.equal((await lookup(here, ben)).optedOut, true, 'a refused removal changes nothing');

      const removed = await api.call('DELETE', path, {
        query: { reason: 'Ben called and asked for reminders again', operator: 'eli' },
      });
      assert.equal(removed.status, 200, removed.text);
      const body = removed.body as Lookup;
      assert.equal(body.optedOut, false);
      assert.deepEqual(
        body.history.map((c) => [c.action, c.source, c.actor, c.reason]),
        [
          ['opt-out', 'operator', 'dana', 'texted STOP to our old number'],
          ['opt-in', 'operator', 'eli', 'Ben called and asked for reminders again'],
        ],
      );
      assert.deepEqual(await records.optOuts.optedOut(here, [ben]), []);

      const again = await api.call('DELETE', path, { query: { reason: 'once more', operator: 'eli' } });
      assert.equal(again.status, 404);
      assert.equal((again.body as { type: string }).type, 'not-opted-out');
      const never = await api.call('DELETE', `/opt-outs/${here}/${uniqueNumber()}`, {
        query: { reason: 'no such opt-out', operator: 'eli' },
      });
      assert.equal(never.status, 404);
    });

    it('adds an opt-out in a named scope, as another system through the API', async () => {
      const cy = uniqueNumber();
      const application = `application:${APPLICATION_ID}`;
      const added = await api.call('POST', '/opt-outs', {
        body: {
          contact: cy,
          scope: application,
          reason: 'unsubscribed in the CRM',
          operator: 'crm-sync',
          source: 'api',
        },
      });
      assert.equal(added.status, 201, added.text);
      assert.equal((await lookup(application, cy)).entry?.lastChange.source, 'api');
      assert.match((await lookup(application, cy)).entry!.lastChange.id, /^api:/);
      assert.equal((await lookup(here, cy)).optedOut, false, 'scopes are independent');
    });

    it("lists the opt-outs Bandwidth's error 4775 recorded beside the operators', by contact and state", async () => {
      const shop = uniqueNumber();
      const [dee, eve] = [uniqueNumber(), uniqueNumber()];
      const failed = statusEvent({ type: 'message-failed', from: shop, to: dee, errorCode: 4775 });
      assert.equal((await postCallbacks(server.url, [failed])).status, 200);
      await api.call('POST', '/opt-outs', {
        body: { contact: eve, scope: `number:${shop}`, reason: 'by mail', operator: 'dana' },
      });
      await api.call('DELETE', `/opt-outs/number:${shop}/${eve}`, { query: { reason: 'by phone', operator: 'dana' } });

      const all = (await api.call('GET', '/opt-outs', { query: { scope: `number:${shop}` } })).body as Page;
      const expected: [string, boolean, string][] = [
        [dee, true, 'bandwidth-4775'],
        [eve, false, 'operator'],
      ];
      assert.deepEqual(
        all.entries.map((e) => [e.contact, e.optedOut, e.lastChange.source]),
        expected.sort((a, b) => (a[0] < b[0] ? -1 : 1)),
        'in (scope, contact) order',
      );
      assert.equal(all.entries.find((e) => e.contact === dee)?.lastChange.messageId, failed.message.id);
      const out = (await api.call('GET', '/opt-outs', { query: { scope: `number:${shop}`, optedOut: 'true' } }))
        .body as Page;
      assert.deepEqual(
        out.entries.map((e) => e.contact),
        [dee],
      );
      const back = (await api.call('GET', '/opt-outs', { query: { scope: `number:${shop}`, optedOut: 'false' } }))
        .body as Page;
      assert.deepEqual(
        back.entries.map((e) => e.contact),
        [eve],
      );
      const byContact = (await api.call('GET', '/opt-outs', { query: { contact: dee } })).body as Page;
      assert.deepEqual(
        byContact.entries.map((e) => e.scope),
        [`number:${shop}`],
      );
    });

    it('pages through the entries with cursors, each once', async () => {
      const shop = uniqueNumber();
      const people = Array.from({ length: 7 }, () => uniqueNumber());
      for (const contact of people) {
        const answer = await api.call('POST', '/opt-outs', {
          body: { contact, scope: `number:${shop}`, reason: 'bulk import', operator: 'dana' },
        });
        assert.equal(answer.status, 201);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const answer = await api.call('GET', '/opt-outs', { query: { scope: `number:${shop}`, limit: 3, cursor } });
        const page = answer.body as Page;
        seen.push(...page.entries.map((e) => e.contact));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      assert.equal(pages, 3);
      assert.deepEqual(seen, [...people].sort());
    });

    it('exports the ledger as JSON Lines and CSV, streamed', async () => {
      const shop = uniqueNumber();
      const people = Array.from({ length: 5 }, () => uniqueNumber()).sort();
      for (const contact of people) {
        await api.call('POST', '/opt-outs', {
          body: { contact, scope: `number:${shop}`, reason: 'said "stop", then hung up', operator: 'dana' },
        });
      }
      const jsonl = await api.call('GET', '/opt-outs/export', { query: { scope: `number:${shop}` } });
      assert.equal(jsonl.status, 200);
      assert.equal(jsonl.headers.get('content-type'), 'application/x-ndjson');
      assert.match(jsonl.headers.get('content-disposition') ?? '', /filename="threadline-opt-outs\.jsonl"/);
      const entries = jsonl.text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Entry);
      assert.deepEqual(
        entries.map((e) => e.contact),
        people,
      );
      api.validate('listOptOuts', 200, { entries, nextCursor: null });

      const csv = await api.call('GET', '/opt-outs/export', {
        query: { scope: `number:${shop}`, optedOut: 'true', format: 'csv' },
      });
      assert.equal(csv.status, 200);
      assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
      const rows = parseCsv(csv.text);
      assert.deepEqual(rows[0], [...OPT_OUT_CSV_COLUMNS]);
      assert.equal(rows.length, 6);
      const column = (name: (typeof OPT_OUT_CSV_COLUMNS)[number]) => OPT_OUT_CSV_COLUMNS.indexOf(name);
      assert.deepEqual(
        rows
          .slice(1)
          .map((r) => [r[column('contact')], r[column('optedOut')], r[column('reason')], r[column('actor')]]),
        people.map((p) => [p, 'true', 'said "stop", then hung up', 'dana']),
      );
      const none = await api.call('GET', '/opt-outs/export', { query: { scope: `number:${shop}`, optedOut: 'false' } });
      assert.equal(none.text, '');
    });

    it('answers 400 for a bad scope, contact, state, limit, cursor or body', async () => {
      for (const query of [
        { scope: '+19195550100' },
        { scope: 'brand:acme' },
        { contact: '919-555-0100' },
        { optedOut: 'yes' },
        { limit: 0 },
        { limit: 1001 },
        { cursor: 'not-a-cursor' },
      ]) {
        const answer = await api.call('GET', '/opt-outs', { query, validRequest: false });
        assert.equal(answer.status, 400, JSON.stringify(query));
        assert.equal((answer.body as { type: string }).type, 'invalid-request');
      }
      for (const body of [
        { contact: uniqueNumber(), operator: 'dana' },
        { contact: uniqueNumber(), reason: 'why', operator: 'dana', scope: 'everywhere' },
        { contact: 'ada', reason: 'why', operator: 'dana' },
        { contact: uniqueNumber(), reason: 'why', operator: 'dana', source: 'keyword' },
        { contact: uniqueNumber(), reason: 'why', operator: 'dana', urgent: true },
      ]) {
        const answer = await api.call('POST', '/opt-outs', { body, validRequest: false });
        assert.equal(answer.status, 400, JSON.stringify(body));
      }
      assert.equal((await api.call('GET', `/opt-outs/${ours}/${uniqueNumber()}`, { validRequest: false })).status, 400);
      const badFormat = await api.call('GET', '/opt-outs/export', { query: { format: 'xml' }, validRequest: false });
      assert.equal(badFormat.status, 400);
    });

    it('exercised every opt-out operation with a successful answer', () => {
      for (const op of ['listOptOuts 200', 'getOptOut 200', 'addOptOut 201', 'removeOptOut 200', 'exportOptOuts 200']) {
        assert.ok(api.seen.has(op), op);
      }
    });
  });
}
