/**
 * Proof that a send reached Bandwidth, for a send intent whose last attempt has no known outcome (the process died
 * during it, or the answer was lost). Two sources, cheapest first: the records (status callbacks echo the message's
 * routing tag, and the records keep every callback), then Bandwidth's message search (outbound messages from our
 * number to the first recipient since the intent). A message another intent owns is never proof for this one.
 */
import {
  toBandwidthApiError,
  type BandwidthClient,
  type BandwidthFailureKind,
  type SentMessageSummary,
} from '../bandwidth/client';
import type { AcceptedMessage, SendIntent, SendIntents } from '../records/send-intent';

/** How far before the intent a message may be dated and still prove it: clocks of two machines differ a little. */
export const PROOF_CLOCK_SLACK_MS = 10_000;

export type SendProof =
  | { found: AcceptedMessage; by: 'records' | 'search' }
  /**
   * Nothing proves the send. `searched`: Bandwidth's message search answered (so its silence is evidence too);
   * otherwise `searchError` says why not, and whether asking again may help (`'not-sent'`: an outage, a 429, a 5xx)
   * or not (`'rejected'`: a 4xx, e.g. an account without the search role).
   */
  | { found: null; searched: true }
  | {
      found: null;
      searched: false;
      searchError: { message: string; kind: BandwidthFailureKind; retryAfterMs: number | null };
    };

export async function findSendProof(
  deps: { intents: SendIntents; bandwidth: BandwidthClient },
  intent: SendIntent,
  content: { text: string; mediaCount: number },
): Promise<SendProof> {
  const since = new Date(Date.parse(intent.createdAt) - PROOF_CLOCK_SLACK_MS).toISOString();
  const byRecords = await deps.intents.provenByRecords(intent, since);
  if (byRecords) return { found: byRecords, by: 'records' };
  let rows: SentMessageSummary[];
  try {
    rows = await deps.bandwidth.findSentMessages({ from: intent.from, to: intent.to[0]!, since });
  } catch (err) {
    const failure = toBandwidthApiError(err, 'message search');
    return {
      found: null,
      searched: false,
      searchError: { message: failure.message, kind: failure.kind, retryAfterMs: failure.retryAfterMs },
    };
  }
  const owned = await deps.intents.owned(rows.map((r) => r.messageId));
  // Search keeps no text, but its length and the number of attachments: a message that differs in either is another.
  const length = [...content.text].length;
  const candidates = rows.filter(
    (r) =>
      !owned.has(r.messageId) &&
      (r.messageLength === null || r.messageLength === length) &&
      (r.attachmentCount === null || r.attachmentCount === content.mediaCount),
  );
  const best = candidates.sort((a, b) => Date.parse(a.receiveTime) - Date.parse(b.receiveTime))[0];
  if (!best) return { found: null, searched: true };
  return {
    found: { messageId: best.messageId, segmentCount: best.segmentCount ?? 1, time: best.receiveTime },
    by: 'search',
  };
}
