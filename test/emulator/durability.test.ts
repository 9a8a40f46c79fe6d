/**
 * Durability: state lives in SQLite in the data directory, so a restart loses no queued message, no pending
 * callback, no directory change and no media.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createEmulator } from '../../emulator';
import {
  admin,
  api,
  basicAuth,
  DEFAULTS,
  eventsOf,
  eventually,
  getToken,
  sendText,
  startSink,
  type CallbackLogEntry,
} from './helpers';

void describe('durability', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-durability-'));
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  void it('delivers pending callbacks and queued messages after a restart mid-retry', async () => {
    const sink = await startSink();
    sink.respondWith(500);
    const options = { defaults: { ...DEFAULTS, callbackUrl: sink.url }, timeScale: 1000, dataDir };
    const first = createEmulator(options);
    const { url } = await first.listen(0);
    await admin(url, 'PATCH', `/accounts/${DEFAULTS.accountId}`, {
      limits: { messagesPerSecond: 0.001, queueMinutes: 1000 },
      features: { carrierName: true },
    });
    await fetch(`${url}/users/${DEFAULTS.accountId}/media/kept.png`, {
      method: 'PUT',
      headers: { Authorization: basicAuth(), 'Content-Type': 'image/png' },
      body: 'kept',
    });
    const token = await getToken(url);
    const sent = await sendText(url, { to: ['+19195550801'], text: 'before restart' });
    const queued = await sendText(url, { to: ['+19195550802'], text: 'still queued' });
    const queuedToo = await sendText(url, { to: ['+19195550803'], text: 'still queued too' });
    const inbound = await api<{ messages: { id: string }[] }>(url, '/emulator/handsets/+19195550899/messages', {
      body: { to: DEFAULTS.number, text: 'inbound before restart' },
      auth: '',
    });
    // Wait until the delivered callback of the first message has failed at least once, so it sits in back-off.
    await eventually(async () => {
      const log = (
        await admin<CallbackLogEntry[]>(url, 'GET', `/callbacks?messageId=${sent.body.id}&type=message-delivered`)
      ).body;
      assert.ok(log[0] && log[0].attempts.length >= 1 && log[0].state === 'pending', 'no failed attempt yet');
    });
    const queueBefore = (await admin<{ accountId: string; queuedUnits: number }[]>(url, 'GET', '/queue')).body;
    assert.ok(queueBefore.find((q) => q.accountId === DEFAULTS.accountId)!.queuedUnits >= 1, 'nothing was left queued');
    await first.close();
    assert.equal(sink.received.length, 0);

    sink.respondWith(200);
    const second = createEmulator(options);
    const { url: url2 } = await second.listen(0);
    try {
      await sink.waitFor(
        () =>
          eventsOf(sink, sent.body.id).some((e) => e.type === 'message-delivered') &&
          eventsOf(sink, inbound.body.messages[0]!.id).length === 1 &&
          eventsOf(sink, queued.body.id).some((e) => e.type === 'message-delivered') &&
          eventsOf(sink, queuedToo.body.id).some((e) => e.type === 'message-delivered'),
        15_000,
      );
      // Exactly one terminal event each, even across the restart.
      for (const id of [sent.body.id, queued.body.id, queuedToo.body.id]) {
        assert.equal(eventsOf(sink, id).filter((e) => e.type === 'message-delivered').length, 1, id);
      }
      // Directory changes, media, tokens and message state survived.
      const account = await admin<{ features: { carrierName: boolean } }>(
        url2,
        'GET',
        `/accounts/${DEFAULTS.accountId}`,
      );
      assert.equal(account.body.features.carrierName, true);
      const media = await fetch(`${url2}/users/${DEFAULTS.accountId}/media/kept.png`, {
        headers: { Authorization: basicAuth() },
      });
      assert.equal(await media.text(), 'kept');
      const again = await sendText(
        url2,
        { to: ['+19195550804'], text: 'same token' },
        `Bearer ${token.body.access_token}`,
      );
      assert.equal(again.status, 202);
      const log = (
        await admin<CallbackLogEntry[]>(url2, 'GET', `/callbacks?messageId=${sent.body.id}&type=message-delivered`)
      ).body;
      assert.equal(log[0]!.state, 'delivered');
      assert.ok(log[0]!.attempts.length >= 2);
      assert.equal(log[0]!.attempts[0]!.status, 500);
      assert.equal(log[0]!.attempts.at(-1)!.status, 200);
    } finally {
      await second.close();
      await sink.close();
    }
  });
});
