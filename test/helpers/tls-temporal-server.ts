/**
 * A real Temporal server (all four services in one process, `go.temporal.io/server` from the toolchain cache) on a
 * SQLite file, whose frontend serves TLS, or mutual TLS, with the test's own certificates: what a self-hosted
 * production cluster looks like to Threadline. The dev server cannot do this (it has no TLS).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, stopProcess } from '../../toolchain/temporal';
import { ensureTemporalServer, prepareNamespace } from '../../toolchain/temporal-server';
import { connectClient, loadTemporalConnection } from '../../temporal/connection';
import type { TestCertificates } from './certificates';
import { eventually } from './eventually';

export interface TlsTemporalServer {
  /** `localhost:<port>`: the name in the server's certificate. */
  address: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

function config(options: { dir: string; certs: TestCertificates; mutual: boolean; ports: number[] }): string {
  const [frontend, history, matching, worker, http, ...membership] = options.ports;
  const { certs } = options;
  const db = path.join(options.dir, 'temporal.sqlite');
  const store = (name: string) => `
    ${name}:
      sql:
        pluginName: sqlite
        databaseName: ${JSON.stringify(db)}
        connectAddr: localhost
        connectProtocol: tcp
        connectAttributes: { cache: private, setup: true, journal_mode: wal, synchronous: 1 }
        maxConns: 1
        maxIdleConns: 1
        maxConnLifetime: 1h`;
  const rpc = (grpcPort: number, membershipPort: number, extra = '') =>
    `{ grpcPort: ${grpcPort}, membershipPort: ${membershipPort}, bindOnLocalHost: true${extra} }`;
  return `log:
  stdout: true
  level: error
persistence:
  defaultStore: sqlite-default
  visibilityStore: sqlite-visibility
  numHistoryShards: 1
  datastores:${store('sqlite-default')}${store('sqlite-visibility')}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
  tls:
    frontend:
      server:
        certFile: ${JSON.stringify(certs.serverCert)}
        keyFile: ${JSON.stringify(certs.serverKey)}
        requireClientAuth: ${options.mutual}
        clientCaFiles: [${JSON.stringify(certs.ca)}]
    systemWorker:
      certFile: ${JSON.stringify(certs.clientCert)}
      keyFile: ${JSON.stringify(certs.clientKey)}
      client:
        serverName: localhost
        rootCaFiles: [${JSON.stringify(certs.ca)}]
services:
  frontend:
    rpc: ${rpc(frontend!, membership[0]!, `, httpPort: ${http}`)}
  history:
    rpc: ${rpc(history!, membership[1]!)}
  matching:
    rpc: ${rpc(matching!, membership[2]!)}
  worker:
    rpc: ${rpc(worker!, membership[3]!)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: localhost:${frontend}
      httpAddress: localhost:${http}
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: ${JSON.stringify(path.join(options.dir, 'config', 'dynamic.yaml'))}
  pollInterval: 10s
`;
}

const DYNAMIC_CONFIG = `system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
system.namespaceCacheRefreshInterval:
  - value: 1s
`;

/**
 * Starts the server in `dir` with frontend TLS (`mutual`: clients must present a certificate signed by the test CA),
 * waits until it answers over TLS, and registers the `default` namespace and Threadline's search attributes.
 */
export async function startTlsTemporalServer(options: {
  dir: string;
  certs: TestCertificates;
  mutual: boolean;
}): Promise<TlsTemporalServer> {
  const ports: number[] = [];
  while (ports.length < 9) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  fs.mkdirSync(path.join(options.dir, 'config'), { recursive: true });
  fs.writeFileSync(path.join(options.dir, 'config', 'tls.yaml'), config({ ...options, ports }));
  fs.writeFileSync(path.join(options.dir, 'config', 'dynamic.yaml'), DYNAMIC_CONFIG);
  const output = fs.openSync(path.join(options.dir, 'server.log'), 'a');
  const child = spawn(
    (await ensureTemporalServer()).server,
    ['--root', options.dir, '--config', 'config', '--env', 'tls', '--allow-no-auth', 'start'],
    { stdio: ['ignore', output, output] },
  );
  fs.closeSync(output);
  const exited = new Promise<never>((_resolve, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`the Temporal server exited with ${code}; see ${path.join(options.dir, 'server.log')}`)),
    ),
  );
  exited.catch(() => undefined);
  const address = `localhost:${ports[0]}`;
  const admin = loadTemporalConnection({
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: options.certs.ca,
    TEMPORAL_TLS_CLIENT_CERT_PATH: options.certs.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: options.certs.clientKey,
  });
  try {
    const connection = await Promise.race([exited, connectClient(admin, { connectTimeout: 60_000 })]);
    try {
      // The frontend answers before the other services have joined: retry until the namespace (and Threadline's search
      // attributes) are registered and known.
      await eventually(() => prepareNamespace(connection, { log: () => undefined }), {
        timeoutMs: 60_000,
        intervalMs: 500,
      });
    } finally {
      await connection.close();
    }
  } catch (err) {
    await stopProcess(child);
    throw err;
  }
  return { address, process: child, stop: () => stopProcess(child) };
}
