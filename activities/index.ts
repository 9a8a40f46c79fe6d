/**
 * Activities: the only code in a conversation that touches the outside world. Built by a factory from their
 * dependencies, so the worker passes real clients and tests pass fakes of the same type. One activity per file:
 * `send-message.ts`, `copy-inbound-media.ts`, `next-send-window.ts` (quiet hours, with `local-time.ts`).
 */
import { createMediaActivities, type MediaActivities, type MediaActivityDeps } from './copy-inbound-media';
import { createRecordConsent } from './record-consent';
import { createSendWindowActivities, type SendWindowDeps } from './next-send-window';
import { createPaceToken } from './pace-token';
import { createSendMessage, type SendMessageDeps } from './send-message';

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
} from './send-message';
export { createPaceToken } from './pace-token';
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

export type ActivityDeps = SendMessageDeps & MediaActivityDeps & SendWindowDeps;

export function createActivities(deps: ActivityDeps) {
  return {
    ...createMediaActivities(deps),
    ...createSendMessage(deps),
    ...createRecordConsent(deps),
    ...createSendWindowActivities(deps),
    ...createPaceToken(),
  };
}

/**
 * What a worker needs: `sendMessage`, `nextSendWindow` (quiet hours), `copyInboundMedia` for bots that receive MMS
 * and the consent activities for STOP/START/HELP, and `paceToken` for senders held to a rate (optional in the type so
 * that fakes for SMS-only tests stay small; {@link createActivities} always provides them).
 */
export type Activities = Omit<
  ReturnType<typeof createActivities>,
  keyof MediaActivities | keyof ReturnType<typeof createRecordConsent> | 'paceToken'
> &
  Partial<MediaActivities> &
  Partial<ReturnType<typeof createRecordConsent>> &
  Partial<ReturnType<typeof createPaceToken>>;
