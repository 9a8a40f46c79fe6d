/**
 * Records the histories the replay tests replay: real conversations, driven with the kit on a real Temporal dev
 * server, saved with `handle.fetchHistory()` as JSON under test/fixtures/histories/. Run it again (and commit the
 * result) when a bot gains a conversation path worth protecting; never re-record to make a failing replay pass,
 * because the old histories are exactly what live conversations look like.
 *
 *   temporal server start-dev --headless --port 7233 &
 *   TEMPORAL_ADDRESS=127.0.0.1:7233 npx tsx test/replay/record.ts [name...]
 */
import fs from 'node:fs';
import path from 'node:path';
import { createBotTestEnvironment, type BotChat } from '../../kit';
import { historyToFixture } from './history-json';

const fixtures = path.resolve(__dirname, '../fixtures/histories');

type Script = (kit: Awaited<ReturnType<typeof createBotTestEnvironment>>) => Promise<BotChat>;

const group = ['+19195557001', '+19195557002', '+19195557003'];

/** The greeter's whole conversation: a name asked, given, greeted, and the greeting delivered. */
async function greeterConversation(kit: Parameters<Script>[0], participant: string): Promise<BotChat> {
  const chat = await kit.startBot('greeterBot', { participants: [participant] });
  await chat.text('hi');
  await chat.expectReply("What's your name?");
  await chat.text('Ada');
  await chat.deliver(await chat.expectReply('Nice to meet you, Ada!'));
  await chat.result();
  return chat;
}

/** Each script plays one conversation; the fixture is named after it. */
const scripts: Record<string, Script> = {
  'greeter-complete': (kit) => greeterConversation(kit, '+19195557101'),
  // Recorded once delivered receipts came only when watched (workflows/runtime/receipt-watch.ts): the patch marker and
  // the watchReceipts local activity before the greeting's receipt. greeter-complete is the history from before.
  'greeter-receipt-watched': (kit) => greeterConversation(kit, '+19195557111'),
  // survey-v1-complete and survey-v1-in-progress were recorded before the survey's intro patch (docs/versioning.md):
  // version 1 sent the introduction on its own. They are kept, not re-recorded, to prove old surveys still replay.
  'survey-v2-complete': async (kit) => {
    const chat = await kit.startBot('surveyBot', { participants: ['+19195557106'] });
    await chat.startProactively();
    await chat.expectReply(/quick questions.*\nHow would you rate/);
    await chat.text('5');
    await chat.expectReply('What did we do well?');
    await chat.text('fast');
    await chat.expectReply('What should we do better?');
    await chat.text('nothing');
    await chat.expectReply('Thank you!');
    await chat.result();
    return chat;
  },
  'group-coordinator-2-of-3': async (kit) => {
    const chat = await kit.startBot('groupCoordinatorBot', { participants: group });
    await chat.startProactively();
    await chat.deliver(await chat.expectReply("who's in?"));
    await chat.text('yes', { from: group[0] });
    await chat.text('yes', { from: group[2] });
    await chat.expectReply('are in');
    await chat.result();
    return chat;
  },
  'photo-follow-up-mms-in': async (kit) => {
    const chat = await kit.startBot('photoFollowUpBot', { participants: ['+19195557104'] });
    await chat.startProactively();
    await chat.deliver(await chat.expectReply('Before and after'));
    await chat.expectReply('Anything still not right?');
    await chat.text('this', { media: [{ filename: 'leak.jpg', contentType: 'image/jpeg', content: 'jpeg bytes' }] });
    await chat.expectReply('We saved your photo');
    await chat.result();
    return chat;
  },
  'photo-follow-up-sms-fallback': async (kit) => {
    const chat = await kit.startBot('photoFollowUpBot', { participants: ['+19195557105'], autoDeliver: false });
    await chat.startProactively();
    await chat.failDelivery(4700, await chat.expectReply('Before and after'));
    await chat.deliver(await chat.expectReply('https://example.com/r/before'));
    await chat.expectReply('Anything still not right?');
    return chat;
  },
};

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('set TEMPORAL_ADDRESS to a running Temporal dev server');
  const wanted = process.argv.slice(2);
  const kit = await createBotTestEnvironment({
    existingServer: { address },
    workflows: { workflowsPath: path.resolve(__dirname, '../../workflows/index.ts') },
  });
  try {
    for (const [name, script] of Object.entries(scripts)) {
      if (wanted.length > 0 && !wanted.includes(name)) continue;
      const chat = await script(kit);
      const history = await chat.workflow.fetchHistory();
      fs.writeFileSync(path.join(fixtures, `${name}.json`), historyToFixture(history));
      const events = history.events?.length ?? 0;
      process.stderr.write(`recorded ${name}: ${events} events\n`);
      await chat.close();
    }
  } finally {
    await kit.teardown();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
