/**
 * The hand-off markers the webhook keeps beside the message records, on every backend: remembered idempotently, shared
 * by every store instance on the same database (several servers), and independent of the records themselves.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { recordFromCallback, recordKey } from '../../records';
import { postgresBackend, sqliteFileBackend, sqliteMemoryBackend, type Backend } from '../records/helpers/backends';
import { inboundBody, parseBody } from '../records/helpers/bandwidth-examples';

for (const backend of [sqliteFileBackend(), sqliteMemoryBackend(), postgresBackend()] satisfies Backend[]) {
  describe(`hand-off markers on ${backend.name}`, () => {
    before(() => backend.start());
    after(() => backend.stop());

    it('remembers marked record ids, once each, and reports only those', async () => {
      const db = await backend.createDatabase();
      const store = await db.open();
      try {
        assert.deepEqual(await store.handedOff([]), new Set());
        assert.deepEqual(await store.handedOff(['in:a:+1', 'in:b:+1']), new Set());
        await store.markHandedOff(['in:a:+1', 'in:a:+1', 'st:c:message-delivered:+2']);
        await store.markHandedOff(['in:a:+1']); // again: nothing changes, nothing fails
        assert.deepEqual(
          await store.handedOff(['in:a:+1', 'in:b:+1', 'st:c:message-delivered:+2']),
          new Set(['in:a:+1', 'st:c:message-delivered:+2']),
        );
      } finally {
        await store.close();
        await db.drop();
      }
    });

    it('keys markers by the record key of the callback event, whether or not it was recorded', async () => {
      const db = await backend.createDatabase();
      const store = await db.open();
      try {
        const [event] = parseBody(inboundBody);
        const key = recordKey(recordFromCallback(event!, { conversationId: null }));
        assert.equal(key, 'in:1718900700000z9x8c7v6b5n4m3l2:+19195550100');
        await store.markHandedOff([key]);
        assert.equal((await store.search({})).records.length, 0, 'a marker is not a record');
        assert.ok((await store.handedOff([key])).has(key));
      } finally {
        await store.close();
        await db.drop();
      }
    });

    if (backend.shared) {
      it('shares markers between store instances on the same database, as several servers do', async () => {
        const db = await backend.createDatabase();
        const [one, two] = [await db.open(), await db.open()];
        try {
          const ids = Array.from({ length: 50 }, (_, i) => `in:m${i}:+19195550100`);
          await Promise.all([one.markHandedOff(ids.slice(0, 30)), two.markHandedOff(ids.slice(20))]);
          assert.equal((await two.handedOff(ids)).size, 50);
          assert.equal((await one.handedOff(ids)).size, 50);
        } finally {
          await one.close();
          await two.close();
          await db.drop();
        }
      });
    }
  });
}
