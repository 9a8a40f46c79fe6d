/**
 * MMS follow-ups: several media items out, the SMS fallback, inbound media copied into the media store before
 * Bandwidth deletes it, retried, and reported to the bot when it finally fails.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBotTestEnvironment, type BotTestEnvironment } from '../../kit';
import { testBots } from '../helpers/test-bots';

const photo = (name: string, size: number) => ({
  filename: name,
  contentType: 'image/jpeg',
  content: Buffer.alloc(size, name.length),
});

describe('MMS follow-ups', () => {
  let kit: BotTestEnvironment;
  before(async () => {
    kit = await createBotTestEnvironment({ workflows: await testBots() });
  });
  after(async () => {
    await kit?.teardown();
  });

  describe('sending media (photoFollowUpBot)', () => {
    it('sends several media items in one MMS and moves on when it is delivered', async () => {
      const chat = await kit.startBot('photoFollowUpBot');
      await chat.startProactively();
      const mms = await chat.expectReply('Before and after');
      assert.deepEqual(mms.media, [
        'https://example.com/threadline/before.jpg',
        'https://example.com/threadline/after.jpg',
      ]);
      await chat.deliver(mms);
      await chat.expectReply('Anything still not right?');
    });

    for (const code of [4700, 4409]) {
      it(`falls back to an SMS with a link per item when the handset can't take MMS (${code})`, async () => {
        const chat = await kit.startBot('photoFollowUpBot', { autoDeliver: false });
        await chat.startProactively();
        const mms = await chat.expectReply('Before and after');
        await chat.failDelivery(code, mms);
        const sms = await chat.expectReply('Before and after');
        assert.deepEqual(sms.media, []);
        assert.equal(
          sms.text,
          'Your repair is done. Before and after:\nhttps://example.com/r/before\nhttps://example.com/r/after',
        );
        await chat.deliver(sms);
        await chat.expectReply('Anything still not right?');
      });
    }

    it('falls back to SMS when no MMS receipt comes in 30 minutes (MMS receipts off)', async () => {
      const chat = await kit.startBot('photoFollowUpBot', { autoDeliver: false });
      await chat.startProactively();
      await chat.expectReply('Before and after');
      await chat.advance('29 minutes');
      await chat.expectNoReply();
      await chat.advance('2 minutes');
      const sms = await chat.expectReply('https://example.com/r/before');
      assert.deepEqual(sms.media, []);
    });

    it('does not fall back when the person opted out', async () => {
      const chat = await kit.startBot('photoFollowUpBot', { autoDeliver: false });
      await chat.startProactively();
      await chat.failDelivery(4775, await chat.expectReply('Before and after'));
      assert.equal((await chat.result()).ended, 'bot-finished');
      await chat.expectNoReply();
    });

    it('refuses more than 10 attachments with a clear error', async () => {
      const chat = await kit.startBot('photoFollowUpBot', {
        params: { caption: 'Too many', photos: Array.from({ length: 11 }, (_, i) => `https://example.com/${i}.jpg`) },
      });
      await chat.startProactively();
      await assert.rejects(chat.result(), (err: { cause?: { message?: string } }) =>
        /at most 10 media items/.test(String(err.cause?.message)),
      );
    });
  });

  describe('receiving media', () => {
    it('copies a photo sent back into the media store and tells the bot what it stored', async () => {
      const chat = await kit.startBot('photoFollowUpBot');
      await chat.startProactively();
      await chat.deliver(await chat.expectReply('Before and after'));
      await chat.expectReply('Anything still not right?');
      await chat.text('the tap still drips', { media: [photo('tap.jpg', 3000)] });
      await chat.expectReply('We saved your photo (3 KB) for the technician.');
      const stored = await chat.storedMedia('kit-in-1/0/tap.jpg');
      assert.equal(stored?.contentType, 'image/jpeg');
      assert.deepEqual(stored?.bytes, photo('tap.jpg', 3000).content);
      const inbound = (await chat.transcript()).find((m) => m.direction === 'in');
      assert.deepEqual(inbound?.storedMedia, ['memory:///kit-in-1/0/tap.jpg']);
    });

    it('copies media when it arrives, so a bot that reads it days later still has it (Bandwidth keeps 48 hours)', async () => {
      const chat = await kit.startBot('mediaReportBot', { params: { days: 3 } });
      await chat.text('two photos', {
        media: [photo('a.png', 10), { ...photo('b.gif', 20), contentType: 'image/gif' }],
      });
      await chat.advance('3 days');
      await chat.expectReply('media stored: kit-in-1/0/a.png image/jpeg 10, kit-in-1/1/b.gif image/gif 20', {
        waitMs: 20_000,
      });
      assert.equal(chat.mediaDownloadAttempts, 2);
    });

    it('retries a download that fails, then stores the media', async () => {
      const chat = await kit.startBot('mediaReportBot', { failMediaDownloads: 3 });
      await chat.text('photo', { media: [photo('c.jpg', 5)] });
      await chat.advance('1 hour'); // the retries' back-off: 10 s, 20 s, 40 s
      await chat.expectReply('media stored: kit-in-1/0/c.jpg image/jpeg 5', { waitMs: 30_000 });
      assert.equal(chat.mediaDownloadAttempts, 4);
    });

    it('tells the bot, with a typed result, when the copy finally fails', async () => {
      const chat = await kit.startBot('mediaReportBot', { failMediaDownloads: 'always' });
      await chat.text('photo', { media: [photo('d.jpg', 5)] });
      await chat.advance('6 hours'); // 12 attempts, backing off from 10 s to an hour
      await chat.expectReply(/^media failed: .*503/, { waitMs: 30_000 });
      assert.equal(chat.mediaDownloadAttempts, 12);
    });
  });
});
