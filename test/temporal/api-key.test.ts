/**
 * A Temporal Cloud API key, as the frontend sees it: TEMPORAL_API_KEY alone turns TLS on and every call, from a client
 * or a worker, carries the key as a bearer token (and TEMPORAL_GRPC_META_* as headers). The frontend here is a
 * stand-in that records each call's headers and answers GetSystemInfo, the call both SDK connections make first (a
 * real server with `--allow-no-auth` would ignore the key, and Temporal Cloud needs an account).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connectClient, connectNative, loadTemporalConnection } from '../../temporal/connection';
import { makeCertificates } from '../helpers/certificates';
import '../helpers/temporal'; // the SDK runtime, quiet

const GET_SYSTEM_INFO = '/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo';
const tmp = fs.mkdtempSync(path.join(process.env.THREADLINE_TEST_TMP ?? os.tmpdir(), 'api-key-'));
const certs = makeCertificates(path.join(tmp, 'certs'));

describe('a Temporal Cloud API key', () => {
  const calls: http2.IncomingHttpHeaders[] = [];
  let frontend: http2.Http2SecureServer;
  let address: string;
  const sessions = new Set<http2.ServerHttp2Session>();

  before(async () => {
    frontend = http2.createSecureServer({
      cert: fs.readFileSync(certs.serverCert),
      key: fs.readFileSync(certs.serverKey),
    });
    frontend.on('session', (session) => sessions.add(session));
    frontend.on('stream', (stream, headers) => {
      calls.push(headers);
      if (headers[':path'] !== GET_SYSTEM_INFO || headers.authorization === 'Bearer revoked-key') {
        stream.respond(
          {
            ':status': 200,
            'content-type': 'application/grpc',
            'grpc-status': headers.authorization === 'Bearer revoked-key' ? '16' : '12', // UNAUTHENTICATED, UNIMPLEMENTED
          },
          { endStream: true },
        );
        return;
      }
      // An empty GetSystemInfoResponse: one uncompressed gRPC message of length 0.
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(Buffer.alloc(5));
    });
    await new Promise<void>((resolve) => frontend.listen(0, '127.0.0.1', resolve));
    address = `localhost:${(frontend.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const session of sessions) session.destroy(); // a connection that failed may keep its session open
    await new Promise((resolve) => frontend.close(resolve));
  });

  it('goes over TLS as a bearer token on every call of a client and of a worker, with the extra gRPC headers', async () => {
    const config = loadTemporalConnection({
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: 'sms.a1b2c',
      TEMPORAL_API_KEY: 'tcld-test-key',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca, // the stand-in's certificate is the test CA's, not a public one
      TEMPORAL_GRPC_META_X_TEAM: 'messaging',
    });
    const connection = await connectClient(config);
    await connection.close();
    const native = await connectNative(config);
    await native.close();

    const systemInfo = calls.filter(
      (h) => h[':path'] === '/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo',
    );
    assert.equal(systemInfo.length, 2, 'the client and the worker each asked for the system info');
    for (const headers of systemInfo) {
      assert.equal(headers[':scheme'], 'https');
      assert.equal(headers.authorization, 'Bearer tcld-test-key');
      assert.equal(headers['x-team'], 'messaging');
    }
  });

  it('that the frontend refuses stops a client and a worker with an error naming TEMPORAL_API_KEY', async () => {
    const config = loadTemporalConnection({
      TEMPORAL_ADDRESS: address,
      TEMPORAL_API_KEY: 'revoked-key',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca,
    });
    const expected =
      /the server refused the API key \(expired, revoked, or without access to the namespace\): check TEMPORAL_API_KEY/;
    await assert.rejects(connectClient(config), expected);
    await assert.rejects(connectNative(config), expected);
  });
});
