import { startConversation, type ConversationStart } from '../conversation';

/**
 * The smallest useful bot, and the walking skeleton's smoke test: started by anyone's first text to our number, it
 * asks their name, waits for the greeting's delivery receipt, then greets them by name. It ends after the second
 * reply, or after an hour of silence.
 */
export async function greeterBot(start: ConversationStart): Promise<void> {
  const chat = startConversation(start);
  await chat.waitForReply(); // the text that started the conversation

  const question = await chat.say("Hi! I'm the Threadline greeter. What's your name?");
  await question.delivered();

  const name = await chat.waitForReply({ timeout: '1 hour' });
  if (name === null) return;

  const greeting = await chat.say(`Nice to meet you, ${name.text.trim()}!`);
  await greeting.delivered();
}
