/**
 * What the Temporal Web UI shows of a conversation from its start, and never changes: its summary (who, which bot) and
 * its static details (who, which bot, our number and application, how it started). The workflow's current details say
 * the rest as it goes (workflows/runtime/current-details.ts).
 */
import type { ConversationStart } from '../workflows/conversation';

/** The start's `staticSummary` and `staticDetails`: by a participant's first text, or an operator's proactive start. */
export function startMetadata(
  start: Pick<ConversationStart, 'ourNumber' | 'participants' | 'applicationId' | 'opening'>,
  bot: string,
  startedBy: { text: string } | 'operator',
): { staticSummary: string; staticDetails: string } {
  const who = start.participants.join(', ');
  const how =
    startedBy === 'operator'
      ? `an operator (proactive${start.opening ? `, opening with “${start.opening.text.slice(0, 80)}”` : ''})`
      : `a text from ${startedBy.text}`;
  return {
    staticSummary: `SMS ${who} ↔ ${start.ourNumber} (${bot}${startedBy === 'operator' ? ', proactive' : ''})`,
    staticDetails: [
      `**Participants:** ${who}`,
      '',
      `**Our number:** ${start.ourNumber}${start.applicationId ? ` (application ${start.applicationId})` : ''}`,
      '',
      `**Bot:** ${bot}`,
      '',
      `**Started by:** ${how}`,
    ].join('\n'),
  };
}
