/**
 * The records-purge schedule: a Temporal schedule (`threadline-records-purge`, in the Web UI's Schedules) that starts
 * `recordsPurge` (workflows/data-lifecycle) every hour while `RECORDS_RETENTION_DAYS` is set. Made idempotent at every
 * worker start (`npm start`, `npm run worker`): created when missing, updated to the configured period and task queue
 * when it exists (any number of workers may start at once), and deleted when retention is unset, so records are then
 * kept forever again. A schedule rather than a cron line: it runs once however many workers there are, its runs are
 * workflows with retries and history, and a purge still running when the next is due is not started twice.
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleOptions } from '@temporalio/client';
import type { RecordsPurgeInput } from '../workflows/data-lifecycle';
import { RECORDS_PURGE_SCHEDULE_ID } from '../workflows/ids';

/** How often the purge runs. Each run deletes what has aged past the period since the last. */
export const RECORDS_PURGE_EVERY = '1 hour';

/**
 * What the start did: `none` when retention is unset and there is no schedule; `unchecked` when retention is unset and
 * Temporal would not say (schedules not allowed for this identity, say): a process that purges nothing does not fail
 * to start over it, and the caller logs a warning.
 */
export type PurgeScheduleOutcome = 'created' | 'updated' | 'deleted' | 'none' | 'unchecked';

function scheduleOptions(taskQueue: string, retentionDays: number) {
  const args: [RecordsPurgeInput] = [{ retentionDays }];
  return {
    spec: { intervals: [{ every: RECORDS_PURGE_EVERY }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: 'recordsPurge',
      workflowId: RECORDS_PURGE_SCHEDULE_ID,
      taskQueue,
      args,
    },
    policies: { overlap: 'SKIP' as const, catchupWindow: RECORDS_PURGE_EVERY },
  } satisfies Omit<ScheduleOptions, 'scheduleId'>;
}

/**
 * Creates, updates or deletes the schedule so that it matches the configuration.
 *
 * @param settings.retentionDays `RECORDS_RETENTION_DAYS`; null deletes the schedule (if there is one).
 */
export async function ensureRecordsPurgeSchedule(
  client: Client,
  settings: { taskQueue: string; retentionDays: number | null },
): Promise<PurgeScheduleOutcome> {
  const handle = client.schedule.getHandle(RECORDS_PURGE_SCHEDULE_ID);
  if (settings.retentionDays === null) {
    try {
      await handle.delete();
      return 'deleted';
    } catch (err) {
      return err instanceof ScheduleNotFoundError ? 'none' : 'unchecked';
    }
  }
  const options = scheduleOptions(settings.taskQueue, settings.retentionDays);
  try {
    await client.schedule.create({ scheduleId: RECORDS_PURGE_SCHEDULE_ID, ...options });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await handle.update((previous) => ({ ...previous, ...options })); // paused by an operator: stays paused
  return 'updated';
}
