/**
 * The behaviour every backend must have for retention and erasure (records/lifecycle.ts). Each backend runs
 * {@link describeLifecycleContract} (test/records/lifecycle.test.ts), so SQLite and PostgreSQL are held to the same tests.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { recordKey, type ErasureCounts, type RecordRef, type RecordStore } from '../../../records';
import { DELETE_BATCH } from '../../../records/lifecycle';
import type { Backend } from './backends';
import { makeRecord } from './records';

const OUR = '+19195550100';
const SHOP = `number:${OUR}`;
const OTHER_SHOP = 'number:+19195550101';
const ADA = '+19195550123';
const BEN = '+19195550124';
const OLD = '2025-01-10T09:00:00.000Z';
const CUTOFF = '2025-03-01T00:00:00.000Z';
const RECENT = '2025-06-20T16:00:00.000Z';

/** An inbound text from `from` (to us and any `others` in a group), at `eventTime`. */
function text(id: string, from: string, eventTime: string, others: string[] = [], media: string[] = []) {
  const participants = [from, ...others];
  return makeRecord({
    messageId: id,
    from,
    to: [OUR, ...others],
    participants,
    media,
    eventTime,
    conversationId: `sms:${OUR}:${[...participants].sort().join(',')}`,
    raw: { type: 'message-received', message: { id } },
  });
}

const at = (second: number) => new Date(Date.UTC(2025, 5, 20, 16, 0, second)).toISOString().replace('Z', '000Z');

export function describeLifecycleContract(backend: Backend): void {
  void describe(`retention and erasure on ${backend.name}`, () => {
    let started: Promise<void> | undefined;
    after(async () => {
      if (started === undefined) return;
      await started.catch(() => undefined);
      await backend.stop();
    });

    async function withStore(work: (store: RecordStore) => Promise<void>) {
      await (started ??= backend.start());
      const db = await backend.createDatabase();
      const store = await db.open();
      try {
        await work(store);
      } finally {
        await store.close();
        await db.drop();
      }
    }

    const all = async (store: RecordStore) => (await store.search({ limit: 1000 })).records.map((r) => r.messageId);

    void it('purges the records older than the cutoff, showing each batch first, and keeps the rest', async () => {
      await withStore(async (store) => {
        await store.append([
          text('old-1', ADA, OLD, [], ['https://messaging.bandwidth.com/api/v2/users/1/media/old-1/0/cat.jpg']),
          text('old-2', BEN, OLD),
          text('new-1', ADA, RECENT),
        ]);
        const batches: RecordRef[][] = [];
        const purged = await store.lifecycle.purgeBefore(CUTOFF, async (refs) => {
          batches.push(refs);
        });
        assert.equal(purged.records, 2);
        assert.deepEqual(await all(store), ['new-1']);
        assert.deepEqual(
          batches.flat().map((r) => [r.messageId, r.kind, r.media.length]),
          [
            ['old-1', 'inbound', 1],
            ['old-2', 'inbound', 0],
          ],
        );
        assert.deepEqual((await store.search({ participant: BEN })).records, [], 'no participant row outlives it');
        assert.equal((await store.lifecycle.purgeBefore(CUTOFF)).records, 0, 'a second purge finds nothing');
      });
    });

    void it(`purges more than one batch (${DELETE_BATCH} records) in one call`, async () => {
      await withStore(async (store) => {
        const count = DELETE_BATCH * 2 + 7;
        await store.append(Array.from({ length: count }, (_, i) => text(`old-${i}`, ADA, OLD)));
        let batches = 0;
        const purged = await store.lifecycle.purgeBefore(CUTOFF, async () => {
          batches++;
        });
        assert.equal(purged.records, count);
        assert.equal(batches, 3);
        assert.deepEqual(await all(store), []);
      });
    });

    void it('purges send intents and callback hand-offs older than the cutoff', async () => {
      await withStore(async (store) => {
        await store.sendIntents.open({ key: 'run/s1', conversationId: null, tag: 't', from: OUR, to: [ADA] });
        await store.markHandedOff(['record-1']);
        const past = await store.lifecycle.purgeBefore(CUTOFF);
        assert.deepEqual([past.sendIntents, past.handoffs], [0, 0], 'written now: younger than the cutoff');
        const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
        const future = await store.lifecycle.purgeBefore(tomorrow);
        assert.deepEqual([future.sendIntents, future.handoffs], [1, 1]);
        assert.deepEqual([...(await store.handedOff(['record-1']))], []);
      });
    });

    void it('erases every record that lists a contact, group messages included, and every send intent to them', async () => {
      await withStore(async (store) => {
        const records = [
          text('ada-1', ADA, OLD),
          text('ada-2', ADA, RECENT, [], ['https://messaging.bandwidth.com/api/v2/users/1/media/ada-2/0/a.png']),
          text('group-1', BEN, RECENT, [ADA]),
          text('ben-1', BEN, RECENT),
        ];
        await store.append(records);
        // Their hand-offs go too (a status record's id, which a hand-off keeps, names the recipient); Ben's stays.
        const handOffs = records.map((r) => recordKey(r));
        await store.markHandedOff(handOffs);
        await store.sendIntents.open({ key: 'run/s1', conversationId: null, tag: 't', from: OUR, to: [ADA] });
        await store.sendIntents.open({ key: 'run/s2', conversationId: null, tag: 't', from: OUR, to: [BEN] });
        assert.deepEqual((await store.lifecycle.conversationsOf(ADA)).sort(), [
          `sms:${OUR}:${ADA}`,
          `sms:${OUR}:${ADA},${BEN}`,
        ]);
        const refs: RecordRef[] = [];
        const erased = await store.lifecycle.eraseContact(ADA, async (batch) => {
          refs.push(...batch);
        });
        assert.deepEqual(erased, { records: 3, sendIntents: 1 });
        assert.deepEqual(refs.map((r) => r.messageId).sort(), ['ada-1', 'ada-2', 'group-1']);
        assert.deepEqual((await store.search({ participant: ADA })).records, []);
        let exported = '';
        for await (const chunk of store.export({ participant: ADA }, 'jsonl')) exported += chunk;
        assert.equal(exported, '');
        assert.deepEqual(await all(store), ['ben-1']);
        assert.deepEqual(await store.lifecycle.conversationsOf(ADA), []);
        assert.deepEqual([...(await store.handedOff(handOffs))], [handOffs[3]]);
        assert.deepEqual(await store.lifecycle.eraseContact(ADA), { records: 0, sendIntents: 0 }, 'again: nothing');
      });
    });

    void it('keeps of a contact only the opt-out that starts the STOP in force, stripped of message, operator and reason', async () => {
      await withStore(async (store) => {
        const ledger = store.optOuts;
        const change = (id: string, scope: string, action: 'opt-out' | 'opt-in', second: number) =>
          ledger.record({
            id,
            scope,
            contact: ADA,
            action,
            source: action === 'opt-out' && id.startsWith('op') ? 'operator' : 'keyword',
            time: at(second),
            messageId: `msg-${id}`,
            keyword: action === 'opt-out' ? 'STOP' : 'START',
            actor: id.startsWith('op') ? 'Grace' : null,
            reason: id.startsWith('op') ? 'asked on the phone' : null,
          });
        await change('kw-1', SHOP, 'opt-out', 1);
        await change('kw-2', SHOP, 'opt-in', 2);
        await change('op-3', SHOP, 'opt-out', 3);
        await change('kw-4', SHOP, 'opt-out', 4);
        await change('kw-5', OTHER_SHOP, 'opt-out', 1);
        await change('kw-6', OTHER_SHOP, 'opt-in', 2);
        await ledger.record({
          id: 'ben',
          scope: SHOP,
          contact: BEN,
          action: 'opt-out',
          source: 'keyword',
          time: at(1),
        });

        assert.deepEqual(await store.lifecycle.minimiseConsent(ADA), { kept: 1, deleted: 5 });
        const { entry, history } = await ledger.lookup(SHOP, ADA);
        assert.equal(entry?.optedOut, true);
        assert.equal(entry?.since, at(3), 'opted out since the STOP that started the run in force');
        assert.deepEqual(history, [
          {
            id: 'op-3',
            scope: SHOP,
            contact: ADA,
            action: 'opt-out',
            source: 'operator',
            time: at(3),
            messageId: null,
            keyword: 'STOP',
            actor: null,
            reason: null,
          },
        ]);
        assert.deepEqual(await ledger.optedOut(SHOP, [ADA, BEN]), [ADA, BEN], 'STOP is still honoured');
        assert.deepEqual(
          await ledger.lookup(OTHER_SHOP, ADA),
          { entry: null, history: [] },
          'opted back in: nothing kept',
        );
        assert.deepEqual(await store.lifecycle.minimiseConsent(ADA), { kept: 1, deleted: 0 }, 'again: nothing more');

        // The ledger goes on as before: a START later opts them back in.
        await ledger.record({
          id: 'kw-7',
          scope: SHOP,
          contact: ADA,
          action: 'opt-in',
          source: 'keyword',
          time: at(9),
        });
        assert.deepEqual(await ledger.optedOut(SHOP, [ADA]), []);
      });
    });

    void it('holds the number of an erasure under its key until released', async () => {
      await withStore(async (store) => {
        assert.equal(await store.lifecycle.heldContact('sha256:0123'), null);
        await store.lifecycle.holdContact('sha256:0123', ADA);
        await store.lifecycle.holdContact('sha256:0123', ADA); // a repeated request
        assert.equal(await store.lifecycle.heldContact('sha256:0123'), ADA);
        await store.lifecycle.releaseContact('sha256:0123');
        await store.lifecycle.releaseContact('sha256:0123');
        assert.equal(await store.lifecycle.heldContact('sha256:0123'), null);
      });
    });

    void it('audits each erasure once, completed with its counts, newest first', async () => {
      await withStore(async (store) => {
        const begin = (id: string, requestedAt: string) =>
          store.lifecycle.beginErasure({
            id,
            contactKey: 'sha256:0123',
            requestedBy: 'Grace',
            reason: null,
            requestedAt,
            completedAt: null,
            erased: null,
          });
        await begin('run-1', '2025-06-20T16:00:00Z');
        await begin('run-1', '2025-06-20T16:00:05Z'); // a retried activity: the first entry stands
        await begin('run-2', '2025-06-21T16:00:00Z');
        const erased: ErasureCounts = {
          records: 3,
          media: 1,
          sendIntents: 1,
          conversationsEnded: 1,
          historiesDeleted: 2,
          consentChangesDeleted: 5,
          optOutsKept: 1,
        };
        const completedAt = await store.lifecycle.completeErasure('run-1', erased);
        const [second, first] = await store.lifecycle.erasures();
        assert.deepEqual(
          [second?.id, second?.completedAt, second?.erased],
          ['run-2', null, null],
          'still running: not completed',
        );
        assert.deepEqual(first, {
          id: 'run-1',
          contactKey: 'sha256:0123',
          requestedBy: 'Grace',
          reason: null,
          requestedAt: '2025-06-20T16:00:00.000000Z',
          completedAt,
          erased,
        });
      });
    });
  });
}
