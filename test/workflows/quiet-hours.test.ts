/**
 * Quiet hours on the time-skipping test server: proactive messages wait for the send window in each recipient's
 * local time, replies never do. The kit's clock starts at noon in New York and moves by `kit.advanceTo`, so every
 * test knows the local time of day whenever it runs. The bots are in test/bots/index.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatLocal, wallClock } from '../../activities/local-time';
import { createBotTestEnvironment, type BotChat, type BotTestEnvironment } from '../../kit';
import { testBots } from '../helpers/test-bots';

const NEW_YORK = 'America/New_York';
const HONOLULU = 'Pacific/Honolulu';

let numberSeq = 0;
/** A fresh number in `areaCode` (212: New York, 808: Hawaii), so no two conversations share a workflow id. */
function number(areaCode: string): string {
  return `+1${areaCode}555${String(1000 + (++numberSeq % 9000))}`;
}

/** What the Web UI shows for the conversation now (its current details). */
async function currentDetails(chat: BotChat): Promise<string> {
  const metadata = await chat.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return metadata.currentDetails ?? '';
}

/** When the bot's message `text` went out, as `YYYY-MM-DD HH:MM` on a clock in `zone`. */
async function sentAt(chat: BotChat, text: string, zone: string): Promise<string> {
  const entry = (await chat.transcript()).find((m) => m.direction === 'out' && m.text === text);
  assert.ok(entry, `the bot sent no ${JSON.stringify(text)}`);
  return formatLocal(Date.parse(entry.time), zone);
}

/** The local date `days` after the test server's current local date in `zone`, as `YYYY-MM-DD`. */
async function localDay(kit: BotTestEnvironment, zone: string, days = 0): Promise<string> {
  const now = await kit.env.currentTimeMs();
  return formatLocal(now + days * 24 * 3600_000, zone).slice(0, 10);
}

describe('quiet hours', () => {
  let kit: BotTestEnvironment;
  before(async () => {
    kit = await createBotTestEnvironment({ workflows: await testBots() });
  });
  after(async () => {
    await kit?.teardown();
  });

  it('holds a proactive start at 22:00 in the recipient’s zone until 08:00 the next morning, then sends it', async () => {
    await kit.advanceTo('22:00', NEW_YORK);
    const tomorrow = await localDay(kit, NEW_YORK, 1);
    const chat = await kit.startBot('echoBot', {
      participants: [number('212')],
      opening: 'Reminder: your table is booked for tomorrow at 19:00.',
    });
    await chat.expectNoReply();
    const details = await currentDetails(chat);
    assert.match(details, /\*\*Now:\*\* waiting for the send window \(quiet hours\)/);
    assert.ok(details.includes(`quiet hours until ${tomorrow} 08:00 ${NEW_YORK}`), details);

    await chat.advance('599 minutes'); // 07:59
    await chat.expectNoReply();
    await chat.advance('1 minute');
    await chat.expectReply('Reminder: your table is booked');
    assert.equal(
      await sentAt(chat, 'Reminder: your table is booked for tomorrow at 19:00.', NEW_YORK),
      `${tomorrow} 08:00`,
    );
    assert.doesNotMatch(await currentDetails(chat), /quiet hours until/);
  });

  it('answers a text at 23:00 at once, but holds the nudge after 30 minutes of silence until 08:00', async () => {
    await kit.advanceTo('23:00', NEW_YORK);
    const chat = await kit.startBot('nudgeBot', { participants: [number('212')] });
    await chat.text('are you open tomorrow?');
    await chat.expectReply('Got it: are you open tomorrow?');

    await chat.advance('31 minutes');
    await chat.expectNoReply();
    assert.match(await currentDetails(chat), /quiet hours until \d{4}-\d\d-\d\d 08:00 America\/New_York/);
    await kit.advanceTo('08:00', NEW_YORK);
    await chat.expectReply('Still there?');
    assert.match(await sentAt(chat, 'Still there?', NEW_YORK), / 08:00$/);
  });

  it('counts a text that came in while the message waited: the message goes out at once, as a reply', async () => {
    await kit.advanceTo('23:00', NEW_YORK);
    const chat = await kit.startBot('noticeBot', { participants: [number('212')] });
    await chat.startProactively();
    await chat.expectNoReply();
    await chat.advance('2 hours');
    await chat.text('hello?'); // 01:00: the contact is awake and texting
    await chat.expectReply('Notice');
    assert.match(await sentAt(chat, 'Notice', NEW_YORK), / 01:00$/);
  });

  it('decides by each recipient’s own zone: at 22:00 in New York, Honolulu (16:00 or 17:00) gets its text at once', async () => {
    await kit.advanceTo('22:00', NEW_YORK);
    const newYork = await kit.startBot('echoBot', { participants: [number('212')], opening: 'Hello from the shop' });
    const honolulu = await kit.startBot('echoBot', { participants: [number('808')], opening: 'Hello from the shop' });
    await honolulu.expectReply('Hello from the shop');
    await newYork.expectNoReply();
    assert.match(await currentDetails(newYork), /quiet hours until .* 08:00 America\/New_York/);
    await kit.advanceTo('08:00', NEW_YORK);
    await newYork.expectReply('Hello from the shop');
  });

  it('holds a group message until the window is open for every member: 08:00 in Honolulu for New York and Hawaii', async () => {
    await kit.advanceTo('22:00', NEW_YORK);
    const chat = await kit.startBot('echoBot', {
      participants: [number('212'), number('808')],
      opening: 'Team dinner on Friday?',
    });
    await chat.expectNoReply();
    await kit.advanceTo('08:00', NEW_YORK);
    await chat.expectNoReply(); // 03:00 in Honolulu
    assert.match(await currentDetails(chat), /quiet hours until .* 08:00 Pacific\/Honolulu/);
    await kit.advanceTo('08:00', HONOLULU);
    await chat.expectReply('Team dinner on Friday?');
    assert.match(await sentAt(chat, 'Team dinner on Friday?', HONOLULU), / 08:00$/);
    assert.match(await sentAt(chat, 'Team dinner on Friday?', NEW_YORK), / 1[34]:00$/);
  });

  describe('set per bot and per send', () => {
    it('lets a bot’s own window replace the default: 21:30 is inside 18:00 to 22:00', async () => {
      await kit.advanceTo('21:30', NEW_YORK);
      const chat = await kit.startBot('eveningBot', { participants: [number('212')] });
      await chat.startProactively();
      await chat.expectReply('Good evening');
    });

    it('holds a bot’s message for its own window: at 12:00 it waits until 18:00', async () => {
      await kit.advanceTo('12:00', NEW_YORK);
      const chat = await kit.startBot('eveningBot', { participants: [number('212')] });
      await chat.startProactively();
      await chat.expectNoReply();
      await kit.advanceTo('18:00', NEW_YORK);
      await chat.expectReply('Good evening');
      assert.match(await sentAt(chat, 'Good evening', NEW_YORK), / 18:00$/);
    });

    it('sends a message marked any-time at 22:00 at once', async () => {
      await kit.advanceTo('22:00', NEW_YORK);
      const chat = await kit.startBot('noticeBot', {
        participants: [number('212')],
        params: { sendWindow: 'any-time' },
      });
      await chat.startProactively();
      await chat.expectReply('Notice');
    });

    it('uses a window given with the send instead of the bot’s: 06:00 to 23:00 is open at 22:00, 09:00 to 10:00 is not', async () => {
      await kit.advanceTo('22:00', NEW_YORK);
      const late = await kit.startBot('noticeBot', {
        participants: [number('212')],
        params: { sendWindow: { from: '06:00', to: '23:00' } },
      });
      await late.startProactively();
      await late.expectReply('Notice');

      const narrow = await kit.startBot('noticeBot', {
        participants: [number('212')],
        params: { sendWindow: { from: '09:00', to: '10:00' } },
      });
      await narrow.startProactively();
      await kit.advanceTo('08:00', NEW_YORK);
      await narrow.expectNoReply();
      await kit.advanceTo('09:00', NEW_YORK);
      await narrow.expectReply('Notice');
    });

    it('fails the conversation on a window that closes before it opens, naming the window', async () => {
      const chat = await kit.startBot('noticeBot', {
        participants: [number('212')],
        params: { sendWindow: { from: '21:00', to: '08:00' } },
      });
      await chat.startProactively();
      await assert.rejects(
        chat.result(),
        (err: Error) => err.cause instanceof Error && /send window/.test(err.cause.message),
      );
      await chat.expectNoReply();
    });
  });

  describe('a contact’s own time zone', () => {
    it('replaces the number’s: a New York number set to Los Angeles gets its text at 22:00 New York time', async () => {
      await kit.advanceTo('22:00', NEW_YORK);
      const chat = await kit.startBot('noticeBot', {
        participants: [number('212')],
        params: { zone: 'America/Los_Angeles' },
      });
      await chat.startProactively();
      await chat.expectReply('Notice');
    });

    it('comes with the start too: a Hawaii number said to be in New York waits at 22:00 New York time', async () => {
      await kit.advanceTo('22:00', NEW_YORK);
      const hawaii = number('808');
      const chat = await kit.startBot('echoBot', {
        participants: [hawaii],
        timeZones: { [hawaii]: NEW_YORK },
        opening: 'Aloha',
      });
      await chat.expectNoReply();
      await kit.advanceTo('08:00', NEW_YORK);
      await chat.expectReply('Aloha');
    });

    it('survives continue-as-new: a reminder two hours into the next run waits by the zone set in the first', async () => {
      await kit.advanceTo('20:00', NEW_YORK); // 15:00 or 14:00 in Honolulu
      const chat = await kit.startBot('movedZoneBot', {
        participants: [number('808')],
        params: { zone: NEW_YORK, wait: '2 hours' },
        maxHistoryEvents: 1,
      });
      await chat.startProactively();
      await chat.advance('121 minutes'); // 22:01 in New York, the afternoon in Honolulu
      await chat.expectNoReply();
      assert.match(await currentDetails(chat), /quiet hours until .* 08:00 America\/New_York/);
      await kit.advanceTo('08:00', NEW_YORK);
      await chat.expectReply('Reminder');
    });
  });

  it('treats a weekend like any day: a Saturday 22:00 start goes out at 08:00 on Sunday', async () => {
    do await kit.advanceTo('22:00', NEW_YORK);
    while (wallClock(await kit.env.currentTimeMs(), NEW_YORK).weekday !== 'Saturday');
    const chat = await kit.startBot('echoBot', { participants: [number('212')], opening: 'Weekend sale!' });
    await chat.expectNoReply();
    await kit.advanceTo('08:00', NEW_YORK);
    await chat.expectReply('Weekend sale!');
    const entry = (await chat.transcript()).find((m) => m.text === 'Weekend sale!')!;
    const sent = wallClock(Date.parse(entry.time), NEW_YORK);
    assert.deepEqual([sent.weekday, sent.hour, sent.minute], ['Sunday', 8, 0]);
  });
});
