/**
 * The inbox feed (`GET /emulator/inbox`): every handset's received messages after a cursor, in the order the emulator
 * took them, with their delivery outcome, and a request held open until something arrives.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { admin, api, DEFAULTS, eventually, sendText, startEmulator, type Running } from './helpers';

const ADA = '+19195550123';
const BOB = '+19195550124';

interface Feed {
  messages: {
    id: number;
    phone: string;
    direction: string;
    text: string;
    status: string;
    errorCode: number;
    terminal: boolean;
    segmentCount: number;
    messageType: string;
  }[];
  next: number;
  latest: number;
}

void describe('the inbox feed', () => {
  let env: Running;
  before(async () => {
    env = await startEmulator();
    await admin(env.url, 'PATCH', `/accounts/${DEFAULTS.accountId}`, { limits: { messagesPerSecond: 1000 } });
  });
  after(async () => env.close());

  const feed = async (query: string) => (await api<Feed>(env.url, `/emulator/inbox?${query}`, { auth: '' })).body;

  void it('lists what every handset received after the cursor, with the delivery outcome and segments', async () => {
    const start = (await feed('limit=0')).latest;
    await admin(env.url, 'PUT', `/behaviors/${encodeURIComponent(BOB)}`, { failWith: 4720 });
    assert.equal((await sendText(env.url, { to: [ADA], text: 'hello Ada' })).status, 202);
    assert.equal((await sendText(env.url, { to: [BOB], text: 'ж'.repeat(71) })).status, 202);

    const page = await eventually(async () => {
      const p = await feed(`after=${start}`);
      assert.ok(p.messages.every((m) => m.terminal) && p.messages.length === 2, JSON.stringify(p));
      return p;
    });
    assert.deepEqual(
      page.messages.map((m) => [m.phone, m.direction, m.status, m.errorCode, m.segmentCount, m.messageType]),
      [
        [ADA, 'out', 'DELIVERED', 0, 1, 'sms'],
        [BOB, 'out', 'FAILED', 4720, 2, 'sms'],
      ],
    );
    assert.equal(page.next, page.messages[1]!.id);
    assert.equal(page.latest, page.next);
    assert.deepEqual((await feed(`after=${page.next}`)).messages, []);
    assert.equal((await api(env.url, '/emulator/inbox?after=-1', { auth: '' })).status, 400, 'a bad cursor is refused');
  });

  void it('holds a request with wait until a message arrives', async () => {
    const cursor = (await feed('limit=0')).latest;
    const held = feed(`after=${cursor}&wait=2000`);
    await sendText(env.url, { to: [ADA], text: 'are you there?' });
    const page = await held;
    assert.deepEqual(
      page.messages.map((m) => m.text),
      ['are you there?'],
    );
  });

  void it("passes over a handset's own texts: they are what it sent, not what it received", async () => {
    const cursor = (await feed('limit=0')).latest;
    const sent = await api(env.url, `/emulator/handsets/${encodeURIComponent(ADA)}/messages`, {
      body: { to: [DEFAULTS.number], text: 'hi from Ada' },
      auth: '',
    });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const page = await feed(`after=${cursor}`);
    assert.deepEqual(page.messages, [], JSON.stringify(page));
    assert.ok(page.next > cursor, 'the cursor moves past the handset own row, so a reader does not ask again forever');
    assert.equal(page.next, page.latest);
  });
});
