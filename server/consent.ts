/**
 * Consent as the server sees it: which opt-out scope a message is in (the configured kind applied to its our number,
 * application and account), and the opt-out a Bandwidth error 4775 tells of.
 */
import { isKnownCallback, type CallbackEvent } from '../bandwidth/schemas';
import { normalizeTime, type ConsentChange } from '../records';
import {
  DEFAULT_PROGRAM_NAME,
  resolveConsentPolicy,
  type ConsentOverride,
  type ConsentPolicy,
} from '../workflows/consent/policy';
import { consentScope, type ConsentScopeKind } from '../workflows/consent/scope';

export interface ConsentSettings {
  /** Where an opt-out applies (`THREADLINE_CONSENT_SCOPE`): our number (the default), the application or the account. */
  scope: ConsentScopeKind;
  /** Our Bandwidth account (`BANDWIDTH_ACCOUNT_ID`), the key of the `account` scope. */
  accountId: string;
  /** The program the default answers name (`THREADLINE_PROGRAM_NAME`). */
  programName?: string;
  /** Keyword lists and answers per `+number` or `app:<applicationId>` (`THREADLINE_CONSENT`); a number's wins. */
  overrides?: Record<string, ConsentOverride>;
}

/** Without settings, opt-outs apply per number, like carriers keep them. */
export const DEFAULT_CONSENT: ConsentSettings = { scope: 'number', accountId: '' };

/** Bandwidth's error for a message the network refused because the recipient opted out (after a toll-free STOP). */
export const OPTED_OUT_ERROR_CODE = 4775;

/**
 * The ledger scope of a message on `ourNumber` through `applicationId`.
 * @throws Error when the scope is `application` and the message names no application (a configuration mistake)
 */
export function scopeOf(
  settings: ConsentSettings | undefined,
  at: { ourNumber: string; applicationId?: string | undefined },
): string {
  const { scope, accountId } = settings ?? DEFAULT_CONSENT;
  if (scope === 'application' && !at.applicationId) {
    throw new Error(`The consent scope is the application, but no application is known for ${at.ourNumber}`);
  }
  return consentScope(scope, { ourNumber: at.ourNumber, applicationId: at.applicationId ?? '', accountId });
}

/**
 * The opt-out a callback event tells of: a `message-failed` with error 4775 means the network holds an opt-out for
 * the recipient (a toll-free STOP Threadline may never have seen). Null for every other event.
 */
export function optOutFromCallback(event: CallbackEvent, settings: ConsentSettings | undefined): ConsentChange | null {
  if (!isKnownCallback(event) || event.type !== 'message-failed' || event.errorCode !== OPTED_OUT_ERROR_CODE) {
    return null;
  }
  return {
    id: `${OPTED_OUT_ERROR_CODE}:${event.message.id}:${event.to}`,
    scope: scopeOf(settings, { ourNumber: event.message.from, applicationId: event.message.applicationId }),
    contact: event.to,
    action: 'opt-out',
    source: 'bandwidth-4775',
    // An event time the ledger cannot read is replaced by the time the callback arrived.
    time: normalizeTime(event.time) === null ? new Date().toISOString() : event.time,
    messageId: event.message.id,
    keyword: null,
    actor: null,
    reason: event.description || null,
  };
}

/**
 * The consent policy a conversation on `ourNumber` through `applicationId` starts with: its scope, and the keywords
 * and answers configured for the number, else for the application, else the defaults.
 */
export function policyFor(
  settings: ConsentSettings | undefined,
  at: { ourNumber: string; applicationId?: string | undefined },
): ConsentPolicy {
  const overrides = settings?.overrides ?? {};
  const override = overrides[at.ourNumber] ?? (at.applicationId ? overrides[`app:${at.applicationId}`] : undefined);
  return resolveConsentPolicy(scopeOf(settings, at), settings?.programName ?? DEFAULT_PROGRAM_NAME, override);
}
