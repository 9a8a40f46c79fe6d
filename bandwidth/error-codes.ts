/**
 * Bandwidth's message error codes (callback `errorCode`), as data: the full table of reference §4.
 *
 * Scheme: 4xxx client errors (a repeat gives the same result), 5xxx service failures (a retry may succeed), 9xxx
 * ambiguous downstream results. `source` says who detected it: Bandwidth rejects before handing the message on
 * (no `message-sending` precedes the failure), a carrier reports it after the hand-off.
 *
 * `category` is ours, for typed delivery failures:
 * - `permanent`: do not retry the same message to the same number.
 * - `transient`: a later retry may succeed (service failures, subscriber temporarily unavailable, volume throttling).
 * - `opted-out`: the recipient opted out (4775); stop messaging them.
 * - `mms-unsupported`: the destination cannot take this kind of message (often: no MMS); fall back to SMS.
 * - `ambiguous`: the outcome is unknown (9902 receipt expired does not mean undelivered; 9999 unmapped).
 *
 * The flags say what a code means for the runtime, so no code list lives anywhere else: `invalidNumber` (the number
 * itself is bad; in a group the others still get the message, §7), `mmsFallback` (an SMS with links can reach the
 * person instead), `optedOut` (stop messaging them) and `retryable` (a later retry may succeed).
 */

export type ErrorCategory = 'permanent' | 'transient' | 'opted-out' | 'mms-unsupported' | 'ambiguous';
export type ErrorSource = 'bandwidth' | 'carrier';

/** What an error code means for the runtime; see the module doc. */
export interface ErrorFlags {
  /** The recipient's number is invalid (unallocated, deactivated, not able to take messages). */
  invalidNumber: boolean;
  /** The handset or carrier can't take this MMS or its media: an SMS with links can fix it. */
  mmsFallback: boolean;
  /** The recipient opted out. */
  optedOut: boolean;
  /** A later retry of the same message may succeed. */
  retryable: boolean;
}

export interface ErrorCodeInfo extends ErrorFlags {
  code: number;
  name: string;
  description: string;
  billable: boolean;
  category: ErrorCategory;
  source: ErrorSource;
}

/** Flags a row sets beyond what its category implies. */
type RowFlag = 'invalid-number' | 'mms-fallback';
type Row = [code: number, name: string, description: string, category?: ErrorCategory, flags?: RowFlag[]];

function flagsOf(category: ErrorCategory, flags: readonly RowFlag[] = []): ErrorFlags {
  return {
    invalidNumber: flags.includes('invalid-number'),
    mmsFallback: category === 'mms-unsupported' || flags.includes('mms-fallback'),
    optedOut: category === 'opted-out',
    retryable: category === 'transient',
  };
}

function rows(source: ErrorSource, billable: boolean, defaultCategory: ErrorCategory, list: Row[]): ErrorCodeInfo[] {
  return list.map(([code, name, description, category = defaultCategory, flags]) => ({
    code,
    name,
    description,
    billable,
    category,
    source,
    ...flagsOf(category, flags),
  }));
}

const INVALID: RowFlag[] = ['invalid-number'];
const MEDIA: RowFlag[] = ['mms-fallback'];

const bandwidthClientErrors = rows('bandwidth', false, 'permanent', [
  [4001, 'service-not-allowed', 'Catch-all rejection: the service is not permitted or not enabled.'],
  [4301, 'malformed-invalid-encoding', 'The message has unsupported characters and cannot be re-encoded.'],
  [4302, 'malformed-invalid-from-number', 'The from number is not routable or not valid.'],
  [4303, 'malformed-invalid-to-number', 'The to number is not routable or not valid.', undefined, INVALID],
  [
    4350,
    'malformed-for-destination',
    'The message passed receive validation but failed on send (likely a bad To).',
    undefined,
    INVALID,
  ],
  [4360, 'message-not-sent-expiration-date-passed', 'The message expiration passed before it could be sent.'],
  [4401, 'rejected-routing-error', 'The message cannot be routed, for example from equals to, or a loop.'],
  [4403, 'rejected-forbidden-from-number', 'The from number is not on the account, not enabled, or disconnected.'],
  [
    4404,
    'rejected-forbidden-to-number',
    'The to number is not active, not messaging-enabled, or invalid.',
    undefined,
    INVALID,
  ],
  [4405, 'rejected-unallocated-from-number', 'The from number is not an active number in the industry database.'],
  [
    4406,
    'rejected-unallocated-to-number',
    'The to number is a valid NANP number not assigned to a carrier.',
    undefined,
    INVALID,
  ],
  [4407, 'rejected-account-not-defined-from-number', 'The from number is not associated with this account.'],
  [
    4408,
    'rejected-account-not-defined-to-number',
    'The to number is not associated with an account or misconfigured.',
    undefined,
    INVALID,
  ],
  [
    4409,
    'rejected-invalid-from-profile',
    'Invalid destination profile, often a destination without MMS.',
    'mms-unsupported',
  ],
  [4410, 'media-unavailable', 'The media URL could not be downloaded.', undefined, MEDIA],
  [4411, 'rejected-message-size-limit-exceeded', 'The total MMS media size is too large.', undefined, MEDIA],
  [4412, 'media-content-invalid', 'The media content type is not supported.', undefined, MEDIA],
  [4420, 'rejected-carrier-does-not-exist', 'The upstream carrier is not configured.'],
  [4421, 'rejected-forbidden-no-destination', 'The account is not provisioned for this destination.'],
  [4431, 'rejected-forbidden-shortcode', 'The account is not provisioned for short code messaging.'],
  [4432, 'rejected-forbidden-country', 'The account is not enabled for this country, zone or MMS reach.'],
  [4433, 'rejected-forbidden-tollfree', 'The account is not enabled for toll-free messaging.'],
  [4434, 'rejected-forbidden-tollfree-for-recipient', 'Messaging to this toll-free number is not allowed.'],
  [4435, 'forbidden-too-many-recipients', 'The group has more than 10 participants.'],
  [4451, 'rejected-wrong-user-id', 'The user id is invalid.'],
  [4452, 'rejected-wrong-application-id', 'The application id is invalid or not on the account.'],
  [4481, 'rejected-from-number-in-blacklist', 'The from number is prohibited.'],
  [4482, 'rejected-to-number-in-blacklist', 'The to number is blocked from receiving messages.'],
  [4492, 'reject-emergency', 'Messaging to an emergency number is forbidden.'],
  [4493, 'rejected-unauthorized', 'The sender is not authorized on the account.'],
]);

const bandwidthSpam = rows('bandwidth', true, 'permanent', [
  [4470, 'rejected-spam-detected', 'Blocked by Bandwidth spam filtering.'],
]);

const carrierClientErrors = rows('carrier', true, 'permanent', [
  [4700, 'invalid-service-type', 'SMS or MMS is not supported by the carrier or handset.', 'mms-unsupported'],
  [4701, 'destination-service-unavailable', 'The destination is unreachable or SMS service is unavailable.'],
  [
    4702,
    'destination-subscriber-unavailable',
    'The subscriber is unavailable (handset off, barred, SIM full...).',
    'transient',
  ],
  [
    4711,
    'rejected-message-size-limit-exceeded',
    'An attachment is too large for the downstream carrier.',
    undefined,
    MEDIA,
  ],
  [4712, 'media-content-invalid', 'The media type is not supported downstream.', undefined, MEDIA],
  [
    4720,
    'invalid-destination-address',
    'Not in the numbering plan or not SMS-capable (for example a landline).',
    undefined,
    INVALID,
  ],
  [4721, 'destination-tn-deactivated', 'The number is on the deactivation list.', undefined, INVALID],
  [4730, 'no-route-to-destination-carrier', 'No route to the destination carrier, or a roaming route.'],
  [4740, 'invalid-source-address-address', 'The source address is invalid.'],
  [4750, 'destination-rejected-message', 'The carrier rejected the message without a reason.'],
  [4751, 'destination-rejected-message-size-invalid', 'The message length is invalid or too long.'],
  [4752, 'destination-rejected-malformed', 'The message is malformed for the carrier (blank, bad PDU...).'],
  [4753, 'destination-rejected-handset', 'The handset rejected the message.'],
  [4770, 'destination-spam-detected', 'Blocked by carrier spam filtering.'],
  [4771, 'rejected-shortened-url', 'A public URL shortener was used.'],
  [4772, 'rejected-tn-blocked', 'The sender or receiver is blocked downstream.'],
  [4773, 'inactive-campaign', 'The 10DLC campaign is not active for this destination.'],
  [4774, 'provisioning-issue', 'A 10DLC or industry database provisioning problem.'],
  [4775, 'destination-rejected-due-to-user-opt-out', 'The recipient has opted out.', 'opted-out'],
  [4780, 'volume-violation-tmo', 'T-Mobile daily brand limit exceeded.', 'transient'],
  [4781, 'volume-violation-att', 'AT&T 10DLC rate limit or throttling.', 'transient'],
  [4785, 'volumetric-violation', 'Carrier volumetric violation; back off.', 'transient'],
  [4790, 'destination-rejected-sc-not-allowed', 'Short code restriction.'],
  [4791, 'destination-rejected-campaign-not-allowed', 'The short code campaign is not allowed.'],
  [4792, 'destination-rejected-sc-not-provisioned', 'The short code is not provisioned at the operator.'],
  [4793, 'destination-rejected-sc-expired', 'The short code has expired.'],
  [4795, 'tfn-not-verified', 'The toll-free number is not verified.'],
]);

const bandwidthServiceFailures = rows('bandwidth', false, 'transient', [
  [5100, 'temporary-app-error', 'Temporary internal error.'],
  [5101, 'temporary-app-shutdown', 'The application is going down; resend later.'],
  [5106, 'impossible-to-route', 'Routing retries were exhausted.'],
  [5111, 'temporary-app-connection-closed', 'The connection was already removed.'],
  [5201, 'temporary-rout-error-retries-exceeded', 'The message expired after retries.'],
  [5211, 'temporary-app-error-app-busy', 'Temporarily busy.'],
  [5220, 'temporary-store-error', 'The message could not be saved to the store.'],
  [5231, 'discarded-concatenation-timeout', 'Not all parts of a concatenated message were received.'],
  [5500, 'message-send-failed', 'General send failure reported by the destination carrier.'],
  [5501, 'message-send-failed', 'No destination available.'],
  [5999, 'unknown-error', 'Unknown Bandwidth error.'],
]);

const carrierServiceFailures = rows('carrier', true, 'transient', [
  [5600, 'destination-carrier-queue-full', 'The destination carrier queue is full.'],
  [5610, 'submit_sm-or-submit_multi-failed', 'The carrier submit failed.'],
  [5620, 'destination-app-error', 'The destination application failed.'],
  [5630, 'message-not-acknowledged', 'The carrier did not acknowledge the message (NACK).'],
  [5650, 'destination-failed', 'The destination failed.'],
]);

const ambiguous = rows('carrier', true, 'ambiguous', [
  [9902, 'delivery-receipt-expired', 'No delivery receipt within the 2-hour window; this does not mean undelivered.'],
  [9999, 'unknown-error', 'An unmapped carrier error.'],
]);

/** Every error code of reference §4, in table order. */
export const ERROR_CODES: readonly ErrorCodeInfo[] = [
  ...bandwidthClientErrors,
  ...bandwidthSpam,
  ...carrierClientErrors,
  ...bandwidthServiceFailures,
  ...carrierServiceFailures,
  ...ambiguous,
].sort((a, b) => a.code - b.code);

const byCode = new Map(ERROR_CODES.map((e) => [e.code, e]));

/** The table entry for `code`, or undefined when Bandwidth's table does not list it. */
export function lookupErrorCode(code: number): ErrorCodeInfo | undefined {
  return byCode.get(code);
}

/** True when `code` is in Bandwidth's error table. */
export function isKnownErrorCode(code: number): boolean {
  return byCode.has(code);
}

/**
 * Describes an error code for typed delivery failures. Unknown codes fall back on the scheme's digits: 4xxx
 * permanent, 5xxx transient, anything else ambiguous.
 */
export function describeErrorCode(
  code: number,
): Pick<ErrorCodeInfo, 'code' | 'name' | 'description' | 'category' | keyof ErrorFlags> {
  const known = byCode.get(code);
  if (known) {
    const { billable: _billable, source: _source, ...description } = known;
    return description;
  }
  const category: ErrorCategory =
    code >= 4000 && code < 5000 ? 'permanent' : code >= 5000 && code < 6000 ? 'transient' : 'ambiguous';
  return {
    code,
    name: 'unknown-error',
    description: `Error code ${code} is not in Bandwidth's published table.`,
    category,
    ...flagsOf(category),
  };
}
