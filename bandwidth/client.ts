/**
 * Threadline's Bandwidth client: the official `bandwidth-sdk` (MessagesApi, MediaApi), configured for either the
 * real API or the local emulator, with OAuth2 client-credentials tokens fetched from a configurable token URL.
 *
 * Why not the SDK's own `clientId`/`clientSecret` flow: it hard-codes Bandwidth's production token URL, so it cannot
 * talk to the emulator or a proxy. Its `accessToken` option takes an async function, which is what we give it.
 */
import { Configuration, MediaApi, MessagesApi } from 'bandwidth-sdk';
import { isAxiosError } from 'axios';
import { z } from 'zod';
import { MessageSchema, MessagingErrorSchema, type Message, type MessageRequest } from './schemas';

/**
 * How the client authenticates: OAuth2 client credentials (tokens from `tokenUrl`), or legacy Basic auth with an API
 * user's name and password.
 */
export type BandwidthAuth =
  | { kind: 'oauth2'; clientId: string; clientSecret: string; tokenUrl: string }
  | { kind: 'basic'; username: string; password: string };

/** The client's own settings: plain values, whatever configuration the caller reads them from. */
export interface BandwidthClientOptions {
  /** e.g. `https://messaging.bandwidth.com/api/v2` or the emulator's `http://127.0.0.1:3100/api/v2`. */
  baseUrl: string;
  accountId: string;
  auth: BandwidthAuth;
  /** Per-request timeout; Bandwidth answers create in well under a second. */
  timeoutMs?: number;
}

/**
 * How a failed API call went, for the retry policy. `not-sent` is safe to retry (Bandwidth never bills or sends on a
 * 4xx/5xx answer, reference §2.1; a refused connection never reached it); `rejected` will fail the same way again;
 * `unknown` means the request may have been accepted (a timeout or a connection dropped after sending), and
 * retrying could send the message twice.
 */
export type BandwidthFailureKind = 'rejected' | 'not-sent' | 'unknown';

/** A Bandwidth API call that did not succeed. */
export class BandwidthApiError extends Error {
  constructor(
    message: string,
    readonly kind: BandwidthFailureKind,
    readonly status: number | null,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'BandwidthApiError';
  }
}

const TokenResponseSchema = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().positive() });

/** Fetches and caches OAuth2 client-credentials tokens; renews 60 s before expiry; one request at a time. */
export function createTokenSource(auth: Extract<BandwidthAuth, { kind: 'oauth2' }>, timeoutMs = 10_000) {
  let cached: { token: string; expiresAt: number } | null = null;
  let inflight: Promise<string> | null = null;
  async function fetchToken(): Promise<string> {
    const response = await fetch(auth.tokenUrl, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${auth.clientId}:${auth.clientSecret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new BandwidthApiError(
        `Bandwidth token request to ${auth.tokenUrl} failed with ${response.status}: ${text.slice(0, 200)}`,
        response.status >= 500 ? 'not-sent' : 'rejected',
        response.status,
        text,
      );
    }
    const body = TokenResponseSchema.parse(JSON.parse(text));
    cached = { token: body.access_token, expiresAt: Date.now() + (body.expires_in - 60) * 1000 };
    return body.access_token;
  }
  async function token(): Promise<string> {
    if (cached && cached.expiresAt > Date.now()) return cached.token;
    inflight ??= fetchToken().finally(() => (inflight = null));
    return inflight;
  }
  /** Forgets the cached token: the next call fetches a new one (after a 401, say). */
  token.invalidate = () => {
    cached = null;
  };
  return token;
}

export interface BandwidthClient {
  readonly accountId: string;
  /** `POST /users/{accountId}/messages`: resolves with the 202 body (the message is queued, not yet sent). */
  createMessage(request: MessageRequest): Promise<Message>;
  /** The raw SDK clients, for media and message search. */
  readonly messages: MessagesApi;
  readonly media: MediaApi;
}

export function createBandwidthClient(options: BandwidthClientOptions): BandwidthClient {
  const tokens = options.auth.kind === 'oauth2' ? createTokenSource(options.auth, options.timeoutMs) : null;
  const configuration =
    options.auth.kind === 'basic'
      ? new Configuration({
          basePath: options.baseUrl,
          username: options.auth.username,
          password: options.auth.password,
        })
      : new Configuration({
          basePath: options.baseUrl,
          accessToken: tokens!,
        });
  const axiosOptions = { timeout: options.timeoutMs ?? 10_000 };
  const messages = new MessagesApi(configuration);
  const media = new MediaApi(configuration);

  return {
    accountId: options.accountId,
    messages,
    media,
    async createMessage(request) {
      try {
        // The SDK types `to` as a Set; it serialises Sets to arrays, and a plain array goes out unchanged.
        const sdkRequest = { ...request, to: new Set(request.to) };
        const send = () => messages.createMessage(options.accountId, sdkRequest, axiosOptions);
        const response = await send().catch(async (err: unknown) => {
          // A token can stop working before its advertised expiry (revoked, or a clock that moved on): a 401 means
          // nothing was sent, so fetch a fresh token and try once more.
          if (!tokens || !isAxiosError(err) || err.response?.status !== 401) throw err;
          tokens.invalidate();
          return send();
        });
        return MessageSchema.parse(response.data);
      } catch (err) {
        throw toBandwidthApiError(err, 'create message');
      }
    },
  };
}

const SAFE_NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Classifies an SDK (axios) error; see {@link BandwidthFailureKind}. */
export function toBandwidthApiError(err: unknown, what: string): BandwidthApiError {
  if (err instanceof BandwidthApiError) return err;
  if (isAxiosError(err)) {
    const status = err.response?.status ?? null;
    if (status !== null) {
      const parsed = MessagingErrorSchema.safeParse(err.response?.data);
      const detail = parsed.success
        ? `${parsed.data.type}: ${parsed.data.description}`
        : JSON.stringify(err.response?.data);
      const kind: BandwidthFailureKind = status === 429 || status >= 500 ? 'not-sent' : 'rejected';
      return new BandwidthApiError(
        `Bandwidth ${what} failed with ${status} (${detail})`,
        kind,
        status,
        err.response?.data,
      );
    }
    const code = err.code ?? '';
    const kind: BandwidthFailureKind = SAFE_NETWORK_CODES.has(code) ? 'not-sent' : 'unknown';
    return new BandwidthApiError(`Bandwidth ${what} failed: ${code || err.message}`, kind, null, null);
  }
  const cause = err as { cause?: { code?: string } };
  const kind = SAFE_NETWORK_CODES.has(cause.cause?.code ?? '') ? 'not-sent' : 'unknown';
  return new BandwidthApiError(`Bandwidth ${what} failed: ${String(err)}`, kind, null, null);
}
