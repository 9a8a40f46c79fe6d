/**
 * Activities: the only code in a conversation that touches the outside world. Built by a factory from their
 * dependencies, so the worker passes real clients and tests pass fakes of the same type. One activity per file:
 * `send-message.ts`, `copy-inbound-media.ts`, `next-send-window.ts` (quiet hours, with `local-time.ts`),
 * `watch-receipts.ts` (a wait for a delivery receipt).
 */
import path from 'node:path';
import { createLocalMediaStore } from '../media/store';
import type { RecordStore } from '../records';
import type { LifecycleActivities } from '../workflows/data-lifecycle/lifecycle-activities';
import { createMediaActivities, type MediaActivities, type MediaActivityDeps } from './copy-inbound-media';
import { createLifecycleActivities, type LifecycleActivityDeps } from './data-lifecycle';
import { createRecordConsent } from './record-consent';
import { createSendWindowActivities, type SendWindowDeps } from './next-send-window';
import { createPaceToken } from './pace-token';
import { createSendMessage, type SendMessageDeps } from './send-message';
import { createWatchReceipts } from './watch-receipts';

export {
  bandwidthMediaFetcher,
  createMediaActivities,
  type CopyInboundMediaInput,
  type MediaActivities,
  type MediaActivityDeps,
  type MediaFetcher,
} from './copy-inbound-media';
export {
  createSendMessage,
  refuseOptedOut,
  type SendMessageDeps,
  type SendMessageInput,
  type SendMessageResult,
  type SendDeferred,
  type PacedSendOutcome,
} from './send-message';
export { createPaceToken } from './pace-token';
export { createWatchReceipts, deliveryEventOf, type WatchReceiptsInput } from './watch-receipts';
export { createRecordConsent, type ConsentLedger } from './record-consent';
export {
  createSendWindowActivities,
  nextSendWindowAt,
  type NextSendWindowInput,
  type NextSendWindowResult,
  type SendWindowActivities,
  type SendWindowDeps,
} from './next-send-window';
export { MediaFailureType, SendFailureType } from '../workflows/activity-failures';

export { createLifecycleActivities, ERASURE_TERMINATION_REASON, type LifecycleActivityDeps } from './data-lifecycle';

export type ActivityDeps = SendMessageDeps &
  MediaActivityDeps &
  SendWindowDeps &
  Omit<LifecycleActivityDeps, 'mediaStore' | 'records'> & {
    mediaStore?: LifecycleActivityDeps['mediaStore'];
    /**
     * The message records: a wait for a delivery receipt watches the message there (`watchReceipts`), a send reads
     * the receipts of earlier ones, and retention and erasure purge them. Without it a wait for a receipt would wait
     * in vain, so it is required.
     */
    records: RecordStore;
  };

export function createActivities(deps: ActivityDeps) {
  // One media store for copying inbound media and for deleting it again (retention, erasure).
  const mediaStore = deps.mediaStore ?? createLocalMediaStore(path.join(deps.dataDir ?? 'data', 'media'));
  return {
    ...createMediaActivities({ ...deps, mediaStore }),
    ...createLifecycleActivities({ ...deps, mediaStore }),
    ...createSendMessage(deps),
    ...createRecordConsent(deps),
    ...createWatchReceipts(deps),
    ...createSendWindowActivities(deps),
    ...createPaceToken(),
  };
}

/**
 * What a worker needs: `sendMessage`, `watchReceipts` (a wait for a delivery receipt), `nextSendWindow` (quiet hours), `copyInboundMedia` for bots that receive MMS,
 * the consent activities for STOP/START/HELP, `paceToken` and `pacedSendOutcome` for senders held to a rate, and the data-lifecycle ones for
 * retention and erasure (optional in the type so that fakes for SMS-only tests stay small; {@link createActivities}
 * always provides them).
 */
export type Activities = Omit<
  ReturnType<typeof createActivities>,
  | keyof MediaActivities
  | keyof ReturnType<typeof createRecordConsent>
  | 'paceToken'
  | 'pacedSendOutcome'
  | keyof LifecycleActivities
> &
  Partial<MediaActivities> &
  Partial<ReturnType<typeof createRecordConsent>> &
  Partial<ReturnType<typeof createPaceToken>> &
  Partial<Pick<ReturnType<typeof createActivities>, 'pacedSendOutcome'>> &
  Partial<LifecycleActivities>;
