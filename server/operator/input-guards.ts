/**
 * What the operator API refuses before its schemas look at a request: a body nested deeper than
 * {@link MAX_BODY_DEPTH} (a bot's free-form `params` included; deeper JSON overflows the stack on its way to Temporal),
 * and NUL (U+0000) anywhere in the request's text (PostgreSQL text cannot hold it, so a search or lookup for it could
 * only fail, and nothing Threadline stores contains one).
 */
import { nestedDeeperThan } from '../json-depth';

/** How deep arrays and objects may nest in an operator API request body. */
export const MAX_BODY_DEPTH = 32;

/** Where in `value` (a dotted path) a string or key holds NUL, or null. */
function nulAt(value: unknown, where: string): string | null {
  const stack: [unknown, string][] = [[value, where]];
  while (stack.length > 0) {
    const [v, at] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return at;
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, child] of Object.entries(v)) {
        if (key.includes('\u0000')) return at;
        stack.push([child, `${at}.${key}`]);
      }
    }
  }
  return null;
}

/** Why the operator API refuses this input (400 `invalid-request`), or null when its schemas may judge it. */
export function inputProblem(input: { path: unknown; query: unknown; body: unknown }): string | null {
  if (nestedDeeperThan(input.body, MAX_BODY_DEPTH)) {
    return `The request is invalid: body nests arrays and objects deeper than ${MAX_BODY_DEPTH} levels`;
  }
  for (const where of ['path', 'query', 'body'] as const) {
    const at = nulAt(input[where], where);
    if (at !== null) return `The request is invalid: ${at} contains NUL (U+0000), which no text here may hold`;
  }
  return null;
}
