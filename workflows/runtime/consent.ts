/**
 * Consent keywords in a running conversation: STOP, START and HELP (and their synonyms, consent/keywords.ts) are
 * Threadline's, not the bot's. Each is recorded in the opt-out ledger (an activity, before anything is answered) and
 * answered once, to the participant who texted it:
 * - opt-out: the bot is told (`onOptOut`: it ends, or its waits give up), then the confirmation goes out (the one
 *   message allowed after an opt-out);
 *   a second STOP from someone already opted out is recorded, not answered again;
 * - opt-in: the confirmation, and sends to them go out again;
 * - help: the help text, unless they are opted out (no reply to an opted-out contact, the peers' practice).
 */
import { patched } from '@temporalio/workflow';
import { optedOutContacts, recordConsent } from '../activity-options';
import { matchKeyword, type KeywordMatch } from '../consent/keywords';
import type { InboundMessage } from '../messages';
import type { ConversationContext } from './context';
import type { Sending } from './sending';

/** Conversations recorded before consent keywords were Threadline's replay with the bot reading them. */
export const CONSENT_KEYWORDS_PATCH = 'consent-keywords';

export interface ConsentHandling {
  /**
   * The keyword an inbound message is, for its sender's current state; null for an ordinary message. Where the
   * answer depends on an opt-out this conversation has not seen (YES, HELP), the ledger is asked.
   */
  match(message: InboundMessage): Promise<KeywordMatch | null>;
  /** Records and answers a keyword message. */
  handle(message: InboundMessage, match: KeywordMatch): Promise<void>;
}

export function createConsentHandling(
  { memory }: ConversationContext,
  { send, onOptOut }: { send: Sending['send']; onOptOut: (contact: string) => void },
): ConsentHandling {
  const { consent } = memory;

  async function isOptedOut(contact: string): Promise<boolean> {
    const optedOut = await optedOutContacts.executeWithOptions({ summary: `is ${contact} opted out?` }, [
      { scope: consent.scope, contacts: [contact] },
    ]);
    return optedOut.includes(contact);
  }

  return {
    async match(message) {
      const contact = message.from;
      const known = memory.optedOut.has(contact);
      const match = matchKeyword(message.text, consent.keywords, { optedOut: known });
      const asOptedOut = known ? match : matchKeyword(message.text, consent.keywords, { optedOut: true });
      if (match === null && asOptedOut === null) return null;
      // Histories recorded before consent keywords handed these texts to the bot: they still do.
      if (!patched(CONSENT_KEYWORDS_PATCH)) return null;
      // Only YES (an opt-in word only for the opted out) and HELP (never answered to them) depend on the ledger.
      const depends = asOptedOut?.kind !== match?.kind || match?.kind === 'help';
      if (known || !depends || !(await isOptedOut(contact))) return match;
      memory.optedOut.add(contact);
      return asOptedOut;
    },

    async handle(message, match) {
      const contact = message.from;
      const wasOptedOut = memory.optedOut.has(contact);
      if (match.kind !== 'help') {
        await recordConsent.executeWithOptions({ summary: `${match.keyword} from ${contact}` }, [
          {
            id: `keyword:${message.messageId}:${contact}`,
            scope: consent.scope,
            contact,
            action: match.kind,
            source: 'keyword',
            time: message.time,
            messageId: message.messageId,
            keyword: match.keyword,
          },
        ]);
      }
      switch (match.kind) {
        case 'opt-out':
          memory.optedOut.add(contact);
          if (wasOptedOut) return;
          onOptOut(contact); // the bot stops (or its waits give up) now; the confirmation goes out regardless
          await send({ text: consent.replies.optOut, media: [] }, { to: [contact], consentReply: 'opt-out' });
          return;
        case 'opt-in':
          memory.optedOut.delete(contact);
          await send({ text: consent.replies.optIn, media: [] }, { to: [contact], consentReply: 'opt-in' });
          return;
        case 'help':
          if (wasOptedOut) return;
          await send({ text: consent.replies.help, media: [] }, { to: [contact], consentReply: 'help' });
          return;
      }
    },
  };
}
