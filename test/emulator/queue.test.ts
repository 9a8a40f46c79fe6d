/**
 * The account queue: segments as the unit, priority, per-number pacing, 15 minutes of capacity, expiration.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { loadSpecValidator } from './openapi';
import { admin, DEFAULTS, eventsOf, eventually, sendText, settledEvents, startEmulator, type Running } from './helpers';

const sendingTime = (env: Running, id: string) =>
  Date.parse(eventsOf(env.sink, id).find((e) => e.type === 'message-sending')!.time);

void describe('message queue and rate limits', () => {
  let env: Running | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  void it('answers 429 max-message-queue-size-exceeded beyond 15 minutes of the rate, counting segments', async () => {
    env = await startEmulator({ timeScale: 1 });
    // 0.005 segments per second × 15 minutes = a queue of 4 units.
    await admin(env.url, 'PATCH', `/accounts/${DEFAULTS.accountId}`, { limits: { messagesPerSecond: 0.005 } });
    const statuses: number[] = [];
    let rejection: Record<string, unknown> | undefined;
    for (let i = 0; i < 6; i++) {
      const res = await sendText(env.url, { to: ['+19195550401'], text: 'a'.repeat(200) }); // 2 segments each
      statuses.push(res.status);
      if (res.status === 429) rejection = res.body;
    }
    assert.ok(statuses.filter((s) => s === 202).length <= 4, statuses.join());
    assert.ok(statuses.includes(429), statuses.join());
    assert.equal(rejection!.type, 'max-message-queue-size-exceeded');
    (await loadSpecValidator()).response('createMessage', 429, rejection);
    assert.match(String(rejection!.description), /capacity of this queue is 4 messages \(15 minutes\)/);
    const queue = await admin<{ accountId: string; queuedUnits: number; capacity: number }[]>(env.url, 'GET', '/queue');
    const mine = queue.body.find((q) => q.accountId === DEFAULTS.accountId)!;
    assert.equal(mine.capacity, 4);
    assert.ok(mine.queuedUnits <= 4 && mine.queuedUnits % 2 === 0);
  });

  void it('sends high priority before default traffic already waiting', async () => {
    env = await startEmulator({ timeScale: 1 });
    await admin(env.url, 'PATCH', `/accounts/${DEFAULTS.accountId}`, { limits: { messagesPerSecond: 0.01 } });
    const defaults: string[] = [];
    for (let i = 0; i < 4; i++)
      defaults.push((await sendText(env.url, { to: [`+1919555041${i}`], text: 'd' })).body.id);
    const high = (await sendText(env.url, { to: ['+19195550419'], text: 'h', priority: 'high' })).body.id;
    for (let i = 0; i < 6; i++) {
      await admin(env.url, 'POST', '/clock/advance', { seconds: 100 });
      await new Promise((r) => setTimeout(r, 20));
    }
    await env.sink.waitFor(() =>
      [...defaults, high].every((id) => eventsOf(env!.sink, id).some((e) => e.type === 'message-sending')),
    );
    const order = [...defaults, high].sort((a, b) => sendingTime(env!, a) - sendingTime(env!, b));
    // Whatever left in the first burst, the high-priority message overtook the defaults still queued.
    assert.ok(order.indexOf(high) < order.length - 2, `high left at position ${order.indexOf(high)}`);
    assert.ok(sendingTime(env, high) < sendingTime(env, defaults.at(-1)!));
  });

  void it('paces a P2P number at one segment per second while the account rate is higher', async () => {
    // The clock is all but frozen while the messages are queued, then stepped forward a quarter second at a time.
    env = await startEmulator({ timeScale: 0.001 });
    await admin(env.url, 'PATCH', `/accounts/${DEFAULTS.accountId}`, { limits: { messagesPerSecond: 100 } });
    await admin(env.url, 'PATCH', `/numbers/${encodeURIComponent(DEFAULTS.number)}`, { product: 'P2P' });
    await admin(env.url, 'PATCH', '/settings', { timing: { sendingDelayMs: 0 } });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await sendText(env.url, { to: [`+1919555042${i}`], text: 'p2p' })).body.id);
    const sent = () => ids.filter((id) => eventsOf(env!.sink, id).some((e) => e.type === 'message-sending')).length;
    for (let step = 0; step < 24 && sent() < 5; step++) {
      await admin(env.url, 'POST', '/clock/advance', { ms: 250 });
      await eventually(async () => {
        const log = await admin<{ state: string }[]>(env!.url, 'GET', '/callbacks?state=pending');
        assert.equal(log.body.length, 0, 'callbacks still pending');
      });
    }
    assert.equal(sent(), 5);
    const times = ids.map((id) => sendingTime(env!, id)).sort((a, b) => a - b);
    // One second of burst (two at once), then one per second.
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    assert.equal(gaps[0], 0);
    for (const gap of gaps.slice(1)) assert.ok(gap >= 1000 && gap <= 1250, `gaps ${gaps.join(', ')}`);
  });

  void it('fails a message whose expiration passes in the queue with 4360 and no sending', async () => {
    env = await startEmulator({ timeScale: 1 });
    await admin(env.url, 'PATCH', `/accounts/${DEFAULTS.accountId}`, { limits: { messagesPerSecond: 0.005 } });
    const clock = await admin<{ epochMs: number }>(env.url, 'GET', '/clock');
    await sendText(env.url, { to: ['+19195550430'], text: 'first' });
    await sendText(env.url, { to: ['+19195550431'], text: 'second' });
    const expiring = await sendText(env.url, {
      to: ['+19195550432'],
      text: 'expires',
      expiration: new Date(clock.body.epochMs + 30_000).toISOString(),
    });
    assert.equal(expiring.status, 202);
    assert.equal(expiring.body.expiration, new Date(clock.body.epochMs + 30_000).toISOString());
    await admin(env.url, 'POST', '/clock/advance', { seconds: 60 });
    const events = await settledEvents(env.url, env.sink, expiring.body.id);
    assert.deepEqual(
      events.map((e) => [e.type, e.errorCode, e.description]),
      [['message-failed', 4360, 'message-not-sent-expiration-date-passed']],
    );
  });
});
