import { defineQuery, patched, setHandler } from '@temporalio/workflow';
import { defineBot } from '../conversation';

/** A survey's questions; passed as `params` (the defaults are for trying it out). */
export interface Survey {
  title: string;
  questions: string[];
}

/** What the survey has collected so far: kept across days and across continue-as-new. */
export interface SurveyState {
  /** Answers by question index; a survey someone stops answering keeps the answers given. */
  answers: Record<number, string>;
  /** The question being asked. */
  next: number;
}

/** The answers so far, finished or not. */
export const surveyAnswersQuery = defineQuery<SurveyState>('surveyAnswers');

const defaults: Survey = {
  title: 'our service',
  questions: ['How would you rate our service from 1 to 5?', 'What did we do well?', 'What should we do better?'],
};

/**
 * Version 2 sends the introduction and the first question as one message (one text fewer per survey). Surveys that
 * started on version 1 sent the introduction on its own and must replay that way: `patched` is true for surveys
 * that start on version 2 and false while a version-1 history replays (docs/versioning.md). Once no version-1 survey
 * is running, replace the call with `deprecatePatch(...)` and drop the old branch.
 */
export const SURVEY_INTRO_PATCH = 'survey-intro-with-first-question';

/** @internal The survey, with how it decides between version 1 and 2 (tests replay it without the patch). */
export function makeSurveyBot(introWithFirstQuestion: () => boolean) {
  return defineBot<Survey, SurveyState>(async (chat) => {
    const { title, questions } = { ...defaults, ...chat.params };
    const state: SurveyState = chat.resumed ?? { answers: {}, next: 0 };
    setHandler(surveyAnswersQuery, () => state);

    const intro = `Hi! ${questions.length} quick questions about ${title}. Reply STOP to skip.`;
    let prefix = '';
    if (!chat.resumed) {
      if (introWithFirstQuestion()) prefix = `${intro}\n`;
      else await chat.say(intro);
    }
    while (state.next < questions.length) {
      await chat.checkpoint(state);
      const question = `${prefix}${questions[state.next]!}`;
      prefix = '';
      const answer =
        (await chat.ask(question, { timeout: '2 days' })) ??
        (await chat.ask(`Just checking: ${questions[state.next]!}`, { timeout: '5 days' }));
      if (answer === null) return; // the answers so far stay in the query
      if (/^\s*stop\s*$/i.test(answer.text)) {
        await chat.say('No problem, we will not ask again.');
        return;
      }
      state.answers[state.next] = answer.text.trim();
      state.next += 1;
    }
    await chat.say(`Thank you! That's all ${questions.length} questions.`);
  });
}

/**
 * A survey, started proactively with the questions as `params`. Each question waits two days for an answer, nudges
 * once, and waits five more; a person can answer days later and the survey carries on from where it was. Partial
 * answers are kept (the `surveyAnswers` query) if they stop.
 */
export const surveyBot = makeSurveyBot(() => patched(SURVEY_INTRO_PATCH));
