/**
 * Where an opt-out applies. Carriers keep opt-outs per sending number, so that is the default; a brand that wants one
 * list for every number of an application, or of the whole account, picks a wider scope.
 */

/** Where an opt-out applies: our number (default, like carriers), the messaging application, or the whole account. */
export type ConsentScopeKind = 'number' | 'application' | 'account';

/** The opt-out ledger's scope key: `number:+19195550100`, `application:<applicationId>` or `account:<accountId>`. */
export function consentScope(
  kind: ConsentScopeKind,
  at: { ourNumber: string; applicationId: string; accountId: string },
): string {
  switch (kind) {
    case 'number':
      return `number:${at.ourNumber}`;
    case 'application':
      return `application:${at.applicationId}`;
    case 'account':
      return `account:${at.accountId}`;
  }
}
