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

/**
 * What a number or application may change of the defaults (`THREADLINE_CONSENT`): its program name, keyword lists
 * (each replaces the default list) and answers.
 * @example
 * const override: ConsentOverride = { programName: 'Acme Dental', help: ['HELP', 'AIDE'], helpReply: 'Acme Dental: call 919-555-0100.' };
 */
export interface ConsentOverride {
  programName?: string;
  optOut?: string[];
  optIn?: string[];
  help?: string[];
  optOutReply?: string;
  optInReply?: string;
  helpReply?: string;
}

/**
 * The policy for a scope: the defaults (naming `programName`), with `override` applied.
 * @example
 * const policy = resolveConsentPolicy('number:+19195550100', 'Acme', { helpReply: 'Acme: call 919-555-0100.' });
 */
export function resolveConsentPolicy(
  scope: string,
  programName: string,
  override: ConsentOverride = {},
): ConsentPolicy {
  const replies = defaultConsentReplies(override.programName ?? programName);
  return {
    scope,
    keywords: {
      optOut: override.optOut ?? DEFAULT_KEYWORDS.optOut,
      optIn: override.optIn ?? DEFAULT_KEYWORDS.optIn,
      help: override.help ?? DEFAULT_KEYWORDS.help,
    },
    replies: {
      optOut: override.optOutReply ?? replies.optOut,
      optIn: override.optInReply ?? replies.optIn,
      help: override.helpReply ?? replies.help,
    },
  };
}
