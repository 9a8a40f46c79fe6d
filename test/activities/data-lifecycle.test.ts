/**
 * The data-lifecycle activities on their own (no Temporal): the purge and the erasure of records delete the stored
 * media of the records they delete, and a local media store removes a message's files.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createLifecycleActivities } from '../../activities';
import { createLocalMediaStore, createMemoryMediaStore } from '../../media/store';
import { createMemoryRecordStore } from '../../records';
import { makeRecord } from '../records/helpers/records';

const ADA = '+19195550123';
const BEN = '+19195550124';
const MEDIA = (id: string) => [`https://messaging.bandwidth.com/api/v2/users/9900000/media/${id}/0/cat.jpg`];
const jpeg = { bytes: Buffer.from('not really a cat'), contentType: 'image/jpeg' };

function mms(messageId: string, from: string, eventTime: string) {
  return makeRecord({ messageId, from, participants: [from], media: MEDIA(messageId), eventTime });
}

describe('the data-lifecycle activities', () => {
  it('purge the records older than the cutoff with the media copied for them, and nothing younger', async () => {
    const records = createMemoryRecordStore();
    const mediaStore = createMemoryMediaStore();
    await records.append([mms('old', ADA, '2025-01-01T00:00:00Z'), mms('new', ADA, '2025-06-01T00:00:00Z')]);
    await mediaStore.put('old/0/cat.jpg', jpeg);
    await mediaStore.put('new/0/cat.jpg', jpeg);
    const activities = createLifecycleActivities({ records, mediaStore });

    const purged = await activities.purgeRecordsBefore({ before: '2025-03-01T00:00:00Z' });
    assert.deepEqual(purged, { records: 1, media: 1, sendIntents: 0, handoffs: 0 });
    assert.equal(await mediaStore.get('old/0/cat.jpg'), null);
    assert.notEqual(await mediaStore.get('new/0/cat.jpg'), null);
    assert.deepEqual(
      (await records.search({})).records.map((r) => r.messageId),
      ['new'],
    );
  });

  it("erase a contact's records and media, held under the key the erasure was given", async () => {
    const records = createMemoryRecordStore();
    const mediaStore = createMemoryMediaStore();
    await records.append([mms('ada-1', ADA, '2025-06-01T00:00:00Z'), mms('ben-1', BEN, '2025-06-01T00:00:00Z')]);
    await mediaStore.put('ada-1/0/cat.jpg', jpeg);
    await mediaStore.put('ben-1/0/cat.jpg', jpeg);
    const activities = createLifecycleActivities({ records, mediaStore });
    await records.lifecycle.holdContact('sha256:ada', ADA);

    const erased = await activities.eraseContactRecords({ contactKey: 'sha256:ada' });
    assert.deepEqual(erased, { records: 1, media: 1, sendIntents: 0, consentChangesDeleted: 0, optOutsKept: 0 });
    assert.equal(mediaStore.size, 1);
    assert.deepEqual(await activities.eraseContactRecords({ contactKey: 'sha256:nobody' }), {
      records: 0,
      media: 0,
      sendIntents: 0,
      consentChangesDeleted: 0,
      optOutsKept: 0,
    });
  });

  it('remove a message’s files from a local media store, and nothing when there are none', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-media-'));
    try {
      const store = createLocalMediaStore(dir);
      await store.put('m1/0/cat.jpg', jpeg);
      await store.put('m1/1/dog.jpg', jpeg);
      await store.put('m2/0/cat.jpg', jpeg);
      assert.equal(await store.removeMessage('m1'), 2);
      assert.equal(await store.get('m1/0/cat.jpg'), null);
      assert.notEqual(await store.get('m2/0/cat.jpg'), null);
      assert.equal(await store.removeMessage('m1'), 0);
      await assert.rejects(store.removeMessage('../m2'), /not a valid media id/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
