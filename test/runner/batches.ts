/**
 * How the test files are shared out into processes. Each lane runs one process at a time, and a process runs a
 * batch of files one after another (test/runner/file-batch.ts): a process per file cost more CPU than many files'
 * tests do. A lane that is free takes the next batch from the queue (slowest files first), about a lane's share of
 * the work left by the files' times last run (guided self-scheduling): large batches first, smaller and smaller ones
 * as the queue empties, so the lanes end together without a process per file.
 */

/** The time assumed for a file never timed (a new file, a fresh cache): about a kit file's. */
export const UNTIMED_FILE_MS = 10_000;

/** A batch is not made smaller than this (ms, by the files' times): below it a process costs more than it saves. */
export const MIN_BATCH_MS = 8_000;

/**
 * Takes the next batch off the front of `queue` (which it shortens): files until their expected time reaches the
 * work left divided by `lanes`, or `MIN_BATCH_MS`, whichever is more; at least one file. A file that `alone` names
 * is a batch of its own, and ends the batch before it.
 */
export function takeBatch(
  queue: string[],
  expectedMs: (file: string) => number,
  lanes: number,
  alone: (file: string) => boolean,
): string[] {
  if (queue.length > 0 && alone(queue[0]!)) return queue.splice(0, 1);
  const left = queue.reduce((sum, file) => sum + expectedMs(file), 0);
  const share = Math.max(left / lanes, MIN_BATCH_MS);
  let count = 0;
  for (let total = 0; count < queue.length && !alone(queue[count]!) && (count === 0 || total < share); count += 1) {
    total += expectedMs(queue[count]!);
  }
  return queue.splice(0, count);
}
