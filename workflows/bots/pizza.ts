import { defineBot } from '../conversation';

/**
 * Takes a pizza order by SMS. Started by a customer's first text to the shop's number; asks for a size (re-prompting
 * until the answer is one), toppings and an address, confirms, and sends the order confirmation. Silence gets one
 * nudge after 15 minutes and drops the order after 15 more. If the confirmation can't be delivered, it tries once
 * more with a shorter text, unless the customer has opted out.
 */
export const pizzaBot = defineBot(async (chat) => {
  const sizes = ['small', 'medium', 'large'] as const;
  let size = await chat.choose(sizes, {
    prompt: 'Hi! Which size pizza would you like: small, medium or large?',
    retryPrompt: 'Sorry, please reply small, medium or large.',
    timeout: '15 minutes',
  });
  if (size === null) {
    size = await chat.choose(sizes, { prompt: 'Still there? Reply small, medium or large.', timeout: '15 minutes' });
  }
  if (size === null) {
    await chat.say('No reply, so we dropped the order. Text us any time to start again.');
    return;
  }

  const toppings = await chat.ask(`A ${size} it is. Which toppings? (or "none")`, { timeout: '15 minutes' });
  if (toppings === null) return;
  const address = await chat.ask('Where should we deliver it?', { timeout: '15 minutes' });
  if (address === null) return;

  const what = `${size} pizza${/^none$/i.test(toppings.text.trim()) ? '' : ` with ${toppings.text.trim()}`}`;
  const confirmed = await chat.choose(
    { yes: ['y', 'yep', 'ok', 'confirm', 'sure'], no: ['n', 'nope'] },
    { prompt: `A ${what} to ${address.text.trim()}. Reply YES to confirm or NO to cancel.`, timeout: '15 minutes' },
  );
  if (confirmed !== 'yes') {
    await chat.say('Order cancelled. Text us any time to start again.');
    return;
  }

  const confirmation = await chat.say(`Thanks! Your ${what} is on its way to ${address.text.trim()}. ETA 30 minutes.`);
  const receipt = await confirmation.delivered({ timeout: '10 minutes' });
  if (receipt.status === 'failed' && receipt.category !== 'opted-out' && receipt.category !== 'permanent') {
    await chat.say(`Order confirmed: ${what}, ETA 30 min.`);
  }
});
