import assert from 'node:assert/strict';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CallbackBodySchema } from '../../bandwidth/schemas';
import {
  api,
  eventsOf,
  getToken,
  sendText,
  startEmulator,
  type HandsetInbox,
  type HandsetSendResult,
  type Running,
} from './helpers';

void describe('emulator v1 contract (walking skeleton)', () => {
  let env: Running;
  before(async () => {
    env = await startEmulator();
  });
  after(async () => env.close());

  void it('issues a bearer token and accepts a message with it, then reports sending and delivered', async () => {
    const token = await getToken(env.url);
    assert.equal(token.status, 200);
    assert.equal(token.body.token_type, 'Bearer');
    const res = await sendText(
      env.url,
      { to: ['+19195550123'], text: 'Hello', tag: 'greet-1' },
      `Bearer ${token.body.access_token}`,
    );
    assert.equal(res.status, 202);
    assert.match(res.body.id, /^\d{13}[0-9a-z]{16}$/);
    assert.equal(res.body.owner, '+19195550100');
    assert.equal(res.body.direction, 'out');
    assert.equal(res.body.segmentCount, 1);
    assert.equal(res.body.priority, 'default');
    assert.deepEqual(res.body.to, ['+19195550123']);
    await env.sink.waitFor((events) => events.some((e) => e.type === 'message-delivered'));
    const forMessage = env.sink.received.filter((r) => r.raw.includes(res.body.id));
    for (const r of forMessage) {
      assert.equal(r.headers['user-agent'], 'BandwidthAPI/v2');
      assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
      assert.ok(Array.isArray(r.body));
      assert.ok(CallbackBodySchema.safeParse(r.body).success);
    }
    const types = env.sink
      .events()
      .filter((e) => (e.message as { id: string }).id === res.body.id)
      .map((e) => e.type);
    assert.deepEqual(types, ['message-sending', 'message-sent', 'message-delivered']);
  });

  void it('delivers a handset text to our number as message-received and lists what the handset received', async () => {
    const res = await api<HandsetSendResult>(env.url, '/emulator/handsets/%2B19195550123/messages', {
      body: { to: '+19195550100', text: 'hi there' },
      auth: '',
    });
    assert.equal(res.status, 202);
    const id = res.body.messages[0]!.id;
    await env.sink.waitFor(() => eventsOf(env.sink, id).length > 0);
    const event = eventsOf(env.sink, id)[0]!;
    assert.equal(event.type, 'message-received');
    assert.equal(event.message.text, 'hi there');
    const inbox = await api<HandsetInbox>(env.url, '/emulator/handsets/+19195550123/messages', { auth: '' });
    assert.equal(inbox.status, 200);
    assert.equal(inbox.body.messages[0]!.text, 'Hello');
    assert.equal(inbox.body.messages[0]!.status, 'DELIVERED');
  });

  void it('serves the full API from emulator.app when mounted in another server', async () => {
    const server = http.createServer(env.emulator.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const res = await sendText(url, { to: ['+19195550124'], text: 'through express' });
      assert.equal(res.status, 202);
      assert.equal(res.body.text, 'through express');
      const bad = await sendText(url, { to: [], text: '' });
      assert.equal(bad.status, 400);
      await env.sink.waitFor(() => eventsOf(env.sink, res.body.id).some((e) => e.type === 'message-delivered'));
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
