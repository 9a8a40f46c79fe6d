/**
 * The Bandwidth client's transport: it follows no redirect, so credentials never go where Bandwidth did not answer
 * from, and a redirected create fails as a rejection (nothing was sent; asking again would be redirected again).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BandwidthApiError, createBandwidthClient } from '../../bandwidth/client';

describe('the Bandwidth client', () => {
  let server: http.Server;
  let url: string;
  const seen: { path: string; authorization: string | undefined }[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
      req.resume();
      req.on('end', () => {
        if (req.url?.startsWith('/elsewhere')) {
          res.writeHead(202, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: '1718900000000aaaaaaaaaaaaaaaa', to: ['+19195550123'], from: '+19195550100' }));
          return;
        }
        res.writeHead(307, { location: `${url}/elsewhere/users/9900000/messages` });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('does not follow a redirect: the create fails as rejected and the credentials stay where they were sent', async () => {
    const client = createBandwidthClient({
      baseUrl: url,
      accountId: '9900000',
      auth: { kind: 'basic', username: 'user', password: 'secret' },
    });
    const error = await client
      .createMessage({ applicationId: 'app', from: '+19195550100', to: ['+19195550123'], text: 'hi' })
      .then(
        () => assert.fail('a redirected create must not succeed'),
        (err: unknown) => err,
      );
    assert.ok(error instanceof BandwidthApiError);
    assert.equal(error.status, 307);
    assert.equal(error.kind, 'rejected');
    assert.deepEqual(
      seen.map((s) => s.path),
      ['/users/9900000/messages'],
      'the redirect target was never asked',
    );
  });
});
