import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';

/** Milliseconds in a Temporal `Duration` (`'15 minutes'`, `'2h'`, or a number of milliseconds). */
export function parseDuration(duration: Duration): number {
  const ms = msToNumber(duration);
  if (!Number.isFinite(ms) || ms < 0) throw new TypeError(`not a duration: ${String(duration)}`);
  return ms;
}
