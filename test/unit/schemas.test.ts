import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CallbackBodySchema, isKnownCallback } from '../../bandwidth/schemas';
import { loadConfig, ConfigError } from '../../config/env';
import { deliveredBody } from '../records/helpers/bandwidth-examples';

/** The outbound message of the reference's delivered example (§3.4). */
const message = deliveredBody[0]!.message;

describe('the callback body schema', () => {
  it("reads the reference's delivered example, an array of one event", () => {
    const [event] = CallbackBodySchema.parse(deliveredBody);
    assert.equal(event?.type, 'message-delivered');
  });

  it('accepts a bare object as one event', () => {
    const events = CallbackBodySchema.parse({
      type: 'message-sending',
      time: '2025-06-20T16:13:21Z',
      description: 'Message is sending to carrier',
      to: '+19195550123',
      message,
    });
    assert.equal(events.length, 1);
  });

  it('requires an errorCode on message-failed', () => {
    const result = CallbackBodySchema.safeParse([
      { type: 'message-failed', time: '2025-06-20T16:13:21Z', description: 'rejected', to: '+19195550199', message },
    ]);
    assert.equal(result.success, false);
    assert.match(JSON.stringify(result.error?.issues), /errorCode/);
  });

  it('tolerates extra fields Bandwidth may add', () => {
    const [event] = CallbackBodySchema.parse([
      {
        type: 'message-sent',
        time: 't',
        description: 'd',
        to: '+19195550123',
        futureField: 1,
        message: { ...message, channel: 'SMS', extra: true },
      },
    ]);
    assert.equal(event && isKnownCallback(event) && event.type, 'message-sent');
  });

  it('keeps unknown event types as unknown, rather than rejecting them', () => {
    const [event] = CallbackBodySchema.parse([
      { type: 'message-read', time: 't', eventTime: 't', to: '+1', message: { id: 'x' } },
    ]);
    assert.ok(event && !isKnownCallback(event));
    assert.equal(event.type, 'message-read');
  });

  it('rejects an empty array and events without a type', () => {
    assert.equal(CallbackBodySchema.safeParse([]).success, false);
    assert.equal(CallbackBodySchema.safeParse([{ description: 'no type' }]).success, false);
    assert.equal(CallbackBodySchema.safeParse('hello').success, false);
  });
});

describe('configuration', () => {
  it('runs against the local emulator with no settings at all', () => {
    const config = loadConfig({});
    assert.equal(config.temporal.address, '127.0.0.1:7233');
    assert.equal(config.bandwidth.baseUrl, 'http://127.0.0.1:3100/api/v2');
    assert.equal(config.bandwidth.usesEmulator, true);
    assert.deepEqual(config.bandwidth.auth, {
      kind: 'oauth2',
      clientId: 'threadline-dev',
      clientSecret: 'threadline-dev-secret',
      tokenUrl: 'http://127.0.0.1:3100/api/v1/oauth2/token',
    });
    assert.equal(config.emulator.callbackUrl, 'http://127.0.0.1:3000/callbacks/messaging');
  });

  it("uses Bandwidth's token URL for the real API, and says what to set when credentials are missing", () => {
    assert.throws(
      () => loadConfig({ BANDWIDTH_BASE_URL: 'https://messaging.bandwidth.com/api/v2' }),
      (err: unknown) => err instanceof ConfigError && /BANDWIDTH_CLIENT_ID/.test(err.message),
    );
    const config = loadConfig({
      BANDWIDTH_BASE_URL: 'https://messaging.bandwidth.com/api/v2',
      BANDWIDTH_CLIENT_ID: 'id',
      BANDWIDTH_CLIENT_SECRET: 'secret',
    });
    assert.equal(
      config.bandwidth.auth.kind === 'oauth2' && config.bandwidth.auth.tokenUrl,
      'https://api.bandwidth.com/api/v1/oauth2/token',
    );
  });

  it('falls back to Basic only when a user configures a username and password', () => {
    const config = loadConfig({ BANDWIDTH_USERNAME: 'u', BANDWIDTH_PASSWORD: 'p' });
    assert.deepEqual(config.bandwidth.auth, { kind: 'basic', username: 'u', password: 'p' });
  });

  it('keeps idle webhook connections open past a load balancer’s idle minute, and says what a bad value needs', () => {
    assert.equal(loadConfig({}).server.keepAliveTimeoutMs, 65_000);
    assert.equal(loadConfig({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '120000' }).server.keepAliveTimeoutMs, 120_000);
    assert.throws(
      () => loadConfig({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '500' }),
      (err: unknown) => err instanceof ConfigError && /HTTP_KEEP_ALIVE_TIMEOUT_MS/.test(err.message),
    );
  });

  it('names every bad variable at once', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty', BANDWIDTH_NUMBER: '919-555-0100', CALLBACK_USERNAME: 'only-one' }),
      (err: unknown) => err instanceof ConfigError && /PORT/.test(err.message) && /BANDWIDTH_NUMBER/.test(err.message),
    );
  });
});
