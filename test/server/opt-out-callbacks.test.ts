/**
 * Bandwidth's error 4775 ("destination-rejected-due-to-user-opt-out") as the webhook receives it: the recipient's
 * opt-out is recorded in the ledger before the callback is acknowledged, once however often Bandwidth delivers it, in
 * the configured scope; and a ledger that cannot record it makes Bandwidth retry, like any record failure.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryRecordStore, type OptOutLedger, type RecordStore } from '../../records';
import { createApp, type AppDeps } from '../../server/app';
import { encodeTag } from '../../workflows/ids';
import { connectToDevServer } from '../helpers/temporal';
import {
  APPLICATION_ID,
  capturingLogger,
  messageId,
  postCallbacks,
  serve,
  statusEvent,
  uniqueNumber,
  type Served,
} from './helpers';

const ACCOUNT_ID = '9900000';

describe('a message-failed callback with error 4775', () => {
  let temporal: Awaited<ReturnType<typeof connectToDevServer>>;
  const open: { server: Served; records: RecordStore }[] = [];

  before(async () => {
    temporal = await connectToDevServer();
  });
  after(async () => {
    for (const { server, records } of open) {
      await server.close();
      await records.close();
    }
    await temporal?.close();
  });

  async function webhook(overrides: Partial<AppDeps> = {}) {
    const records = overrides.records ?? createMemoryRecordStore();
    const server = await serve(
      createApp({
        temporal: temporal.client,
        taskQueue: 'opt-out-callbacks',
        routeBot: () => null,
        records,
        logger: capturingLogger('silent').logger,
        ...overrides,
      }),
    );
    open.push({ server, records });
    return { url: server.url, records };
  }

  it("records the recipient's opt-out for our number before answering, once however often it arrives", async () => {
    const { url, records } = await webhook();
    const ours = uniqueNumber();
    const ada = uniqueNumber();
    const failed = statusEvent({ type: 'message-failed', from: ours, to: ada, errorCode: 4775 });
    failed.description = 'destination-rejected-due-to-user-opt-out';

    const response = await postCallbacks(url, [failed]);
    assert.equal(response.status, 200);
    assert.deepEqual(await records.optOuts.optedOut(`number:${ours}`, [ada]), [ada]);
    const { entry, history } = await records.optOuts.lookup(`number:${ours}`, ada);
    assert.deepEqual(history, [
      {
        id: `4775:${failed.message.id}:${ada}`,
        scope: `number:${ours}`,
        contact: ada,
        action: 'opt-out',
        source: 'bandwidth-4775',
        time: history[0]!.time,
        messageId: failed.message.id,
        keyword: null,
        actor: null,
        reason: 'destination-rejected-due-to-user-opt-out',
      },
    ]);
    assert.equal(Date.parse(history[0]!.time), Date.parse(failed.time));
    assert.equal(entry?.optedOut, true);

    // Bandwidth delivers it again: nothing new.
    assert.equal((await postCallbacks(url, [failed])).status, 200);
    assert.equal((await records.optOuts.lookup(`number:${ours}`, ada)).history.length, 1);
    assert.equal((await records.search({ messageId: failed.message.id })).records.length, 1);
  });

  it('records it for the one group recipient it is about, and nothing for other errors or statuses', async () => {
    const { url, records } = await webhook();
    const ours = uniqueNumber();
    const [ada, ben, cy] = [uniqueNumber(), uniqueNumber(), uniqueNumber()];
    const id = messageId();
    const tag = encodeTag({ conversationId: `sms:${ours}:${ada},${ben},${cy}`, sendId: 's1', trackDelivery: true });
    const body = [
      statusEvent({ type: 'message-failed', from: ours, to: ada, id, tag, errorCode: 4775 }),
      statusEvent({ type: 'message-failed', from: ours, to: ben, id, tag, errorCode: 4720 }),
      statusEvent({ type: 'message-delivered', from: ours, to: cy, id, tag }),
    ];
    const response = await postCallbacks(url, body);
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(await records.optOuts.optedOut(`number:${ours}`, [ada, ben, cy]), [ada]);
    assert.equal((await records.optOuts.list({ contact: ben })).entries.length, 0);
  });

  it('records it in the configured scope: the application or the whole account', async () => {
    const ours = uniqueNumber();
    const ada = uniqueNumber();
    for (const [scope, expected] of [
      ['application', `application:${APPLICATION_ID}`],
      ['account', `account:${ACCOUNT_ID}`],
    ] as const) {
      const { url, records } = await webhook({ consent: { scope, accountId: ACCOUNT_ID } });
      const failed = statusEvent({ type: 'message-failed', from: ours, to: ada, errorCode: 4775 });
      assert.equal((await postCallbacks(url, [failed])).status, 200);
      assert.deepEqual(await records.optOuts.optedOut(expected, [ada]), [ada], scope);
      assert.deepEqual(await records.optOuts.optedOut(`number:${ours}`, [ada]), [], scope);
    }
  });

  it('answers 503 when the ledger cannot record it, and records it when Bandwidth retries', async () => {
    const records = createMemoryRecordStore();
    let ledgerDown = true;
    const ledger: OptOutLedger = {
      ...records.optOuts,
      record: (change) => (ledgerDown ? Promise.reject(new Error('the disk is full')) : records.optOuts.record(change)),
    };
    const { url } = await webhook({ records: { ...records, optOuts: ledger } });
    const ours = uniqueNumber();
    const ada = uniqueNumber();
    const failed = statusEvent({ type: 'message-failed', from: ours, to: ada, errorCode: 4775 });

    const refused = await postCallbacks(url, [failed]);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '5');
    assert.match(((await refused.json()) as { description: string }).description, /records/);
    assert.deepEqual(await records.optOuts.optedOut(`number:${ours}`, [ada]), []);

    ledgerDown = false;
    assert.equal((await postCallbacks(url, [failed])).status, 200);
    assert.deepEqual(await records.optOuts.optedOut(`number:${ours}`, [ada]), [ada]);
    assert.equal((await records.search({ messageId: failed.message.id })).records.length, 1);
  });
});
