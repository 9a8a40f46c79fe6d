/**
 * The send activity and Bandwidth's rate limits: a 429 with `Retry-After` is retried after exactly that long (the
 * failure's `nextRetryDelay`), not on the usual back-off; and a sender held to a sending rate is not sent from the
 * conversation's worker but handed to its rate's task queue.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { createSendMessage, type SendMessageInput } from '../../activities/send-message';
import { retryAfterMs } from '../../bandwidth/api-error';
import { BandwidthApiError, createBandwidthClient, type BandwidthClient } from '../../bandwidth/client';
import { sendLimitsFor } from '../../pacing/send-rates';
import { SendFailureType } from '../../workflows/activity-failures';
import { encodeTag } from '../../workflows/ids';
import { admin, DEFAULTS, startEmulator, type Running } from '../emulator/helpers';

const input: SendMessageInput = {
  from: DEFAULTS.number,
  to: ['+19195550123'],
  text: 'Your table is ready.',
  tag: encodeTag({ conversationId: 'sms:+19195550100:+19195550123', sendId: 's1', trackDelivery: true }),
};

/** The failure a send ended with; fails the test if it succeeded. */
async function failureOf(send: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await send;
  } catch (err) {
    assert.ok(err instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the send to fail');
}

describe('a send that Bandwidth refuses with 429', () => {
  let env: Running;
  let bandwidth: BandwidthClient;

  before(async () => {
    env = await startEmulator();
    bandwidth = createBandwidthClient({
      baseUrl: `${env.url}/api/v2`,
      accountId: DEFAULTS.accountId,
      auth: { kind: 'basic', username: DEFAULTS.username!, password: DEFAULTS.password! },
    });
  });
  after(() => env?.close());

  it('is retried after the Retry-After Bandwidth gave, and goes out on the next attempt', async () => {
    const activity = createSendMessage({ bandwidth, applicationId: DEFAULTS.applicationId });
    await admin(env.url, 'PATCH', '/settings', {
      apiFaults: { createMessage: { error429Rate: 1, retryAfterSeconds: 7 } },
    });
    const failure = await failureOf(activity.sendMessage(input));
    assert.equal(failure.type, SendFailureType.RateLimited);
    assert.equal(failure.nonRetryable, false);
    assert.equal(failure.nextRetryDelay, 7_000);
    assert.match(failure.message, /429 \(rate_limit_exceeded: .*\); trying again in 7000 ms as Retry-After asks/);

    await admin(env.url, 'PATCH', '/settings', { apiFaults: { createMessage: { error429Rate: 0 } } });
    const sent = await activity.sendMessage(input);
    assert.ok('messageId' in sent && sent.messageId);
  });

  it('without a Retry-After is retried on the usual back-off', async () => {
    const full: BandwidthClient = {
      ...bandwidth,
      createMessage: () =>
        Promise.reject(
          new BandwidthApiError('max-message-queue-size-exceeded', 'not-sent', 429, { type: 'queue full' }),
        ),
    };
    const activity = createSendMessage({ bandwidth: full, applicationId: DEFAULTS.applicationId });
    await assert.rejects(
      activity.sendMessage(input),
      (err: unknown) => err instanceof BandwidthApiError && err.status === 429,
    );
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-11-30T03:00:00Z');

  it('reads delay-seconds and HTTP dates, and ignores what it cannot read', () => {
    assert.equal(retryAfterMs('300', now), 300_000);
    assert.equal(retryAfterMs(['2'], now), 2_000);
    assert.equal(retryAfterMs('Mon, 30 Nov 2026 03:00:30 GMT', now), 30_000);
    assert.equal(retryAfterMs('Mon, 30 Nov 2026 02:59:00 GMT', now), 1_000, 'a date past: a second, not at once');
    assert.equal(retryAfterMs('0', now), 1_000);
    assert.equal(retryAfterMs(undefined, now), null);
    assert.equal(retryAfterMs('soon', now), null);
  });

  it('waits at most an hour, whatever the header says', () => {
    assert.equal(retryAfterMs('86400', now), 3_600_000);
  });
});

describe('a send from a sender held to a sending rate', () => {
  const rates = {
    numbers: { [DEFAULTS.number]: { unit: 'message' as const, perSecond: 5 } },
    campaigns: {},
    account: null,
  };
  const refusing: BandwidthClient = {
    accountId: DEFAULTS.accountId,
    messages: null as never,
    media: null as never,
    findSentMessages: () => Promise.resolve([]),
    createMessage: () => assert.fail('nothing is sent from the conversation’s worker'),
  };

  it('is handed to its rate’s task queue instead of being sent', async () => {
    const activity = createSendMessage({
      bandwidth: refusing,
      applicationId: DEFAULTS.applicationId,
      sendLimits: (from) => sendLimitsFor(rates, 'threadline', from),
    });
    assert.deepEqual(await activity.sendMessage(input), {
      paced: [{ key: DEFAULTS.number, taskQueue: `threadline.send.${DEFAULTS.number}`, unit: 'message' }],
    });
  });

  it('is sent when it runs on that queue', async () => {
    let sent = 0;
    const activity = createSendMessage({
      bandwidth: {
        ...refusing,
        createMessage: () => Promise.resolve({ id: `m-${++sent}`, segmentCount: 1, time: new Date().toISOString() }),
      },
      applicationId: DEFAULTS.applicationId,
      sendLimits: (from) => sendLimitsFor(rates, 'threadline', from),
    });
    const result = await activity.sendMessage({ ...input, paced: true });
    assert.ok('messageId' in result);
    assert.equal(result.messageId, 'm-1');
  });
});
