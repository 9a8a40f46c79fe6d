/**
 * Simulated handsets (inbound SMS, MMS and group messages) and the Media API's storage rules.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  admin,
  api,
  basicAuth,
  DEFAULTS,
  eventsOf,
  startEmulator,
  type HandsetInbox,
  type HandsetSendResult,
  type Running,
} from './helpers';

const SECOND_NUMBER = '+19195550101';

void describe('handsets', () => {
  let env: Running;
  before(async () => {
    env = await startEmulator();
    await admin(env.url, 'PUT', `/numbers/${encodeURIComponent(SECOND_NUMBER)}`, {
      accountId: DEFAULTS.accountId,
      applicationId: DEFAULTS.applicationId,
    });
  });
  after(async () => env.close());

  const textFrom = (phone: string, body: unknown) =>
    api<HandsetSendResult>(env.url, `/emulator/handsets/${phone}/messages`, { body, auth: '' });

  void it('fans an inbound group message out to each number we own, each copy with its own id and owner', async () => {
    const to = [DEFAULTS.number, SECOND_NUMBER, '+19195550177'];
    const res = await textFrom('%2B19195550123', { to, text: 'see you there' });
    assert.equal(res.status, 202);
    assert.deepEqual(res.body.otherRecipients, ['+19195550177']);
    assert.equal(res.body.messages.length, 2);
    const [a, b] = res.body.messages;
    assert.notEqual(a!.id, b!.id);
    await env.sink.waitFor(() => eventsOf(env.sink, a!.id).length === 1 && eventsOf(env.sink, b!.id).length === 1);
    for (const [copy, owner] of [
      [a!, DEFAULTS.number],
      [b!, SECOND_NUMBER],
    ] as const) {
      const e = eventsOf(env.sink, copy.id)[0]!;
      assert.deepEqual(
        [e.type, e.to, e.message.owner, e.message.from],
        ['message-received', owner, owner, '+19195550123'],
      );
      assert.deepEqual(e.message.to, to);
      assert.equal(e.message.text, 'see you there');
      assert.equal(e.description, 'Incoming message received');
    }
    // The other handset in the group got the message too.
    const other = await api<HandsetInbox>(env.url, '/emulator/handsets/+19195550177/messages', { auth: '' });
    assert.equal(other.body.messages[0]!.text, 'see you there');
  });

  void it('re-hosts inbound media under the message id, downloadable only with the account credentials', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const res = await textFrom('+19195550124', {
      to: DEFAULTS.number,
      media: [
        `data:image/png;base64,${png.toString('base64')}`,
        { filename: 'note.txt', contentType: 'text/plain', content: Buffer.from('hi').toString('base64') },
      ],
    });
    const id = res.body.messages[0]!.id;
    await env.sink.waitFor(() => eventsOf(env.sink, id).length === 1);
    const event = eventsOf(env.sink, id)[0]!;
    assert.equal(event.message.media!.length, 2);
    assert.equal(event.message.media![1], `${env.url}/api/v2/users/${DEFAULTS.accountId}/media/${id}/1/note.txt`);
    assert.equal(event.message.text, '');
    const url = event.message.media![0]!;
    assert.match(url, new RegExp(`/media/${id}/0/attachment-0\\.png$`));
    assert.equal((await fetch(url)).status, 401);
    const ok = await fetch(url, { headers: { Authorization: basicAuth() } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await ok.arrayBuffer()), png);
  });

  void it('fetches media from a URL the handset names, and refuses numbers we do not own', async () => {
    await fetch(`${env.url}/users/${DEFAULTS.accountId}/media/source.gif`, {
      method: 'PUT',
      headers: { Authorization: basicAuth(), 'Content-Type': 'image/gif' },
      body: 'GIF89a',
    });
    // A media server on loopback, naming the file in Content-Disposition.
    const server = http.createServer((_req, res) => {
      res.setHeader('Content-Type', 'image/jpeg');
      res.setHeader('Content-Disposition', 'attachment; filename="holiday.jpg"');
      res.end('JPEGDATA');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const fetched = await textFrom('+19195550125', { to: DEFAULTS.number, media: [`http://127.0.0.1:${port}/img/1`] });
    server.close();
    assert.equal(fetched.status, 202);
    const hosted = fetched.body.messages[0]!.media![0]!;
    assert.match(hosted, /\/0\/holiday\.jpg$/);
    const download = await fetch(hosted, { headers: { Authorization: basicAuth() } });
    assert.equal(await download.text(), 'JPEGDATA');
    // A URL that answers an error (its own media API without credentials answers 401) is refused.
    const failing = await textFrom('+19195550125', {
      to: DEFAULTS.number,
      media: [`${env.url}/users/${DEFAULTS.accountId}/media/source.gif`],
    });
    assert.equal(failing.status, 400);
    const nobody = await textFrom('+19195550125', { to: '+19195550999', text: 'hello?' });
    assert.equal(nobody.status, 404);
    const bad = await textFrom('12345', { to: DEFAULTS.number, text: 'x' });
    assert.equal(bad.status, 400);
    const empty = await textFrom('+19195550125', { to: DEFAULTS.number });
    assert.equal(empty.status, 400);
  });

  void it('lists what a handset received with text and delivery status, filterable by status', async () => {
    const send = (to: string, text: string) =>
      api(env.url, `/api/v2/users/${DEFAULTS.accountId}/messages`, {
        body: { applicationId: DEFAULTS.applicationId, from: DEFAULTS.number, to: [to], text },
      });
    const ok = await send('+19195550126', 'Your code is 1234');
    await send('+19195550126', 'ð'.repeat(3));
    const failed = await send('+19195554720', 'to a landline');
    await env.sink.waitFor(() => eventsOf(env.sink, failed.body.id as string).some((e) => e.type === 'message-failed'));
    await env.sink.waitFor(() => eventsOf(env.sink, ok.body.id as string).some((e) => e.type === 'message-delivered'));
    const inbox = await api<HandsetInbox>(env.url, '/emulator/handsets/%2B19195550126/messages', { auth: '' });
    assert.equal(inbox.body.messages[0]!.text, 'Your code is 1234');
    assert.equal(inbox.body.messages[0]!.status, 'DELIVERED');
    assert.equal(inbox.body.messages[0]!.received, true);
    const landline = await api<HandsetInbox>(env.url, '/emulator/handsets/+19195554720/messages', { auth: '' });
    assert.deepEqual(
      [landline.body.messages[0]!.status, landline.body.messages[0]!.errorCode, landline.body.messages[0]!.received],
      ['FAILED', 4720, false],
    );
    const delivered = await api<HandsetInbox>(env.url, '/emulator/handsets/+19195554720/messages?status=delivered', {
      auth: '',
    });
    assert.equal(delivered.body.messages.length, 0);
  });
});

void describe('media storage', () => {
  let env: Running;
  before(async () => {
    env = await startEmulator({ timeScale: 1 });
  });
  after(async () => env.close());

  const put = (id: string, body: Buffer | string, type = 'image/png') =>
    fetch(`${env.url}/api/v2/users/${DEFAULTS.accountId}/media/${id}`, {
      method: 'PUT',
      headers: { Authorization: basicAuth(), 'Content-Type': type },
      body,
    });
  const get = (id: string) =>
    fetch(`${env.url}/api/v2/users/${DEFAULTS.accountId}/media/${id}`, { headers: { Authorization: basicAuth() } });

  void it('accepts ids with literal slashes and with %2F as the same file', async () => {
    assert.equal((await put('abc/0/bw.png', 'one')).status, 204);
    assert.equal(await (await get('abc%2F0%2Fbw.png')).text(), 'one');
    assert.equal((await put('abc%2F0%2Fbw.png', 'two')).status, 204);
    assert.equal(await (await get('abc/0/bw.png')).text(), 'two');
  });

  void it('refuses files over 3.75 MB and types the spec does not list', async () => {
    const limit = Math.round(3.75 * 1024 * 1024);
    assert.equal((await put('big.bin', Buffer.alloc(limit + 1), 'image/png')).status, 400);
    assert.equal((await put('ok.bin', Buffer.alloc(limit), 'image/png')).status, 204);
    const res = await put('x.exe', 'MZ', 'application/x-msdownload');
    assert.equal(res.status, 415);
    assert.equal(((await res.json()) as { type: string }).type, 'unsupported-media-type');
  });

  void it('forgets media after 48 hours of emulated time', async () => {
    assert.equal((await put('short-lived.png', 'x')).status, 204);
    await admin(env.url, 'POST', '/clock/advance', { hours: 47 });
    assert.equal((await get('short-lived.png')).status, 200);
    await admin(env.url, 'POST', '/clock/advance', { hours: 2 });
    assert.equal((await get('short-lived.png')).status, 404);
  });

  void it("keeps each account's media to itself", async () => {
    await admin(env.url, 'PUT', '/accounts/9900055', { apiUsers: [{ username: 'u55', password: 'p55' }] });
    assert.equal((await put('private.png', 'secret')).status, 204);
    const res = await fetch(`${env.url}/api/v2/users/9900055/media/private.png`, {
      headers: { Authorization: basicAuth('u55', 'p55') },
    });
    assert.equal(res.status, 404);
    const cross = await fetch(`${env.url}/api/v2/users/${DEFAULTS.accountId}/media/private.png`, {
      headers: { Authorization: basicAuth('u55', 'p55') },
    });
    assert.equal(cross.status, 401);
  });
});
