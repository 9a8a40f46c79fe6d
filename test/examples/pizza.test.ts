import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBotTestEnvironment, type BotTestEnvironment } from '../../kit';

describe('pizzaBot', () => {
  let kit: BotTestEnvironment;
  before(async () => {
    kit = await createBotTestEnvironment();
  });
  after(async () => {
    await kit?.teardown();
  });

  it('takes an order from first text to confirmation', async () => {
    const chat = await kit.startBot('pizzaBot');
    await chat.text('hi');
    await chat.expectReply(/small, medium or large/);
    await chat.text('a large one please');
    await chat.expectReply(/A large it is. Which toppings/);
    await chat.text('mushrooms');
    await chat.expectReply('Where should we deliver it?');
    await chat.text('12 Elm St');
    await chat.expectReply('A large pizza with mushrooms to 12 Elm St. Reply YES to confirm or NO to cancel.');
    await chat.text('yes');
    await chat.expectReply('Thanks! Your large pizza with mushrooms is on its way to 12 Elm St. ETA 30 minutes.');
    await chat.deliver();
    assert.equal((await chat.result()).ended, 'bot-finished');
    await chat.expectNoReply();
  });

  it('re-prompts until the size is one it sells', async () => {
    const chat = await kit.startBot('pizzaBot');
    await chat.text('hi');
    await chat.expectReply(/Which size/);
    await chat.text('gigantic');
    await chat.expectReply('Sorry, please reply small, medium or large.');
    await chat.text('2');
    await chat.expectReply(/A medium it is/);
  });

  it('nudges after 15 minutes of silence and drops the order after 15 more', async () => {
    const chat = await kit.startBot('pizzaBot');
    await chat.text('hi');
    await chat.expectReply(/Which size/);
    await chat.advance('14 minutes');
    await chat.expectNoReply();
    await chat.advance('2 minutes');
    await chat.expectReply(/still there/i);
    await chat.advance('16 minutes');
    await chat.expectReply('No reply, so we dropped the order. Text us any time to start again.');
    await chat.result();
  });

  it('resends a short confirmation when the first could not be delivered', async () => {
    const chat = await kit.startBot('pizzaBot');
    for (const [text, reply] of [
      ['hi', /Which size/],
      ['small', /Which toppings/],
      ['none', /Where should we deliver/],
      ['1 Main St', /A small pizza to 1 Main St/],
      ['y', /on its way/],
    ] as const) {
      await chat.text(text);
      await chat.expectReply(reply);
    }
    await chat.failDelivery(5600); // destination carrier queue full: transient
    await chat.expectReply('Order confirmed: small pizza, ETA 30 min.');
  });

  it('does not text again a customer who has opted out', async () => {
    const chat = await kit.startBot('pizzaBot');
    for (const [text, reply] of [
      ['hi', /Which size/],
      ['small', /Which toppings/],
      ['none', /Where should we deliver/],
      ['1 Main St', /Reply YES/],
      ['yes', /on its way/],
    ] as const) {
      await chat.text(text);
      await chat.expectReply(reply);
    }
    await chat.failDelivery(4775); // recipient opted out
    await chat.result();
    await chat.expectNoReply();
  });
});
