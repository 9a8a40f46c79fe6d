/**
 * Every identifier Threadline derives, in one place. Pure and deterministic: the webhook server, the worker, the
 * workflows and the tests all import these, so a conversation's workflow id and a message's routing tag are computed
 * the same way everywhere.
 */

/** The task queue conversations run on, unless `TEMPORAL_TASK_QUEUE` says otherwise. */
export const DEFAULT_TASK_QUEUE = 'threadline';

/**
 * The workflow id of the conversation between our Bandwidth number and the other participant(s):
 * `sms:<our E.164>:<participant E.164>`, or for a group `sms:<our E.164>:<p1>,<p2>,...` with the participants sorted,
 * so the same people always reach the same conversation whatever order Bandwidth lists them in.
 *
 * @example conversationId({ ourNumber: '+19195550100', participants: ['+19195550123'] }) // 'sms:+19195550100:+19195550123'
 */
export function conversationId(ids: { ourNumber: string; participants: readonly string[] }): string {
  if (ids.participants.length === 0) throw new Error('a conversation needs at least one participant');
  const others = [...new Set(ids.participants)].filter((p) => p !== ids.ourNumber).sort();
  return `sms:${ids.ourNumber}:${others.join(',')}`;
}

/** The inverse of {@link conversationId}; `null` for ids Threadline did not derive. */
export function parseConversationId(id: string): { ourNumber: string; participants: string[] } | null {
  const match = /^sms:(\+\d+):(\+\d+(?:,\+\d+)*)$/.exec(id);
  if (!match?.[1] || !match[2]) return null;
  return { ourNumber: match[1], participants: match[2].split(',') };
}

/**
 * What Threadline writes into a message's Bandwidth `tag` so that its status callbacks find their way back:
 * the conversation (workflow id), the send within it, and which terminal delivery events the conversation wants
 * (intermediate `message-sending`/`message-sent` events are only ever recorded, never signalled).
 */
export interface SendTag {
  conversationId: string;
  sendId: string;
  /** Deliver `message-delivered`/`message-failed` to the workflow (false: record them only). */
  trackDelivery: boolean;
  /**
   * With `trackDelivery`: a `message-delivered` reaches the workflow only once it watches the message (it waits for
   * the receipt: activities/watch-receipts.ts); a `message-failed` always does. Sends of earlier versions: false.
   */
  deliveredWhenWatched?: boolean;
}

const TAG_PREFIX = 'tl1';

/**
 * Encodes a {@link SendTag}: `tl1|w|<sendId>|<conversationId>` (`w`: delivered receipts when watched, `d`: every
 * terminal receipt, `-`: none).
 */
export function encodeTag(tag: SendTag): string {
  const flag = !tag.trackDelivery ? '-' : tag.deliveredWhenWatched ? 'w' : 'd';
  return [TAG_PREFIX, flag, tag.sendId, tag.conversationId].join('|');
}

/** Decodes a Bandwidth `tag`; `null` when the message was not sent by Threadline. */
export function decodeTag(tag: string | undefined): SendTag | null {
  if (!tag) return null;
  const [prefix, flags, sendId, ...rest] = tag.split('|');
  const id = rest.join('|');
  if (prefix !== TAG_PREFIX || !sendId || !id || (flags !== 'd' && flags !== 'w' && flags !== '-')) return null;
  return { conversationId: id, sendId, trackDelivery: flags !== '-', deliveredWhenWatched: flags === 'w' };
}

/**
 * The send-intent key of one send (records/send-intent.ts): its workflow run and its sequence id within the
 * conversation (`s1`, `s2`, ...). Every execution of one send (a local activity run again after a crash) has the same
 * key; every other send a different one (a new conversation with the same id, or the next run after
 * continue-as-new, has a new run id).
 *
 * @example sendIntentKey('5f1c2f0e-7a43-4b53-9d0a-0c6e1e2d3f4a', 's3') // '5f1c2f0e-7a43-4b53-9d0a-0c6e1e2d3f4a/s3'
 */
export function sendIntentKey(runId: string, sendId: string): string {
  return `${runId}/${sendId}`;
}

/**
 * The conversation an inbound message belongs to, given every number we own. Bandwidth delivers a group message once
 * per number of ours in the group (each copy with its own message id and `to`); all copies must reach one
 * conversation, so "our number" for a group is the lowest of our numbers among its recipients, and the participants
 * are everyone else who is not one of ours. The conversation deduplicates the copies. For a one-to-one text this is
 * the number it was sent to and the sender.
 *
 * @example groupConversation({ receivedOn: '+19195550101', from: '+19195550123',
 *   recipients: ['+19195550100', '+19195550101', '+19195550177'], ourNumbers: ['+19195550100', '+19195550101'] })
 * // { ourNumber: '+19195550100', participants: ['+19195550123', '+19195550177'] }
 */
export function groupConversation(message: {
  /** The number of ours this copy was delivered to (the callback's `to`). */
  receivedOn: string;
  from: string;
  /** Every recipient (`message.to`). */
  recipients: readonly string[];
  ourNumbers: readonly string[];
}): { ourNumber: string; participants: string[] } {
  const ours = new Set([...message.ourNumbers, message.receivedOn]);
  const oursHere = [...new Set([message.receivedOn, ...message.recipients.filter((r) => ours.has(r))])].sort();
  const participants = [...new Set([message.from, ...message.recipients])].filter((n) => !ours.has(n)).sort();
  return { ourNumber: oursHere[0]!, participants };
}

/** The id of the schedule that starts `recordsPurge` while `RECORDS_RETENTION_DAYS` is set. */
export const RECORDS_PURGE_SCHEDULE_ID = 'threadline-records-purge';

/**
 * The workflow id of the erasure of one person: `erasure:<contact key>` (the hash of their number, never the number),
 * so a second request while one runs joins it.
 *
 * @example erasureWorkflowId('sha256:9b1c…') // 'erasure:sha256:9b1c…'
 */
export function erasureWorkflowId(contactKey: string): string {
  return `erasure:${contactKey}`;
}

/**
 * The id of the late sweep after an erasure (workflows/data-lifecycle/contact-erasure.ts `contactErasureSweep`): one
 * per person at a time.
 *
 * @example erasureSweepWorkflowId('sha256:9b1c…') // 'erasure-sweep:sha256:9b1c…'
 */
export function erasureSweepWorkflowId(contactKey: string): string {
  return `erasure-sweep:${contactKey}`;
}
