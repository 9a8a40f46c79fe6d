/**
 * Consent keywords: STOP, START and HELP and their synonyms, matched before any bot sees the message.
 *
 * The matcher, in order:
 * 1. **Exact keyword.** The message, trimmed, case-folded, with punctuation stripped and spaces collapsed, equals one
 *    of the keywords (`"Stop."`, `" STOP "`, `"opt-out"` → `OPT OUT`). Opt-in words such as YES count only for a contact
 *    who is opted out, so a bot's own yes/no questions keep working.
 * 2. **Revocation phrase.** The FCC's 2025 rule lets people revoke consent "by any reasonable means" and names stop,
 *    quit, end, revoke, opt out, cancel and unsubscribe as words that always count. So in a short message (at most
 *    {@link PHRASE_MAX_WORDS} words) one of those words counts as an opt-out ("please stop", "stop texting me",
 *    "unsubscribe me"), unless a negation stands right before it ("don't stop", "never quit"). A longer message is
 *    a message, not a keyword: "don't stop the music, it's my favourite song" reaches the bot.
 *
 * Pure and deterministic: workflow code runs it.
 */

/** The keyword lists of a program: each is matched as a whole message. */
export interface KeywordSets {
  optOut: readonly string[];
  optIn: readonly string[];
  help: readonly string[];
}

/**
 * The defaults, the peers' practice: Twilio's opt-out and opt-in words, AWS's ARRET for French Canada, and HELP/INFO.
 * @example
 * const sets: KeywordSets = { ...DEFAULT_KEYWORDS, help: [...DEFAULT_KEYWORDS.help, 'AIDE'] };
 */
export const DEFAULT_KEYWORDS: KeywordSets = {
  optOut: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'OPT OUT', 'ARRET'],
  optIn: ['START', 'UNSTOP', 'YES'],
  help: ['HELP', 'INFO'],
};

/** Opt-in words that count only for a contact who is opted out. */
export const OPT_IN_ONLY_WHEN_OPTED_OUT: readonly string[] = ['YES'];

/** The words the FCC says always revoke consent, even inside a message (47 CFR 64.1200(a)(10), 2025). */
export const REVOCATION_WORDS: readonly string[] = [
  'stop',
  'quit',
  'end',
  'revoke',
  'opt out',
  'cancel',
  'unsubscribe',
];

/** A message of at most this many words is short enough for a revocation word inside it to count. */
export const PHRASE_MAX_WORDS = 5;

const NEGATIONS = new Set(['dont', 'don’t', 'do not', 'never', 'not', 'cant', 'cannot', 'wont', 'shouldnt', 'didnt']);

export type KeywordKind = 'opt-out' | 'opt-in' | 'help';

/** What the matcher found: which kind, the keyword as configured, and whether it was the whole message. */
export interface KeywordMatch {
  kind: KeywordKind;
  keyword: string;
  how: 'keyword' | 'phrase';
}

/** Trims, case-folds, strips punctuation and accents, and collapses white space: `" Stop! "` → `"stop"`. */
export function normalizeKeywordText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Each keyword list normalized once (every inbound text is matched against every list). */
const normalizedLists = new WeakMap<readonly string[], string[]>();

function normalizedList(list: readonly string[]): string[] {
  let normalized = normalizedLists.get(list);
  if (normalized === undefined) {
    normalized = list.map(normalizeKeywordText);
    normalizedLists.set(list, normalized);
  }
  return normalized;
}

/**
 * Matches `text` against the keyword sets; `null` when it is an ordinary message.
 * @param optedOut whether the sender is opted out now (opt-in-only words such as YES count only then)
 * @example
 * matchKeyword('Stop.', DEFAULT_KEYWORDS, { optedOut: false }); // { kind: 'opt-out', keyword: 'STOP', how: 'keyword' }
 * matchKeyword('yes', DEFAULT_KEYWORDS, { optedOut: false }); // null: an answer to the bot
 * matchKeyword('please stop texting me', DEFAULT_KEYWORDS, { optedOut: false }); // opt-out, by phrase
 */
export function matchKeyword(
  text: string,
  sets: KeywordSets,
  { optedOut }: { optedOut: boolean },
): KeywordMatch | null {
  const message = normalizeKeywordText(text);
  if (message === '') return null;
  const exact = (kind: KeywordKind, list: readonly string[]) => {
    const index = normalizedList(list).indexOf(message);
    return index < 0 ? null : { kind, keyword: list[index]!, how: 'keyword' as const };
  };
  const optIn = exact('opt-in', sets.optIn);
  const optInCounts = optIn !== null && (optedOut || !OPT_IN_ONLY_WHEN_OPTED_OUT.includes(optIn.keyword.toUpperCase()));
  const found = exact('opt-out', sets.optOut) ?? (optInCounts ? optIn : null) ?? exact('help', sets.help);
  if (found) return found;
  const revocation = revocationWordIn(message);
  return revocation === null ? null : { kind: 'opt-out', keyword: revocation.toUpperCase(), how: 'phrase' };
}

/** The first revocation word a short, normalized message uses without a negation right before it. */
function revocationWordIn(message: string): string | null {
  const words = message.split(' ');
  if (words.length > PHRASE_MAX_WORDS) return null;
  for (const word of REVOCATION_WORDS) {
    const parts = word.split(' ');
    for (let i = 0; i + parts.length <= words.length; i++) {
      if (parts.some((part, k) => words[i + k] !== part)) continue;
      const before = [words[i - 1], words.slice(Math.max(0, i - 2), i).join(' ')];
      if (before.some((w) => w !== undefined && NEGATIONS.has(w))) continue;
      return word;
    }
  }
  return null;
}
