/**
 * Segments and cost in a conversation, on the time-skipping test server: every transcript entry carries its price
 * (a text received, a reply per segment, a carrier's surcharge when its receipt names the carrier), the totals
 * survive continue-as-new, a bot's segment budget warns or refuses, and the kit holds a test to a budget. The
 * Web UI's current details say who, which bot, what the conversation waits for and what it has cost.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createBotTestEnvironment, UsageBudgetError, type BotTestEnvironment } from '../../kit';
import { PriceTableSchema } from '../../billing/price-table';
import { WORDY_TEXT } from '../bots';
import { eventually } from '../helpers/eventually';

describe('segments and cost in a conversation', () => {
  let kit: BotTestEnvironment;
  before(async () => {
    kit = await createBotTestEnvironment({ workflows: { workflowsPath: path.resolve(__dirname, '../bots/index.ts') } });
  });
  after(async () => {
    await kit?.teardown();
  });

  it('prices every message: a text received, a reply per segment, and a carrier surcharge its receipt names', async () => {
    const chat = await kit.startBot('wordyBot');
    await chat.text('hi');
    await chat.expectReply(WORDY_TEXT);
    await chat.deliver(undefined, undefined, { carrierName: 'T-Mobile' });
    await chat.text('ok');
    await chat.expectReply('Bye!');
    await chat.result();
    assert.deepEqual(
      (await chat.transcript()).map((m) => [m.direction, m.segmentCount, m.cost, m.currency]),
      [
        ['in', 1, 0.004, 'USD'],
        ['out', 2, 0.014, 'USD'], // 2 segments at 0.004, plus T-Mobile's 0.003 a segment
        ['in', 1, 0.004, 'USD'],
        ['out', 1, 0.004, 'USD'],
      ],
    );
    assert.deepEqual(await chat.usage(), {
      messages: { in: 2, out: 2 },
      segments: { in: 2, out: 3 },
      cost: { USD: 0.026 },
    });
  });

  it('marks a text over a warning budget and still sends it', async () => {
    const chat = await kit.startBot('wordyBot');
    await chat.text('hi');
    await chat.expectReply(WORDY_TEXT);
    await chat.text('ok');
    await chat.expectReply('Bye!');
    const [, wordy, , bye] = await chat.transcript();
    assert.match(wordy?.segmentWarning ?? '', /needs UCS-2 because of "’", and it takes 2 segments \(UCS-2\)/);
    assert.equal(bye?.segmentWarning, undefined);
  });

  it('keeps the totals across continue-as-new', async () => {
    const chat = await kit.startBot('wordyBot', { params: { checkpoint: true }, maxHistoryEvents: 1 });
    await chat.text('hi');
    await chat.expectReply(WORDY_TEXT);
    // The run has continued as new before the next text (what is counted here is the carried totals; a text that
    // arrives while the run continues as new is another test's business: test/runtime/long-conversation.test.ts).
    await chat.expectNoReply();
    await chat.text('ok');
    await chat.expectReply('Bye!');
    await chat.result();
    assert.deepEqual((await chat.usage()).segments, { in: 2, out: 3 });
    const metadata = await chat.query<{ currentDetails: string }>('__temporal_workflow_metadata');
    assert.match(metadata.currentDetails, /\*\*Usage:\*\* 2 in, 2 out · 5 segments \(2 in, 3 out\) · cost 0\.02 USD/);
  });

  it('refuses a text over a refusing budget: nothing is sent, and the bot can send a shorter one', async () => {
    const chat = await kit.startBot('terseBot');
    await chat.text('hi');
    await chat.expectReply('Done.');
    await chat.result();
    await chat.expectNoReply();
    assert.deepEqual(
      (await chat.transcript()).map((m) => [m.direction, m.text]),
      [
        ['in', 'hi'],
        ['out', 'Done.'],
      ],
    );
  });

  it('fails the conversation with SegmentBudgetExceeded when the bot does not catch the refusal', async () => {
    const chat = await kit.startBot('terseBot', { params: { letItFail: true } });
    await chat.text('hi');
    await assert.rejects(chat.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'SegmentBudgetExceeded');
      assert.match(err.cause.message, /Over the segment budget: it needs UCS-2 .* Nothing was sent/);
      return true;
    });
    await chat.expectNoReply();
  });

  it('fails a test whose bot goes over the budget it was given, naming what the bot sent', async () => {
    const chat = await kit.startBot('wordyBot', { budget: { segments: 2 } });
    await chat.text('hi');
    await chat.expectReply(WORDY_TEXT);
    await chat.expectSegmentsAtMost(2);
    await chat.text('ok');
    await assert.rejects(chat.expectReply('Bye!'), (err: unknown) => {
      assert.ok(err instanceof UsageBudgetError);
      assert.match(err.message, /the bot sent 3 SMS segments, more than the 2 budgeted/);
      assert.match(err.message, /2 segment\(s\): "It’s It’s/);
      assert.equal(err.usage.segments.out, 3);
      return true;
    });
    await assert.rejects(chat.expectSegmentsAtMost(2), UsageBudgetError);
    await assert.rejects(chat.expectCostAtMost(0.01), /it cost 0\.02 USD, more than the 0\.01 budgeted/);
  });

  it('prices with the price table the test gives', async () => {
    const prices = PriceTableSchema.parse({ currency: 'EUR', outbound: { smsSegment: 0.01, mms: 0.05 } });
    const chat = await kit.startBot('wordyBot', { prices });
    await chat.text('hi');
    await chat.expectReply(WORDY_TEXT);
    await chat.text('ok');
    await chat.expectReply('Bye!');
    await chat.result();
    assert.deepEqual((await chat.expectCostAtMost(0.03)).cost, { EUR: 0.03 });
  });

  it('tells an operator who, which bot, what it waits for and what it has cost, in the current details', async () => {
    const chat = await kit.startBot('greeterBot');
    await chat.text('hi');
    await chat.expectReply("What's your name?");
    const currentDetails = await eventually(async () => {
      const { currentDetails: details } = await chat.query<{ currentDetails: string }>('__temporal_workflow_metadata');
      assert.match(details, /Now:\*\* waiting for a reply/);
      return details;
    });
    const lines = currentDetails.split('\n');
    assert.ok(lines.includes(`**Who:** ${chat.participant} ↔ +19195550100 (our number) · **Bot:** greeterBot`));
    assert.ok(lines.includes('**Now:** waiting for a reply (a reply; reply timeout)'), currentDetails);
    assert.match(
      currentDetails,
      /\*\*Waiting for the answer to:\*\* “Hi! I'm the Threadline greeter\. What's your name\?” \(sent \S+, `accepted`\)/,
    );
    assert.match(currentDetails, /- reply timeout until \S+Z/);
    assert.match(currentDetails, /\*\*Usage:\*\* 1 in, 1 out · 2 segments \(1 in, 1 out\) · cost 0\.008 USD/);
    assert.match(currentDetails, /- ⬅ \S+ `received` hi from \+1919555\d+ · 1 seg · 0\.004 USD/);
    assert.match(
      currentDetails,
      /- ➡ \S+ `accepted` Hi! I'm the Threadline greeter\. What's your name\? · 1 seg · 0\.004 USD/,
    );
  });
});
