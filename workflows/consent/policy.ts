/**
 * A program's consent policy as a conversation applies it: where opt-outs apply, which words are keywords, and what
 * Threadline answers to each. The server resolves it per number or application from the configuration and starts each
 * conversation with it, so the workflow decides deterministically.
 */
import { DEFAULT_KEYWORDS, type KeywordSets } from './keywords';

/** The answers to the three kinds of keyword. */
export interface ConsentReplies {
  /** The one message allowed after an opt-out. */
  optOut: string;
  optIn: string;
  help: string;
}

/**
 * The consent policy of one conversation.
 * @example
 * const policy = defaultConsentPolicy('number:+19195550100', 'Acme Dental');
 * policy.replies.help; // 'Acme Dental: reply STOP to unsubscribe, START to subscribe again. Msg & data rates may apply.'
 */
export interface ConsentPolicy {
  /** The opt-out ledger's scope for this conversation (`consentScope()`). */
  scope: string;
  keywords: KeywordSets;
  replies: ConsentReplies;
}

/** The program name the default replies use when none is configured. */
export const DEFAULT_PROGRAM_NAME = 'Threadline';

/**
 * The default answers, naming the program and saying how to opt back in, as carriers and the CTIA handbook expect.
 * @example
 * defaultConsentReplies('Acme Dental').optOut;
 */
export function defaultConsentReplies(programName: string): ConsentReplies {
  return {
    optOut: `${programName}: you are unsubscribed and will get no more messages. Reply START to subscribe again.`,
    optIn: `${programName}: you are subscribed again. Reply HELP for help, STOP to unsubscribe. Msg & data rates may apply.`,
    help: `${programName}: reply STOP to unsubscribe, START to subscribe again. Msg & data rates may apply.`,
  };
}

/**
 * The policy with every default, for a scope.
 * @example
 * const policy = defaultConsentPolicy('number:+19195550100');
 */
export function defaultConsentPolicy(scope: string, programName = DEFAULT_PROGRAM_NAME): ConsentPolicy {
  return { scope, keywords: DEFAULT_KEYWORDS, replies: defaultConsentReplies(programName) };
}
