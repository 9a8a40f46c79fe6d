/**
 * Message search (`GET /users/{accountId}/messages`): filters over metadata, the 14-day window and page tokens.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { admin, api, DEFAULTS, eventsOf, sendText, startEmulator, type Running } from './helpers';

interface Page {
  totalCount: number;
  pageInfo: { nextPageToken?: string; prevPageToken?: string; nextPage?: string };
  messages: Record<string, unknown>[];
}

void describe('message search', () => {
  let env: Running;
  const path = `/api/v2/users/${DEFAULTS.accountId}/messages`;
  const search = (query: string) => api<Page>(env.url, `${path}?${query}`);
  let groupId = '';
  let failedId = '';

  before(async () => {
    env = await startEmulator();
    await admin(env.url, 'PATCH', `/accounts/${DEFAULTS.accountId}`, {
      limits: { messagesPerSecond: 1000 },
      features: { carrierName: true },
    });
    for (let i = 0; i < 5; i++) await sendText(env.url, { to: [`+1919555070${i}`], text: 'a'.repeat(200) });
    groupId = (await sendText(env.url, { to: ['+19195550710', '+19195550711'], text: 'group' })).body.id;
    failedId = (await sendText(env.url, { to: ['+19195554720'], text: 'x' })).body.id;
    await api(env.url, '/emulator/handsets/%2B19195550799/messages', {
      body: { to: DEFAULTS.number, text: 'secret words' },
      auth: '',
    });
    await env.sink.waitFor(() => eventsOf(env.sink, failedId).some((e) => e.type === 'message-failed'));
    await env.sink.waitFor(
      () => eventsOf(env.sink, groupId).filter((e) => e.type === 'message-delivered').length === 2,
    );
  });
  after(async () => env.close());

  void it('returns one row per recipient, with metadata and never the text', async () => {
    const res = await search(`messageId=${groupId}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.totalCount, 2);
    const rows = res.body.messages;
    assert.deepEqual(rows.map((r) => r.destinationTn).sort(), ['+19195550710', '+19195550711']);
    for (const r of rows) {
      assert.deepEqual(
        [r.messageStatus, r.messageDirection, r.messageType, r.recipientCount, r.sourceTn, r.product],
        ['DELIVERED', 'OUTBOUND', 'mms', 2, DEFAULTS.number, 'LOCAL_A2P'],
      );
      assert.equal(typeof r.carrierName, 'string');
    }
    const inbound = await search('messageDirection=INBOUND');
    assert.equal(inbound.body.totalCount, 1);
    assert.equal(inbound.body.messages[0]!.messageStatus, 'RECEIVED');
    assert.ok(!JSON.stringify(inbound.body).includes('secret words'));
  });

  void it('filters by status, error code, numbers, type and segment range', async () => {
    const failed = await search('messageStatus=FAILED');
    assert.deepEqual(
      failed.body.messages.map((m) => [m.messageId, m.errorCode]),
      [[failedId, 4720]],
    );
    assert.equal((await search('errorCode=4720')).body.totalCount, 1);
    assert.equal((await search('destinationTn=%2B19195550702')).body.totalCount, 1);
    assert.equal((await search('destinationTn=%2B19195550701,%2B19195550702')).body.totalCount, 2);
    assert.equal((await search('destinationTn=555070')).body.totalCount, 5);
    assert.equal((await search(`sourceTn=${encodeURIComponent('+19195550799')}`)).body.totalCount, 1);
    assert.equal((await search('messageType=mms')).body.totalCount, 2);
    assert.equal((await search('fromSegmentCount=2&toSegmentCount=2')).body.totalCount, 5);
    assert.equal((await search('calledNumberCountryA3=USA&messageDirection=OUTBOUND')).body.totalCount, 8);
    assert.equal((await search('bwQueued=true')).body.totalCount, 0);
    assert.equal((await search('campaignId=C1')).body.totalCount, 0);
  });

  void it('pages with tokens and sorts on request', async () => {
    const first = await search('messageDirection=OUTBOUND&limit=3&sort=destinationTn:asc');
    assert.equal(first.body.totalCount, 8);
    assert.deepEqual(
      first.body.messages.map((m) => m.destinationTn),
      ['+19195550700', '+19195550701', '+19195550702'],
    );
    const token = first.body.pageInfo.nextPageToken!;
    assert.ok(
      first.body.pageInfo.nextPage!.includes(encodeURIComponent(token)) ||
        first.body.pageInfo.nextPage!.includes(token),
    );
    const second = await search(
      `messageDirection=OUTBOUND&limit=3&sort=destinationTn:asc&pageToken=${encodeURIComponent(token)}`,
    );
    assert.deepEqual(
      second.body.messages.map((m) => m.destinationTn),
      ['+19195550703', '+19195550704', '+19195550710'],
    );
    assert.ok(second.body.pageInfo.prevPageToken);
    assert.equal((await search('messageDirection=OUTBOUND&limitTotalCount=true')).body.totalCount, 8);
  });

  void it('refuses no parameters, bad values and ranges over 14 days, and drops messages older than the window', async () => {
    const none = await api<{ type: string }>(env.url, path);
    assert.equal(none.status, 400);
    assert.equal((await search('messageStatus=LOST')).status, 400);
    assert.equal((await search('destinationTn=919')).status, 400);
    assert.equal((await search('fromDateTime=2020-01-01T00:00:00Z&toDateTime=2020-02-01T00:00:00Z')).status, 400);
    await admin(env.url, 'POST', '/clock/advance', { hours: 24 * 14 });
    assert.equal((await search('messageDirection=OUTBOUND')).body.totalCount, 0);
    assert.equal((await admin(env.url, 'GET', `/messages/${groupId}`)).status, 200);
    // A day past the window, housekeeping forgets settled messages and their callbacks.
    await admin(env.url, 'POST', '/clock/advance', { hours: 26 });
    assert.equal((await admin(env.url, 'GET', `/messages/${groupId}`)).status, 404);
    assert.deepEqual((await admin<unknown[]>(env.url, 'GET', `/callbacks?messageId=${groupId}`)).body, []);
  });
});
