/**
 * Why a Temporal connection failed, in the operator's terms. The SDK's own errors are terse ("Failed to connect
 * before the deadline", "InvalidCertificate(UnknownIssuer)"), so after a failure we open one TLS (or TCP) connection
 * to the frontend ourselves, send the HTTP/2 preface gRPC starts with, and name what went wrong: an untrusted server
 * certificate, a certificate for another name, a server that wants a client certificate or refuses ours, TLS on one
 * side only, nothing listening.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { TemporalConnectionConfig } from './connection';

/** The HTTP/2 connection preface and an empty SETTINGS frame: a TLS server that accepted us answers with its SETTINGS. */
const HTTP2_PREFACE = Buffer.concat([
  Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
  Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
]);

type Outcome = { ok: true } | { ok: false; code: string; message: string };

function hostAndPort(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(address.slice(at + 1)) };
}

/** Opens one connection, sends the preface, and waits for the server's first bytes, an error, or the timeout. */
function probe(open: () => net.Socket, readyEvent: 'connect' | 'secureConnect', timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = open();
    const done = (outcome: Outcome) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done({ ok: false, code: 'TIMEOUT', message: 'no answer' }), timeoutMs);
    socket.once(readyEvent, () => socket.write(HTTP2_PREFACE));
    socket.once('data', () => done({ ok: true }));
    socket.once('error', (err: NodeJS.ErrnoException) =>
      done({ ok: false, code: err.code ?? '', message: err.message }),
    );
    socket.once('close', () => done({ ok: false, code: 'CLOSED', message: 'the server closed the connection' }));
  });
}

const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
]);

/**
 * What is wrong with reaching the configured frontend, or `undefined` when a connection of our own works (the
 * problem is elsewhere: an API key, the namespace) or nothing could be learned.
 */
export async function diagnoseConnection(
  config: TemporalConnectionConfig,
  timeoutMs = 3_000,
): Promise<string | undefined> {
  const { host, port } = hostAndPort(config.address);
  const servername = config.tls === false ? undefined : (config.tls.serverNameOverride ?? host);
  const tlsOptions = (verify: boolean): tls.ConnectionOptions => ({
    host,
    port,
    ALPNProtocols: ['h2'],
    rejectUnauthorized: verify,
    ...(servername && net.isIP(servername) === 0 ? { servername } : {}),
    ...(config.tls && config.tls.serverRootCACertificate
      ? { ca: Buffer.from(config.tls.serverRootCACertificate) }
      : {}),
    ...(config.tls && config.tls.clientCertPair
      ? { cert: Buffer.from(config.tls.clientCertPair.crt), key: Buffer.from(config.tls.clientCertPair.key) }
      : {}),
  });

  if (config.tls === false) {
    const plain = await probe(() => net.connect({ host, port }), 'connect', timeoutMs);
    if (!plain.ok && plain.code !== 'CLOSED' && plain.code !== 'TIMEOUT') return unreachable(plain, host, port);
    const speaksTls = await probe(() => tls.connect(tlsOptions(false)), 'secureConnect', timeoutMs);
    if (speaksTls.ok || /certificate required|alert/i.test(speaksTls.message)) {
      return (
        'the server speaks TLS and Threadline is set up for plain gRPC: set TEMPORAL_TLS=true and, for a private CA, ' +
        'TEMPORAL_TLS_SERVER_CA_CERT_PATH (or use a temporal.toml profile with a [profile.<name>.tls] table)'
      );
    }
    return undefined;
  }

  const outcome = await probe(() => tls.connect(tlsOptions(true)), 'secureConnect', timeoutMs);
  if (outcome.ok) return undefined;
  const ca = config.origins.serverCA
    ? `the CA in ${config.origins.serverCA}`
    : "the system's CAs (set TEMPORAL_TLS_SERVER_CA_CERT_PATH for a private CA)";
  if (UNTRUSTED.has(outcome.code)) {
    return `the server's certificate is not signed by ${ca} [${outcome.code}]`;
  }
  if (outcome.code === 'CERT_HAS_EXPIRED') return "the server's certificate has expired";
  if (outcome.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return (
      `the server's certificate is not for ${servername}: set TEMPORAL_TLS_SERVER_NAME to a name it holds ` +
      `(${outcome.message})`
    );
  }
  if (/CERTIFICATE_REQUIRED|certificate required/i.test(`${outcome.code} ${outcome.message}`)) {
    return (
      'the server requires a client certificate (mTLS): set TEMPORAL_TLS_CLIENT_CERT_PATH and ' +
      'TEMPORAL_TLS_CLIENT_KEY_PATH (or tls.client_cert_path and tls.client_key_path in a temporal.toml profile)'
    );
  }
  if (/UNKNOWN_CA|BAD_CERTIFICATE|unknown ca|bad certificate/i.test(`${outcome.code} ${outcome.message}`)) {
    return (
      `the server refused the client certificate from ${config.origins.clientCert ?? 'the settings'}: it is not ` +
      `signed by a CA the server trusts for clients [${outcome.code}]`
    );
  }
  if (/WRONG_VERSION_NUMBER|packet length too long|wrong version/i.test(`${outcome.code} ${outcome.message}`)) {
    return 'the server does not speak TLS on this port: turn TLS off (TEMPORAL_TLS=false) or use its TLS port';
  }
  if (outcome.code === 'TIMEOUT' || outcome.code === 'CLOSED') return undefined;
  return unreachable(outcome, host, port);
}

function unreachable(outcome: { code: string; message: string }, host: string, port: number): string | undefined {
  if (outcome.code === 'ECONNREFUSED') return `nothing listens on ${host} port ${port}`;
  if (outcome.code === 'ENOTFOUND' || outcome.code === 'EAI_AGAIN') return `the host name ${host} does not resolve`;
  return outcome.message ? `${outcome.message} [${outcome.code}]` : undefined;
}
