/**
 * The kit with emulator-backed activities: the bot's sends go through the official SDK to the local Bandwidth
 * emulator, and its callbacks come back through the real webhook server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBotTestEnvironment, type BotTestEnvironment } from '../../kit';

describe('a bot tested against the Bandwidth emulator', () => {
  let kit: BotTestEnvironment;
  before(async () => {
    kit = await createBotTestEnvironment();
  });
  after(async () => {
    await kit?.teardown();
  });

  it('answers a handset through the emulator, with delivery receipts from its callbacks', async () => {
    const chat = await kit.startBot('greeterBot', { activities: 'emulator' });
    await chat.text('hi');
    await chat.expectReply("What's your name?");
    await chat.text('Ada');
    await chat.expectReply('Nice to meet you, Ada!');
    await chat.result();
    const transcript = await chat.transcript();
    assert.deepEqual(
      transcript.map((m) => [m.direction, m.text]),
      [
        ['in', 'hi'],
        ['out', "Hi! I'm the Threadline greeter. What's your name?"],
        ['in', 'Ada'],
        ['out', 'Nice to meet you, Ada!'],
      ],
    );
    assert.equal(transcript[3]?.status, 'delivered', "the emulator's delivered callback reached the workflow");
  });
});
