/**
 * The directory: env defaults, the config file and the admin API.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../config/env';
import { createEmulator } from '../../emulator';
import { emulatorDefaultsFromConfig } from '../../stack/emulator-defaults';
import { admin, api, DEFAULTS, getToken, sendText, settledEvents, startEmulator, startSink } from './helpers';

void describe('directory, config file and admin API', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-config-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  void it('derives its defaults from the same env values the engine uses', () => {
    const config = loadConfig({
      BANDWIDTH_ACCOUNT_ID: '5551234',
      BANDWIDTH_CLIENT_ID: 'cid',
      BANDWIDTH_CLIENT_SECRET: 'csecret',
      BANDWIDTH_NUMBER: '+19195550111',
      CALLBACK_USERNAME: 'cbuser',
      CALLBACK_PASSWORD: 'cbpass',
      EMULATOR_CALLBACK_URL: 'http://127.0.0.1:3999/callbacks/messaging',
      THREADLINE_ROUTES: '{"+19195550112":"pizzaBot","app:other-app":"surveyBot"}',
    });
    assert.deepEqual(emulatorDefaultsFromConfig(config), {
      accountId: '5551234',
      applicationId: '93de2206-9669-4e07-948d-329f4b722ee2',
      number: '+19195550111',
      clientId: 'cid',
      clientSecret: 'csecret',
      username: undefined,
      password: undefined,
      callbackUrl: 'http://127.0.0.1:3999/callbacks/messaging',
      callbackUsername: 'cbuser',
      callbackPassword: 'cbpass',
      otherNumbers: ['+19195550112'], // a number Threadline routes is one the emulator owns too
    });
    const basic = loadConfig({ BANDWIDTH_USERNAME: 'u', BANDWIDTH_PASSWORD: 'p' });
    const d = emulatorDefaultsFromConfig(basic);
    assert.deepEqual([d.username, d.password, d.clientId], ['u', 'p', 'threadline-dev']);
  });

  void it('loads accounts, applications, numbers, behaviours and settings from a config file', async () => {
    const sink = await startSink();
    const file = path.join(dir, 'emulator.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        accounts: [
          {
            id: '7700001',
            credentials: [{ clientId: 'acme', clientSecret: 'acme-secret' }],
            limits: { messagesPerSecond: 50 },
          },
        ],
        applications: [
          {
            id: 'acme-app',
            accountId: '7700001',
            inboundCallbackUrl: sink.url,
            requestedCallbackTypes: ['message-failed'],
          },
        ],
        numbers: [{ number: '+13125550100', accountId: '7700001', applicationId: 'acme-app', product: 'TOLL_FREE' }],
        behaviors: { '+13125550123': { failWith: 4775 } },
        settings: { timing: { deliveryDelayMs: 10 } },
      }),
    );
    const emulator = createEmulator({
      defaults: { ...DEFAULTS, callbackUrl: sink.url },
      timeScale: 1000,
      configFile: file,
    });
    const { url } = await emulator.listen(0);
    try {
      const token = await getToken(url, 'acme', 'acme-secret');
      assert.equal(token.status, 200);
      const res = await api<{ id: string }>(url, '/api/v2/users/7700001/messages', {
        auth: `Bearer ${token.body.access_token}`,
        body: { applicationId: 'acme-app', from: '+13125550100', to: ['+13125550123', '+13125550124'], text: 'hi' },
      });
      assert.equal(res.status, 202);
      // Only the requested type: the failure of the opted-out number, not the other recipient's delivery.
      assert.deepEqual(
        (await settledEvents(url, sink, res.body.id)).map((e) => [e.type, e.to, e.errorCode]),
        [['message-failed', '+13125550123', 4775]],
      );
      const settings = await admin<{ timing: { deliveryDelayMs: number; sendingDelayMs: number } }>(
        url,
        'GET',
        '/settings',
      );
      assert.deepEqual([settings.body.timing.deliveryDelayMs, settings.body.timing.sendingDelayMs], [10, 200]);
      // The default account from env is there too.
      assert.equal((await getToken(url)).status, 200);
    } finally {
      await emulator.close();
      await sink.close();
    }
    fs.writeFileSync(
      file,
      JSON.stringify({ applications: [{ id: 'x', accountId: 'missing', inboundCallbackUrl: 'http://x' }] }),
    );
    assert.throws(
      () => createEmulator({ defaults: { ...DEFAULTS, callbackUrl: 'http://127.0.0.1:1/' }, configFile: file }),
      /missing/,
    );
    fs.writeFileSync(file, '{ not json');
    assert.throws(
      () => createEmulator({ defaults: { ...DEFAULTS, callbackUrl: 'http://127.0.0.1:1/' }, configFile: file }),
      /emulator config file/,
    );
  });

  void it('manages the directory at run time and rejects inconsistent changes', async () => {
    const env = await startEmulator();
    try {
      assert.equal((await admin(env.url, 'PUT', '/accounts/8800001', { features: { basicAuth: false } })).status, 200);
      const app = await admin(env.url, 'PUT', '/applications/app-88', {
        accountId: '8800001',
        inboundCallbackUrl: 'http://127.0.0.1:1/in',
        statusCallbackUrl: 'http://127.0.0.1:1/status',
        statusCallbackCredentials: { username: 'a', password: 'b' },
      });
      assert.equal(app.status, 200);
      assert.deepEqual(app.body.requestedCallbackTypes, [
        'message-sending',
        'message-sent',
        'message-delivered',
        'message-failed',
      ]);
      assert.equal(
        (await admin(env.url, 'PUT', '/numbers/%2B18005550100', { accountId: '8800001', applicationId: 'app-88' }))
          .status,
        200,
      );
      assert.equal(
        (
          await admin(env.url, 'PUT', '/numbers/+18005550101', {
            accountId: '8800001',
            applicationId: DEFAULTS.applicationId,
          })
        ).status,
        409,
      );
      assert.equal(
        (
          await admin(env.url, 'PUT', '/applications/app-89', {
            accountId: 'nope',
            inboundCallbackUrl: 'http://x.test',
          })
        ).status,
        409,
      );
      assert.equal(
        (await admin(env.url, 'PUT', '/applications/app-90', { accountId: '8800001', inboundCallbackUrl: 'not a url' }))
          .status,
        400,
      );
      const numbers = await admin<{ number: string }[]>(env.url, 'GET', '/numbers?accountId=8800001');
      assert.deepEqual(
        numbers.body.map((n) => n.number),
        ['+18005550100'],
      );
      assert.equal((await admin(env.url, 'DELETE', '/accounts/8800001')).status, 204);
      assert.equal((await admin(env.url, 'GET', '/applications/app-88')).status, 404);
      assert.equal((await admin(env.url, 'GET', '/numbers/+18005550100')).status, 404);
      const codes = await admin<{ code: number }[]>(env.url, 'GET', '/error-codes');
      assert.equal(codes.body.length, 76);
      const index = await admin<{ clock: { timeScale: number } }>(env.url, 'GET', '');
      assert.equal(index.body.clock.timeScale, 1000);
      assert.equal((await admin(env.url, 'PATCH', '/settings', { callbacks: { duplicateRate: 2 } })).status, 400);
      const sent = await sendText(env.url, { to: ['+19195550901'], text: 'to be forgotten' });
      assert.equal((await admin(env.url, 'GET', `/messages/${sent.body.id}`)).status, 200);
      assert.equal((await admin(env.url, 'POST', '/reset')).status, 204);
      assert.equal((await admin(env.url, 'GET', `/messages/${sent.body.id}`)).status, 404);
      assert.deepEqual(
        (await api<{ messages: unknown[] }>(env.url, '/emulator/handsets/+19195550901/messages', { auth: '' })).body
          .messages,
        [],
      );
    } finally {
      await env.close();
    }
  });
});
