/**
 * Group threads: one conversation for our number and the participant set, Bandwidth's per-number copies
 * deduplicated, replies to the whole group (at most 10), per-recipient receipts, waits for one participant or for
 * N of M, and the invalid-number behaviour of reference §7.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBotTestEnvironment, type BotTestEnvironment } from '../../kit';
import { conversationId, groupConversation } from '../../workflows/ids';
import { testBots } from '../helpers/test-bots';

// Every test gets its own people, so no two tests share a conversation (its id is our number + the participants).
let people = 200;
let [ann, bob, cat] = ['', '', ''];
function newPeople(): void {
  [ann, bob, cat] = [0, 1, 2].map((i) => `+1919555${String(people + i).padStart(4, '0')}`) as [string, string, string];
  people += 3;
}
newPeople();

describe('group threads', () => {
  let kit: BotTestEnvironment;
  before(async () => {
    kit = await createBotTestEnvironment({ workflows: await testBots() });
  });
  after(async () => {
    await kit?.teardown();
  });
  beforeEach(newPeople);

  it('reads each group message once when Bandwidth delivers a copy to each of our numbers', async () => {
    const chat = await kit.startBot('groupEchoBot', { participants: [ann, bob], alsoOurs: ['+19195550101'] });
    await chat.text('hello all', { from: ann });
    const reply = await chat.expectReply(`heard ${ann}: hello all`);
    assert.deepEqual(reply.to, [ann, bob]);
    await chat.text('hi', { from: bob });
    await chat.expectReply(`heard ${bob}: hi`);
    await chat.expectNoReply();
    const inbound = (await chat.transcript()).filter((m) => m.direction === 'in');
    assert.deepEqual(
      inbound.map((m) => m.messageId),
      ['kit-in-1', 'kit-in-2'],
    );
  });

  it('tracks each recipient of a group message separately', async () => {
    const chat = await kit.startBot('groupReceiptsBot', { participants: [ann, bob, cat], autoDeliver: false });
    await chat.text('hey', { from: ann });
    const hello = await chat.expectReply('Hello, group!');
    assert.deepEqual(hello.to, [ann, bob, cat]);
    await chat.deliver(hello, ann);
    await chat.failDelivery(4702, hello, bob);
    await chat.expectNoReply(); // still waiting for cat
    await chat.deliver(hello, cat);
    await chat.expectReply(`delivered ${ann},${cat}; failed ${bob}:4702:transient; invalid -; timed out -`);
    const entry = (await chat.transcript()).find((m) => m.direction === 'out');
    assert.deepEqual(Object.fromEntries(Object.entries(entry?.recipients ?? {}).map(([r, s]) => [r, s.status])), {
      [ann]: 'delivered',
      [bob]: 'failed',
      [cat]: 'delivered',
    });
    assert.equal(entry?.status, 'partially-delivered');
  });

  it('reports an invalid number in a group as a typed result while the others get the message', async () => {
    const chat = await kit.startBot('groupReceiptsBot', { participants: [ann, bob, cat], autoDeliver: false });
    await chat.text('hey', { from: ann });
    const hello = await chat.expectReply('Hello, group!');
    await chat.deliver(hello, ann);
    await chat.failDelivery(4406, hello, bob); // one message-failed for the invalid number...
    await chat.deliver(hello, cat); // ...and delivered for the others
    await chat.expectReply(`delivered ${ann},${cat}; failed ${bob}:4406:permanent; invalid ${bob}; timed out -`);
  });

  it("keeps an invalid number failed under Bandwidth's old group bug (failed and delivered)", async () => {
    const chat = await kit.startBot('groupReceiptsBot', { participants: [ann, bob], autoDeliver: false });
    await chat.text('hey', { from: ann });
    const hello = await chat.expectReply('Hello, group!');
    await chat.failDelivery(4406, hello, bob);
    await chat.deliver(hello, bob);
    await chat.deliver(hello, ann);
    await chat.expectReply(`delivered ${ann}; failed ${bob}:4406:permanent; invalid ${bob}; timed out -`);
  });

  it('waits for a reply from one participant, leaving the others for later', async () => {
    const chat = await kit.startBot('fromBot', { participants: [ann, bob], params: { from: bob } });
    await chat.text('me first', { from: ann });
    await chat.text('later', { from: ann });
    await chat.expectNoReply();
    await chat.text('ok', { from: bob });
    await chat.expectReply(`${bob} said ok`);
    await chat.expectReply(`then ${ann} said later`);
  });

  it('refuses to message a group of more than 10 with a clear error', async () => {
    const participants = Array.from({ length: 11 }, (_, i) => `+1919555030${String(i).padStart(2, '0')}`);
    const chat = await kit.startBot('groupCoordinatorBot', { participants });
    await chat.startProactively();
    await assert.rejects(chat.result(), (err: { cause?: { message?: string } }) =>
      /at most 10 recipients, and sms:\+19195550100:.* has 11/.test(String(err.cause?.message)),
    );
    await chat.expectNoReply();
  });

  describe('groupCoordinatorBot: waits for 2 of 3', () => {
    it('decides as soon as two of the three have answered', async () => {
      const chat = await kit.startBot('groupCoordinatorBot', { participants: [ann, bob, cat] });
      await chat.startProactively();
      await chat.deliver(await chat.expectReply("Dinner Friday at 7: who's in?"));
      await chat.text('yes!', { from: ann });
      await chat.text('yes again', { from: ann }); // the same person twice counts once
      await chat.expectNoReply();
      await chat.text('Yes', { from: cat });
      const verdict = await chat.expectReply('2 of 3 are in: Dinner Friday at 7 is on!');
      assert.deepEqual(verdict.to, [ann, bob, cat]);
      assert.equal((await chat.result()).ended, 'bot-finished');
    });

    it('calls it off when only one answers within a day', async () => {
      const chat = await kit.startBot('groupCoordinatorBot', { participants: [ann, bob, cat] });
      await chat.startProactively();
      await chat.deliver(await chat.expectReply("who's in?"));
      await chat.text('yes', { from: bob });
      await chat.advance('23 hours');
      await chat.expectNoReply();
      await chat.advance('2 hours');
      await chat.expectReply('Only 1 of 3 answered in a day, so Dinner Friday at 7 is off.');
    });

    it('tells the group about an invalid number and needs two of the rest', async () => {
      const chat = await kit.startBot('groupCoordinatorBot', {
        participants: [ann, bob, cat],
        autoDeliver: false,
        params: { plan: 'Lunch' },
      });
      await chat.startProactively();
      const question = await chat.expectReply("Lunch: who's in?");
      await chat.deliver(question, ann);
      await chat.failDelivery(4720, question, bob);
      await chat.deliver(question, cat);
      await chat.expectReply(`I couldn't reach ${bob} (not a valid number).`);
      await chat.text('no', { from: ann });
      await chat.text('yes', { from: cat });
      await chat.expectReply('Not enough yeses (1 of 2 needed): Lunch is off.');
    });
  });
});

describe('routing a group message to one conversation', () => {
  it('picks the lowest of our numbers in the group, whichever copy arrives', () => {
    const ours = ['+19195550101', '+19195550100'];
    const recipients = ['+19195550101', '+19195550100', ann];
    const first = groupConversation({ receivedOn: '+19195550101', from: bob, recipients, ourNumbers: ours });
    const second = groupConversation({ receivedOn: '+19195550100', from: bob, recipients, ourNumbers: ours });
    assert.deepEqual(first, { ourNumber: '+19195550100', participants: [ann, bob] });
    assert.deepEqual(second, first);
    assert.equal(conversationId(first), `sms:+19195550100:${ann},${bob}`);
  });

  it('keeps a one-to-one text on the number it was sent to', () => {
    assert.deepEqual(
      groupConversation({
        receivedOn: '+19195550101',
        from: ann,
        recipients: ['+19195550101'],
        ourNumbers: ['+19195550100'],
      }),
      { ourNumber: '+19195550101', participants: [ann] },
    );
  });
});
