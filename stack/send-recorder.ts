/**
 * The send activity's `onSent` hook: records every message Bandwidth accepted (an `outbound` record, key
 * `out:<messageId>`, so a retried activity records nothing twice) and counts it once, when its record is written.
 *
 * It never throws. The hook runs after Bandwidth's 202, inside the activity; an error there would make the activity
 * retry and send the message a second time. A record that cannot be written after a few tries is logged and counted
 * (`threadline_sends_total{outcome="record-failed"}`); the message's status callbacks are still recorded.
 */
import type { Logger } from 'pino';
import type { ActivityDeps } from '../activities';
import type { Metrics } from '../observability/metrics';
import { recordFromSend, type RecordStore } from '../records';
import { decodeTag } from '../workflows/ids';
import { countUsage } from '../observability/usage-metrics';

export interface SendRecorderDeps {
  records: RecordStore;
  logger: Logger;
  metrics?: Metrics;
  /** Tries before giving up (default 3), 100 ms apart, doubling. */
  attempts?: number;
}

export function recordSends(deps: SendRecorderDeps): NonNullable<ActivityDeps['onSent']> {
  const attempts = deps.attempts ?? 3;
  return async (input, result) => {
    const record = recordFromSend({
      messageId: result.messageId,
      from: input.from,
      to: input.to,
      text: input.text,
      media: input.media ?? [],
      segmentCount: result.segmentCount,
      cost: result.cost ?? null,
      currency: result.currency ?? null,
      tag: input.tag,
      conversationId: decodeTag(input.tag)?.conversationId ?? null,
      time: result.time,
      raw: result,
    });
    for (let attempt = 1; ; attempt++) {
      try {
        const { inserted } = await deps.records.append([record]);
        // A retried activity records the message again (activities/send-message.ts `recordedAgain`): counted once.
        if (inserted > 0 && deps.metrics) {
          deps.metrics.sends.inc({ outcome: 'recorded' });
          countUsage(deps.metrics, record);
        }
        return;
      } catch (err) {
        if (attempt >= attempts) {
          deps.metrics?.sends.inc({ outcome: 'record-failed' });
          deps.logger.error({ err, messageId: result.messageId }, 'could not record a message Bandwidth accepted');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** (attempt - 1)));
      }
    }
  };
}
