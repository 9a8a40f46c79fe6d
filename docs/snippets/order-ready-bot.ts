import { defineBot } from '../../workflows/conversation';

/** Tells a customer their order is ready, with a photo, and asks when they will pick it up. */
export const orderReadyBot = defineBot<{ order: string; photo: string }>(async (chat) => {
  const { order, photo } = chat.params!;
  // An MMS with the photo; an SMS with a link instead if their phone can't take MMS.
  await chat.sendMedia({
    text: `Order ${order} is ready!`,
    media: [{ url: photo, link: `https://example.com/o/${order}` }],
  });

  const when = await chat.choose(['today', 'tomorrow'], {
    prompt: 'Will you pick it up today or tomorrow?',
    timeout: '4 hours',
    timerStartsOn: 'delivery', // a slow carrier does not eat into their 4 hours
  });
  if (when === null) {
    await chat.say('No rush: we will keep it for a week.');
    return;
  }
  await chat.say(when === 'today' ? 'See you later today!' : 'See you tomorrow!');
});
