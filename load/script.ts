/**
 * A load script: the dialogue every simulated handset runs against a bot. A JSON file (or a .ts/.js module exporting
 * the same object, typed with {@link defineLoadScript}) with a list of steps:
 *
 * ```json
 * {
 *   "name": "greeter",
 *   "defaults": { "timeout": "30s" },
 *   "steps": [
 *     { "send": "hi" },
 *     { "expect": { "text": "Hi! I'm the Threadline greeter. What's your name?" } },
 *     { "think": { "min": "1s", "max": "3s" } },
 *     { "send": "Ada" },
 *     { "expect": { "regex": "^Nice to meet you, Ada!$" }, "timeout": "10s" }
 *   ]
 * }
 * ```
 *
 * `send` is a text, or `{ text?, media? }` with media as the emulator's handset API takes it (URLs, `data:` URLs, or
 * `{ contentType, content (base64), filename? }`). `expect` is the bot's next reply: `"any"`, `{ "text" }` (exactly),
 * or `{ "regex", "flags"? }`; `timeout` is how long to wait for it (default `defaults.timeout`, 30 s). `think` pauses
 * the handset: a duration, or `{ min, max }` drawn uniformly. Durations are milliseconds or strings such as `'500ms'`,
 * `'2s'`, `'1 minute'`. Errors name the file, the line (JSON) and the field.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseDuration } from '../workflows/duration';
import { jsonLines, lineAt, lineOfPath } from './json-locations';

/** What a reply must be: anything, exactly a text, or a match of a regular expression. */
export type ReplyExpectation =
  { kind: 'any' } | { kind: 'text'; text: string } | { kind: 'regex'; regex: string; flags: string };

const DurationSchema = z.union([z.number().nonnegative(), z.string().min(1)]).transform((value, ctx) => {
  try {
    return parseDuration(value as never);
  } catch {
    ctx.addIssue({ code: 'custom', message: `not a duration: '${value}' (e.g. 500, '500ms', '2s', '1 minute')` });
    return z.NEVER;
  }
});

const ThinkRangeSchema = z
  .strictObject({ min: DurationSchema, max: DurationSchema })
  .refine((t) => t.max >= t.min, { message: 'max must not be below min', path: ['max'] })
  .transform((t) => ({ minMs: t.min, maxMs: t.max }));
const ThinkFixedSchema = DurationSchema.transform((ms) => ({ minMs: ms, maxMs: ms }));

/** A duration, or `{ min, max }`; problems are reported at the field itself, not as a union's "invalid input". */
const ThinkSchema = z.unknown().transform((value, ctx) => {
  const fixed = typeof value === 'number' || typeof value === 'string';
  const parsed = fixed ? ThinkFixedSchema.safeParse(value) : ThinkRangeSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});

const MediaItemSchema = z.union([
  z.string().min(1),
  z.strictObject({ contentType: z.string().min(1), content: z.string(), filename: z.string().min(1).optional() }),
]);

/** A text, or `{ text?, media? }`. */
const SendSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { text: value } : value),
  z
    .strictObject({ text: z.string().min(1).optional(), media: z.array(MediaItemSchema).max(10).default([]) })
    .refine((s) => s.text !== undefined || s.media.length > 0, { message: 'a message needs text or media' }),
);

/** `"any"`, `{ text }` or `{ regex, flags? }`. */
const ExpectSchema = z.preprocess(
  (value) => (value === 'any' ? { any: true } : value),
  z
    .strictObject({
      any: z.literal(true).optional(),
      text: z.string().optional(),
      regex: z.string().min(1).optional(),
      flags: z
        .string()
        .regex(/^[imsu]*$/, 'any of i, m, s and u')
        .optional(),
    })
    .superRefine((e, ctx) => {
      const given = (['any', 'text', 'regex'] as const).filter((k) => e[k] !== undefined);
      if (given.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          message: `"any", or one of text and regex (${given.join(' and ') || 'none'} given)`,
        });
      }
      if (e.flags !== undefined && e.regex === undefined) {
        ctx.addIssue({ code: 'custom', path: ['flags'], message: 'flags belong to a regex' });
      }
      if (e.regex === undefined) return;
      try {
        new RegExp(e.regex, e.flags);
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          path: ['regex'],
          message: `not a regular expression: ${(err as Error).message}`,
        });
      }
    })
    .transform((e): ReplyExpectation => {
      if (e.text !== undefined) return { kind: 'text', text: e.text };
      if (e.regex !== undefined) return { kind: 'regex', regex: e.regex, flags: e.flags ?? '' };
      return { kind: 'any' };
    }),
);

const StepSchema = z
  .strictObject({
    send: SendSchema.optional(),
    expect: ExpectSchema.optional(),
    timeout: DurationSchema.optional(),
    think: ThinkSchema.optional(),
  })
  .superRefine((step, ctx) => {
    const kinds = (['send', 'expect', 'think'] as const).filter((k) => step[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `a step is one of send, expect or think (${kinds.length === 0 ? 'none given' : `got ${kinds.join(' and ')}`})`,
      });
    }
    if (step.timeout !== undefined && step.expect === undefined) {
      ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'timeout belongs to an expect step' });
    }
  });

/** The script as written (the input of {@link defineLoadScript}). */
export const LoadScriptSchema = z.strictObject({
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  defaults: z.strictObject({ timeout: DurationSchema.default(30_000) }).default({ timeout: 30_000 }),
  steps: z.array(StepSchema).min(1, 'a script needs at least one step'),
});
export type LoadScriptInput = z.input<typeof LoadScriptSchema>;

/** One step of a parsed script. */
export type LoadStep =
  | { kind: 'send'; text?: string; media: z.infer<typeof MediaItemSchema>[] }
  | { kind: 'expect'; expect: ReplyExpectation; timeoutMs: number }
  | { kind: 'think'; minMs: number; maxMs: number };

/** A parsed script: every step resolved (timeouts filled in, durations in milliseconds). */
export interface LoadScript {
  name: string;
  description?: string;
  steps: LoadStep[];
}

/** A script that does not parse; `message` names the file, line and field of every problem. */
export class LoadScriptError extends Error {
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message);
    this.name = 'LoadScriptError';
  }
}

/** Types a script written as a module (`export default defineLoadScript({ steps: [...] })`; `script` or the module itself also do). */
export function defineLoadScript(script: LoadScriptInput): LoadScriptInput {
  return script;
}

/** Whether `reply` meets `expect`. */
export function replyMatches(expect: ReplyExpectation, reply: string): boolean {
  if (expect.kind === 'any') return true;
  if (expect.kind === 'text') return reply === expect.text;
  return new RegExp(expect.regex, expect.flags).test(reply);
}

/** How an expectation reads in a report: `any reply`, `"text"`, `/regex/flags`. */
export function describeExpectation(expect: ReplyExpectation): string {
  if (expect.kind === 'any') return 'any reply';
  if (expect.kind === 'text') return JSON.stringify(expect.text);
  return `/${expect.regex}/${expect.flags}`;
}

const fieldOf = (issuePath: readonly PropertyKey[]) =>
  issuePath.length === 0
    ? '(script)'
    : issuePath
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '');

/**
 * Parses a script from a value (a module's export); `source` names it in errors, `lineOf` finds a field's line.
 * Throws {@link LoadScriptError}.
 */
export function parseLoadScript(
  value: unknown,
  source = 'script',
  lineOf: (issuePath: readonly PropertyKey[]) => number | undefined = () => undefined,
): LoadScript {
  const parsed = LoadScriptSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const line = lineOf(issue.path);
      return `${source}${line !== undefined ? `:${line}` : ''}: ${fieldOf(issue.path)}: ${issue.message}`;
    });
    throw new LoadScriptError(`${source} is not a valid load script:\n  ${problems.join('\n  ')}`, problems);
  }
  const { name, description, defaults, steps } = parsed.data;
  return {
    name: name ?? path.basename(source).replace(/\.[^.]+$/, ''),
    ...(description !== undefined ? { description } : {}),
    steps: steps.map((step): LoadStep => {
      if (step.send) return { kind: 'send', ...step.send };
      if (step.expect) return { kind: 'expect', expect: step.expect, timeoutMs: step.timeout ?? defaults.timeout };
      return { kind: 'think', ...step.think! };
    }),
  };
}

/** Parses a JSON script's text; errors name `source`, the line and the field. */
export function parseLoadScriptJson(text: string, source = 'script.json'): LoadScript {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const position = /position (\d+)/.exec(message);
    const line = position ? `:${lineAt(text, Number(position[1]))}` : '';
    const problem = `${source}${line}: not JSON (${message})`;
    throw new LoadScriptError(`${source} is not a valid load script:\n  ${problem}`, [problem]);
  }
  const lines = jsonLines(text);
  return parseLoadScript(value, source, (issuePath) => lineOfPath(lines, issuePath));
}

/** Reads a script file: `.json`, or a `.ts`/`.js` module whose default export (or `script`) is the script. */
export function loadScriptFile(file: string): LoadScript {
  const absolute = path.resolve(file);
  if (!fs.existsSync(absolute)) throw new LoadScriptError(`${file}: no such file`, [`${file}: no such file`]);
  if (absolute.endsWith('.json')) return parseLoadScriptJson(fs.readFileSync(absolute, 'utf8'), file);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module named at run time
  const exported = require(absolute) as { default?: unknown; script?: unknown };
  return parseLoadScript(exported.default ?? exported.script ?? exported, file);
}
