import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBotTestEnvironment, type BotTestEnvironment } from '../../kit';
import type { Appointment } from '../../workflows/bots/appointment-reminder';

const appointment: Appointment = {
  name: 'Ada',
  when: 'Tue 3 Dec at 10:30',
  alternatives: ['Wed 4 Dec at 9:00', 'Thu 5 Dec at 14:00'],
};

describe('appointmentReminderBot', () => {
  let kit: BotTestEnvironment;
  before(async () => {
    kit = await createBotTestEnvironment();
  });
  after(async () => {
    await kit?.teardown();
  });

  it('reminds proactively and takes a confirmation', async () => {
    const chat = await kit.startBot<Appointment>('appointmentReminderBot', { params: appointment });
    // No opening text from anyone: the bot starts the conversation itself.
    await chat.startProactively();
    await chat.expectReply(
      'Hi Ada, this is a reminder of your appointment on Tue 3 Dec at 10:30. Reply C to confirm or R to reschedule.',
    );
    await chat.text('C');
    await chat.expectReply('Thanks Ada, see you on Tue 3 Dec at 10:30.');
    assert.equal((await chat.result()).ended, 'bot-finished');
  });

  it('reschedules to one of the offered times', async () => {
    const chat = await kit.startBot<Appointment>('appointmentReminderBot', { params: appointment });
    await chat.startProactively();
    await chat.expectReply(/reminder/);
    await chat.text('r');
    await chat.expectReply('Which time suits you better? 1) Wed 4 Dec at 9:00, 2) Thu 5 Dec at 14:00');
    await chat.text('7');
    await chat.expectReply('Please reply with a number from 1 to 2.');
    await chat.text('2');
    await chat.expectReply('Done: your appointment is now on Thu 5 Dec at 14:00. See you then, Ada!');
  });

  it('nudges once after 24 hours unanswered, then gives up', async () => {
    const chat = await kit.startBot<Appointment>('appointmentReminderBot', { params: appointment });
    await chat.startProactively();
    await chat.expectReply(/reminder/);
    await chat.deliver();
    await chat.advance('23 hours');
    await chat.expectNoReply();
    await chat.advance('2 hours');
    await chat.expectReply(
      "Ada, we haven't heard back about Tue 3 Dec at 10:30. Reply C to confirm or R to reschedule.",
    );
    await chat.advance('25 hours');
    await chat.result();
    await chat.expectNoReply();
  });

  it('counts the 24 hours from delivery, not from sending', async () => {
    const chat = await kit.startBot<Appointment>('appointmentReminderBot', { params: appointment, autoDeliver: false });
    await chat.startProactively();
    const reminder = await chat.expectReply(/reminder/);
    await chat.advance('2 hours'); // the phone was off
    await chat.deliver(reminder);
    await chat.advance('23 hours');
    await chat.expectNoReply();
    await chat.advance('2 hours');
    await chat.expectReply(/haven't heard back/);
  });
});
