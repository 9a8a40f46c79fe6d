import { defineBot } from '../conversation';

/** What a reminder is about; passed as `params` when the conversation is started proactively. */
export interface Appointment {
  name: string;
  /** As it should read in the text, e.g. "Tue 3 Dec at 10:30". */
  when: string;
  /** Other times the person may switch to. */
  alternatives: string[];
}

/**
 * An appointment reminder, started proactively (operator API or `client.workflow.start`) with the appointment as
 * `params`. It asks the person to confirm or reschedule; if the reminder is not even delivered in 24 hours, or
 * delivered but not answered, it nudges once, then gives up 24 hours later.
 */
export const appointmentReminderBot = defineBot<Appointment>(async (chat) => {
  const appointment = chat.params;
  if (!appointment) throw new Error('appointmentReminderBot needs the appointment as params');
  const { name, when, alternatives } = appointment;

  const reminder = `Hi ${name}, this is a reminder of your appointment on ${when}. Reply C to confirm or R to reschedule.`;
  const choices = { confirm: ['c', 'yes', 'y', 'ok'], reschedule: ['r', 'change', 'move'] } as const;
  let answer = await chat.choose(choices, { prompt: reminder, timeout: '24 hours', timerStartsOn: 'delivery' });
  if (answer === null) {
    answer = await chat.choose(choices, {
      prompt: `${name}, we haven't heard back about ${when}. Reply C to confirm or R to reschedule.`,
      timeout: '24 hours',
    });
  }
  if (answer === null) return;
  if (answer === 'confirm') {
    await chat.say(`Thanks ${name}, see you on ${when}.`);
    return;
  }

  const numbered = alternatives.map((slot, i) => `${i + 1}) ${slot}`).join(', ');
  const slot = await chat.choose(alternatives, {
    prompt: `Which time suits you better? ${numbered}`,
    retryPrompt: `Please reply with a number from 1 to ${alternatives.length}.`,
    timeout: '24 hours',
  });
  if (slot === null) {
    await chat.say(`No problem, we'll keep ${when} for now. Call us to change it.`);
    return;
  }
  await chat.say(`Done: your appointment is now on ${slot}. See you then, ${name}!`);
});
