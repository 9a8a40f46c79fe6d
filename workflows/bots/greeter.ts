import { defineBot } from '../conversation';

/**
 * The smallest useful bot, and the walking skeleton's smoke test: started by anyone's first text to our number, it
 * asks their name and greets them by it, then waits for the greeting's delivery receipt. It ends after the second
 * reply, or after an hour of silence.
 */
export const greeterBot = defineBot(async (chat) => {
  const name = await chat.ask("Hi! I'm the Threadline greeter. What's your name?", { timeout: '1 hour' });
  if (name === null) return;

  const greeting = await chat.say(`Nice to meet you, ${name.text.trim()}!`);
  await greeting.delivered();
});
