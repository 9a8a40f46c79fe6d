/**
 * Consent keywords in conversations, on the time-skipping server: STOP, START and HELP are Threadline's to answer,
 * recorded in the opt-out ledger, answered once, and never read by the bot; nothing goes to an opted-out contact.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBotTestEnvironment, type BotTestEnvironment } from '../../kit';
import { defaultConsentReplies, DEFAULT_PROGRAM_NAME } from '../../workflows/consent/policy';
import { testBots } from '../helpers/test-bots';

const OUR = '+19195550100';
const SCOPE = `number:${OUR}`;
const replies = defaultConsentReplies(DEFAULT_PROGRAM_NAME);

let kit: BotTestEnvironment;
before(async () => {
  kit = await createBotTestEnvironment({ workflows: await testBots() });
});
after(async () => {
  await kit?.teardown();
});

void describe('STOP', () => {
  for (const stop of ['STOP', 'Stop.', ' stop ', 'unsubscribe', 'please stop', 'stop texting me', 'Opt-out']) {
    void it(`opts out on ${JSON.stringify(stop)}: one confirmation, recorded, and the conversation ends`, async () => {
      const chat = await kit.startBot('echoBot');
      await chat.text('hello');
      await chat.expectReply('#1: hello');
      await chat.text(stop);
      await chat.expectReply(replies.optOut);
      assert.equal((await chat.result()).ended, 'opted-out');
      await chat.expectNoReply();
      const { entry, history } = await kit.optOuts.lookup(SCOPE, chat.participant);
      assert.equal(entry?.optedOut, true);
      assert.deepEqual(
        history.map((c) => [c.action, c.source]),
        [['opt-out', 'keyword']],
      );
      const transcript = await chat.transcript();
      assert.equal(transcript.filter((m) => m.keyword === 'opt-out').length, 1, 'the STOP is in the transcript');
      assert.ok(!transcript.some((m) => m.text.startsWith('#2')), 'the bot never read it');
    });
  }

  void it('lets a long message that happens to contain "stop" reach the bot', async () => {
    const chat = await kit.startBot('echoBot');
    await chat.text("don't stop the music, it's my favourite song");
    await chat.expectReply("#1: don't stop the music");
    await chat.text('never stop');
    await chat.expectReply('#2: never stop');
    assert.equal((await kit.optOuts.lookup(SCOPE, chat.participant)).entry, null);
    await chat.close();
  });

  void it('answers a second STOP with nothing, and records it', async () => {
    const chat = await kit.startBot('stayOnOptOutBot');
    await chat.startProactively();
    await chat.expectReply('Hi! Text me anything.');
    await chat.text('STOP');
    await chat.expectReply(replies.optOut);
    await chat.text('stop');
    await chat.expectNoReply();
    assert.equal((await kit.optOuts.lookup(SCOPE, chat.participant)).history.length, 2);
    await chat.close();
  });

  void it('keeps a bot that stays silent: its wait ends at once and its next send is refused without being sent', async () => {
    const chat = await kit.startBot('stayOnOptOutBot');
    await chat.startProactively();
    await chat.expectReply('Hi! Text me anything.');
    await chat.text('STOP');
    await chat.expectReply(replies.optOut);
    await chat.expectNoReply();
    const refused = (await chat.transcript()).find((m) => m.text.startsWith('Still there?'));
    assert.equal(refused?.status, 'send-failed', 'the bot tried, and Threadline refused it');
    assert.match(refused.text, new RegExp(`\\${chat.participant} opted out`));
    await chat.text('START');
    await chat.expectReply(replies.optIn);
    await chat.text('hello again');
    await chat.expectReply('Welcome back: hello again');
    assert.equal((await chat.result()).ended, 'bot-finished');
  });
});

void describe('START and HELP', () => {
  void it('opts back in on START, and the next text starts a conversation again', async () => {
    const chat = await kit.startBot('echoBot');
    await chat.text('STOP');
    await chat.expectReply(replies.optOut);
    assert.equal((await chat.result()).ended, 'opted-out', 'a keyword alone never runs the bot');
    await chat.text('UNSTOP');
    await chat.expectReply(replies.optIn);
    assert.equal((await chat.result()).ended, 'keyword', 'START alone never runs the bot either');
    await chat.text('hi again');
    await chat.expectReply('#1: hi again');
    assert.equal((await kit.optOuts.lookup(SCOPE, chat.participant)).entry?.optedOut, false);
    await chat.close();
  });

  void it('counts YES as an answer for a subscribed contact and as START for one who opted out', async () => {
    const chat = await kit.startBot('echoBot');
    await chat.text('yes');
    await chat.expectReply('#1: yes');
    await chat.text('STOP');
    await chat.expectReply(replies.optOut);
    await chat.result();
    await chat.text('Yes!');
    await chat.expectReply(replies.optIn);
    await chat.close();
  });

  void it('answers HELP mid-conversation without the bot reading it', async () => {
    const chat = await kit.startBot('pizzaBot');
    await chat.text('hi');
    await chat.expectReply(/small, medium or large/);
    await chat.text('help');
    await chat.expectReply(replies.help);
    await chat.expectNoReply();
    await chat.text('large');
    await chat.expectReply(/toppings/i);
    await chat.close();
  });

  void it('answers HELP that starts a conversation, and does not run the bot', async () => {
    const chat = await kit.startBot('greeterBot');
    await chat.text('INFO');
    await chat.expectReply(replies.help);
    assert.equal((await chat.result()).ended, 'keyword');
    await chat.expectNoReply();
  });

  void it('does not answer HELP from a contact who opted out', async () => {
    const chat = await kit.startBot('echoBot');
    await chat.text('STOP');
    await chat.expectReply(replies.optOut);
    await chat.result();
    await chat.text('HELP');
    await chat.result();
    await chat.expectNoReply();
  });
});

void describe('the opt-out ledger on every send', () => {
  void it('sends nothing on a proactive start to a contact who opted out earlier', async () => {
    const contact = '+19195556001';
    await kit.optOuts.record({
      id: 'seed-proactive',
      scope: SCOPE,
      contact,
      action: 'opt-out',
      source: 'operator',
      time: new Date().toISOString(),
      actor: 'test',
    });
    const chat = await kit.startBot('receiptBot', { participants: [contact], opening: 'Your appointment is at 10.' });
    await chat.result();
    await chat.expectNoReply();
    const transcript = await chat.transcript();
    assert.ok(transcript.length >= 1 && transcript.every((m) => m.status === 'send-failed'));
  });

  void it('holds back a group message that includes an opted-out member, and tells the bot who blocks it', async () => {
    const [ana, bo] = ['+19195556002', '+19195556003'];
    await kit.optOuts.record({
      id: 'seed-group',
      scope: SCOPE,
      contact: bo,
      action: 'opt-out',
      source: 'keyword',
      time: new Date().toISOString(),
    });
    const chat = await kit.startBot('groupAnnounceBot', { participants: [ana, bo], opening: 'Hello, both!' });
    await chat.result();
    await chat.expectNoReply();
    const transcript = await chat.transcript();
    assert.ok(
      transcript.every((m) => m.status === 'send-failed'),
      'nothing went to the group',
    );
    assert.ok(
      transcript.some((m) => m.text === `blocked by ${bo}`),
      'the bot was told who blocks it',
    );
  });
});

void describe('a run a keyword started', () => {
  void it('hands the bot a text that arrives while Threadline answers the keyword', async () => {
    const chat = await kit.startBot('echoBot');
    await chat.text('HELP');
    await chat.text('hi there');
    await chat.expectReply(replies.help);
    await chat.expectReply('#1: hi there');
    await chat.close();
  });
});
