import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBotTestEnvironment, inboundMessage, type BotTestEnvironment } from '../../kit';

describe('greeterBot', () => {
  let kit: BotTestEnvironment;
  before(async () => {
    kit = await createBotTestEnvironment();
  });
  after(async () => {
    await kit?.teardown();
  });

  it('asks a texter their name, then greets them by it', async () => {
    const chat = await kit.startBot('greeterBot');
    await chat.text('hi');
    await chat.expectReply("What's your name?");
    await chat.text('Ada');
    await chat.expectReply('Nice to meet you, Ada!');
    const outcome = await chat.result();
    assert.equal(outcome.ended, 'bot-finished');
    assert.deepEqual(
      (await chat.transcript()).map((m) => [m.direction, m.text, m.status]),
      [
        ['in', 'hi', 'received'],
        ['out', "Hi! I'm the Threadline greeter. What's your name?", 'delivered'],
        ['in', 'Ada', 'received'],
        ['out', 'Nice to meet you, Ada!', 'delivered'],
      ],
    );
  });

  it('gives up after an hour of silence, which takes moments', async () => {
    const chat = await kit.startBot('greeterBot');
    const startedAt = await kit.env.currentTimeMs();
    const wallStart = Date.now();
    await chat.text('hello');
    await chat.expectReply("What's your name?");
    await chat.result(); // no reply: the workflow ends by its reply timeout alone
    const skippedMs = (await kit.env.currentTimeMs()) - startedAt;
    assert.ok(skippedMs >= 3600_000, `workflow time advanced ${skippedMs} ms; expected at least an hour`);
    await chat.expectNoReply();
    process.stderr.write(`  an hour of workflow time took ${Date.now() - wallStart} ms of wall time\n`);
  });

  it('ignores a duplicated inbound message: one text, one reply', async () => {
    const chat = await kit.startBot('greeterBot');
    const hi = inboundMessage({ messageId: 'dup-1', from: '+19195550123', to: ['+19195550100'], text: 'hi' });
    await chat.deliverInbound(hi);
    await chat.deliverInbound(hi); // Bandwidth redelivers the same callback
    await chat.expectReply("What's your name?");
    await chat.deliverInbound(hi); // and once more, later
    await chat.text('Grace');
    await chat.expectReply('Nice to meet you, Grace!');
    await chat.result();
    await chat.expectNoReply();
  });
});
