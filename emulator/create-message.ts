/**
 * Create message (reference §2.1): validate, count segments, check the queue's capacity, draw an injected API fault
 * (emulator/api-faults.ts), store and queue the message, and answer 202 with the Message. Transport-free, so the
 * express route and the fast path share it.
 */
import { segmentCount } from '../bandwidth/segments';
import { faultResponse } from './api-faults';
import { type EmulatorContext } from './context';
import { validateCreateMessage } from './create-message-validation';
import { type Account } from './directory-schemas';
import { newMessageId } from './ids';
import { type StoredMessage } from './message-store';

/** What create-message answers: a status with Bandwidth's body (and headers), or nothing at all. */
export type CreateOutcome = CreateAnswer | CreateWithheld;

export interface CreateAnswer {
  status: 202 | 400 | 429 | 500 | 503;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** An injected fault: send nothing, and destroy the connection after `withholdMs` real ms (ApiFaults.withhold). */
export interface CreateWithheld {
  withholdMs: number;
}

export async function acceptCreateMessage(
  ctx: EmulatorContext,
  account: Account,
  input: unknown,
): Promise<CreateOutcome> {
  const now = ctx.clock.now();
  const result = validateCreateMessage(input, account, ctx.directory, now);
  if (!result.ok) {
    return {
      status: 400,
      body: {
        type: 'request-validation',
        description: 'Your request could not be accepted',
        fieldErrors: result.fieldErrors,
      },
    };
  }
  const v = result.value;
  const isMms = (v.media?.length ?? 0) > 0 || v.to.length > 1;
  const segments = segmentCount({ text: v.text, media: v.media, to: v.to });
  // Rate limits count segments; a group message costs one unit per recipient.
  const units = isMms ? v.to.length : segments;
  if (ctx.engine.queue.wouldOverflow(account.id, units)) {
    const perMinute = Math.round(account.limits.messagesPerSecond * 60);
    const capacity = ctx.engine.queue.capacity(account.id);
    return {
      status: 429,
      body: {
        type: 'max-message-queue-size-exceeded',
        description:
          `The SMS queue for your account is full and cannot accept more messages right now. Your allowed rate is ` +
          `${perMinute} messages per minute. The capacity of this queue is ${capacity} messages ` +
          `(${account.limits.queueMinutes} minutes). Reduce your message sending rate, or contact support to ` +
          `increase your allowed rate.`,
      },
    };
  }
  // Only a request that would be accepted is eligible for an injected fault.
  const fault = ctx.apiFaults.drawCreateMessage();
  const faults = ctx.settings().apiFaults.createMessage;
  if (fault === 'error500' || fault === 'error503' || fault === 'error429') return faultResponse(fault, faults);
  if (fault === 'hang') return { withholdMs: faults.holdMs };
  const message: StoredMessage = {
    id: newMessageId(now),
    accountId: account.id,
    applicationId: v.applicationId,
    direction: 'out',
    from: v.from,
    to: v.to,
    owner: v.from,
    timeMs: now,
    segmentCount: segments,
    messageType: isMms ? 'mms' : 'sms',
    tag: v.tag,
    priority: v.priority,
    expiration: v.expiration,
    media: v.media,
    messageLength: v.text ? [...v.text].length : 0,
    messageSize:
      (v.text ? Buffer.byteLength(v.text) : 0) + (v.media ?? []).reduce((n, m) => n + Buffer.byteLength(m), 0),
    product: v.from.startsWith('+') ? (ctx.directory.number(v.from)?.product ?? 'LOCAL_A2P') : 'ALPHA_NUMERIC',
  };
  await ctx.engine.acceptOutbound(message, units, v.text);
  const body: Record<string, unknown> = {
    id: message.id,
    owner: message.owner,
    applicationId: message.applicationId,
    time: new Date(now).toISOString(),
    segmentCount: segments,
    direction: 'out',
    to: v.to,
    from: v.from,
  };
  if (v.media) body.media = v.media;
  if (v.text !== undefined) body.text = v.text;
  if (v.tag !== undefined) body.tag = v.tag;
  body.priority = v.priority;
  if (v.expiration !== undefined) body.expiration = v.expiration;
  // The message is accepted and durable either way; an accept-then-timeout fault only loses the answer.
  if (fault === 'acceptThenTimeout') return { withholdMs: faults.holdMs };
  return { status: 202, body };
}
