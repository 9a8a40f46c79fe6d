/**
 * What every record store backend does for a conversation waiting for a delivery receipt: it watches the message
 * (idempotently) and learns the delivered and failed receipts recorded before; the webhook server asks which messages
 * are watched; the hand-off purge removes old watches.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordFromCallback } from '../../../records';
import { useDatabases, type Backend } from './backends';
import { ALICE, deliveredBody, failedBody, OUR_NUMBER, parseBody, sentBody } from './bandwidth-examples';

const conversationId = `sms:${OUR_NUMBER}:${ALICE}`;
const recorded = (body: unknown[]) => parseBody(body).map((e) => recordFromCallback(e, { conversationId }));
const DELIVERED_ID = deliveredBody[0]!.message.id;
const FAILED_ID = failedBody[0]!.message.id;

export function describeReceiptWatchContract(backend: Backend): void {
  void describe(`receipt watches on ${backend.name}`, () => {
    const { fresh: freshDatabase } = useDatabases(backend);
    const fresh = async () => (await freshDatabase()).open();

    void it('watches a message and returns its delivered receipt recorded before, not the intermediate ones', async () => {
      const store = await fresh();
      try {
        await store.append([...recorded(sentBody), ...recorded(deliveredBody)]);
        const receipts = await store.watchReceipts(DELIVERED_ID);
        assert.deepEqual(
          receipts.map((r) => [r.messageId, r.eventType, r.recipient]),
          [[DELIVERED_ID, 'message-delivered', ALICE]],
        );
        assert.deepEqual([...(await store.watchedReceipts([DELIVERED_ID, FAILED_ID]))], [DELIVERED_ID]);
      } finally {
        await store.close();
      }
    });

    void it('watches a message before any receipt, and again without harm', async () => {
      const store = await fresh();
      try {
        assert.deepEqual(await store.watchReceipts(FAILED_ID), [], 'nothing recorded yet');
        assert.deepEqual(await store.watchReceipts(FAILED_ID), [], 'a second watch of the same message');
        await store.append(recorded(failedBody));
        assert.deepEqual([...(await store.watchedReceipts([FAILED_ID, FAILED_ID, 'other']))], [FAILED_ID]);
        const [failed] = await store.watchReceipts(FAILED_ID);
        assert.deepEqual([failed?.eventType, failed?.errorCode], ['message-failed', 4406]);
      } finally {
        await store.close();
      }
    });

    void it('answers that nothing is watched when asked about no message', async () => {
      const store = await fresh();
      try {
        assert.equal((await store.watchedReceipts([])).size, 0);
      } finally {
        await store.close();
      }
    });

    void it('purges watches with the hand-off marks', async () => {
      const store = await fresh();
      try {
        await store.watchReceipts(DELIVERED_ID);
        const past = await store.lifecycle.purgeBefore(new Date(Date.now() - 60_000).toISOString());
        assert.equal(past.handoffs, 0, 'watched just now: younger than the cutoff');
        assert.equal((await store.watchedReceipts([DELIVERED_ID])).size, 1);
        const future = await store.lifecycle.purgeBefore(new Date(Date.now() + 60_000).toISOString());
        assert.equal(future.handoffs, 1);
        assert.equal((await store.watchedReceipts([DELIVERED_ID])).size, 0);
      } finally {
        await store.close();
      }
    });
  });
}
