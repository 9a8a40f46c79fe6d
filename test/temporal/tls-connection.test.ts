/**
 * Threadline on a real Temporal server whose frontend speaks TLS, then mutual TLS, with certificates the test makes:
 * the webhook server, the worker and the client connect through the Temporal CLI's own settings only (TEMPORAL_*
 * variables, a temporal.toml profile), a text gets its reply, and a wrong CA or a missing or foreign client
 * certificate fails with an error that says so.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config/env';
import { startStack, type Stack } from '../../stack';
import { connectClient, connectNative, loadTemporalConnection } from '../../temporal/connection';
import { makeCertificates, type TestCertificates } from '../helpers/certificates';
import { eventually } from '../helpers/eventually';
import { handsetInbox, handsetText } from '../helpers/handsets';
import { uniqueTaskQueue, workflowSource } from '../helpers/temporal';
import { startTlsTemporalServer, type TlsTemporalServer } from '../helpers/tls-temporal-server';

const OUR = '+19195550100';
const QUESTION = "Hi! I'm the Threadline greeter. What's your name?";

const root = path.resolve(__dirname, '../..');
const tmp = fs.mkdtempSync(path.join(process.env.THREADLINE_TEST_TMP ?? os.tmpdir(), 'tls-'));
const certs: TestCertificates = makeCertificates(path.join(tmp, 'certs'));

/** The whole stack, configured from `env` (plus the test's ports and data directory) and nothing else. */
async function stackFrom(env: Record<string, string>): Promise<Stack> {
  const config = loadConfig({
    ...env,
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('tls'),
    THREADLINE_DATA_DIR: fs.mkdtempSync(path.join(tmp, 'data-')),
    PORT: '0',
    EMULATOR_PORT: '0',
    EMULATOR_TIME_SCALE: '20',
    LOG_LEVEL: 'warn',
  });
  return startStack({ config, persistEmulator: false, workflowBundle: workflowSource().workflowBundle });
}

async function greeted(stack: Stack, phone: string): Promise<void> {
  await handsetText(stack.emulatorUrl!, phone, OUR, 'hi');
  await eventually(
    async () => {
      const inbox = await handsetInbox(stack.emulatorUrl!, phone);
      assert.deepEqual(
        inbox.map((m) => m.text),
        [QUESTION],
      );
    },
    { timeoutMs: 60_000 },
  );
}

describe('a Temporal server with TLS', () => {
  let server: TlsTemporalServer;

  before(async () => {
    server = await startTlsTemporalServer({ dir: path.join(tmp, 'tls-server'), certs, mutual: false });
  });
  after(async () => {
    await server?.stop();
  });

  it('serves a conversation to a stack that knows it only from TEMPORAL_ADDRESS and TEMPORAL_TLS_SERVER_CA_CERT_PATH', async () => {
    const stack = await stackFrom({ TEMPORAL_ADDRESS: server.address, TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca });
    try {
      await greeted(stack, '+19195550131');
    } finally {
      await stack.stop();
    }
  });

  it('refuses a worker and a client that trust another CA, and says the certificate is not signed by that CA', async () => {
    const config = loadTemporalConnection({
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.otherCa,
    });
    const expected = new RegExp(
      `^TemporalConnectionError: Cannot connect to Temporal at ${server.address} .*: the server's certificate is not signed by the CA in ` +
        'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
    );
    await assert.rejects(connectNative(config), expected);
    await assert.rejects(connectClient(config, { connectTimeout: 2_000 }), expected);
  });

  it('stops a worker process that trusts another CA with exit code 1 and the reason, not a stack trace', async () => {
    const worker = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bin/worker.ts')], {
      cwd: root,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.otherCa,
        THREADLINE_DATA_DIR: fs.mkdtempSync(path.join(tmp, 'worker-')),
        LOG_LEVEL: 'warn',
      },
    });
    assert.equal(worker.status, 1, worker.stderr);
    assert.match(
      worker.stderr,
      /^Cannot connect to Temporal at localhost:\d+ \(namespace default, TLS, from TEMPORAL_\* variables\): the server's certificate is not signed by the CA in TEMPORAL_TLS_SERVER_CA_CERT_PATH/m,
    );
    assert.doesNotMatch(worker.stderr, /^\s+at /m, 'no stack trace');
  });

  it('tells a worker set up for plain gRPC that the server speaks TLS', async () => {
    await assert.rejects(
      connectNative(loadTemporalConnection({ TEMPORAL_ADDRESS: server.address })),
      /the server speaks TLS and Threadline is set up for plain gRPC: set TEMPORAL_TLS=true/,
    );
  });
});

describe('a Temporal server with mutual TLS', () => {
  let server: TlsTemporalServer;

  before(async () => {
    server = await startTlsTemporalServer({ dir: path.join(tmp, 'mtls-server'), certs, mutual: true });
  });
  after(async () => {
    await server?.stop();
  });

  it('serves a conversation to a stack that reads a temporal.toml profile with the client certificate', async () => {
    const file = path.join(tmp, 'temporal.toml');
    fs.writeFileSync(
      file,
      [
        '[profile.default]',
        'address = "127.0.0.1:1"',
        '',
        '[profile.production]',
        `address = "${server.address}"`,
        'namespace = "default"',
        '',
        '[profile.production.tls]',
        `client_cert_path = "${certs.clientCert}"`,
        `client_key_path = "${certs.clientKey}"`,
        `server_ca_cert_path = "${certs.ca}"`,
        '',
      ].join('\n'),
    );
    const stack = await stackFrom({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'production' });
    try {
      await greeted(stack, '+19195550132');
    } finally {
      await stack.stop();
    }
  });

  it('connects a worker and a client given the certificate and key inline in TEMPORAL_TLS_*_DATA variables', async () => {
    const config = loadTemporalConnection({
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_TLS_CLIENT_CERT_DATA: fs.readFileSync(certs.clientCert, 'utf8'),
      TEMPORAL_TLS_CLIENT_KEY_DATA: fs.readFileSync(certs.clientKey, 'utf8'),
      TEMPORAL_TLS_SERVER_CA_CERT_DATA: fs.readFileSync(certs.ca, 'utf8'),
    });
    const connection = await connectClient(config);
    const native = await connectNative(config);
    try {
      const info = await connection.workflowService.getSystemInfo({});
      assert.match(info.serverVersion ?? '', /^1\.29\./);
    } finally {
      await native.close();
      await connection.close();
    }
  });

  it('tells a worker with no client certificate that the server requires one', async () => {
    await assert.rejects(
      connectNative(
        loadTemporalConnection({ TEMPORAL_ADDRESS: server.address, TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca }),
      ),
      /the server requires a client certificate \(mTLS\): set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH/,
    );
  });

  it('tells a worker whose client certificate another CA signed that the server refused it', async () => {
    await assert.rejects(
      connectNative(
        loadTemporalConnection({
          TEMPORAL_ADDRESS: server.address,
          TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca,
          TEMPORAL_TLS_CLIENT_CERT_PATH: certs.otherClientCert,
          TEMPORAL_TLS_CLIENT_KEY_PATH: certs.otherClientKey,
        }),
      ),
      /the server refused the client certificate from TEMPORAL_TLS_CLIENT_CERT_PATH/,
    );
  });
});
