/**
 * Paced sends: a send from a sender held to a sending rate (pacing/send-rates.ts). The `sendMessage` local activity
 * answers such a send with the rates it is held to instead of sending it; the conversation then sends it as a regular
 * activity on the most specific rate's task queue, after paying for every other unit it uses with `paceToken`s: one
 * per segment (or recipient) beyond the first on that queue, and all of them on every broader rate's queue. Each of
 * those task queues is polled by every worker with `maxTaskQueueActivitiesPerSecond` set to its rate, so the Temporal
 * server dispatches no more units per second than the rate allows, across all workers; a burst waits in Temporal,
 * durably, not in Bandwidth's queue.
 *
 * Replies go first: a send within {@link REPLY_WINDOW_MS} of the person's last text gets Temporal's task priority
 * {@link REPLY_PRIORITY}, ahead of proactive sends at {@link PROACTIVE_PRIORITY} waiting in the same queue.
 *
 * Histories recorded before pacing are unchanged: their local sends returned a message, never a deferral, so no new
 * command is ever replayed against them; the deferral itself is in the local activity's marker.
 */
import { ActivityFailure, ApplicationFailure, TimeoutFailure, isCancellation, patched } from '@temporalio/workflow';
import type { PacedSendOutcome, SendMessageInput, SendMessageResult } from '../../activities';
import { smsSegmentInfo } from '../../bandwidth/segments';
import { sendUnits, type SendLimit } from '../../pacing/send-rates';
import { SendFailureType } from '../activity-failures';
import { PACED_SEND_WINDOW, pacedSendMessage, pacedSendOutcome, paceToken } from '../activity-options';
import { parseDuration } from '../duration';
import type { ConversationMemory } from './memory';

/**
 * Histories recorded before paced sends could expire: a token that timed out failed its send as of unknown outcome.
 * Since, the send fails `SendExpired`: it was never scheduled, so nothing was sent.
 */
export const PACED_SEND_EXPIRY_PATCH = 'paced-send-expiry';

/**
 * Histories recorded before a paced send that ran out of time asked its intent what became of it: the send failed as of
 * unknown outcome. Since, the intent answers (`pacedSendOutcome`): accepted, not sent (`SendExpired`), or unknown.
 */
export const PACED_SEND_OUTCOME_PATCH = 'paced-send-outcome';

/** How recent the person's last text must be for a send to count as a reply to it. */
export const REPLY_WINDOW_MS = 5 * 60_000;
/** Temporal priority keys (1 is dispatched first, 5 last, 3 when unset): replies to a person who just texted... */
export const REPLY_PRIORITY = 1;
/** ...before proactive sends (reminders, openings, a bot talking on its own). */
export const PROACTIVE_PRIORITY = 3;

/** The priority key of a send now: a reply to a recent text, or proactive. */
export function sendPriority(memory: ConversationMemory): number {
  const last = memory.lastInboundAt;
  return last !== null && Date.now() - last <= REPLY_WINDOW_MS ? REPLY_PRIORITY : PROACTIVE_PRIORITY;
}

/** How many units of `limit` a message uses. */
export function unitsOf(limit: SendLimit, input: SendMessageInput): number {
  const mms = (input.media?.length ?? 0) > 0;
  return sendUnits(limit.unit, { to: input.to, mms, segments: mms ? 1 : smsSegmentInfo(input.text).segments });
}

/**
 * Sends `input` on its rates' task queues (`limits`, most specific first, as `sendMessage` deferred it): the tokens
 * first, all at once, then the send itself. Fails as `sendMessage` does, wrapped in an `ActivityFailure`; a send still
 * waiting for its tokens, or for its first attempt, a day ({@link PACED_SEND_WINDOW}) after this began fails
 * `SendExpired`, as nothing was sent. One whose activity the server gave up on (its queue not served for the whole
 * window) is settled from its send intent: the message it was accepted as, `SendExpired` when no attempt reached
 * Bandwidth, or the timeout (outcome unknown) when an attempt began and nothing settled it.
 */
export async function sendPaced(
  limits: readonly SendLimit[],
  input: SendMessageInput,
  options: { summary: string; priorityKey: number },
): Promise<SendMessageResult> {
  const [own, ...broader] = limits;
  if (!own) throw new Error('sendPaced needs at least one limit');
  const priority = { priorityKey: options.priorityKey };
  const notAfter = new Date(Date.now() + parseDuration(PACED_SEND_WINDOW)).toISOString();
  const tokens: Promise<void>[] = [];
  const take = (limit: SendLimit, count: number) => {
    for (let i = 0; i < count; i++) {
      tokens.push(paceToken.executeWithOptions({ taskQueue: limit.taskQueue, priority, summary: 'pace' }, []));
    }
  };
  for (const limit of broader) take(limit, unitsOf(limit, input));
  take(own, unitsOf(own, input) - 1);
  try {
    await Promise.all(tokens);
  } catch (err) {
    // A token that never came (its day in the queue ran out): the send was never scheduled, so nothing was sent.
    if (timedOut(err) && patched(PACED_SEND_EXPIRY_PATCH)) {
      throw expired(`Waited its sending rate's queue past ${notAfter} for a pace token; not sent`);
    }
    throw err;
  }
  let result: Awaited<ReturnType<typeof pacedSendMessage>>;
  try {
    result = await pacedSendMessage.executeWithOptions(
      { taskQueue: own.taskQueue, priority, summary: options.summary },
      [{ ...input, paced: true, notAfter }],
    );
  } catch (err) {
    // Out of time (nobody served the rate's queue until the server's window closed): the intent says what happened.
    if (timedOut(err) && patched(PACED_SEND_OUTCOME_PATCH)) {
      const known = await outcomeOf(input);
      if (known?.state === 'accepted') return known.result;
      if (known?.state === 'not-sent') throw expired(`Waited its sending rate's queue past ${notAfter}; not sent`);
    }
    throw err;
  }
  if ('paced' in result) throw new Error(`${own.taskQueue} deferred a paced send again`); // cannot happen: paced is set
  return result;
}

/** An activity the server gave up on: its window closed before it ran (or finished). */
function timedOut(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof TimeoutFailure;
}

/** The send fails {@link SendFailureType.Expired}, never retried: nothing was sent. */
function expired(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, SendFailureType.Expired);
}

/** {@link pacedSendOutcome}, or null when it could not be asked (its answer would have been "unknown" as well). */
async function outcomeOf(input: SendMessageInput): Promise<PacedSendOutcome | null> {
  try {
    return await pacedSendOutcome({ ...input, paced: true });
  } catch (err) {
    if (isCancellation(err)) throw err;
    return null;
  }
}
