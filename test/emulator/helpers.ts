/**
 * Test helpers: a callback receiver that records every POST (and can be told to fail), an emulator on an ephemeral
 * port pointed at it, and small fetch wrappers.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Message } from '../../bandwidth/schemas';
import { loadSpecValidator } from './openapi';
import { createEmulator, type Emulator, type EmulatorDefaults, type EmulatorOptions } from '../../emulator';
import { eventually } from '../helpers/eventually';

export interface ReceivedCallback {
  headers: http.IncomingHttpHeaders;
  body: unknown;
  raw: string;
  path: string;
  at: number;
}

export interface CallbackSink {
  url: string;
  received: ReceivedCallback[];
  /** Events (array elements) across all bodies. */
  events(): Record<string, unknown>[];
  /** Status code for the next responses; a function can decide per request. */
  respondWith(status: number | ((req: ReceivedCallback, n: number) => number)): void;
  /** Makes the sink hang without answering (to provoke timeouts) while true. */
  hang(on: boolean): void;
  waitFor(predicate: (events: Record<string, unknown>[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSink(): Promise<CallbackSink> {
  const received: ReceivedCallback[] = [];
  let status: number | ((req: ReceivedCallback, n: number) => number) = 200;
  let hanging = false;
  let n = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
      const rec = { headers: req.headers, body, raw, path: req.url ?? '/', at: Date.now() };
      if (hanging) return; // never answer
      n += 1;
      const code = typeof status === 'function' ? status(rec, n) : status;
      if (code >= 200 && code < 300) received.push(rec);
      res.statusCode = code;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks`;
  const events = () =>
    received.flatMap((r) =>
      Array.isArray(r.body) ? (r.body as Record<string, unknown>[]) : [r.body as Record<string, unknown>],
    );
  return {
    url,
    received,
    events,
    respondWith(s) {
      status = s;
    },
    hang(on) {
      hanging = on;
    },
    async waitFor(predicate, timeoutMs = 5000) {
      await eventually(
        () => {
          if (!predicate(events())) {
            throw new Error(
              `timed out waiting for callbacks; got ${JSON.stringify(events().map((e) => [e.type, e.to]))}`,
            );
          }
        },
        { timeoutMs, intervalMs: 5 },
      );
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

export const DEFAULTS: Omit<EmulatorDefaults, 'callbackUrl'> = {
  accountId: '9900000',
  applicationId: '93de2206-9669-4e07-948d-329f4b722ee2',
  number: '+19195550100',
  clientId: 'threadline-dev',
  clientSecret: 'threadline-dev-secret',
  username: 'api-user',
  password: 'api-password',
};

export interface Running {
  emulator: Emulator;
  url: string;
  sink: CallbackSink;
  close(): Promise<void>;
}

/** An emulator on an ephemeral port with its callbacks going to a fresh sink. */
export async function startEmulator(
  options: Partial<Omit<EmulatorOptions, 'defaults'>> & { defaults?: Partial<EmulatorDefaults> } = {},
): Promise<Running> {
  const sink = await startSink();
  const emulator = createEmulator({
    timeScale: 1000,
    ...options,
    defaults: { ...DEFAULTS, callbackUrl: sink.url, ...options.defaults },
  });
  const { url } = await emulator.listen(0);
  return {
    emulator,
    url,
    sink,
    async close() {
      await emulator.close();
      await sink.close();
      // Every callback any test received must match Bandwidth's OpenAPI spec.
      const spec = await loadSpecValidator();
      for (const r of sink.received) spec.callback(r.body);
    },
  };
}

export const basicAuth = (user = DEFAULTS.username!, password = DEFAULTS.password!) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export async function getToken(url: string, clientId = DEFAULTS.clientId, secret = DEFAULTS.clientSecret) {
  const res = await fetch(`${url}/api/v1/oauth2/token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  return {
    status: res.status,
    body: (await res.json()) as { access_token: string; expires_in: number; token_type: string },
  };
}

export async function api<T = Record<string, unknown>>(
  url: string,
  path: string,
  init: { method?: string; body?: unknown; auth?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.auth !== '') headers.Authorization = init.auth ?? basicAuth();
  let body: string | undefined;
  if (init.body !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  }
  const res = await fetch(`${url}${path}`, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

export const sendText = (url: string, body: Record<string, unknown>, auth?: string) =>
  api<Message & { id: string }>(url, `/api/v2/users/${DEFAULTS.accountId}/messages`, {
    body: { applicationId: DEFAULTS.applicationId, from: DEFAULTS.number, ...body },
    auth,
  });

/** Body of `POST /emulator/handsets/{phone}/messages`. */
export interface HandsetSendResult {
  from: string;
  to: string[];
  messages: { id: string; owner: string; accountId: string; applicationId: string; media?: string[] }[];
  otherRecipients: string[];
}

/** Body of `GET /emulator/handsets/{phone}/messages`. */
export interface HandsetInbox {
  phone: string;
  messages: {
    messageId: string;
    from: string;
    to: string[];
    text: string;
    media: string[];
    status: string;
    errorCode: number;
    received: boolean;
    /** A group message from another handset. */
    fromHandset: boolean;
    /** The toll-free network's own reply to STOP, START or UNSTOP. */
    fromNetwork: boolean;
  }[];
}

/** A callback event as the sink received it. */
export interface Event {
  type: string;
  to: string;
  time: string;
  description: string;
  errorCode?: number;
  carrierName?: string;
  message: { id: string; to: string[]; from: string; text: string; owner: string; media?: string[]; tag?: string };
}

export const eventsOf = (sink: CallbackSink, messageId?: string): Event[] =>
  (sink.events() as unknown as Event[]).filter((e) => messageId === undefined || e.message.id === messageId);

/** Calls the admin API (no auth). */
export const admin = <T = Record<string, unknown>>(url: string, method: string, path: string, body?: unknown) =>
  api<T>(url, `/emulator${path}`, { method, body, auth: '' });

/** The tests' one polling helper (test/helpers/eventually.ts), also exported here next to the emulator helpers. */
export { eventually };

/**
 * Waits until the emulator has nothing more to send about message `id` and the sink has all it sent: every recipient
 * has reached a terminal state (after which the emulator sends nothing more about it, except for the legacy group bug)
 * and no callback about the message is pending. Returns the events the sink received about it. This is how a test
 * shows that an event did not happen: by the emulator's own record, not by waiting a while for it.
 */
export async function settledEvents(url: string, sink: CallbackSink, id: string): Promise<Event[]> {
  await eventually(async () => {
    const message = await admin<{ recipients: { to: string; status: string; terminal: boolean }[] }>(
      url,
      'GET',
      `/messages/${id}`,
    );
    assert.equal(message.status, 200, `message ${id}: ${JSON.stringify(message.body)}`);
    const open = message.body.recipients.filter((r) => !r.terminal).map((r) => `${r.to} ${r.status}`);
    assert.deepEqual(open, [], `message ${id} is still on its way`);
    const pending = await admin<CallbackLogEntry[]>(url, 'GET', `/callbacks?messageId=${id}&state=pending`);
    assert.deepEqual(
      pending.body.map((c) => c.types),
      [],
      `callbacks about message ${id} are pending`,
    );
  });
  return eventsOf(sink, id);
}

/** One entry of the admin callback log. */
export interface CallbackLogEntry {
  id: number;
  state: 'pending' | 'delivered' | 'dropped';
  types: string[];
  messageIds: string[];
  duplicateOf: number | null;
  createdTime: string;
  nextAttemptTime: string | null;
  attempts: {
    attempt: number;
    time: string;
    status: number | null;
    error: string | null;
    outcome: string;
    latencyMs: number;
  }[];
  body: Event[];
}
