/**
 * Reading the Temporal connection (temporal/connection.ts): the Temporal CLI's variables and temporal.toml profiles,
 * the defaults for the local dev server, and start-up errors that name the setting to fix.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../config/env';
import { describeTemporalConnection, loadTemporalConnection } from '../../temporal/connection';
import { makeCertificates } from '../helpers/certificates';

const tmp = fs.mkdtempSync(path.join(process.env.THREADLINE_TEST_TMP ?? os.tmpdir(), 'connection-'));
const certs = makeCertificates(path.join(tmp, 'certs'));

function toml(name: string, lines: string[]): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadTemporalConnection(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('the Temporal connection settings', () => {
  it('default to the local dev server: plain gRPC to 127.0.0.1:7233, namespace default', () => {
    const config = loadTemporalConnection({ TEMPORAL_ADDRESS: '', HOME: path.join(tmp, 'no-home') });
    assert.deepEqual(config, {
      address: '127.0.0.1:7233',
      namespace: 'default',
      tls: false,
      source: 'the defaults',
      origins: {},
    });
    assert.equal(loadConfig({}).temporal.connection.address, '127.0.0.1:7233');
  });

  it('turn TLS on with the system CAs for a Temporal Cloud API key, and never show the key', () => {
    const config = loadTemporalConnection({
      TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233',
      TEMPORAL_NAMESPACE: 'threadline.a1b2c',
      TEMPORAL_API_KEY: 'secret-api-key',
    });
    assert.equal(config.address, 'us-east-1.aws.api.temporal.io:7233');
    assert.equal(config.namespace, 'threadline.a1b2c');
    assert.equal(config.apiKey, 'secret-api-key');
    assert.deepEqual(config.tls, {});
    assert.equal(
      describeTemporalConnection(config),
      'us-east-1.aws.api.temporal.io:7233 (namespace threadline.a1b2c, TLS + API key, from TEMPORAL_* variables)',
    );
    const plain = loadTemporalConnection({ TEMPORAL_API_KEY: 'secret-api-key', TEMPORAL_TLS: 'false' });
    assert.equal(plain.tls, false, 'TEMPORAL_TLS=false keeps an API key on plain gRPC, as the Temporal CLI does');
  });

  it('read the certificates and key of mutual TLS once, and the server name and gRPC headers', () => {
    const config = loadTemporalConnection({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert,
      TEMPORAL_TLS_CLIENT_KEY_DATA: fs.readFileSync(certs.clientKey, 'utf8'),
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca,
      TEMPORAL_TLS_SERVER_NAME: 'localhost',
      TEMPORAL_GRPC_META_X_TENANT: 'acme',
    });
    assert.ok(config.tls);
    assert.equal(config.tls.serverNameOverride, 'localhost');
    assert.deepEqual(Buffer.from(config.tls.serverRootCACertificate!), fs.readFileSync(certs.ca));
    assert.deepEqual(Buffer.from(config.tls.clientCertPair!.crt), fs.readFileSync(certs.clientCert));
    assert.deepEqual(Buffer.from(config.tls.clientCertPair!.key), fs.readFileSync(certs.clientKey));
    assert.deepEqual(config.metadata, { 'x-tenant': 'acme' });
    assert.deepEqual(config.origins, {
      serverCA: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
      clientCert: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
    });
    assert.match(describeTemporalConnection(config), /mTLS/);
  });

  it('take a temporal.toml profile, with each TEMPORAL_* variable overriding its value', () => {
    const file = toml('profiles.toml', [
      '[profile.default]',
      'address = "127.0.0.1:7233"',
      '[profile.production]',
      'address = "temporal.internal:7233"',
      'namespace = "sms"',
      '[profile.production.tls]',
      `server_ca_cert_path = "${certs.ca}"`,
    ]);
    const config = loadTemporalConnection({
      TEMPORAL_CONFIG_FILE: file,
      TEMPORAL_PROFILE: 'production',
      TEMPORAL_NAMESPACE: 'sms-staging',
    });
    assert.equal(config.address, 'temporal.internal:7233');
    assert.equal(config.namespace, 'sms-staging');
    assert.deepEqual(config.origins, { serverCA: `tls.server_ca_cert_path of profile "production" of ${file}` });
    assert.equal(config.source, `TEMPORAL_* variables and profile "production" of ${file}`);
    assert.equal(loadTemporalConnection({ TEMPORAL_CONFIG_FILE: file }).tls, false, 'the default profile');
  });

  it('refuse half-configured mutual TLS: a certificate without its key, or a key without its certificate', () => {
    assert.deepEqual(problemsOf({ TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert }), [
      'TEMPORAL_TLS_CLIENT_CERT_PATH is set but TEMPORAL_TLS_CLIENT_KEY_PATH is not: a client certificate (mTLS) ' +
        'needs both the certificate and its key',
    ]);
    const file = toml('key-only.toml', ['[profile.default.tls]', `client_key_path = "${certs.clientKey}"`]);
    assert.deepEqual(problemsOf({ TEMPORAL_CONFIG_FILE: file }), [
      `tls.client_key_path of profile "default" of ${file} is set but tls.client_cert_path is not (in the same ` +
        'profile): a client certificate (mTLS) needs both the certificate and its key',
    ]);
  });

  it('refuse a key that does not belong to the certificate, files that are not PEM, and files that are missing', () => {
    assert.deepEqual(
      problemsOf({ TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert, TEMPORAL_TLS_CLIENT_KEY_PATH: certs.serverKey }),
      ['TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH: the key does not belong to the certificate'],
    );
    const notPem = toml('not-a-certificate.pem', ['hello']);
    const problems = problemsOf({
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: notPem,
      TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(tmp, 'missing.pem'),
      TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientCert,
    });
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems[0]!, /^TEMPORAL_TLS_CLIENT_CERT_PATH: cannot read .*missing\.pem: ENOENT/);
    assert.equal(
      problems[1],
      'TEMPORAL_TLS_CLIENT_KEY_PATH: not a PEM private key (-----BEGIN PRIVATE KEY-----), or one protected by a passphrase',
    );
    assert.equal(problems[2], 'TEMPORAL_TLS_SERVER_CA_CERT_PATH: not a PEM certificate (-----BEGIN CERTIFICATE-----)');
  });

  it('refuse settings that contradict each other or that the SDK cannot honour', () => {
    assert.deepEqual(
      problemsOf({
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca,
        TEMPORAL_TLS_SERVER_CA_CERT_DATA: 'x',
        TEMPORAL_TLS: 'yes',
        TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true',
      }),
      [
        'TEMPORAL_TLS: must be true or false, not yes',
        "TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: the TypeScript SDK always verifies the server; set TEMPORAL_TLS_SERVER_NAME to the name in the server's certificate instead",
        'TEMPORAL_TLS_SERVER_CA_CERT_PATH and TEMPORAL_TLS_SERVER_CA_CERT_DATA: set one or the other',
      ],
    );
    assert.deepEqual(problemsOf({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca }), [
      'TEMPORAL_TLS turns TLS off, yet TLS settings are given: remove them, or turn TLS on',
    ]);
  });

  it('refuse an address without a port, an unknown profile, and a config file that is not there or not TOML', () => {
    assert.deepEqual(problemsOf({ TEMPORAL_ADDRESS: 'https://threadline.a1b2c.tmprl.cloud' }), [
      'TEMPORAL_ADDRESS: must be host:port (e.g. my-namespace.a1b2c.tmprl.cloud:7233 or 127.0.0.1:7233), not ' +
        'https://threadline.a1b2c.tmprl.cloud',
    ]);
    const file = toml('one-profile.toml', ['[profile.default]', 'address = "127.0.0.1:7233"']);
    assert.deepEqual(problemsOf({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' }), [
      `TEMPORAL_PROFILE: there is no profile "prod" of ${file}`,
    ]);
    assert.deepEqual(problemsOf({ TEMPORAL_CONFIG_FILE: path.join(tmp, 'nowhere.toml') }), [
      `TEMPORAL_CONFIG_FILE: ${path.join(tmp, 'nowhere.toml')} does not exist`,
    ]);
    const broken = toml('broken.toml', ['[profile.default', 'address = ']);
    assert.match(problemsOf({ TEMPORAL_CONFIG_FILE: broken })[0]!, /^TEMPORAL_CONFIG_FILE: /);
  });

  it('are reported by loadConfig together with the other settings to fix', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty', TEMPORAL_ADDRESS: 'temporal.internal' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.problems.length, 2, err.message);
        assert.match(err.problems[0]!, /^PORT: /);
        assert.match(err.problems[1]!, /^TEMPORAL_ADDRESS: must be host:port/);
        return true;
      },
    );
  });
});
