/**
 * The survey's version 2 deployed WITHOUT its patch: what a bot author gets by editing a live bot in place. The replay
 * test bundles this file to show that version-1 histories then fail to replay, which is what `patched` prevents.
 */
import { makeSurveyBot } from '../../workflows/bots/survey';

export const surveyBot = makeSurveyBot(() => true);
