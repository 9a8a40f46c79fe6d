/**
 * The phone page's side of the emulator: the page at `/`, the handsets it offers, a handset's messages by thread with
 * their status, stored media without credentials, and the event stream that pushes every change.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { admin, api, DEFAULTS, eventually, sendText, startEmulator, type Running } from './helpers';

interface PhoneMessage {
  id: number;
  phone: string;
  messageId: string;
  direction: 'sent' | 'received';
  from: string;
  threadId: string;
  thread: { handset: string; ourNumbers: string[]; otherHandsets: string[]; webUiUrl?: string };
  text: string;
  media: { url: string; name: string }[];
  status: string;
  errorCode?: number;
  errorName?: string;
}

const BOT = DEFAULTS.number;
const link = (thread: PhoneMessage['thread']) =>
  `http://ui.test/${thread.handset}/${[...thread.ourNumbers, ...thread.otherHandsets].join(',')}`;

/** Reads Server-Sent Events from a stream until told to stop. */
function readEvents(response: Response) {
  const events: { event: string; data: string }[] = [];
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const done = (async () => {
    for (;;) {
      const chunk: { done: boolean; value?: Uint8Array } = await reader
        .read()
        .catch(() => ({ done: true, value: undefined }));
      if (chunk.done) return;
      buffer += decoder.decode(chunk.value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const field = (name: string) =>
          block
            .split('\n')
            .filter((l) => l.startsWith(`${name}: `))
            .map((l) => l.slice(name.length + 2))
            .join('\n');
        if (field('event')) events.push({ event: field('event'), data: field('data') });
      }
    }
  })();
  return { events, stop: () => reader.cancel().then(() => done) };
}

void describe('the phone page', () => {
  let env: Running;
  before(async () => {
    env = await startEmulator({ conversationLink: link });
  });
  after(async () => env.close());

  const messagesOf = async (phone: string) =>
    (await api<{ messages: PhoneMessage[] }>(env.url, `/emulator/phone/handsets/${encodeURIComponent(phone)}/messages`))
      .body.messages;
  const textFrom = (phone: string, body: unknown) =>
    api(env.url, `/emulator/handsets/${encodeURIComponent(phone)}/messages`, { body, auth: '' });

  void it("serves the page at / and its modules under /phone/, and Bandwidth's API answers as before", async () => {
    const page = await fetch(`${env.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /<title>Threadline phone<\/title>/);
    const script = await fetch(`${env.url}/phone/main.js`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    assert.equal((await fetch(`${env.url}/phone/missing.js`)).status, 404);
    assert.equal((await sendText(env.url, { to: ['+19195550140'], text: 'still Bandwidth' })).status, 202);
  });

  void it('creates, renames, lists and forgets handsets, and says what is wrong with bad input', async () => {
    const put = (phone: string, body: unknown) =>
      api<{ error: string; issues?: string[] }>(env.url, `/emulator/phone/handsets/${phone}`, {
        method: 'PUT',
        body,
        auth: '',
      });
    assert.equal((await put('%2B19195550150', { name: 'Alice' })).status, 201);
    assert.equal((await put('+19195550150', { name: 'Alicia' })).status, 200);
    const notAPhone = await put('alice', { name: 'Alice' });
    assert.deepEqual(
      [notAPhone.status, notAPhone.body.error],
      [400, "'alice' is not an E.164 number like +19195550123"],
    );
    const badName = await put('+19195550151', { name: 42 });
    assert.equal(badName.status, 400);
    assert.match(badName.body.issues!.join(), /^name: /);
    assert.equal((await put('+19195550151', { nickname: 'B' })).status, 400);
    const ours = await put(encodeURIComponent(BOT), {});
    assert.deepEqual([ours.status, ours.body.error], [409, `${BOT} is one of our Bandwidth numbers, not a handset`]);

    await textFrom('+19195550152', { to: BOT, text: 'a phone nobody created' });
    const overview = await api<{
      ourNumbers: string[];
      handsets: { phone: string; name: string | null }[];
      maxRecipients: number;
      webUiLinks: boolean;
    }>(env.url, '/emulator/phone', { auth: '' });
    assert.deepEqual(overview.body.ourNumbers, [BOT]);
    assert.deepEqual(overview.body.handsets[0], { phone: '+19195550150', name: 'Alicia' });
    assert.ok(overview.body.handsets.some((h) => h.phone === '+19195550152' && h.name === null));
    assert.deepEqual([overview.body.maxRecipients, overview.body.webUiLinks], [10, true]);

    const forget = () => api(env.url, '/emulator/phone/handsets/+19195550150', { method: 'DELETE', auth: '' });
    assert.equal((await forget()).status, 204);
    assert.equal((await forget()).status, 404);
  });

  void it("lists a handset's messages by thread, ours with their status and a failure with the error's name", async () => {
    const phone = '+19195550160';
    await admin(env.url, 'PUT', `/behaviors/${encodeURIComponent(phone)}`, { failWith: 4720 });
    assert.equal((await textFrom(phone, { to: BOT, text: 'hello bot' })).status, 202);
    await sendText(env.url, { to: [phone], text: 'you will not get this' });
    await eventually(async () => assert.equal((await messagesOf(phone)).at(-1)?.status, 'failed'));

    const [mine, reply] = await messagesOf(phone);
    assert.deepEqual([mine!.direction, mine!.text, mine!.status, mine!.threadId], ['sent', 'hello bot', 'sent', BOT]);
    assert.deepEqual(mine!.thread, {
      handset: phone,
      ourNumbers: [BOT],
      otherHandsets: [],
      webUiUrl: `http://ui.test/${phone}/${BOT}`,
    });
    assert.deepEqual(
      [reply!.direction, reply!.from, reply!.threadId, reply!.errorCode, reply!.errorName],
      ['received', BOT, BOT, 4720, 'invalid-destination-address'],
    );
    // The handset API still lists only what the phone received.
    const inbox = await api<{ messages: { text: string }[] }>(env.url, `/emulator/handsets/${phone}/messages`, {
      auth: '',
    });
    assert.deepEqual(
      inbox.body.messages.map((m) => m.text),
      ['you will not get this'],
    );
  });

  void it('puts a group message in one thread for the sender and for every other handset on it', async () => {
    const [ann, ben, cat] = ['+19195550171', '+19195550172', '+19195550173'];
    assert.equal((await textFrom(ann, { to: [BOT, ben, cat], text: 'dinner at 8?' })).status, 202);
    const [sent] = await messagesOf(ann);
    assert.equal(sent!.threadId, [BOT, ben, cat].sort().join(','));
    assert.deepEqual(sent!.thread.otherHandsets, [ben, cat]);
    const [got] = await messagesOf(ben);
    assert.deepEqual(
      [got!.direction, got!.from, got!.text, got!.threadId],
      ['received', ann, 'dinner at 8?', [BOT, ann, cat].sort().join(',')],
    );
  });

  void it('shows stored media through its own URL, without the Media API credentials', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 9, 9]);
    const res = await textFrom('+19195550180', {
      to: BOT,
      media: [{ filename: 'cat.png', contentType: 'image/png', content: png.toString('base64') }],
    });
    assert.equal(res.status, 202);
    const [sent] = await messagesOf('+19195550180');
    assert.equal(sent!.media[0]!.name, 'cat.png');
    assert.match(sent!.media[0]!.url, new RegExp(`^/emulator/phone/media/${DEFAULTS.accountId}/.+/0/cat\\.png$`));
    const image = await fetch(`${env.url}${sent!.media[0]!.url}`);
    assert.equal(image.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await image.arrayBuffer()), png);
    assert.equal((await fetch(`${env.url}/emulator/phone/media/${DEFAULTS.accountId}/nothing.png`)).status, 404);
  });

  void it('streams every new or changed message of the handsets asked for, as it happens', async () => {
    const phone = '+19195550190';
    const bad = await api<{ issues: string[] }>(env.url, '/emulator/phone/events?phone=alice', { auth: '' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.issues.join(), /^phone/);

    const stream = await fetch(`${env.url}/emulator/phone/events?phone=${encodeURIComponent(phone)}`);
    assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/);
    const { events, stop } = readEvents(stream);
    // Someone else's messages are not sent on this stream.
    await textFrom('+19195550191', { to: BOT, text: 'not for this stream' });
    await textFrom(phone, { to: BOT, text: 'ping' });
    await sendText(env.url, { to: [phone], text: 'pong' });
    const seen = () => events.map((e) => JSON.parse(e.data) as PhoneMessage);
    await eventually(() => assert.ok(seen().some((m) => m.text === 'pong' && m.status === 'delivered')));
    await stop();

    assert.ok(events.every((e) => e.event === 'message'));
    assert.ok(seen().every((m) => m.phone === phone));
    assert.deepEqual(
      seen()
        .filter((m) => m.direction === 'sent')
        .map((m) => m.text),
      ['ping'],
    );
    const pong = seen().filter((m) => m.text === 'pong');
    assert.equal(pong.at(-1)!.status, 'delivered');
    assert.ok(
      pong.every((m) => m.id === pong[0]!.id),
      'every change of one message has its id',
    );
  });
});

void describe("the phone page's event stream at shutdown", () => {
  void it('ends when the emulator closes, so an open page does not hold up a graceful shutdown', async () => {
    const env = await startEmulator();
    const stream = await fetch(`${env.url}/emulator/phone/events`);
    const reader = stream.body!.getReader();
    const ended = (async () => {
      for (;;) if ((await reader.read()).done) return 'ended';
    })();
    // A force signal that never fires: close waits for open connections to finish on their own.
    await env.emulator.close({ force: new AbortController().signal });
    assert.equal(await ended, 'ended');
    await env.sink.close();
  });
});
