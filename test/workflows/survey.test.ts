import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBotTestEnvironment, type BotTestEnvironment } from '../../kit';
import { surveyAnswersQuery } from '../../workflows';

const survey = { title: 'your visit', questions: ['Rate us 1-5?', 'Best part?', 'Worst part?'] };

describe('surveyBot', () => {
  let kit: BotTestEnvironment;
  before(async () => {
    kit = await createBotTestEnvironment();
  });
  after(async () => {
    await kit?.teardown();
  });

  it('asks every question in turn and thanks the person at the end', async () => {
    const chat = await kit.startBot('surveyBot', { params: survey });
    await chat.startProactively();
    const first = await chat.expectReply('3 quick questions about your visit');
    assert.equal(first.text, 'Hi! 3 quick questions about your visit. Reply STOP to skip.\nRate us 1-5?');
    await chat.text('5');
    await chat.expectReply('Best part?');
    await chat.text('the coffee');
    await chat.expectReply('Worst part?');
    await chat.text('parking');
    await chat.expectReply("Thank you! That's all 3 questions.");
    await chat.result();
    assert.deepEqual(await chat.query(surveyAnswersQuery), {
      answers: { 0: '5', 1: 'the coffee', 2: 'parking' },
      next: 3,
    });
  });

  it('resumes where it was when the person answers days later, after one nudge', async () => {
    const chat = await kit.startBot('surveyBot', { params: survey });
    await chat.startProactively();
    await chat.expectReply(/3 quick questions.*\nRate us 1-5\?/);
    await chat.text('4');
    await chat.expectReply('Best part?');
    await chat.advance('2 days');
    await chat.expectReply('Just checking: Best part?');
    await chat.advance('3 days');
    await chat.text('friendly staff');
    await chat.expectReply('Worst part?');
    assert.deepEqual((await chat.query(surveyAnswersQuery)).answers, { 0: '4', 1: 'friendly staff' });
  });

  it('keeps the partial answers when the person stops answering', async () => {
    const chat = await kit.startBot('surveyBot', { params: survey });
    await chat.startProactively();
    await chat.expectReply(/3 quick questions.*\nRate us 1-5\?/);
    await chat.text('3');
    await chat.expectReply('Best part?');
    await chat.advance('8 days');
    await chat.expectReply('Just checking: Best part?');
    await chat.result();
    assert.deepEqual(await chat.query(surveyAnswersQuery), { answers: { 0: '3' }, next: 1 });
  });

  it('carries the answers across continue-as-new', async () => {
    const chat = await kit.startBot('surveyBot', { params: survey, maxHistoryEvents: 10 });
    await chat.startProactively();
    await chat.expectReply(/3 quick questions.*\nRate us 1-5\?/);
    await chat.text('2');
    await chat.expectReply('Best part?');
    await chat.text('tea');
    await chat.expectReply('Worst part?');
    await chat.text('noise');
    await chat.expectReply("Thank you! That's all 3 questions.");
    const first = (await chat.workflow.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes;
    assert.ok(first?.continuedExecutionRunId, 'the survey continued as new at least once');
    assert.deepEqual((await chat.query(surveyAnswersQuery)).answers, { 0: '2', 1: 'tea', 2: 'noise' });
  });
});
