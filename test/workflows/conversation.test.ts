/**
 * The conversation runtime's primitives, each proven by a bot that depends on it (test/bots/index.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBotTestEnvironment, type BotTestEnvironment } from '../../kit';
import {
  endConversationSignal,
  externalEventSignal,
  operatorMessageSignal,
  takeoverSignal,
} from '../../workflows/messages';
import { matchChoice } from '../../workflows/choose';
import { testBots } from '../helpers/test-bots';

describe('the conversation runtime', () => {
  let kit: BotTestEnvironment;
  before(async () => {
    kit = await createBotTestEnvironment({ workflows: await testBots() });
  });
  after(async () => {
    await kit?.teardown();
  });

  describe('race: the first of a reply, an external event, a receipt and a timer', () => {
    it('reports each event by name, in the order they happen', async () => {
      const chat = await kit.startBot('raceBot', { autoDeliver: false });
      await chat.text('go');
      const first = await chat.expectReply('Pay or reply');
      await chat.signal('payment', { amount: 42 });
      await chat.expectReply('paid: 42');
      await chat.text('hello');
      await chat.expectReply('reply: hello');
      await chat.failDelivery(4720, first);
      await chat.expectReply('receipt: failed permanent');
      await chat.advance('61 minutes');
      await chat.expectReply('timeout');
      await chat.result();
    });

    it('fires the timer only after its full duration', async () => {
      const chat = await kit.startBot('raceBot');
      await chat.text('go');
      await chat.expectReply('Pay or reply');
      await chat.deliver();
      await chat.expectReply('receipt: delivered');
      await chat.advance('59 minutes');
      await chat.expectNoReply();
      await chat.advance('2 minutes');
      await chat.expectReply('timeout');
    });

    it('counts an external event delivered twice with the same id once', async () => {
      const chat = await kit.startBot('raceBot', { autoDeliver: false });
      await chat.text('go');
      await chat.expectReply('Pay or reply');
      const payment = { name: 'payment', payload: { amount: 7 }, id: 'pay-1' };
      await chat.workflow.signal(externalEventSignal, payment);
      await chat.workflow.signal(externalEventSignal, payment);
      await chat.expectReply('paid: 7');
      await chat.expectNoReply();
    });
  });

  describe('a reply timer that starts at delivery', () => {
    it('does not count the time the carrier takes to deliver the question', async () => {
      const chat = await kit.startBot('deliveryTimerBot', { autoDeliver: false });
      await chat.text('go');
      const question = await chat.expectReply('Question?');
      await chat.advance('15 minutes'); // slow carrier: more than the 10-minute reply timeout passes undelivered
      await chat.expectNoReply();
      await chat.deliver(question);
      await chat.advance('9 minutes');
      await chat.expectNoReply();
      await chat.advance('2 minutes');
      await chat.expectReply('no answer (delivered)');
    });

    it('still takes an answer that arrives before the receipt', async () => {
      const chat = await kit.startBot('deliveryTimerBot', { autoDeliver: false });
      await chat.text('go');
      await chat.expectReply('Question?');
      await chat.text('42');
      await chat.expectReply('answer: 42');
    });

    it('gives up at once when the question fails to deliver', async () => {
      const chat = await kit.startBot('deliveryTimerBot', { autoDeliver: false });
      await chat.text('go');
      await chat.expectReply('Question?');
      await chat.failDelivery(4775);
      await chat.expectReply('no answer (failed)');
    });
  });

  describe('typed delivery failures', () => {
    for (const [code, name, category] of [
      [4775, 'destination-rejected-due-to-user-opt-out', 'opted-out'],
      [4720, 'invalid-destination-address', 'permanent'],
      [9902, 'delivery-receipt-expired', 'ambiguous'],
    ] as const) {
      it(`reads error ${code} as ${category}`, async () => {
        const chat = await kit.startBot('receiptBot', { autoDeliver: false });
        await chat.text('hi');
        await chat.expectReply('Hello?');
        await chat.failDelivery(code);
        await chat.expectReply(`failed ${code} ${name} ${category} accepted=true`);
      });
    }

    it('times out when no receipt comes', async () => {
      const chat = await kit.startBot('receiptBot', { autoDeliver: false });
      await chat.text('hi');
      await chat.expectReply('Hello?');
      await chat.advance('61 minutes');
      await chat.expectReply('result timed-out');
    });

    it('counts a duplicated receipt once: a group message waits for every recipient', async () => {
      const chat = await kit.startBot('receiptBot', {
        autoDeliver: false,
        participants: ['+19195550123', '+19195550124'],
      });
      await chat.text('hi', { from: '+19195550123' });
      const hello = await chat.expectReply('Hello?');
      await chat.failDelivery(4720, hello, '+19195550123');
      await chat.failDelivery(4720, hello, '+19195550123'); // Bandwidth redelivers the same callback
      const transcript = await chat.transcript();
      assert.deepEqual(Object.keys(transcript[1]?.recipients ?? {}), ['+19195550123']);
      assert.equal(transcript[1]?.status, 'failed');
    });
  });

  describe('operators', () => {
    it('lets a human take over, speak, and hand back; texts during the takeover never reach the bot', async () => {
      const chat = await kit.startBot('echoBot');
      await chat.text('one');
      await chat.expectReply('#1: one');
      await chat.workflow.signal(takeoverSignal, { paused: true, operator: 'sam' });
      await chat.text('I need a human');
      await chat.workflow.signal(operatorMessageSignal, { text: 'Hi, Sam here.', operator: 'sam' });
      await chat.expectReply('Hi, Sam here.');
      await chat.expectNoReply();
      await chat.workflow.signal(takeoverSignal, { paused: false, operator: 'sam' });
      await chat.text('two');
      await chat.expectReply('#2: two');
      const transcript = await chat.transcript();
      assert.deepEqual(
        transcript.map((m) => [m.direction, m.text, m.operator ?? null, m.duringTakeover ?? false]),
        [
          ['in', 'one', null, false],
          ['out', '#1: one', null, false],
          ['in', 'I need a human', null, true],
          ['out', 'Hi, Sam here.', 'sam', false],
          ['in', 'two', null, false],
          ['out', '#2: two', null, false],
        ],
      );
    });

    it('ends a conversation on request, wherever the bot is', async () => {
      const chat = await kit.startBot('echoBot');
      await chat.text('one');
      await chat.expectReply('#1: one');
      await chat.workflow.signal(endConversationSignal, { reason: 'resolved by support' });
      const outcome = await chat.result();
      assert.deepEqual(outcome, { ended: 'operator', reason: 'resolved by support', messages: 2 });
    });
  });

  describe('proactive conversations', () => {
    it('opens with a message and then waits for the reply', async () => {
      const chat = await kit.startBot('echoBot', { opening: 'Your table is ready.' });
      await chat.expectReply('Your table is ready.');
      await chat.text('thanks');
      await chat.expectReply('#1: thanks');
    });
  });
});

describe('reading a reply as a choice', () => {
  const sizes = ['small', 'medium', 'large'] as const;
  it('accepts the value, its number, a sentence naming it and a unique prefix', () => {
    assert.equal(matchChoice(sizes, 'Large'), 'large');
    assert.equal(matchChoice(sizes, ' 2 '), 'medium');
    assert.equal(matchChoice(sizes, 'a LARGE one please!'), 'large');
    assert.equal(matchChoice(sizes, 'med'), 'medium');
    assert.equal(matchChoice({ yes: ['y', 'yep'], no: ['n', 'nope'] }, 'Yep'), 'yes');
  });
  it('refuses what is ambiguous or not an option', () => {
    assert.equal(matchChoice(sizes, 'small or large'), null);
    assert.equal(matchChoice(sizes, 'gigantic'), null);
    assert.equal(matchChoice(sizes, '4'), null);
    assert.equal(matchChoice(sizes, ''), null);
    assert.equal(matchChoice(sizes, 'm'), null);
  });
});
