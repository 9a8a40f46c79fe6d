/**
 * The codec server on the webhook server, as the Temporal Web UI and the `temporal` CLI use it: CORS for the Web UI's
 * origin only, the operator token or a signed-in browser's cookie, and payloads encoded and decoded in the codec
 * server protocol's JSON.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { loadConfig } from '../../config/env';
import { createLogger } from '../../observability/logging';
import { createMetrics } from '../../observability/metrics';
import { createMemoryRecordStore } from '../../records';
import { createApp } from '../../server/app';
import { appDepsFromConfig } from '../../stack/from-config';
import { createEncryptionCodec } from '../../temporal/payload-codec';
import { freePort } from '../../toolchain/temporal';
import { serve, type Served } from '../server/helpers';

const UI = 'http://127.0.0.1:8233';
const TOKEN = 'operator-token-for-the-codec-test';
const key = randomBytes(32);
const KEYS = `k1:${key.toString('base64')}`;

async function codecServer(env: Record<string, string>): Promise<{ server: Served; client: Client }> {
  const client = new Client({ connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}` }) });
  const deps = appDepsFromConfig(loadConfig({ LOG_LEVEL: 'silent', ...env }), {
    client,
    records: createMemoryRecordStore(),
    metrics: createMetrics(),
    logger: createLogger({ level: 'silent' }),
  });
  return { server: await serve(createApp(deps)), client };
}

const jsonPayload = (value: unknown) => {
  const p = defaultPayloadConverter.toPayload(value);
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? []).toString('base64'),
  };
};
type JsonPayload = ReturnType<typeof jsonPayload>;
const valueOf = (p: JsonPayload) =>
  defaultPayloadConverter.fromPayload({
    metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data, 'base64'),
  });

describe('the codec server', () => {
  let served: { server: Served; client: Client };
  let url: string;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}/codec/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
      body: JSON.stringify(body),
    });
  const bearer = { authorization: `Bearer ${TOKEN}` };

  before(async () => {
    served = await codecServer({ THREADLINE_PAYLOAD_KEYS: KEYS, OPERATOR_TOKEN: TOKEN });
    url = served.server.url;
  });
  after(async () => {
    await served.server.close();
    await served.client.connection.close();
  });

  it("answers the Web UI's preflight from its origin, and no other origin's", async () => {
    const preflight = (origin: string) =>
      fetch(`${url}/codec/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace,authorization',
        },
      });
    const ui = await preflight(UI);
    assert.equal(ui.status, 204);
    assert.equal(ui.headers.get('access-control-allow-origin'), UI);
    assert.equal(ui.headers.get('access-control-allow-credentials'), 'true');
    assert.match(ui.headers.get('access-control-allow-headers') ?? '', /X-Namespace.*Authorization/);
    assert.match(ui.headers.get('vary') ?? '', /Origin/);

    const stranger = await preflight('https://evil.example');
    assert.equal(stranger.status, 403);
    assert.equal(stranger.headers.get('access-control-allow-origin'), null);
  });

  it('refuses to encode or decode without the operator token', async () => {
    const none = await post('decode', { payloads: [] });
    assert.equal(none.status, 401);
    assert.match(((await none.json()) as { description: string }).description, /\/codec\/session/);
    const wrong = await post('encode', { payloads: [] }, { authorization: 'Bearer not-the-token-at-all' });
    assert.equal(wrong.status, 401);
  });

  it('encrypts and decrypts payloads for a caller with the operator token', async () => {
    const text = { text: 'see you at 5', from: '+19195550123' };
    const encoded = await post('encode', { payloads: [jsonPayload(text)] }, { ...bearer, origin: UI });
    assert.equal(encoded.status, 200);
    assert.equal(encoded.headers.get('access-control-allow-origin'), UI);
    const { payloads } = (await encoded.json()) as { payloads: JsonPayload[] };
    const [sealed] = payloads;
    assert.ok(sealed);
    assert.equal(Buffer.from(sealed.metadata['encryption-key-id'] ?? '', 'base64').toString(), 'k1');
    assert.equal(Buffer.from(sealed.metadata.encoding ?? '', 'base64').toString(), 'binary/encrypted');
    assert.doesNotMatch(Buffer.from(sealed.data, 'base64').toString('latin1'), /see you|9195550123/);

    const decoded = await post('decode', { payloads: [sealed, jsonPayload('written before encryption')] }, bearer);
    assert.equal(decoded.status, 200);
    const opened = ((await decoded.json()) as { payloads: JsonPayload[] }).payloads;
    assert.deepEqual(opened.map(valueOf), [text, 'written before encryption']);
  });

  it('decodes for a browser signed in with the operator token, as the Web UI sends it with its credentials', async () => {
    const wrong = await fetch(`${url}/codec/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=guess',
    });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('set-cookie'), null);

    const signIn = await fetch(`${url}/codec/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${TOKEN}`,
    });
    assert.equal(signIn.status, 200);
    const setCookie = signIn.headers.get('set-cookie') ?? '';
    assert.match(
      setCookie,
      /^threadline_codec=\d+\.[\w-]+; Max-Age=43200; Path=\/codec; Expires=.*; HttpOnly; SameSite=Lax$/,
    );
    assert.ok(!setCookie.includes(TOKEN), 'the cookie does not hold the token');
    const cookie = setCookie.split(';')[0] ?? '';

    const [sealed] = await createEncryptionCodec([{ id: 'k1', key }]).encode([defaultPayloadConverter.toPayload('hi')]);
    assert.ok(sealed);
    const body = {
      payloads: [
        {
          metadata: Object.fromEntries(
            Object.entries(sealed.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
          data: Buffer.from(sealed.data ?? []).toString('base64'),
        },
      ],
    };
    const fromUi = await post('decode', body, { cookie, origin: UI });
    assert.equal(fromUi.status, 200);
    assert.deepEqual(((await fromUi.json()) as { payloads: JsonPayload[] }).payloads.map(valueOf), ['hi']);

    const fromElsewhere = await post('decode', body, { cookie, origin: 'https://evil.example' });
    assert.equal(fromElsewhere.status, 401);
    const forged = await post('decode', body, {
      cookie: `threadline_codec=${Math.floor(Date.now() / 1000) + 60}.AAAA`,
    });
    assert.equal(forged.status, 401);
  });

  it('says which key a payload needs when none of its keys fits', async () => {
    const [other] = await createEncryptionCodec([{ id: 'retired', key: randomBytes(32) }]).encode([
      defaultPayloadConverter.toPayload('old'),
    ]);
    assert.ok(other);
    const response = await post(
      'decode',
      {
        payloads: [
          {
            metadata: Object.fromEntries(
              Object.entries(other.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
            ),
            data: Buffer.from(other.data ?? []).toString('base64'),
          },
        ],
      },
      bearer,
    );
    assert.equal(response.status, 422);
    assert.match(((await response.json()) as { description: string }).description, /key "retired"/);
  });

  it('answers a body that is not the protocol with 400', async () => {
    const response = await post('decode', { payload: 'nope' }, bearer);
    assert.equal(response.status, 400);
    const broken = await fetch(`${url}/codec/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer },
      body: '{"payloads": [',
    });
    assert.equal(broken.status, 400);
  });
});

describe('the codec server in other configurations', () => {
  it('needs no credentials in development mode, where the operator token is the published one', async () => {
    const { server, client } = await codecServer({ THREADLINE_PAYLOAD_KEYS: KEYS });
    try {
      const response = await fetch(`${server.url}/codec/encode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ payloads: [jsonPayload('hi')] }),
      });
      assert.equal(response.status, 200);
    } finally {
      await server.close();
      await client.connection.close();
    }
  });

  it('is not served when payloads are not encrypted', async () => {
    const { server, client } = await codecServer({ OPERATOR_TOKEN: TOKEN });
    try {
      const response = await fetch(`${server.url}/codec/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ payloads: [] }),
      });
      assert.equal(response.status, 404);
    } finally {
      await server.close();
      await client.connection.close();
    }
  });
});
