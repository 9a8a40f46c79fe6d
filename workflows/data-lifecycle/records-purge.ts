/**
 * `recordsPurge`: the retention of the message records. The records-purge schedule (worker/records-purge-schedule.ts)
 * starts it every hour while `RECORDS_RETENTION_DAYS` is set; it deletes every record older than the retention
 * period, with its stored media, and the send intents and callback hand-offs as old.
 */
import { proxyActivities } from '@temporalio/workflow';
import { LIFECYCLE_ACTIVITY_OPTIONS, type LifecycleActivities, type PurgeResult } from './lifecycle-activities';

export interface RecordsPurgeInput {
  /** Keep this many days: records whose event time is older are deleted. */
  retentionDays: number;
}

const { purgeRecordsBefore } = proxyActivities<LifecycleActivities>(LIFECYCLE_ACTIVITY_OPTIONS);

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes what is older than the retention period, counted from the workflow's start (deterministic on replay).
 * Started by the records-purge schedule, never by bots; a bot author's workflows module exports it so that the workers
 * can run it.
 *
 * @example
 * // in your own workflows module (THREADLINE_WORKFLOWS), beside your bots:
 * export { contactErasure, contactErasureSweep, recordsPurge } from 'threadline/workflows';
 */
export async function recordsPurge(input: RecordsPurgeInput): Promise<PurgeResult & { before: string }> {
  if (!Number.isFinite(input.retentionDays) || input.retentionDays <= 0) {
    throw new Error(`retentionDays must be a positive number of days, got ${String(input.retentionDays)}`);
  }
  const before = new Date(Date.now() - input.retentionDays * DAY_MS).toISOString();
  return { before, ...(await purgeRecordsBefore({ before })) };
}
