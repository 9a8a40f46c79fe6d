/**
 * Proof of fidelity: the official bandwidth-sdk client, unchanged, drives every messaging and media endpoint, and
 * every response body and every callback is validated against Bandwidth's OpenAPI spec.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isAxiosError } from 'axios';
import {
  Configuration,
  ListMessageDirectionEnum,
  MediaApi,
  MessagesApi,
  PriorityEnum,
  type MessageRequest,
} from 'bandwidth-sdk';
import { api, basicAuth, DEFAULTS, eventsOf, getToken, startEmulator, type Running } from './helpers';
import { loadSpecValidator, type SpecValidator } from './openapi';

const ACCOUNT = DEFAULTS.accountId;
const request = (r: Omit<MessageRequest, 'applicationId' | 'from' | 'to'> & { to: string[] }): MessageRequest => ({
  applicationId: DEFAULTS.applicationId,
  from: DEFAULTS.number,
  ...r,
  to: new Set(r.to),
});

async function expectHttpError(
  promise: Promise<unknown>,
): Promise<{ status: number; data: unknown; headers: Record<string, string> }> {
  try {
    await promise;
  } catch (err) {
    if (isAxiosError(err) && err.response) {
      return {
        status: err.response.status,
        data: err.response.data,
        headers: err.response.headers as Record<string, string>,
      };
    }
    throw err;
  }
  throw new Error('expected an HTTP error');
}

void describe('fidelity with the official bandwidth-sdk and the OpenAPI spec', () => {
  let env: Running;
  let spec: SpecValidator;
  let messages: MessagesApi;
  let media: MediaApi;

  before(async () => {
    spec = await loadSpecValidator();
    env = await startEmulator();
    const config = new Configuration({ basePath: env.url, username: DEFAULTS.username, password: DEFAULTS.password });
    messages = new MessagesApi(config);
    media = new MediaApi(config);
  });
  after(async () => env.close());

  void it('sends an SMS with Basic auth and reports sending, sent and delivered, all per the spec', async () => {
    const res = await messages.createMessage(
      ACCOUNT,
      request({ to: ['+19195550123'], text: 'Hello', tag: 't1', priority: PriorityEnum.High }),
    );
    assert.equal(res.status, 202);
    spec.response('createMessage', 202, res.data);
    assert.equal(res.data.priority, 'high');
    const id = res.data.id!;
    await env.sink.waitFor(() => eventsOf(env.sink, id).some((e) => e.type === 'message-delivered'));
    assert.deepEqual(
      eventsOf(env.sink, id).map((e) => e.type),
      ['message-sending', 'message-sent', 'message-delivered'],
    );
    assert.ok(eventsOf(env.sink, id).every((e) => e.message.tag === 't1' && e.message.text === ''));
  });

  void it('sends with an OAuth2 access token against the /api/v2 base path', async () => {
    const token = await getToken(env.url);
    const api2 = new MessagesApi(
      new Configuration({ basePath: `${env.url}/api/v2`, accessToken: token.body.access_token }),
    );
    const res = await api2.createMessage(ACCOUNT, request({ to: ['+19195550124'], text: 'Via token' }));
    spec.response('createMessage', 202, res.data);
    assert.equal(res.data.segmentCount, 1);
  });

  void it('sends a group MMS of emulator-hosted media with one status per recipient', async () => {
    await media.uploadMedia(ACCOUNT, 'flyer/0/flyer.png', Buffer.from('png-bytes') as never, 'image/png');
    const url = `${env.url}/api/v2/users/${ACCOUNT}/media/flyer/0/flyer.png`;
    const res = await messages.createMessage(
      ACCOUNT,
      request({ to: ['+19195550131', '+19195550132'], text: 'Group', media: [url] }),
    );
    spec.response('createMessage', 202, res.data);
    assert.equal(res.data.segmentCount, 1);
    const id = res.data.id!;
    await env.sink.waitFor(() => eventsOf(env.sink, id).filter((e) => e.type === 'message-delivered').length === 2);
    for (const to of ['+19195550131', '+19195550132']) {
      assert.deepEqual(
        eventsOf(env.sink, id)
          .filter((e) => e.to === to)
          .map((e) => e.type),
        ['message-sending', 'message-delivered'],
      );
    }
    assert.ok(eventsOf(env.sink, id).every((e) => e.message.to.length === 2 && e.message.media?.[0] === url));
  });

  void it('fails a magic number with its error code and the table description', async () => {
    const res = await messages.createMessage(ACCOUNT, request({ to: ['+19195554720'], text: 'To a landline' }));
    const id = res.data.id!;
    await env.sink.waitFor(() => eventsOf(env.sink, id).some((e) => e.type === 'message-failed'));
    const failed = eventsOf(env.sink, id).find((e) => e.type === 'message-failed')!;
    assert.equal(failed.errorCode, 4720);
    assert.equal(failed.description, 'invalid-destination-address');
  });

  void it('delivers an inbound MMS from a handset as message-received with re-hosted media', async () => {
    const sent = await api<{ messages: { id: string }[] }>(
      env.url,
      `/emulator/handsets/${encodeURIComponent('+19195550140')}/messages`,
      {
        auth: '',
        body: {
          to: DEFAULTS.number,
          text: 'pic',
          media: [{ filename: 'cat.jpg', contentType: 'image/jpeg', content: Buffer.from('jpeg').toString('base64') }],
        },
      },
    );
    const id = sent.body.messages[0]!.id;
    await env.sink.waitFor(() => eventsOf(env.sink, id).length === 1);
    const mediaUrl = eventsOf(env.sink, id)[0]!.message.media![0]!;
    assert.equal(mediaUrl, `${env.url}/api/v2/users/${ACCOUNT}/media/${id}/0/cat.jpg`);
    const got = await media.getMedia(ACCOUNT, `${id}/0/cat.jpg`, { responseType: 'arraybuffer' });
    assert.equal(Buffer.from(got.data as unknown as ArrayBuffer).toString(), 'jpeg');
  });

  void it('answers errors with the spec bodies: 400 with fieldErrors, 401, 403', async () => {
    const bad = await expectHttpError(messages.createMessage(ACCOUNT, request({ to: ['+invalid'], text: '' })));
    assert.equal(bad.status, 400);
    spec.response('createMessage', 400, bad.data);
    const fields = (bad.data as { fieldErrors: { fieldName: string }[] }).fieldErrors.map((f) => f.fieldName).sort();
    assert.deepEqual(fields, ['text', 'to']);

    const wrong = new MessagesApi(new Configuration({ basePath: env.url, username: 'nobody', password: 'x' }));
    const unauthorized = await expectHttpError(
      wrong.createMessage(ACCOUNT, request({ to: ['+19195550123'], text: 'x' })),
    );
    assert.equal(unauthorized.status, 401);
    spec.response('createMessage', 401, unauthorized.data);
    assert.deepEqual(unauthorized.data, { type: 'unauthorized', description: 'Authentication Failed' });

    await api(env.url, `/emulator/accounts/${ACCOUNT}`, {
      method: 'PATCH',
      auth: '',
      body: {
        apiUsers: [
          { username: 'no-role', password: 'pw', messagingRole: false },
          { username: DEFAULTS.username, password: DEFAULTS.password },
        ],
      },
    });
    const noRole = new MessagesApi(new Configuration({ basePath: env.url, username: 'no-role', password: 'pw' }));
    const forbidden = await expectHttpError(
      noRole.createMessage(ACCOUNT, request({ to: ['+19195550123'], text: 'x' })),
    );
    assert.equal(forbidden.status, 403);
    spec.response('createMessage', 403, forbidden.data);
    assert.deepEqual(forbidden.data, { type: 'forbidden', description: 'Access Denied' });
  });

  void it('answers 404, 405, 406, 415 and 429 with bodies the spec accepts', async () => {
    const auth = basicAuth();
    const r415 = await api(env.url, `/api/v2/users/${ACCOUNT}/messages`, {
      body: 'hello',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
      auth,
    });
    assert.equal(r415.status, 415);
    spec.response('createMessage', 415, r415.body);
    const r406 = await api(env.url, `/api/v2/users/${ACCOUNT}/messages`, {
      body: {},
      headers: { Accept: 'text/html' },
      auth,
    });
    assert.equal(r406.status, 406);
    spec.response('createMessage', 406, r406.body);
    const r405 = await api(env.url, `/api/v2/users/${ACCOUNT}/messages`, { method: 'PATCH', auth });
    assert.equal(r405.status, 405);
    assert.equal(r405.headers.get('allow'), 'GET, POST');
    spec.response('createMessage', 405, r405.body);
    const r404 = await api(env.url, `/api/v2/users/${ACCOUNT}/messages/happy`, { auth });
    assert.equal(r404.status, 404);
    spec.response('createMessage', 404, r404.body);
    assert.equal(r404.body.path, `/api/v2/users/${ACCOUNT}/messages/happy`);

    await api(env.url, `/emulator/accounts/${ACCOUNT}`, {
      method: 'PATCH',
      auth: '',
      // A day's window (86 s at this emulator's time scale, where 5 minutes pass in 0.3 s): the three searches below
      // fall in one window however slowly a busy machine sends them.
      body: { limits: { searchRequestsPerWindow: 2, searchWindowSeconds: 86_400 } },
    });
    const list = () =>
      messages.listMessages(ACCOUNT, undefined, undefined, undefined, undefined, ListMessageDirectionEnum.Outbound);
    const ok = await list();
    spec.response('listMessages', 200, ok.data);
    await list();
    const limited = await expectHttpError(list());
    assert.equal(limited.status, 429);
    spec.response('listMessages', 429, limited.data, { 'retry-after': limited.headers['retry-after']! });
    assert.ok(Number(limited.headers['retry-after']) > 0);
    await api(env.url, `/emulator/accounts/${ACCOUNT}`, {
      method: 'PATCH',
      auth: '',
      body: { limits: { searchRequestsPerWindow: 3500, searchWindowSeconds: 300 } },
    });
  });

  void it('searches messages per the spec and refuses a search without parameters', async () => {
    await api(env.url, '/emulator/clock/advance', { auth: '', body: { minutes: 6 } }); // new rate-limit window
    const res = await messages.listMessages(
      ACCOUNT,
      undefined,
      undefined,
      undefined,
      undefined,
      ListMessageDirectionEnum.Outbound,
    );
    spec.response('listMessages', 200, res.data);
    assert.ok(res.data.totalCount! >= 5);
    for (const m of res.data.messages!) {
      assert.equal(m.accountId, ACCOUNT);
      assert.match(m.destinationTn!, /^\+1\d{10}$/);
      assert.equal(m.callingNumberCountryA3, 'USA');
      assert.ok(m.segmentCount! > 0);
      assert.equal((m as Record<string, unknown>).text, undefined);
    }
    const none = await expectHttpError(messages.listMessages(ACCOUNT));
    assert.equal(none.status, 400);
    spec.response('listMessages', 400, none.data);
  });

  void it('runs the Media API like Bandwidth: overwrite, typed download, list pages, delete twice, 404', async () => {
    const id = 'docs/report.pdf';
    assert.equal((await media.uploadMedia(ACCOUNT, id, Buffer.from('v1') as never, 'application/pdf')).status, 204);
    assert.equal(
      (await media.uploadMedia(ACCOUNT, id, Buffer.from('version 2') as never, 'application/pdf', 'no-cache')).status,
      204,
    );
    const got = await media.getMedia(ACCOUNT, id, {
      responseType: 'arraybuffer',
      headers: { Accept: 'application/json' },
    });
    assert.equal(got.status, 200);
    assert.equal(got.headers['content-type'], 'application/pdf');
    assert.equal(got.headers['cache-control'], 'no-cache');
    assert.equal(Buffer.from(got.data as unknown as ArrayBuffer).toString(), 'version 2');

    // 1000 per page, then a Continuation-Token round trip.
    await Promise.all(
      Array.from({ length: 1001 }, (_, i) =>
        fetch(`${env.url}/users/${ACCOUNT}/media/bulk-${String(i).padStart(4, '0')}.txt`, {
          method: 'PUT',
          headers: { Authorization: basicAuth(), 'Content-Type': 'text/plain' },
          body: `n${i}`,
        }),
      ),
    );
    const first = await media.listMedia(ACCOUNT);
    spec.response('listMedia', 200, first.data, {
      'continuation-token': first.headers['continuation-token'] as string,
    });
    assert.equal(first.data.length, 1000);
    const token = first.headers['continuation-token'] as string;
    assert.ok(token);
    const second = await media.listMedia(ACCOUNT, token);
    spec.response('listMedia', 200, second.data);
    assert.equal(first.data.length + second.data.length, 1001 + 3); // + flyer, cat.jpg, report.pdf
    assert.equal(second.headers['continuation-token'], undefined);
    const report = [...first.data, ...second.data].find((m) => m.mediaName === id)!;
    assert.equal(report.contentLength, 9);
    assert.equal(report.content, `${env.url}/api/v2/users/${ACCOUNT}/media/${id}`);

    assert.equal((await media.deleteMedia(ACCOUNT, id)).status, 204);
    assert.equal((await media.deleteMedia(ACCOUNT, id)).status, 204);
    const missing = await expectHttpError(media.getMedia(ACCOUNT, id));
    assert.equal(missing.status, 404);
    const body: unknown =
      missing.data instanceof ArrayBuffer ? JSON.parse(Buffer.from(missing.data).toString()) : missing.data;
    spec.response('getMedia', 404, body);
  });

  void it('validated every callback it received, covering every callback type', async () => {
    await env.sink.waitFor((events) => events.length > 0);
    for (const received of env.sink.received) spec.callback(received.body);
    for (const type of ['message-sending', 'message-sent', 'message-delivered', 'message-failed', 'message-received']) {
      assert.ok((spec.counts.callbacks[type] ?? 0) > 0, `no ${type} callback was validated`);
    }
  });
});
