/**
 * What happens to outbound messages: event sequences per message kind, account features, magic numbers and
 * per-number scripted behaviour, and the rule of exactly one terminal event per message and recipient.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { admin, DEFAULTS, eventsOf, sendText, settledEvents, startEmulator, type Running } from './helpers';

const terminal = (types: string[]) => types.filter((t) => t === 'message-delivered' || t === 'message-failed');

void describe('outbound message outcomes', () => {
  let env: Running;
  before(async () => {
    env = await startEmulator({ timeScale: 1000 });
    await admin(env.url, 'PATCH', `/accounts/${DEFAULTS.accountId}`, { limits: { messagesPerSecond: 1000 } });
  });
  after(async () => env.close());
  beforeEach(async () => {
    await admin(env.url, 'PATCH', `/accounts/${DEFAULTS.accountId}`, {
      features: { mmsDeliveryReceipts: true, carrierName: false, smsSending: true, smsSent: true },
    });
  });

  const send = async (body: Record<string, unknown>) => {
    const res = await sendText(env.url, body);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return res.body.id;
  };
  /** Every event about the message, once the emulator has sent them all: exactly one terminal event per recipient. */
  const settle = async (id: string, recipients: number) => {
    const events = await settledEvents(env.url, env.sink, id);
    assert.equal(terminal(events.map((e) => e.type)).length, recipients, JSON.stringify(events.map((e) => e.type)));
    return events;
  };

  void it('sends an SMS through sending and sent to delivered, or just delivered with the optional steps off', async () => {
    const a = await send({ to: ['+19195550201'], text: 'one' });
    assert.deepEqual(
      (await settle(a, 1)).map((e) => e.type),
      ['message-sending', 'message-sent', 'message-delivered'],
    );
    await admin(env.url, 'PATCH', `/accounts/${DEFAULTS.accountId}`, {
      features: { smsSending: false, smsSent: false },
    });
    const b = await send({ to: ['+19195550201'], text: 'two' });
    const events = await settle(b, 1);
    assert.deepEqual(
      events.map((e) => e.type),
      ['message-delivered'],
    );
    assert.equal(events[0]!.description, 'Message delivered to carrier.');
    assert.equal(events[0]!.message.owner, DEFAULTS.number);
  });

  void it('sends MMS and group messages through sending to a terminal event per recipient', async () => {
    const to = ['+19195550211', '+19195550212', '+19195554406'];
    const id = await send({ to, text: 'group' });
    const events = await settle(id, 3);
    for (const tn of to) {
      const types = events.filter((e) => e.to === tn).map((e) => e.type);
      assert.deepEqual(terminal(types).length, 1, tn);
    }
    assert.deepEqual(
      events.filter((e) => e.to === '+19195550211').map((e) => e.type),
      ['message-sending', 'message-delivered'],
    );
    // A Bandwidth-side rejection (magic 4406) is a lone message-failed.
    const failed = events.filter((e) => e.to === '+19195554406');
    assert.deepEqual(
      failed.map((e) => [e.type, e.errorCode, e.description]),
      [['message-failed', 4406, 'rejected-unallocated-to-number']],
    );
    assert.ok(events.every((e) => e.message.to.length === 3 && e.message.text === ''));
  });

  void it('turns carrier failures into delivered-to-MMSC when MMS receipts are off, but not for SMS', async () => {
    await admin(env.url, 'PATCH', `/accounts/${DEFAULTS.accountId}`, { features: { mmsDeliveryReceipts: false } });
    const mms = await send({ to: ['+19195554720'], media: ['https://example.com/a.png'] });
    const sms = await send({ to: ['+19195554720'], text: 'sms' });
    const mmsEvents = await settle(mms, 1);
    assert.deepEqual(
      mmsEvents.map((e) => [e.type, e.description]),
      [
        ['message-sending', 'Message is sending to carrier'],
        ['message-delivered', 'Message delivered to MMSC.'],
      ],
    );
    const smsEvents = await settle(sms, 1);
    assert.deepEqual(terminal(smsEvents.map((e) => e.type)), ['message-failed']);
    assert.equal(smsEvents.at(-1)!.errorCode, 4720);
  });

  void it('adds carrierName when the account feature is on', async () => {
    const plain = await send({ to: ['+19195550221'], text: 'x' });
    assert.ok((await settle(plain, 1)).every((e) => e.carrierName === undefined));
    await admin(env.url, 'PATCH', `/accounts/${DEFAULTS.accountId}`, { features: { carrierName: true } });
    await admin(env.url, 'PUT', '/behaviors/+19195550222', { carrierName: 'Example Mobile' });
    const named = await send({ to: ['+19195550222'], text: 'x' });
    assert.ok((await settle(named, 1)).every((e) => e.carrierName === 'Example Mobile'));
  });

  void it('fails every magic number +1AAA555CCCC with its code, and delivers ordinary 555 numbers', async () => {
    for (const [tn, code] of [
      ['+13125554775', 4775],
      ['+14045555620', 5620],
      ['+12125554432', 4432],
    ] as const) {
      const id = await send({ to: [tn], text: 'magic' });
      const last = (await settle(id, 1)).at(-1)!;
      assert.deepEqual([last.type, last.errorCode], ['message-failed', code]);
    }
    const ordinary = await send({ to: ['+19195551234'], text: 'not in the table' });
    assert.equal((await settle(ordinary, 1)).at(-1)!.type, 'message-delivered');
  });

  void it('follows scripted behaviour: fail with a code, delay, and no receipt then 9902', async () => {
    await admin(env.url, 'PUT', '/behaviors/+19195550231', { failWith: 4702 });
    await admin(env.url, 'PUT', '/behaviors/+19195550232', { delayMs: 120_000 });
    await admin(env.url, 'PUT', '/behaviors/+19195550233', { noReceipt: true });
    const failed = await send({ to: ['+19195550231'], text: 'x' });
    const f = await settle(failed, 1);
    assert.deepEqual(
      f.map((e) => e.type),
      ['message-sending', 'message-sent', 'message-failed'],
    );
    assert.equal(f.at(-1)!.errorCode, 4702);

    const delayed = await send({ to: ['+19195550232'], text: 'x' });
    const d = await settle(delayed, 1);
    const sending = Date.parse(d.find((e) => e.type === 'message-sending')!.time);
    const delivered = Date.parse(d.find((e) => e.type === 'message-delivered')!.time);
    assert.ok(delivered - sending >= 120_000, `${delivered - sending}`);

    const silent = await send({ to: ['+19195550233'], text: 'x' });
    await env.sink.waitFor(() => eventsOf(env.sink, silent).some((e) => e.type === 'message-sent'));
    await admin(env.url, 'POST', '/clock/advance', { hours: 2 });
    const s = await settle(silent, 1);
    assert.deepEqual(
      [s.at(-1)!.type, s.at(-1)!.errorCode, s.at(-1)!.description],
      ['message-failed', 9902, 'delivery-receipt-expired'],
    );
    // Nothing in between: the failure is the receipt timeout, two emulated hours after the message went to the carrier.
    const failedAfter = Date.parse(s.at(-1)!.time) - Date.parse(s.find((e) => e.type === 'message-sending')!.time);
    assert.ok(failedAfter >= 2 * 3_600_000, `failed ${failedAfter} ms after sending`);
  });

  void it('fails an invalid group member alone, or also delivers it when the legacy bug is asked for', async () => {
    await admin(env.url, 'PUT', '/behaviors/+19195550241', { invalid: true });
    const id = await send({ to: ['+19195550240', '+19195550241'], text: 'group' });
    const events = await settle(id, 2);
    assert.deepEqual(terminal(events.filter((e) => e.to === '+19195550241').map((e) => e.type)), ['message-failed']);
    assert.deepEqual(terminal(events.filter((e) => e.to === '+19195550240').map((e) => e.type)), ['message-delivered']);

    await admin(env.url, 'PUT', '/behaviors/+19195550241', { invalid: true, legacyGroupBug: true });
    const legacy = await send({ to: ['+19195550240', '+19195550241'], text: 'group' });
    await env.sink.waitFor(() => terminal(eventsOf(env.sink, legacy).map((e) => e.type)).length === 3);
    assert.deepEqual(
      terminal(
        eventsOf(env.sink, legacy)
          .filter((e) => e.to === '+19195550241')
          .map((e) => e.type),
      ).sort(),
      ['message-delivered', 'message-failed'],
    );
  });

  void it('fails MMS whose emulator-hosted media is missing with 4410', async () => {
    const id = await send({
      to: ['+19195550251'],
      media: [`${env.url}/api/v2/users/${DEFAULTS.accountId}/media/nope.png`],
    });
    const events = await settle(id, 1);
    assert.deepEqual(
      events.map((e) => [e.type, e.errorCode]),
      [['message-failed', 4410]],
    );
  });

  void it('sends only the callback types the application requested', async () => {
    await admin(env.url, 'PATCH', `/applications/${DEFAULTS.applicationId}`, {
      requestedCallbackTypes: ['message-delivered', 'message-failed'],
    });
    const id = await send({ to: ['+19195550261'], text: 'x' });
    assert.deepEqual(
      (await settle(id, 1)).map((e) => e.type),
      ['message-delivered'],
    );
    const status = await admin<{ recipients: { status: string; terminal: boolean }[] }>(
      env.url,
      'GET',
      `/messages/${id}`,
    );
    assert.deepEqual(
      status.body.recipients.map((r) => [r.status, r.terminal]),
      [['DELIVERED', true]],
    );
    await admin(env.url, 'PATCH', `/applications/${DEFAULTS.applicationId}`, {
      requestedCallbackTypes: ['message-sending', 'message-sent', 'message-delivered', 'message-failed'],
    });
  });
});
