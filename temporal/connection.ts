/**
 * Where Threadline's Temporal server is and how to reach it: the one place that turns the environment into client
 * {@link Connection}s and worker {@link NativeConnection}s.
 *
 * The settings are the Temporal CLI's own, read by `@temporalio/envconfig`: `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`,
 * `TEMPORAL_API_KEY`, `TEMPORAL_TLS`, `TEMPORAL_TLS_CLIENT_CERT_PATH` / `_DATA`, `TEMPORAL_TLS_CLIENT_KEY_PATH` /
 * `_DATA`, `TEMPORAL_TLS_SERVER_CA_CERT_PATH` / `_DATA`, `TEMPORAL_TLS_SERVER_NAME`, `TEMPORAL_GRPC_META_*`, and a
 * `temporal.toml` profile (`TEMPORAL_PROFILE`, default `default`, from `TEMPORAL_CONFIG_FILE` or
 * `~/.config/temporalio/temporal.toml`); a variable overrides the profile's value. With none of them set, Threadline
 * talks plain gRPC to `127.0.0.1:7233`, namespace `default` (the dev server `npm start` runs).
 *
 * {@link loadTemporalConnection} reads and checks everything once, at start-up: files are read, certificates and keys
 * parsed and matched, and every problem is reported in one {@link ConfigError}. The connect functions then only
 * connect; when that fails, the error says why in the operator's terms (an untrusted server certificate, a server that
 * wants a client certificate, TLS on one side only), see temporal/connection-diagnosis.ts.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import { Connection, type ConnectionOptions, type TLSConfig } from '@temporalio/client';
import { loadClientConfigProfile, type ClientConfigProfile, type ConfigDataSource } from '@temporalio/envconfig';
import type { NativeConnection, NativeConnectionOptions } from '@temporalio/worker';
import { ConfigError } from '../config/config-error';
import { diagnoseConnection } from './connection-diagnosis';

/** Where Threadline connects when nothing says otherwise: the local dev server. */
export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

/** A Temporal connection, checked: what {@link connectClient}, {@link lazyClientConnection} and {@link connectNative} use. */
export interface TemporalConnectionConfig {
  /** `host:port` of the frontend. */
  address: string;
  namespace: string;
  /** TLS settings with the certificates already read, or `false` for plain gRPC. `{}` trusts the system's CAs. */
  tls: TLSConfig | false;
  /** Temporal Cloud API key (sent as a bearer token); implies TLS unless `TEMPORAL_TLS=false`. */
  apiKey?: string;
  /** Extra gRPC headers (`TEMPORAL_GRPC_META_*`, a profile's `grpc_meta`). */
  metadata?: Record<string, string>;
  /** Where the settings came from, in the operator's words, e.g. `TEMPORAL_* variables and profile "prod" of /etc/temporal.toml`. */
  source: string;
  /** The setting each TLS file came from (`TEMPORAL_TLS_SERVER_CA_CERT_PATH`, `tls.client_cert_path of profile …`), for errors. */
  origins: { serverCA?: string; clientCert?: string };
}

type Env = Record<string, string | undefined>;

const TRUE_OR_FALSE = new Set(['true', 'false', '1', '0']);
const CONNECTION_VARIABLE = /^TEMPORAL_(ADDRESS|NAMESPACE|API_KEY|TLS|GRPC_META_)/;
const ADDRESS = /^(\[[0-9A-Fa-f:.]+\]|[^\s:/[\]]+):(\d{1,5})$/;

/**
 * Reads the Temporal connection from `env` (and the `temporal.toml` profile it names), reads the TLS files, and checks
 * them: a client certificate without its key, a key that does not match, a file that is not PEM, an address without a
 * port, an unknown profile.
 *
 * @throws ConfigError listing every problem, each naming the variable or profile key to fix.
 */
export function loadTemporalConnection(env: Env = process.env): TemporalConnectionConfig {
  // An empty variable means unset, as everywhere else in Threadline's configuration.
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && value !== '') vars[name] = value;

  const problems: string[] = [];
  for (const name of ['TEMPORAL_TLS', 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION']) {
    const value = vars[name];
    if (value !== undefined && !TRUE_OR_FALSE.has(value)) problems.push(`${name}: must be true or false, not ${value}`);
  }
  if (vars.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION === 'true' || vars.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION === '1') {
    problems.push(
      'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: the TypeScript SDK always verifies the server; set ' +
        "TEMPORAL_TLS_SERVER_NAME to the name in the server's certificate instead",
    );
  }
  for (const file of ['CLIENT_CERT', 'CLIENT_KEY', 'SERVER_CA_CERT']) {
    if (vars[`TEMPORAL_TLS_${file}_PATH`] && vars[`TEMPORAL_TLS_${file}_DATA`]) {
      problems.push(`TEMPORAL_TLS_${file}_PATH and TEMPORAL_TLS_${file}_DATA: set one or the other`);
    }
  }
  const configFile = vars.TEMPORAL_CONFIG_FILE;
  if (configFile !== undefined && !fs.existsSync(configFile)) {
    problems.push(`TEMPORAL_CONFIG_FILE: ${configFile} does not exist`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const fileName = configFile ?? 'the user temporal.toml (~/.config/temporalio/temporal.toml)';
  const profileName = vars.TEMPORAL_PROFILE ?? 'default';
  const inProfile = `profile "${profileName}" of ${fileName}`;
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: vars });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/^Profile '.*' not found/.test(message)) {
      throw new ConfigError([`TEMPORAL_PROFILE: there is no ${inProfile}`]);
    }
    throw new ConfigError([`${configFile ? 'TEMPORAL_CONFIG_FILE' : fileName}: ${message}`]);
  }

  // Which setting a value came from: the variable when it is set, else the profile's key.
  const origin = (variable: string, tomlKey: string) =>
    vars[variable] !== undefined ? variable : `${tomlKey} of ${inProfile}`;
  const fileOrigin = (name: 'CLIENT_CERT' | 'CLIENT_KEY' | 'SERVER_CA_CERT', source: ConfigDataSource) => {
    const kind = 'path' in source ? 'PATH' : 'DATA';
    return origin(`TEMPORAL_TLS_${name}_${kind}`, `tls.${name.toLowerCase()}_${kind.toLowerCase()}`);
  };

  const address = profile.address ?? DEFAULT_TEMPORAL_ADDRESS;
  if (!ADDRESS.test(address) || Number(ADDRESS.exec(address)?.[2]) > 65535) {
    problems.push(
      `${origin('TEMPORAL_ADDRESS', 'address')}: must be host:port (e.g. my-namespace.a1b2c.tmprl.cloud:7233 or ` +
        `127.0.0.1:7233), not ${address}`,
    );
  }

  let tls: TLSConfig | false = false;
  const origins: TemporalConnectionConfig['origins'] = {};
  const tlsSettings = profile.tls;
  if (tlsSettings?.disabled === true) {
    const given = [tlsSettings.clientCert, tlsSettings.clientKey, tlsSettings.serverCACert].some(
      (s) => s !== undefined,
    );
    if (given || tlsSettings.serverName !== undefined) {
      problems.push(
        `${origin('TEMPORAL_TLS', 'tls.disabled')} turns TLS off, yet TLS settings are given: remove them, or turn TLS on`,
      );
    }
  } else if (tlsSettings !== undefined || profile.apiKey !== undefined) {
    // Like the Temporal CLI: any TLS setting, or an API key, means TLS.
    const read = (name: 'CLIENT_CERT' | 'CLIENT_KEY' | 'SERVER_CA_CERT', source: ConfigDataSource | undefined) => {
      if (source === undefined) return undefined;
      const where = fileOrigin(name, source);
      try {
        return { where, data: 'path' in source ? fs.readFileSync(source.path) : Buffer.from(source.data) };
      } catch (err) {
        problems.push(`${where}: cannot read ${'path' in source ? source.path : 'it'}: ${(err as Error).message}`);
        return undefined;
      }
    };
    const cert = read('CLIENT_CERT', tlsSettings?.clientCert);
    const key = read('CLIENT_KEY', tlsSettings?.clientKey);
    const ca = read('SERVER_CA_CERT', tlsSettings?.serverCACert);

    const clientCert = cert && parseCertificate(cert.data, cert.where, problems);
    const clientKey = key && parsePrivateKey(key.data, key.where, problems);
    if (ca) parseCertificate(ca.data, ca.where, problems);
    if ((tlsSettings?.clientCert === undefined) !== (tlsSettings?.clientKey === undefined)) {
      const [has, missing] =
        tlsSettings?.clientCert !== undefined
          ? [fileOrigin('CLIENT_CERT', tlsSettings.clientCert), 'CLIENT_KEY']
          : [fileOrigin('CLIENT_KEY', tlsSettings!.clientKey!), 'CLIENT_CERT'];
      const lacks = has.startsWith('TEMPORAL_')
        ? `TEMPORAL_TLS_${missing}_PATH is not`
        : `tls.${missing.toLowerCase()}_path is not (in the same profile)`;
      problems.push(`${has} is set but ${lacks}: a client certificate (mTLS) needs both the certificate and its key`);
    }
    if (clientCert && clientKey && !clientCert.checkPrivateKey(clientKey)) {
      problems.push(`${cert.where} and ${key.where}: the key does not belong to the certificate`);
    }
    tls = {
      ...(tlsSettings?.serverName !== undefined ? { serverNameOverride: tlsSettings.serverName } : {}),
      ...(ca ? { serverRootCACertificate: ca.data } : {}),
      ...(cert && key ? { clientCertPair: { crt: cert.data, key: key.data } } : {}),
    };
    if (ca) origins.serverCA = ca.where;
    if (cert) origins.clientCert = cert.where;
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const fromEnv = Object.keys(vars).some((name) => CONNECTION_VARIABLE.test(name));
  const fromFile =
    JSON.stringify(profile) !== JSON.stringify(loadClientConfigProfile({ overrideEnvVars: vars, disableFile: true }));
  return {
    address,
    namespace: profile.namespace ?? DEFAULT_TEMPORAL_NAMESPACE,
    tls,
    ...(profile.apiKey !== undefined ? { apiKey: profile.apiKey } : {}),
    ...(profile.grpcMeta && Object.keys(profile.grpcMeta).length > 0 ? { metadata: profile.grpcMeta } : {}),
    source:
      [fromEnv ? 'TEMPORAL_* variables' : undefined, fromFile ? inProfile : undefined].filter(Boolean).join(' and ') ||
      'the defaults',
    origins,
  };
}

function parseCertificate(data: Buffer, where: string, problems: string[]): X509Certificate | undefined {
  try {
    return new X509Certificate(data);
  } catch {
    problems.push(`${where}: not a PEM certificate (-----BEGIN CERTIFICATE-----)`);
    return undefined;
  }
}

function parsePrivateKey(data: Buffer, where: string, problems: string[]): KeyObject | undefined {
  try {
    return createPrivateKey(data);
  } catch {
    problems.push(`${where}: not a PEM private key (-----BEGIN PRIVATE KEY-----), or one protected by a passphrase`);
    return undefined;
  }
}

/** One line for logs: where, which namespace, and how (never the secrets). */
export function describeTemporalConnection(config: TemporalConnectionConfig): string {
  const how = [
    config.tls === false ? 'plain gRPC' : config.tls.clientCertPair ? 'mTLS' : 'TLS',
    ...(config.apiKey !== undefined ? ['API key'] : []),
  ].join(' + ');
  return `${config.address} (namespace ${config.namespace}, ${how}, from ${config.source})`;
}

type ExtraClientOptions = Omit<ConnectionOptions, 'address' | 'tls' | 'apiKey'>;
type ExtraNativeOptions = Omit<NativeConnectionOptions, 'address' | 'tls' | 'apiKey'>;

function connectionOptions(config: TemporalConnectionConfig) {
  return {
    address: config.address,
    tls: config.tls,
    ...(config.apiKey !== undefined ? { apiKey: config.apiKey } : {}),
    ...(config.metadata ? { metadata: config.metadata } : {}),
  };
}

/** Thrown when Temporal cannot be reached with the configured settings; the message says what to check. */
export class TemporalConnectionError extends Error {
  constructor(config: TemporalConnectionConfig, reason: string, cause: unknown) {
    super(`Cannot connect to Temporal at ${describeTemporalConnection(config)}: ${reason}`, { cause });
    this.name = 'TemporalConnectionError';
  }
}

/** Whether the server answered, and refused the credentials: gRPC UNAUTHENTICATED or PERMISSION_DENIED. */
function refusedCredentials(err: unknown): boolean {
  for (let e = err as { message?: unknown; code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === 16 || e.code === 7) return true;
    if (/unauthenticated|permission denied|valid authentication credentials/i.test(String(e.message))) return true;
  }
  return false;
}

async function explained<T>(config: TemporalConnectionConfig, connecting: Promise<T>): Promise<T> {
  try {
    return await connecting;
  } catch (err) {
    const original = err instanceof Error ? err.message : String(err);
    const refused = refusedCredentials(err);
    const diagnosis = refused
      ? config.apiKey !== undefined
        ? 'the server refused the API key (expired, revoked, or without access to the namespace): check TEMPORAL_API_KEY'
        : 'the server refused the credentials (an API key or a client certificate it accepts is needed)'
      : await diagnoseConnection(config).catch(() => undefined);
    throw new TemporalConnectionError(config, diagnosis ? `${diagnosis} (${original})` : original, err);
  }
}

/**
 * A client connection (for `Client`, the operator API, the CLI), connected now.
 *
 * @throws TemporalConnectionError saying why Temporal cannot be reached.
 */
export function connectClient(config: TemporalConnectionConfig, options: ExtraClientOptions = {}): Promise<Connection> {
  return explained(config, Connection.connect({ ...options, ...connectionOptions(config) }));
}

/**
 * A client connection that connects on first use: the webhook server starts while Temporal is down and reports it
 * through its readiness check.
 */
export function lazyClientConnection(config: TemporalConnectionConfig, options: ExtraClientOptions = {}): Connection {
  return Connection.lazy({ ...options, ...connectionOptions(config) });
}

/**
 * A worker's connection. Install the SDK runtime first (worker/runtime.ts) when it matters which one is used.
 * `@temporalio/worker` (the SDK's native core) is loaded only here, so processes without a worker never load it.
 *
 * @throws TemporalConnectionError saying why Temporal cannot be reached.
 */
export async function connectNative(
  config: TemporalConnectionConfig,
  options: ExtraNativeOptions = {},
): Promise<NativeConnection> {
  const { NativeConnection } = await import('@temporalio/worker');
  return explained(config, NativeConnection.connect({ ...options, ...connectionOptions(config) }));
}
