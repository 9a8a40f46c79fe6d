import assert from 'node:assert/strict';
import type { BotTestEnvironment } from '../../kit';

export async function orderReadyBotFallsBackAndTimesOut(kit: BotTestEnvironment): Promise<void> {
  const chat = await kit.startBot('orderReadyBot', {
    params: { order: 'A-17', photo: 'https://example.com/a17.jpg' },
    autoDeliver: false, // this test reports every receipt itself
  });
  await chat.startProactively();

  const mms = await chat.expectReply('Order A-17 is ready!');
  assert.deepEqual(mms.media, ['https://example.com/a17.jpg']);
  await chat.failDelivery(4700); // the handset can't take MMS...
  await chat.deliver(await chat.expectReply('https://example.com/o/A-17')); // ...so the link goes by SMS

  await chat.deliver(await chat.expectReply('today or tomorrow?'));
  await chat.advance('5 hours'); // hours pass in milliseconds on the time-skipping server
  await chat.expectReply('we will keep it for a week');
}
