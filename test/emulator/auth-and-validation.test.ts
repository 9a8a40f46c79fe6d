/**
 * Authentication (OAuth2 JWTs on the emulated clock, switchable legacy Basic) and create-message validation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { admin, api, basicAuth, DEFAULTS, getToken, sendText, startEmulator, type Running } from './helpers';

interface ErrorBody {
  type: string;
  description: string;
  fieldErrors?: { fieldName: string; description: string }[];
}

void describe('authentication', () => {
  let env: Running;
  before(async () => {
    env = await startEmulator({ timeScale: 1 });
  });
  after(async () => env.close());

  void it('issues JWTs carrying the account id, refused once they expire on the emulated clock', async () => {
    const token = await getToken(env.url);
    assert.equal(token.status, 200);
    assert.equal(token.body.expires_in, 3600);
    const claims = decodeJwt(token.body.access_token);
    assert.equal(claims.accountId, DEFAULTS.accountId);
    assert.equal(claims.sub, DEFAULTS.clientId);
    assert.equal(claims.exp! - claims.iat!, 3600);
    const bearer = `Bearer ${token.body.access_token}`;
    assert.equal((await sendText(env.url, { to: ['+19195550501'], text: 'x' }, bearer)).status, 202);
    await admin(env.url, 'POST', '/clock/advance', { seconds: 3601 });
    const expired = await sendText(env.url, { to: ['+19195550501'], text: 'x' }, bearer);
    assert.equal(expired.status, 401);
    assert.deepEqual(expired.body, { type: 'unauthorized', description: 'Authentication Failed' });
  });

  void it('rejects wrong client credentials and grant types the OAuth2 way', async () => {
    const wrong = await getToken(env.url, DEFAULTS.clientId, 'nope');
    assert.equal(wrong.status, 401);
    assert.equal((wrong.body as unknown as { error: string }).error, 'invalid_client');
    const res = await fetch(`${env.url}/api/v1/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `grant_type=password&client_id=${DEFAULTS.clientId}&client_secret=${DEFAULTS.clientSecret}`,
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'unsupported_grant_type');
  });

  void it('refuses a token or user from another account with 401', async () => {
    await admin(env.url, 'PUT', '/accounts/9900099', {
      credentials: [{ clientId: 'other', clientSecret: 'other-secret' }],
      apiUsers: [{ username: 'other-user', password: 'pw' }],
    });
    const other = await getToken(env.url, 'other', 'other-secret');
    assert.equal(
      (await sendText(env.url, { to: ['+19195550501'], text: 'x' }, `Bearer ${other.body.access_token}`)).status,
      401,
    );
    assert.equal(
      (await sendText(env.url, { to: ['+19195550501'], text: 'x' }, basicAuth('other-user', 'pw'))).status,
      401,
    );
    assert.equal((await sendText(env.url, { to: ['+19195550501'], text: 'x' }, '')).status, 401);
    assert.equal((await sendText(env.url, { to: ['+19195550501'], text: 'x' }, 'Bearer not-a-jwt')).status, 401);
  });

  void it('switches legacy Basic off per account, leaving OAuth2 working', async () => {
    assert.equal((await sendText(env.url, { to: ['+19195550501'], text: 'x' })).status, 202);
    await admin(env.url, 'PATCH', `/accounts/${DEFAULTS.accountId}`, { features: { basicAuth: false } });
    const basic = await sendText(env.url, { to: ['+19195550501'], text: 'x' });
    assert.equal(basic.status, 401);
    const token = await getToken(env.url);
    assert.equal(
      (await sendText(env.url, { to: ['+19195550501'], text: 'x' }, `Bearer ${token.body.access_token}`)).status,
      202,
    );
    await admin(env.url, 'PATCH', `/accounts/${DEFAULTS.accountId}`, { features: { basicAuth: true } });
  });

  void it('answers 403 Access Denied to a credential without the messaging role', async () => {
    await admin(env.url, 'PATCH', `/accounts/${DEFAULTS.accountId}`, {
      credentials: [
        { clientId: DEFAULTS.clientId, clientSecret: DEFAULTS.clientSecret },
        { clientId: 'reporting', clientSecret: 'r', messagingRole: false },
      ],
    });
    const token = await getToken(env.url, 'reporting', 'r');
    const res = await sendText(env.url, { to: ['+19195550501'], text: 'x' }, `Bearer ${token.body.access_token}`);
    assert.equal(res.status, 403);
    assert.deepEqual(res.body, { type: 'forbidden', description: 'Access Denied' });
  });
});

void describe('create-message validation', () => {
  let env: Running;
  before(async () => {
    env = await startEmulator({ timeScale: 1 });
    await admin(env.url, 'PUT', '/accounts/9900077', {});
    await admin(env.url, 'PUT', '/applications/other-app', {
      accountId: '9900077',
      inboundCallbackUrl: 'http://127.0.0.1:9/x',
    });
    await admin(env.url, 'PUT', `/numbers/${encodeURIComponent('+19195550777')}`, {
      accountId: '9900077',
      applicationId: 'other-app',
    });
  });
  after(async () => env.close());

  const fieldErrors = async (body: Record<string, unknown>) => {
    const res = await api<ErrorBody>(env.url, `/users/${DEFAULTS.accountId}/messages`, { body });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.type, 'request-validation');
    assert.equal(res.body.description, 'Your request could not be accepted');
    return res.body.fieldErrors!;
  };
  const valid = { applicationId: DEFAULTS.applicationId, from: DEFAULTS.number, to: ['+19195550123'], text: 'ok' };

  void it('lists every problem of a bad request at once, in Bandwidth wording', async () => {
    const errors = await fieldErrors({ applicationId: DEFAULTS.applicationId, from: '+invalid', to: [], text: '' });
    assert.deepEqual(errors, [
      { fieldName: 'to', description: "'to' must contain at least one telephone number" },
      { fieldName: 'from', description: "'+invalid' must be replaced with a valid E164 formatted telephone number" },
      { fieldName: 'text', description: "'text' is required unless media is included" },
    ]);
  });

  void it('checks recipients: E.164, unique, at most 10; and accepts a bare string', async () => {
    assert.deepEqual(
      (await fieldErrors({ ...valid, to: ['+19195550123', '+19195550123'] })).map((e) => e.fieldName),
      ['to'],
    );
    const eleven = Array.from({ length: 11 }, (_, i) => `+1919555${String(600 + i).padStart(4, '0')}`);
    assert.match((await fieldErrors({ ...valid, to: eleven }))[0]!.description, /no more than 10/);
    assert.match((await fieldErrors({ ...valid, to: ['5551234'] }))[0]!.description, /valid E164/);
    const bare = await sendText(env.url, { to: '+19195550123', text: 'string to' });
    assert.equal(bare.status, 202);
    assert.deepEqual(bare.body.to, ['+19195550123']);
  });

  void it('requires from to be our number on that application, or a valid sender ID', async () => {
    assert.match((await fieldErrors({ ...valid, from: '+19195550999' }))[0]!.description, /not a Bandwidth number/);
    assert.match(
      (await fieldErrors({ ...valid, from: '+19195550777' }))[0]!.description,
      /not a Bandwidth number on account/,
    );
    assert.match((await fieldErrors({ ...valid, applicationId: 'other-app' }))[0]!.fieldName, /applicationId/);
    assert.equal((await sendText(env.url, { to: ['+447700900123'], from: 'Threadline', text: 'alpha' })).status, 202);
    assert.equal((await fieldErrors({ ...valid, from: '12345678901234' }))[0]!.fieldName, 'from');
  });

  void it('enforces text, tag, media, priority and expiration limits', async () => {
    assert.equal((await fieldErrors({ ...valid, text: 'a'.repeat(2049) }))[0]!.fieldName, 'text');
    assert.equal((await sendText(env.url, { to: ['+19195550123'], text: '😀'.repeat(2048) })).status, 202);
    assert.equal((await fieldErrors({ ...valid, tag: 't'.repeat(1025) }))[0]!.fieldName, 'tag');
    assert.equal((await fieldErrors({ ...valid, media: ['not a url'] }))[0]!.fieldName, 'media');
    assert.equal(
      (await fieldErrors({ ...valid, media: [`https://x.test/${'a'.repeat(4096)}`] }))[0]!.fieldName,
      'media',
    );
    assert.equal((await fieldErrors({ ...valid, priority: 'urgent' }))[0]!.fieldName, 'priority');
    assert.equal((await fieldErrors({ ...valid, expiration: 'tomorrow' }))[0]!.fieldName, 'expiration');
    assert.match((await fieldErrors({ ...valid, expiration: '2020-01-01T00:00:00Z' }))[0]!.description, /future/);
    const mediaOnly = await sendText(env.url, { to: ['+19195550123'], media: ['https://x.test/a.png'] });
    assert.equal(mediaOnly.status, 202);
    assert.equal(mediaOnly.body.segmentCount, 1);
  });

  void it('answers a malformed JSON body with 400 and unknown paths with 404', async () => {
    const res = await api<ErrorBody>(env.url, `/api/v2/users/${DEFAULTS.accountId}/messages`, { body: '{"to": [' });
    assert.equal(res.status, 400);
    assert.equal(res.body.type, 'request-validation');
    const missing = await api(env.url, '/api/v2/nothing/here', { auth: '' });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.status, 404);
    assert.equal(missing.body.error, 'Not Found');
  });

  void it('computes segmentCount for long and Unicode texts', async () => {
    assert.equal((await sendText(env.url, { to: ['+19195550123'], text: 'a'.repeat(161) })).body.segmentCount, 2);
    assert.equal((await sendText(env.url, { to: ['+19195550123'], text: 'á'.repeat(71) })).body.segmentCount, 2);
    assert.equal(
      (await sendText(env.url, { to: ['+19195550123', '+19195550124'], text: 'a'.repeat(500) })).body.segmentCount,
      1,
    );
  });
});
