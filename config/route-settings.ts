/**
 * Which bot answers which number, and per-number consent wording: the formats of `THREADLINE_ROUTES`,
 * `THREADLINE_DEFAULT_BOT` and `THREADLINE_CONSENT`, parsed by config/env.ts.
 */
import { z } from 'zod';

/** A bot: the workflow type (an exported workflow function's name) that answers a conversation. */
export const BotNameSchema = z
  .string()
  .regex(/^[A-Za-z_$][\w$]*$/, 'must be the name of a bot workflow exported from workflows/index.ts, e.g. greeterBot');

/** Keys of a per-number setting: our numbers in E.164, or `app:<applicationId>`. */
function ourNumberOrAppKeys(record: Record<string, unknown>, ctx: z.RefinementCtx): void {
  for (const key of Object.keys(record)) {
    if (!/^(\+[1-9]\d{1,14}|app:\S+)$/.test(key)) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `${JSON.stringify(key)} is neither one of our numbers in E.164 (+19195550100) nor app:<applicationId>`,
      });
    }
  }
}

/**
 * `THREADLINE_ROUTES`: which bot answers which of our numbers, or which Bandwidth application. Keys are our numbers in
 * E.164 or `app:<applicationId>`; a number's route wins over its application's.
 *
 * @example {"+19195550100":"pizzaBot","app:93de2206-9669-4e07-948d-329f4b722ee2":"surveyBot"}
 */
export const RoutesSchema = z.record(z.string(), BotNameSchema).superRefine(ourNumberOrAppKeys);
export type Routes = z.infer<typeof RoutesSchema>;

/** A variable holding JSON: parsed, then checked by `schema`; empty means `{}`. */
export function jsonVariable<T extends z.ZodType>(schema: T, example: string) {
  return z
    .string()
    .transform((text, ctx): unknown => {
      if (text.trim() === '') return {};
      try {
        return JSON.parse(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be a JSON object such as ${example}` });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

export const jsonRoutes = jsonVariable(RoutesSchema, '{"+19195550100":"greeterBot","app:<applicationId>":"surveyBot"}');

/**
 * `THREADLINE_CONSENT`: keyword lists and answers per our number or `app:<applicationId>` (a number's wins); each
 * list given replaces the default list.
 *
 * @example {"+19195550100":{"programName":"Acme Dental","helpReply":"Acme Dental: call 919-555-0100. STOP to end."}}
 */
export const ConsentOverridesSchema = z
  .record(
    z.string(),
    z
      .object({
        programName: z.string().min(1).max(60),
        optOut: z.array(z.string().min(1)).min(1),
        optIn: z.array(z.string().min(1)).min(1),
        help: z.array(z.string().min(1)).min(1),
        optOutReply: z.string().min(1).max(320),
        optInReply: z.string().min(1).max(320),
        helpReply: z.string().min(1).max(320),
      })
      .partial()
      .strict(),
  )
  .superRefine(ourNumberOrAppKeys)
  .default({});
