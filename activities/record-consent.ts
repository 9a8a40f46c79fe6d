/**
 * The consent activities: `recordConsent` writes a consent change (an opt-out or opt-in by keyword) to the opt-out
 * ledger in the message records, where it outlives the conversation, continue-as-new, restarts and Temporal's
 * retention (idempotent by the change's id, so a retry records it once); `optedOutContacts` reads it.
 */
import type { ConsentChange } from '../workflows/consent/changes';

/** What the activities need of the opt-out ledger (the message records' `optOuts` is one). */
export interface ConsentLedger {
  record(change: ConsentChange): Promise<{ inserted: boolean }>;
  /** Of `contacts`, those opted out in `scope` now. */
  optedOut(scope: string, contacts: readonly string[]): Promise<string[]>;
}

export function createRecordConsent(deps: { consent?: ConsentLedger }) {
  const ledger = (): ConsentLedger => {
    if (!deps.consent) throw new Error('consent activities need the opt-out ledger: the worker has no records store');
    return deps.consent;
  };
  return {
    async recordConsent(change: ConsentChange): Promise<void> {
      await ledger().record(change);
    },
    /** Of `contacts`, those opted out in `scope` now: a new conversation does not know what earlier ones heard. */
    async optedOutContacts({ scope, contacts }: { scope: string; contacts: string[] }): Promise<string[]> {
      return ledger().optedOut(scope, contacts);
    },
  };
}
