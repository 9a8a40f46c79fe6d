/**
 * The network's STOP (reference §4, "STOP and opt-out"): a handset that texts STOP to a toll-free number gets the
 * network's "NETWORK MSG" reply and later messages from that number to it fail with 4775 until it texts START or
 * UNSTOP; the STOP still reaches the application. A local (10DLC) number gets nothing from the network.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type TollFreeOptOut } from '../../emulator/toll-free-network';
import {
  admin,
  api,
  DEFAULTS,
  eventsOf,
  sendText,
  settledEvents,
  startEmulator,
  type HandsetInbox,
  type HandsetSendResult,
  type Running,
} from './helpers';
import { loadSpecValidator } from './openapi';

const TOLL_FREE = '+18885550100';
const LOCAL = DEFAULTS.number;
const STOP_REPLY =
  'NETWORK MSG: You replied with the word "stop" which blocks all texts sent from this number. ' +
  'Text back "unstop" to receive messages again.';
const optInReply = (word: string) =>
  `NETWORK MSG: You have replied "${word}" and will begin receiving messages again from this number.`;

/** The handset and admin calls the tests make, against one running emulator. */
function phones(env: () => Running) {
  return {
    /** `phone` texts `text` to `to`; answers the copies our application gets. */
    text: async (phone: string, to: string | string[], text: string) => {
      const res = await api<HandsetSendResult>(env().url, `/emulator/handsets/${phone}/messages`, {
        body: { to, text },
        auth: '',
      });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      return res.body;
    },
    /** What `phone` has received, oldest first. */
    inbox: async (phone: string) =>
      (await api<HandsetInbox>(env().url, `/emulator/handsets/${phone}/messages`, { auth: '' })).body.messages,
    /** Our application sends `text` from `from`; answers the message id of the 202. */
    send: async (from: string, to: string[], text: string) => {
      const res = await sendText(env().url, { from, to, text });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      return res.body.id;
    },
    /** The toll-free opt-outs the emulator holds (`query`: `?number=&phone=`). */
    optOuts: async (query = '') => (await admin<TollFreeOptOut[]>(env().url, 'GET', `/opt-outs${query}`)).body,
  };
}

const outcome = (events: { type: string; to: string; errorCode?: number }[], to: string) =>
  events.filter((e) => e.to === to).map((e) => (e.errorCode === undefined ? e.type : `${e.type} ${e.errorCode}`));

async function addTollFreeNumber(url: string): Promise<void> {
  const res = await admin(url, 'PUT', `/numbers/${encodeURIComponent(TOLL_FREE)}`, {
    accountId: DEFAULTS.accountId,
    applicationId: DEFAULTS.applicationId,
    product: 'TOLL_FREE',
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

void describe('the toll-free network handles STOP', () => {
  let env: Running;
  const { text, inbox, send, optOuts } = phones(() => env);
  before(async () => {
    env = await startEmulator({ timeScale: 1000 });
    await admin(env.url, 'PATCH', `/accounts/${DEFAULTS.accountId}`, { limits: { messagesPerSecond: 1000 } });
    await addTollFreeNumber(env.url);
  });
  after(async () => env.close());

  void it('answers a STOP to a toll-free number itself, passes the STOP on to the app, and fails later sends with 4775', async () => {
    const phone = '+19195550301';
    const stop = await text(phone, TOLL_FREE, ' stop ');

    // The network answered the handset, from the toll-free number.
    assert.deepEqual(
      (await inbox(phone)).map((m) => [m.from, m.text, m.fromNetwork, m.status]),
      [[TOLL_FREE, STOP_REPLY, true, 'DELIVERED']],
    );
    // The application got the STOP like any other message.
    const received = stop.messages[0]!.id;
    await env.sink.waitFor(() => eventsOf(env.sink, received).length === 1);
    assert.deepEqual(
      eventsOf(env.sink, received).map((e) => [e.type, e.to, e.message.from, e.message.text]),
      [['message-received', TOLL_FREE, phone, ' stop ']],
    );
    assert.deepEqual(
      (await optOuts(`?phone=${encodeURIComponent(phone)}`)).map((o) => [o.number, o.phone, o.keyword, o.messageId]),
      [[TOLL_FREE, phone, 'STOP', received]],
    );

    // Our next message is accepted, then the carrier rejects it.
    const id = await send(TOLL_FREE, [phone], 'Your order has shipped.');
    const events = await settledEvents(env.url, env.sink, id);
    assert.deepEqual(outcome(events, phone), ['message-sending', 'message-sent', 'message-failed 4775']);
    const failed = events.at(-1)!;
    assert.equal(failed.description, 'destination-rejected-due-to-user-opt-out');
    (await loadSpecValidator()).callback([failed]);
    const shipped = (await inbox(phone)).find((m) => m.messageId === id)!;
    assert.deepEqual([shipped.status, shipped.errorCode, shipped.received], ['FAILED', 4775, false]);
  });

  void it('lifts the opt-out on UNSTOP or START, with the network answering, and messages deliver again', async () => {
    for (const [phone, word] of [
      ['+19195550302', 'UNSTOP'],
      ['+19195550303', 'Start'],
    ] as const) {
      await text(phone, TOLL_FREE, 'STOP');
      await text(phone, TOLL_FREE, word);
      assert.deepEqual(
        (await inbox(phone)).map((m) => m.text),
        [STOP_REPLY, optInReply(word.toLowerCase())],
      );
      assert.deepEqual(await optOuts(`?phone=${encodeURIComponent(phone)}`), []);
      const id = await send(TOLL_FREE, [phone], 'Welcome back.');
      const events = await settledEvents(env.url, env.sink, id);
      assert.deepEqual(outcome(events, phone), ['message-sending', 'message-sent', 'message-delivered']);
      assert.equal(events.at(-1)!.description, 'Message delivered to handset.');
    }
  });

  void it('treats a START from a handset that has not opted out as an ordinary message', async () => {
    const phone = '+19195550304';
    const start = await text(phone, TOLL_FREE, 'START');
    assert.deepEqual(await inbox(phone), []);
    await env.sink.waitFor(() => eventsOf(env.sink, start.messages[0]!.id).length === 1);
  });

  void it('gives a local (10DLC) number nothing from the network: only the app sees the STOP, and sends deliver', async () => {
    const phone = '+19195550305';
    const stop = await text(phone, LOCAL, 'STOP');
    // No network reply: it would have been written with the handset's message.
    assert.deepEqual(await inbox(phone), []);
    assert.deepEqual(await optOuts(`?phone=${encodeURIComponent(phone)}`), []);
    await env.sink.waitFor(() => eventsOf(env.sink, stop.messages[0]!.id).length === 1);
    assert.equal(eventsOf(env.sink, stop.messages[0]!.id)[0]!.message.text, 'STOP');

    const id = await send(LOCAL, [phone], 'Still here.');
    const events = await settledEvents(env.url, env.sink, id);
    assert.deepEqual(outcome(events, phone), ['message-sending', 'message-sent', 'message-delivered']);
  });

  void it('fails a group message only for the member who opted out', async () => {
    const [optedOut, member] = ['+19195550306', '+19195550307'];
    await text(optedOut, TOLL_FREE, 'stop');
    const id = await send(TOLL_FREE, [optedOut, member], 'Team update');
    const events = await settledEvents(env.url, env.sink, id);
    assert.deepEqual(outcome(events, optedOut), ['message-sending', 'message-failed 4775']);
    assert.deepEqual(outcome(events, member), ['message-sending', 'message-delivered']);
  });

  void it('acts only on a whole-message keyword, trimmed and in any case, from the configured lists', async () => {
    const phone = '+19195550308';
    for (const words of ['Stop.', 'stop texting me', 'STOPALL', 'quit']) await text(phone, TOLL_FREE, words);
    assert.deepEqual(await inbox(phone), []);
    assert.deepEqual(await optOuts(`?phone=${encodeURIComponent(phone)}`), []);

    // The lists are settings: a network that also honours QUIT.
    await admin(env.url, 'PATCH', '/settings', { tollFree: { optOutKeywords: ['STOP', 'QUIT'] } });
    try {
      await text(phone, TOLL_FREE, 'Quit');
      assert.deepEqual(
        (await optOuts(`?phone=${encodeURIComponent(phone)}`)).map((o) => o.keyword),
        ['QUIT'],
      );
      assert.match((await inbox(phone))[0]!.text, /^NETWORK MSG: You replied with the word "quit"/);
    } finally {
      await admin(env.url, 'PATCH', '/settings', { tollFree: { optOutKeywords: ['STOP'] } });
    }
  });

  void it('lets the admin API set and lift opt-outs, on toll-free numbers only', async () => {
    const phone = '+19195550309';
    const pair = `${encodeURIComponent(TOLL_FREE)}/${encodeURIComponent(phone)}`;
    const set = await admin<TollFreeOptOut>(env.url, 'PUT', `/opt-outs/${pair}`, {});
    assert.equal(set.status, 200);
    assert.deepEqual([set.body.keyword, set.body.messageId], ['STOP', null]);
    assert.equal((await admin(env.url, 'GET', `/opt-outs/${pair}`)).status, 200);
    const blocked = await send(TOLL_FREE, [phone], 'blocked');
    assert.deepEqual(outcome(await settledEvents(env.url, env.sink, blocked), phone).at(-1), 'message-failed 4775');
    // Setting one is silent: the network sent the handset nothing.
    assert.deepEqual(
      (await inbox(phone)).map((m) => m.messageId),
      [blocked],
    );

    const local = await admin(env.url, 'PUT', `/opt-outs/${encodeURIComponent(LOCAL)}/${encodeURIComponent(phone)}`);
    assert.equal(local.status, 409);
    assert.equal((await admin(env.url, 'PUT', `/opt-outs/not-a-number/${encodeURIComponent(phone)}`)).status, 400);

    assert.equal((await admin(env.url, 'DELETE', `/opt-outs/${pair}`)).status, 204);
    assert.equal((await admin(env.url, 'DELETE', `/opt-outs/${pair}`)).status, 404);
    assert.equal((await admin(env.url, 'GET', `/opt-outs/${pair}`)).status, 404);
    const delivered = await send(TOLL_FREE, [phone], 'delivered');
    assert.deepEqual(outcome(await settledEvents(env.url, env.sink, delivered), phone).at(-1), 'message-delivered');

    // DELETE /emulator/opt-outs and POST /emulator/reset forget them all.
    await admin(env.url, 'PUT', `/opt-outs/${pair}`, {});
    assert.equal((await admin(env.url, 'DELETE', '/opt-outs')).status, 204);
    assert.deepEqual(await optOuts(), []);
    await admin(env.url, 'PUT', `/opt-outs/${pair}`, {});
    assert.equal((await admin(env.url, 'POST', '/reset')).status, 204);
    assert.deepEqual(await optOuts(), []);
  });
});

void describe('toll-free opt-outs across a restart', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-opt-outs-'));
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  void it('keeps a STOP in the database: after a restart, messages to the handset still fail with 4775', async () => {
    const phone = '+19195550310';
    const first = await startEmulator({ timeScale: 1000, dataDir });
    try {
      await addTollFreeNumber(first.url);
      const stop = await phones(() => first).text(phone, TOLL_FREE, 'STOP');
      await first.sink.waitFor(() => eventsOf(first.sink, stop.messages[0]!.id).length === 1);
    } finally {
      await first.close();
    }

    const second = await startEmulator({ timeScale: 1000, dataDir });
    try {
      const { send, optOuts } = phones(() => second);
      assert.deepEqual(
        (await optOuts()).map((o) => [o.number, o.phone, o.keyword]),
        [[TOLL_FREE, phone, 'STOP']],
      );
      const id = await send(TOLL_FREE, [phone], 'after the restart');
      assert.deepEqual(outcome(await settledEvents(second.url, second.sink, id), phone).at(-1), 'message-failed 4775');
    } finally {
      await second.close();
    }
  });
});
