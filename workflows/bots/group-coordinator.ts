import { defineBot } from '../conversation';

/** What the group decides on; passed as `params` (the defaults are for trying it out). */
export interface GroupPlan {
  /** e.g. "Dinner Friday at 7". */
  plan: string;
  /** How many yes answers make it happen (default 2). */
  quorum?: number;
}

/**
 * Coordinates a group thread (one conversation for our number and everyone in the group): asks the whole group
 * whether they are in, tells the group about numbers it could not reach, and waits until two of the participants
 * (the quorum) have answered, for up to a day. Enough yeses and it's on; otherwise it's off.
 */
export const groupCoordinatorBot = defineBot<GroupPlan>(async (chat) => {
  const plan = chat.params?.plan ?? 'Dinner Friday at 7';
  const question = await chat.say(`${plan}: who's in? Reply YES or NO.`);
  const report = await question.deliveredToAll({ timeout: '30 minutes' });
  if (report.invalid.length > 0) {
    await chat.say(`I couldn't reach ${report.invalid.join(', ')} (not a valid number).`);
  }
  const reachable = chat.participants.filter((p) => !report.failed.some((f) => f.recipient === p));
  const quorum = Math.min(chat.params?.quorum ?? 2, reachable.length);
  if (quorum === 0) return;

  const answers = await chat.collectReplies({ count: quorum, from: reachable, timeout: '1 day' });
  const yes = answers.replies.filter((r) => /^\s*(y|yes|in|sure)\b/i.test(r.text));
  if (!answers.complete) {
    await chat.say(`Only ${answers.replies.length} of ${reachable.length} answered in a day, so ${plan} is off.`);
  } else if (yes.length >= quorum) {
    await chat.say(`${yes.length} of ${reachable.length} are in: ${plan} is on!`);
  } else {
    await chat.say(`Not enough yeses (${yes.length} of ${quorum} needed): ${plan} is off.`);
  }
});
