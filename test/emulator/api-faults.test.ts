/**
 * Faults on the API itself (settings.apiFaults.createMessage): every outcome a sender can meet on create-message,
 * produced on purpose and seen through Bandwidth's official client and through Threadline's own.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterEach, after, before, describe, it } from 'node:test';
import { isAxiosError } from 'axios';
import { Configuration, MessagesApi } from 'bandwidth-sdk';
import { BandwidthApiError, createBandwidthClient, type BandwidthClient } from '../../bandwidth/client';
import { ApiFaults, pickCreateMessageFault, type FaultCounts } from '../../emulator/api-faults';
import { CreateMessageFaultsSchema, SettingsSchema } from '../../emulator/settings';
import { admin, api, DEFAULTS, eventsOf, eventually, startEmulator, type HandsetInbox, type Running } from './helpers';
import { loadSpecValidator, type SpecValidator } from './openapi';

const ACCOUNT = DEFAULTS.accountId;
/** No fault counted. */
const NONE = { error500: 0, error503: 0, error429: 0, acceptThenTimeout: 0, hang: 0 };

/** Our client against the emulator, with its own request timeout. */
const clientFor = (url: string, timeoutMs = 10_000): BandwidthClient =>
  createBandwidthClient({
    baseUrl: `${url}/api/v2`,
    accountId: ACCOUNT,
    auth: { kind: 'basic', username: DEFAULTS.username!, password: DEFAULTS.password! },
    timeoutMs,
  });

const text = (to: string, body: string, tag?: string) => ({
  applicationId: DEFAULTS.applicationId,
  from: DEFAULTS.number,
  to: [to],
  text: body,
  tag,
});

/** The failure a send ended with; fails the test if it succeeded. */
async function failureOf(send: Promise<unknown>): Promise<BandwidthApiError> {
  try {
    await send;
  } catch (err) {
    assert.ok(err instanceof BandwidthApiError, `expected a BandwidthApiError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the send to fail');
}

/** The HTTP error bandwidth-sdk raised; fails the test otherwise. */
async function sdkErrorOf(send: Promise<unknown>) {
  try {
    await send;
  } catch (err) {
    assert.ok(isAxiosError(err) && err.response, `expected an HTTP error, got ${String(err)}`);
    return { status: err.response.status, data: err.response.data as unknown, headers: err.response.headers };
  }
  assert.fail('expected an HTTP error');
}

void describe('faults on the create-message API', () => {
  let env: Running;
  let spec: SpecValidator;
  let sdk: MessagesApi;
  const setFaults = (createMessage: Record<string, number>) =>
    admin(env.url, 'PATCH', '/settings', { apiFaults: { createMessage } });
  const faultCounts = async () => (await admin<FaultCounts>(env.url, 'GET', '/faults')).body.createMessage;
  const inboxOf = async (phone: string) =>
    (await api<HandsetInbox>(env.url, `/emulator/handsets/${encodeURIComponent(phone)}/messages`, { auth: '' })).body
      .messages;
  /** Waits for the `message-delivered` callback of the text tagged `tag` (its id is all a lost answer would have told). */
  const deliveredWithTag = (tag: string) =>
    env.sink.waitFor(() => eventsOf(env.sink).some((e) => e.type === 'message-delivered' && e.message.tag === tag));
  const searchTo = async (phone: string) =>
    (
      await api<{ totalCount: number; messages: { messageId: string }[] }>(
        env.url,
        `/api/v2/users/${ACCOUNT}/messages?destinationTn=${encodeURIComponent(phone)}`,
      )
    ).body;

  before(async () => {
    spec = await loadSpecValidator();
    env = await startEmulator();
    sdk = new MessagesApi(
      new Configuration({ basePath: `${env.url}/api/v2`, username: DEFAULTS.username, password: DEFAULTS.password }),
    );
  });
  afterEach(async () => {
    await admin(env.url, 'PATCH', '/settings', { apiFaults: { createMessage: CreateMessageFaultsSchema.parse({}) } });
    await admin(env.url, 'POST', '/reset');
  });
  after(async () => env.close());

  void it('answers 500 internal-server-error, accepts nothing, and our client calls it not sent, safe to retry', async () => {
    await setFaults({ error500Rate: 1 });

    const seen = await sdkErrorOf(
      sdk.createMessage(ACCOUNT, { ...text('+19195550301', 'one'), to: new Set(['+19195550301']) }),
    );
    assert.equal(seen.status, 500);
    assert.deepEqual(seen.data, {
      type: 'internal-server-error',
      description: 'Internal server error. No further information available',
    });
    spec.response('createMessage', 500, seen.data);

    const failure = await failureOf(clientFor(env.url).createMessage(text('+19195550301', 'two')));
    assert.deepEqual([failure.kind, failure.status], ['not-sent', 500]);
    assert.match(failure.message, /failed with 500 \(internal-server-error: /);

    assert.deepEqual(await faultCounts(), { ...NONE, error500: 2 });
    assert.equal((await searchTo('+19195550301')).totalCount, 0);
    assert.deepEqual(await inboxOf('+19195550301'), []);
  });

  void it('answers 503 service-unavailable, accepts nothing, and our client calls it not sent, safe to retry', async () => {
    await setFaults({ error503Rate: 1 });

    const seen = await sdkErrorOf(
      sdk.createMessage(ACCOUNT, { ...text('+19195550302', 'one'), to: new Set(['+19195550302']) }),
    );
    assert.equal(seen.status, 503);
    assert.deepEqual(seen.data, {
      type: 'service-unavailable',
      description: 'The service is temporarily unavailable. Please retry later.',
    });

    const failure = await failureOf(clientFor(env.url).createMessage(text('+19195550302', 'two')));
    assert.deepEqual([failure.kind, failure.status], ['not-sent', 503]);

    assert.deepEqual(await faultCounts(), { ...NONE, error503: 2 });
    assert.equal((await searchTo('+19195550302')).totalCount, 0);
  });

  void it('answers 429 rate_limit_exceeded with Retry-After, accepts nothing, and our client calls it not sent', async () => {
    await setFaults({ error429Rate: 1, retryAfterSeconds: 7 });

    const seen = await sdkErrorOf(
      sdk.createMessage(ACCOUNT, { ...text('+19195550303', 'one'), to: new Set(['+19195550303']) }),
    );
    assert.equal(seen.status, 429);
    assert.equal(seen.headers['retry-after'], '7');
    assert.deepEqual(seen.data, {
      type: 'rate_limit_exceeded',
      description: 'Rate limit exceeded. Wait for Retry-After time before sending another request.',
    });
    spec.response('createMessage', 429, seen.data);

    const failure = await failureOf(clientFor(env.url).createMessage(text('+19195550303', 'two')));
    assert.deepEqual([failure.kind, failure.status], ['not-sent', 429]);

    assert.deepEqual(await faultCounts(), { ...NONE, error429: 2 });
    assert.equal((await searchTo('+19195550303')).totalCount, 0);
  });

  void it('accepts the message but drops the connection unanswered: the outcome is unknown, yet the handset gets it', async () => {
    await setFaults({ acceptThenTimeoutRate: 1, holdMs: 200 });

    // holdMs (200) is shorter than our client's timeout: the emulator drops the connection without an answer.
    const failure = await failureOf(clientFor(env.url).createMessage(text('+19195550304', 'are you there?', 'att-1')));
    assert.deepEqual([failure.kind, failure.status], ['unknown', null]);

    // The message was really accepted: queued, delivered, called back, searchable, in the handset's inbox.
    await deliveredWithTag('att-1');
    const delivered = eventsOf(env.sink).find((e) => e.message.tag === 'att-1')!;
    assert.deepEqual(
      eventsOf(env.sink, delivered.message.id).map((e) => e.type),
      ['message-sending', 'message-sent', 'message-delivered'],
    );
    assert.deepEqual(
      (await searchTo('+19195550304')).messages.map((m) => m.messageId),
      [delivered.message.id],
    );
    const inbox = await inboxOf('+19195550304');
    assert.deepEqual(
      inbox.map((m) => [m.messageId, m.text, m.status]),
      [[delivered.message.id, 'are you there?', 'DELIVERED']],
    );
    assert.deepEqual(await faultCounts(), { ...NONE, acceptThenTimeout: 1 });
  });

  void it('accepts the message while our client gives up first on its own request timeout: also unknown', async () => {
    await setFaults({ acceptThenTimeoutRate: 1, holdMs: 600_000 });

    const failure = await failureOf(clientFor(env.url, 300).createMessage(text('+19195550305', 'hello?', 'att-2')));
    assert.deepEqual([failure.kind, failure.status], ['unknown', null]);
    assert.match(failure.message, /timeout|ECONNABORTED|ETIMEDOUT/i);

    await deliveredWithTag('att-2');
    assert.deepEqual(
      (await inboxOf('+19195550305')).map((m) => [m.text, m.status]),
      [['hello?', 'DELIVERED']],
    );
  });

  void it('hangs without accepting anything, then drops the connection: unknown to our client, nothing sent', async () => {
    await setFaults({ hangRate: 1, holdMs: 200 });

    const failure = await failureOf(clientFor(env.url).createMessage(text('+19195550306', 'lost', 'hang-1')));
    assert.deepEqual([failure.kind, failure.status], ['unknown', null]);

    assert.deepEqual(await faultCounts(), { ...NONE, hang: 1 });
    assert.equal((await searchTo('+19195550306')).totalCount, 0);
    assert.deepEqual(await inboxOf('+19195550306'), []);
    const pending = await admin<unknown[]>(env.url, 'GET', '/callbacks?state=pending');
    assert.deepEqual(pending.body, []);
  });

  void it('changes nothing when every rate is 0: the text is accepted, answered 202 and delivered', async () => {
    await setFaults({ error500Rate: 0, error503Rate: 0, error429Rate: 0, acceptThenTimeoutRate: 0, hangRate: 0 });

    const message = await clientFor(env.url).createMessage(text('+19195550307', 'plain'));
    await env.sink.waitFor(() => eventsOf(env.sink, message.id).some((e) => e.type === 'message-delivered'));
    assert.deepEqual(await faultCounts(), NONE);
  });

  void it('counts faults until a reset zeroes them', async () => {
    await setFaults({ error500Rate: 1 });
    for (const n of ['+19195550308', '+19195550309']) await failureOf(clientFor(env.url).createMessage(text(n, 'x')));
    await setFaults({ error500Rate: 0, error429Rate: 1 });
    await failureOf(clientFor(env.url).createMessage(text('+19195550308', 'x')));
    assert.deepEqual(await faultCounts(), { ...NONE, error500: 2, error429: 1 });

    assert.equal((await admin(env.url, 'POST', '/reset')).status, 204);
    assert.deepEqual(await faultCounts(), NONE);
  });

  void it('faults only requests that would be accepted: invalid ones still get their 400', async () => {
    await setFaults({ error500Rate: 1 });

    const invalid = await failureOf(clientFor(env.url).createMessage({ ...text('+19195550310', 'x'), from: '+1' }));
    assert.deepEqual([invalid.kind, invalid.status], ['rejected', 400]);
    assert.deepEqual((await faultCounts()).error500, 0);
  });

  void it('merges a settings patch into the faults already set', async () => {
    await setFaults({ error429Rate: 0.25 });
    const settings = await setFaults({ holdMs: 5 });
    assert.equal(settings.status, 200);
    assert.deepEqual((settings.body as { apiFaults: unknown }).apiFaults, {
      createMessage: {
        error500Rate: 0,
        error503Rate: 0,
        error429Rate: 0.25,
        retryAfterSeconds: 1,
        acceptThenTimeoutRate: 0,
        hangRate: 0,
        holdMs: 5,
      },
    });
  });

  void it('refuses a rate above 1, rates that add up to more than 1 and a negative hold with a 400 naming the field', async () => {
    const above = await setFaults({ error500Rate: 1.5 });
    assert.equal(above.status, 400);
    assert.deepEqual(above.body, {
      error: 'invalid',
      issues: ['apiFaults.createMessage.error500Rate: Too big: expected number to be <=1'],
    });

    const sum = await setFaults({ error500Rate: 0.6, hangRate: 0.6 });
    assert.equal(sum.status, 400);
    assert.deepEqual((sum.body as { issues: string[] }).issues, [
      'apiFaults.createMessage: the rates error500Rate, error503Rate, error429Rate, acceptThenTimeoutRate and hangRate add up to more than 1',
    ]);

    const hold = await setFaults({ holdMs: -1 });
    assert.equal(hold.status, 400);
    assert.match((hold.body as { issues: string[] }).issues[0]!, /^apiFaults\.createMessage\.holdMs: /);

    // Nothing was changed by the refused patches.
    const settings = await admin<{ apiFaults: { createMessage: Record<string, number> } }>(env.url, 'GET', '/settings');
    assert.equal(settings.body.apiFaults.createMessage.error500Rate, 0);
    assert.equal(settings.body.apiFaults.createMessage.hangRate, 0);
  });

  void it('injects the same faults through the express app on its own (no fast path)', async () => {
    await setFaults({ error429Rate: 1, retryAfterSeconds: 3 });
    const server = http.createServer(env.emulator.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const appSdk = new MessagesApi(
        new Configuration({ basePath: url, username: DEFAULTS.username, password: DEFAULTS.password }),
      );
      const seen = await sdkErrorOf(
        appSdk.createMessage(ACCOUNT, { ...text('+19195550311', 'x'), to: new Set(['+19195550311']) }),
      );
      assert.deepEqual(
        [seen.status, seen.headers['retry-after'], (seen.data as { type: string }).type],
        [429, '3', 'rate_limit_exceeded'],
      );

      await setFaults({ error429Rate: 0, acceptThenTimeoutRate: 1, holdMs: 100 });
      const failure = await failureOf(clientFor(url).createMessage(text('+19195550311', 'via express', 'app-1')));
      assert.equal(failure.kind, 'unknown');
      await deliveredWithTag('app-1');
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  });
});

void describe('closing the emulator while a request is held', () => {
  void it('destroys the held connection at once instead of waiting out holdMs', async () => {
    const env = await startEmulator();
    await admin(env.url, 'PATCH', '/settings', { apiFaults: { createMessage: { hangRate: 1, holdMs: 3_600_000 } } });

    // A client with no timeout of its own: only the emulator can end this request.
    const send = failureOf(clientFor(env.url, 0).createMessage(text('+19195550312', 'held')));
    await eventually(async () => {
      assert.equal((await admin<FaultCounts>(env.url, 'GET', '/faults')).body.createMessage.hang, 1);
    });

    await env.close();
    const failure = await send;
    assert.deepEqual([failure.kind, failure.status], ['unknown', null]);
  });
});

void describe('drawing a fault', () => {
  const faults = CreateMessageFaultsSchema.parse({
    error500Rate: 0.1,
    error503Rate: 0.1,
    error429Rate: 0.1,
    acceptThenTimeoutRate: 0.1,
    hangRate: 0.1,
  });

  void it('stacks the rates in the order 500, 503, 429, accept-then-timeout, hang, and leaves the rest unfaulted', () => {
    assert.deepEqual(
      [0, 0.05, 0.15, 0.25, 0.35, 0.45, 0.5, 0.99].map((u) => pickCreateMessageFault(faults, u)),
      ['error500', 'error500', 'error503', 'error429', 'acceptThenTimeout', 'hang', undefined, undefined],
    );
  });

  void it('draws one number per request from the random source it is given, and none while every rate is 0', () => {
    const draws = [0.45, 0.05, 0.7];
    let used = 0;
    let settings = SettingsSchema.parse({ apiFaults: { createMessage: faults } });
    const apiFaults = new ApiFaults(
      () => settings,
      () => draws[used++]!,
    );
    assert.deepEqual(
      [apiFaults.drawCreateMessage(), apiFaults.drawCreateMessage(), apiFaults.drawCreateMessage()],
      ['hang', 'error500', undefined],
    );
    settings = SettingsSchema.parse({});
    assert.equal(apiFaults.drawCreateMessage(), undefined);
    assert.equal(used, 3);
    assert.deepEqual(apiFaults.snapshot().createMessage, {
      error500: 1,
      error503: 0,
      error429: 0,
      acceptThenTimeout: 0,
      hang: 1,
    });
  });
});
