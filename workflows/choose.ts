/**
 * How `chat.choose` reads a reply as one of its options. People answer "Large", "2", "a large one please" or "med";
 * all of those should count, and anything ambiguous should not.
 */

/**
 * The options of a choice: a list of values, or values each with extra words that mean it.
 * @example
 * const options: ChoiceOptions<'yes' | 'no'> = { yes: ['y', 'sure'], no: ['n', 'nope'] };
 * const answer = await chat.choose(options, { prompt: 'Shall we book it? (yes/no)' });
 */
export type ChoiceOptions<T extends string> = readonly T[] | { readonly [K in T]: readonly string[] };

function normalise(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function entries<T extends string>(options: ChoiceOptions<T>): [T, string[]][] {
  if (Array.isArray(options)) return (options as readonly T[]).map((value) => [value, [value]]);
  return Object.entries(options as Record<T, readonly string[]>).map(([value, aliases]) => [
    value as T,
    [value, ...(aliases as readonly string[])],
  ]);
}

/**
 * The option `text` picks, or `null` when it picks none or more than one. In order: the whole reply is an option
 * or alias; it is the option's number (1-based, as listed); exactly one option's words appear in it; it is the
 * start of exactly one option (at least two letters).
 *
 * @example matchChoice(['small', 'medium', 'large'], 'A LARGE one please') // 'large'
 */
export function matchChoice<T extends string>(options: ChoiceOptions<T>, text: string): T | null {
  const list = entries(options).map(([value, words]) => [value, words.map(normalise)] as const);
  const reply = normalise(text);
  if (!reply) return null;

  const exact = list.filter(([, words]) => words.includes(reply));
  if (exact.length === 1) return exact[0]![0];

  if (/^\d+$/.test(reply)) {
    const index = Number(reply) - 1;
    return list[index]?.[0] ?? null;
  }

  const tokens = ` ${reply} `;
  const mentioned = list.filter(([, words]) => words.some((w) => tokens.includes(` ${w} `)));
  if (mentioned.length === 1) return mentioned[0]![0];
  if (mentioned.length > 1) return null;

  if (reply.length >= 2) {
    const prefixed = list.filter(([, words]) => words.some((w) => w.startsWith(reply)));
    if (prefixed.length === 1) return prefixed[0]![0];
  }
  return null;
}

/** "small, medium or large" */
export function listChoices<T extends string>(options: ChoiceOptions<T>): string {
  const values = entries(options).map(([value]) => value);
  return values.length <= 1 ? (values[0] ?? '') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}
