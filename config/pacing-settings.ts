/**
 * `THREADLINE_SEND_RATES`: how fast Bandwidth lets each sender send (pacing/send-rates.ts), parsed by config/env.ts.
 * A JSON object whose keys are one of our numbers (E.164), `campaign:<campaign id>` or `account`, and whose values
 * give one rate, in messages or in SMS segments per second:
 *
 * @example
 * {
 *   "+19195550100": { "messagesPerSecond": 5 },
 *   "campaign:CABC123": { "segmentsPerSecond": 12, "numbers": ["+19195550101", "+19195550102"] },
 *   "account": { "segmentsPerSecond": 30 }
 * }
 *
 * A campaign lists the numbers assigned to it (Bandwidth rates a 10DLC campaign as a whole); a number and the account
 * take no list. Unset or `{}`: no pacing, every send goes straight to Bandwidth.
 */
import { z } from 'zod';
import { NO_SEND_RATES, type SendRate, type SendRates } from '../pacing/send-rates';
import { jsonVariable } from './route-settings';

const E164 = /^\+[1-9]\d{1,14}$/;
const CAMPAIGN = /^campaign:(\S+)$/;

const perSecond = z
  .number({ message: 'must be a number' })
  .positive('must be above 0')
  .max(10_000, 'must be at most 10000 (no Bandwidth sender is rated higher)');

const RateSchema = z
  .object({
    messagesPerSecond: perSecond.optional(),
    segmentsPerSecond: perSecond.optional(),
    numbers: z
      .array(z.string().regex(E164, 'must be one of our numbers in E.164, e.g. +19195550100'))
      .min(1)
      .optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if ((value.messagesPerSecond === undefined) === (value.segmentsPerSecond === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'give exactly one of messagesPerSecond or segmentsPerSecond, e.g. { "messagesPerSecond": 5 }',
      });
    }
  });

/** The JSON shape of `THREADLINE_SEND_RATES`, checked key by key; turned into {@link SendRates}. */
export const SendRatesSchema = z
  .record(z.string(), RateSchema)
  .superRefine((record, ctx) => {
    for (const [key, value] of Object.entries(record)) {
      const campaign = CAMPAIGN.test(key);
      if (!E164.test(key) && !campaign && key !== 'account') {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${JSON.stringify(key)} is none of: one of our numbers in E.164 (+19195550100), campaign:<campaign id>, account`,
        });
      } else if (campaign && !value.numbers) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'a campaign needs "numbers": the numbers assigned to it, e.g. ["+19195550101"]',
        });
      } else if (!campaign && value.numbers) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'only a campaign takes "numbers"' });
      }
    }
  })
  .transform((record): SendRates => {
    const rates: SendRates = { numbers: {}, campaigns: {}, account: null };
    for (const [key, value] of Object.entries(record)) {
      const rate: SendRate =
        value.segmentsPerSecond !== undefined
          ? { unit: 'segment', perSecond: value.segmentsPerSecond }
          : { unit: 'message', perSecond: value.messagesPerSecond ?? 1 };
      const campaign = CAMPAIGN.exec(key);
      if (campaign) rates.campaigns[campaign[1]!] = { ...rate, numbers: value.numbers ?? [] };
      else if (key === 'account') rates.account = rate;
      else rates.numbers[key] = rate;
    }
    return rates;
  });

/** The variables this file reads, as fields of the environment schema. */
export const pacingVariables = {
  THREADLINE_SEND_RATES: jsonVariable(
    SendRatesSchema,
    '{"+19195550100":{"messagesPerSecond":5},"account":{"segmentsPerSecond":30}}',
  ).default(NO_SEND_RATES),
};

type PacingEnv = z.infer<z.ZodObject<typeof pacingVariables>>;

/** The configured sending rates ({@link NO_SEND_RATES} when unset). */
export function pacingConfig(e: PacingEnv): SendRates {
  return e.THREADLINE_SEND_RATES;
}
