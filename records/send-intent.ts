/**
 * Send intents: Threadline's own evidence for exactly-once sending. Bandwidth takes no idempotency key, so before the
 * send activity calls create-message it writes an intent keyed by (workflow run, send id), and after Bandwidth's 202
 * the accepted message id. When the activity runs again for the same send (its workflow task never completed: the
 * worker died, the Temporal server lost it), the intent tells it what happened: accepted (reuse the id, send nothing),
 * certainly not sent (send), or unknown (look for proof first: activities/send-proof.ts). Intents live in the
 * message-records database beside the records that can prove a send.
 */

/** Where a send stands. */
export type SendIntentState =
  /** An attempt began and its outcome is not known yet (in flight, or the process died during it). */
  | 'attempting'
  /** Bandwidth accepted it (202): `messageId` is set. */
  | 'accepted'
  /** The last attempt certainly did not reach Bandwidth, or Bandwidth refused it: sending (again) sends it once. */
  | 'not-sent';

export const SEND_INTENT_STATES: readonly SendIntentState[] = ['attempting', 'accepted', 'not-sent'];

/** What the activity knows about a send before its first attempt. */
export interface SendIntentInput {
  /**
   * `<workflow run id>/<send id>` (workflows/ids.ts `sendIntentKey`): the same on every execution of one send,
   * different for every other send.
   */
  key: string;
  conversationId: string | null;
  /** The routing tag the message carries; status callbacks echo it, so the records can prove a send. */
  tag: string;
  from: string;
  to: string[];
}

/** The message Bandwidth accepted for a send. */
export interface AcceptedMessage {
  messageId: string;
  segmentCount: number;
  /** When Bandwidth accepted it (ISO 8601). */
  time: string;
}

export interface SendIntent extends SendIntentInput {
  state: SendIntentState;
  /** Attempts begun so far (each a create-message call, or one that may have been made). */
  attempts: number;
  accepted: AcceptedMessage | null;
  /** When the intent was written (ISO 8601, normalised like record times). */
  createdAt: string;
  /** When the latest attempt began. */
  attemptedAt: string;
}

/**
 * The durable send intents, `RecordStore.sendIntents`. Every method may be called concurrently, also from several
 * processes sharing one database.
 */
export interface SendIntents {
  /**
   * The intent for `input.key`: written now (state `not-sent`, no attempt yet) unless it exists, in which case the
   * stored one is returned unchanged.
   */
  open(input: SendIntentInput): Promise<SendIntent>;
  /**
   * {@link open} and the first {@link attempt} in one statement: a new intent is written `attempting`, with one attempt
   * begun, and comes back with `created: true` (the caller sends at once); an existing one (the send executed again)
   * comes back unchanged with `created: false`, for the caller to decide from as after `open`.
   */
  openAttempting(input: SendIntentInput): Promise<{ intent: SendIntent; created: boolean }>;
  /** Marks an attempt begun (state `attempting`, `attemptedAt` now, one more attempt). Durable when it resolves. */
  attempt(key: string): Promise<SendIntent>;
  /**
   * Settles the intent: `accepted` with the message Bandwidth took, or `not-sent`. Accepting with a message id that
   * belongs to another intent resolves `false` and changes nothing (the message proves some other send).
   */
  settle(
    key: string,
    outcome: { state: 'accepted'; accepted: AcceptedMessage } | { state: 'not-sent' },
  ): Promise<boolean>;
  /**
   * Proof from the records that a send reached Bandwidth: the earliest outbound record (accepted, or any status
   * callback) carrying the intent's tag, in its conversation, from `since` on, whose message id no intent owns.
   */
  provenByRecords(intent: SendIntent, since: string): Promise<AcceptedMessage | null>;
  /** Of these message ids, those an intent already owns. */
  owned(messageIds: readonly string[]): Promise<Set<string>>;
}
