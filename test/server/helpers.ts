/**
 * Shared plumbing for the webhook server tests: listening on an ephemeral port, schema-valid callback builders with
 * numbers unique to each test (tests share one dev server, and a conversation id is derived from the numbers), and
 * reading a workflow's signals back from its history.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { CallbackBodySchema } from '../../bandwidth/schemas';
import { createLogger } from '../../observability/logging';
import { APPLICATION_ID } from '../records/helpers/bandwidth-examples';
import { keepIdleConnections } from '../../server/keep-alive';

export { APPLICATION_ID };

export interface Served {
  url: string;
  close(): Promise<void>;
}

export async function serve(app: http.RequestListener): Promise<Served> {
  const server = http.createServer(app);
  // Idle keep-alive sockets are left to the client (undici drops them after 4 s) rather than closed by the server after
  // Node's 5 s: a test that blocks the event loop for seconds (compiling the OpenAPI validator on a loaded machine) could
  // otherwise send its next request on a socket the server had just closed, and see "fetch failed".
  keepIdleConnections(server, 60_000);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let sequence = 0;
const run = Math.floor(Math.random() * 900 + 100);

/** A North American number no other test uses: `+1` then 10 digits. */
export function uniqueNumber(): string {
  sequence += 1;
  return `+1${run}${String(Date.now() % 10_000).padStart(4, '0')}${String(sequence).padStart(3, '0')}`;
}

/** A Bandwidth-style message id (29 characters) no other test uses. */
export function messageId(): string {
  sequence += 1;
  return `${Date.now()}${String(sequence).padStart(4, '0')}${Math.random().toString(36).slice(2, 14)}`.slice(0, 29);
}

export function inboundEvent(options: { from: string; to: string; id?: string; text?: string; others?: string[] }) {
  const event = {
    type: 'message-received',
    time: new Date().toISOString(),
    description: 'Incoming message received',
    to: options.to,
    message: {
      id: options.id ?? messageId(),
      owner: options.to,
      applicationId: APPLICATION_ID,
      time: new Date().toISOString(),
      segmentCount: 1,
      direction: 'in',
      to: [options.to, ...(options.others ?? [])],
      from: options.from,
      text: options.text ?? 'hello',
    },
  };
  CallbackBodySchema.parse([event]);
  return event;
}

export function statusEvent(options: {
  type: 'message-sending' | 'message-sent' | 'message-delivered' | 'message-failed';
  from: string;
  to: string;
  id?: string;
  tag?: string;
  errorCode?: number;
}) {
  const event = {
    type: options.type,
    time: new Date().toISOString(),
    description: options.type === 'message-failed' ? 'rejected-unallocated-to-number' : 'ok',
    to: options.to,
    ...(options.errorCode !== undefined ? { errorCode: options.errorCode } : {}),
    message: {
      id: options.id ?? messageId(),
      owner: options.from,
      applicationId: APPLICATION_ID,
      time: new Date().toISOString(),
      segmentCount: 1,
      direction: 'out',
      to: [options.to],
      from: options.from,
      text: '',
      ...(options.tag !== undefined ? { tag: options.tag } : {}),
    },
  };
  CallbackBodySchema.parse([event]);
  return event;
}

export function postCallbacks(
  url: string,
  body: unknown,
  options: { contentType?: string | null; authorization?: string; raw?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { 'user-agent': 'BandwidthAPI/v2' };
  const contentType = options.contentType === undefined ? 'application/json; charset=utf-8' : options.contentType;
  if (contentType !== null) headers['content-type'] = contentType;
  if (options.authorization) headers.authorization = options.authorization;
  return fetch(`${url}/callbacks/messaging`, {
    method: 'POST',
    headers,
    body: options.raw ?? JSON.stringify(body),
  });
}

export const basicAuth = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/** The signals a workflow run received, in order: `[name, first argument]`. */
export async function signalsOf(client: Client, workflowId: string, runId?: string): Promise<[string, unknown][]> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const converter = client.options.loadedDataConverter.payloadConverter;
  return (history.events ?? [])
    .map((e) => e.workflowExecutionSignaledEventAttributes)
    .filter((a): a is NonNullable<typeof a> => Boolean(a))
    .map((a) => {
      const payload = a.input?.payloads?.[0];
      return [a.signalName ?? '', payload ? converter.fromPayload(payload) : undefined];
    });
}

/** A logger whose lines the test can read back (parsed JSON). */
export function capturingLogger(level = 'info'): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const logger = createLogger({ level, destination });
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
