import { defineBot, type OutboundMedia } from '../conversation';

/** What a photo follow-up sends; passed as `params` (the defaults are for trying it out). */
export interface PhotoFollowUpParams {
  /** The caption of the MMS, and the first line of the SMS fallback. */
  caption: string;
  /** The photos, each with the link the SMS fallback sends instead. */
  photos: OutboundMedia[];
}

const defaults: PhotoFollowUpParams = {
  caption: 'Your repair is done. Before and after:',
  photos: [
    { url: 'https://example.com/threadline/before.jpg', link: 'https://example.com/r/before' },
    { url: 'https://example.com/threadline/after.jpg', link: 'https://example.com/r/after' },
  ],
};

/**
 * An MMS follow-up after a repair: sends the before/after photos (falling back to an SMS with links when the phone
 * can't take MMS or no receipt comes within 30 minutes), then asks for a photo of anything still wrong. Photos sent
 * back are copied into Threadline's media store when they arrive, and the bot confirms what it stored.
 */
export const photoFollowUpBot = defineBot<PhotoFollowUpParams>(async (chat) => {
  const { caption, photos } = { ...defaults, ...chat.params };
  const sent = await chat.sendMedia({ text: caption, media: photos }, { receiptTimeout: '30 minutes' });
  if (sent.via === 'mms' && sent.receipt.status === 'failed') return; // opted out, invalid number: nothing more to say

  const answer = await chat.ask('Anything still not right? Reply with a photo and we will take a look.', {
    timeout: '2 days',
  });
  if (answer === null) return;
  if (answer.media.length === 0) {
    await chat.say('Thanks for letting us know!');
    return;
  }
  const copy = await chat.media(answer);
  if (copy.status !== 'stored') {
    await chat.say("Sorry, we couldn't save your photo. Could you send it again?");
    return;
  }
  const kb = Math.ceil(copy.items.reduce((total, item) => total + item.size, 0) / 1024);
  const what = copy.items.length === 1 ? 'photo' : `${copy.items.length} photos`;
  await chat.say(`Thanks! We saved your ${what} (${kb} KB) for the technician.`);
});
