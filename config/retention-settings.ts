/**
 * Retention of the message records and stored media (`RECORDS_RETENTION_DAYS`), parsed by config/env.ts: unset keeps
 * them forever; set, the records-purge schedule (worker/records-purge-schedule.ts) deletes every record older than
 * that many days, with its media, every hour.
 */
import { z } from 'zod';
import { optionalString } from './env-values';

/** The variables, as fields of the environment schema. */
export const retentionVariables = {
  RECORDS_RETENTION_DAYS: optionalString.pipe(
    z
      .string()
      .regex(/^\s*\d+\s*$/, 'must be a whole number of days')
      .transform(Number)
      .pipe(z.number().int().min(1, 'must be at least 1 day; leave it unset to keep records forever'))
      .optional(),
  ),
};

export interface RetentionConfig {
  /** Days a message record (and its stored media) is kept; null: forever. */
  recordsDays: number | null;
}

export function retentionConfig(e: z.infer<z.ZodObject<typeof retentionVariables>>): RetentionConfig {
  return { recordsDays: e.RECORDS_RETENTION_DAYS ?? null };
}
