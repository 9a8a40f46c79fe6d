/**
 * Consent changes as the opt-out ledger records them: who opted out or back in, where, when, why and through what.
 * Types only, shared by the workflows (which ask an activity to record keyword changes), the activities, the server
 * and the ledger in the message records.
 */

/**
 * @example
 * const action: ConsentAction = 'opt-out';
 */
export type ConsentAction = 'opt-out' | 'opt-in';

/**
 * What caused a change: a keyword the contact texted, Bandwidth's 4775 (the carrier says they opted out), an operator
 * in the operator API, or another system through the API.
 * @example
 * const source: ConsentSource = 'keyword';
 */
export type ConsentSource = 'keyword' | 'bandwidth-4775' | 'operator' | 'api';

/**
 * One change of a contact's consent in a scope.
 * @example
 * const change: ConsentChange = {
 *   id: 'keyword:16x8...', scope: 'number:+19195550100', contact: '+19195550123', action: 'opt-out',
 *   source: 'keyword', time: '2026-11-29T18:00:00.000Z', messageId: '16x8...', keyword: 'STOP',
 * };
 */
export interface ConsentChange {
  /** Idempotency key: recording the same id twice changes nothing (callbacks and activities run at least once). */
  id: string;
  /** From `consentScope()`. */
  scope: string;
  /** E.164. */
  contact: string;
  action: ConsentAction;
  source: ConsentSource;
  /** ISO 8601, when it happened. */
  time: string;
  /** The inbound message (a keyword) or the failed message (4775). */
  messageId?: string | null;
  /** The word matched, e.g. `STOP`. */
  keyword?: string | null;
  /** The operator or API client who made the change. */
  actor?: string | null;
  /** Why (required for an operator's or API client's removal). */
  reason?: string | null;
}
