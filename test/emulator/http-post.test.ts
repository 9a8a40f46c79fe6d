/**
 * The callback poster's contract: it reports the final status of any response (its body read and discarded, the
 * connection kept for the next request), a deadline as `timeout` whether the request was answered late or never got
 * a connection, a refused connection by its system code, and a URL it cannot post to without sending anything.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HttpPoster } from '../../emulator/http-post';

interface Seen {
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
  socket: number;
}

void describe('the callback poster', () => {
  const seen: Seen[] = [];
  const sockets = new Map<unknown, number>();
  let reply: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => res.end();
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      if (!sockets.has(req.socket)) sockets.set(req.socket, sockets.size + 1);
      seen.push({
        path: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body,
        socket: sockets.get(req.socket)!,
      });
      reply(req, res);
    });
  });
  let base = '';
  const poster = new HttpPoster();
  const json = { 'Content-Type': 'application/json; charset=utf-8' };

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    poster.close();
    server.closeAllConnections();
    server.close();
  });

  void it('posts the body with its headers and reports the status, reading a response body and reusing the connection', async () => {
    seen.length = 0;
    reply = (_req, res) => {
      res.statusCode = 503;
      res.end('x'.repeat(100_000)); // a body larger than one read: drained before the connection is reused
    };
    assert.deepEqual(await poster.post(`${base}/status?x=1`, json, '[{"type":"message-sent"}]', 5_000), {
      status: 503,
    });
    await new Promise((resolve) => setImmediate(resolve)); // undici frees the connection once its turn ends
    reply = (_req, res) => {
      res.statusCode = 204;
      res.end();
    };
    assert.deepEqual(await poster.post(`${base}/status`, json, '[]', 5_000), { status: 204 });
    assert.deepEqual(
      seen.map(({ path, contentType, body, socket }) => ({ path, contentType, body, socket })),
      [
        { path: '/status?x=1', contentType: json['Content-Type'], body: '[{"type":"message-sent"}]', socket: 1 },
        { path: '/status', contentType: json['Content-Type'], body: '[]', socket: 1 },
      ],
    );
  });

  void it('sends credentials written in the URL as Basic auth, unless the caller gave its own', async () => {
    seen.length = 0;
    reply = (_req, res) => res.end();
    const withUser = base.replace('http://', 'http://bot%40example:p%3Ass@');
    await poster.post(`${withUser}/a`, json, '[]', 5_000);
    await poster.post(`${withUser}/b`, { ...json, Authorization: 'Basic given' }, '[]', 5_000);
    assert.deepEqual(
      seen.map((s) => s.authorization),
      [`Basic ${Buffer.from('bot@example:p:ss').toString('base64')}`, 'Basic given'],
    );
  });

  void it('reports a receiver that answers after the deadline as a timeout', async () => {
    reply = (_req, res) => setTimeout(() => res.end(), 1_000);
    const started = performance.now();
    assert.deepEqual(await poster.post(`${base}/slow`, json, '[]', 100), { error: 'timeout' });
    assert.ok(performance.now() - started < 900, 'the deadline ended the request, not the answer');
  });

  void it('reports a request that never got a connection by its deadline as a timeout', async () => {
    // A socket that accepts and never answers holds the one connection a tiny pool allows; the next request waits
    // for it in the queue, and its deadline passes there.
    const small = new HttpPoster({ connections: 1 });
    const held: http.ServerResponse[] = [];
    reply = (_req, res) => held.push(res);
    try {
      const first = small.post(`${base}/held`, json, '[]', 300);
      const started = performance.now();
      assert.deepEqual(await small.post(`${base}/queued`, json, '[]', 100), { error: 'timeout' });
      assert.ok(performance.now() - started < 250, 'settled at its own deadline, not when a connection came free');
      assert.deepEqual(await first, { error: 'timeout' });
      // The held request's connection is gone with its deadline; the queued one, given a new connection, is dropped.
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(
        seen.filter((s) => s.path === '/queued'),
        [],
      );
    } finally {
      small.close();
      for (const res of held) res.end();
    }
  });

  void it('reports a refused connection by its system code', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    assert.deepEqual(await poster.post(`http://127.0.0.1:${port}/x`, json, '[]', 5_000), { error: 'ECONNREFUSED' });
  });

  void it('sends nothing to a URL it cannot post to', async () => {
    seen.length = 0;
    assert.deepEqual(await poster.post('not a url', json, '[]', 5_000), { error: 'invalid-url' });
    assert.deepEqual(await poster.post('ftp://127.0.0.1/x', json, '[]', 5_000), { error: 'unsupported-protocol' });
    assert.equal(seen.length, 0);
  });
});
