/**
 * Threadline's Bandwidth client: the official `bandwidth-sdk` (MessagesApi, MediaApi), configured for either the
 * real API or the local emulator, with OAuth2 client-credentials tokens fetched from a configurable token URL.
 *
 * Why not the SDK's own `clientId`/`clientSecret` flow: it hard-codes Bandwidth's production token URL, so it cannot
 * talk to the emulator or a proxy. Its `accessToken` option takes an async function, which is what we give it.
 */
import { Configuration, MediaApi, MessagesApi } from 'bandwidth-sdk';
import type { RawAxiosRequestConfig } from 'axios';
import { isAxiosError } from 'axios';
import { z } from 'zod';
import { BandwidthApiError, toBandwidthApiError, failureKindOfStatus } from './api-error';
import { MessageSchema, type Message, type MessageRequest } from './schemas';

export { BandwidthApiError, toBandwidthApiError, type BandwidthFailureKind } from './api-error';

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
        failureKindOfStatus(response.status),
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

/** One row of Bandwidth's message search (one per recipient), as far as proving a send needs it. */
export interface SentMessageSummary {
  messageId: string;
  destinationTn: string;
  receiveTime: string;
  segmentCount: number | null;
  /** Characters of text. */
  messageLength: number | null;
  attachmentCount: number | null;
}

export interface BandwidthClient {
  readonly accountId: string;
  /** `POST /users/{accountId}/messages`: resolves with the 202 body (the message is queued, not yet sent). */
  createMessage(request: MessageRequest): Promise<Message>;
  /**
   * `GET /users/{accountId}/messages`: the outbound messages from `from` to `to` received since `since` (ISO 8601),
   * newest first, at most 100. Message search keeps no text; it is how a send whose answer was lost can be proven.
   */
  findSentMessages(query: { from: string; to: string; since: string }): Promise<SentMessageSummary[]>;
  /** The raw SDK clients, for media and message search. */
  readonly messages: MessagesApi;
  readonly media: MediaApi;
}

/**
 * The SDK's `listMessages` takes every search parameter positionally (after the account id, 27 of them, then the request options). These are
 * the positions of the ones proof sets, in the SDK's (generated, stable) order.
 */
const SEARCH_POSITION = { sourceTn: 2, destinationTn: 3, messageDirection: 5, fromDateTime: 9, sort: 24, limit: 26 };
const SEARCH_OPTIONS_POSITION = 28;

function searchArguments(
  accountId: string,
  query: { [K in keyof typeof SEARCH_POSITION]: string | number },
  options: RawAxiosRequestConfig,
): Parameters<MessagesApi['listMessages']> {
  const args: unknown[] = Array<unknown>(SEARCH_OPTIONS_POSITION + 1).fill(undefined);
  args[0] = accountId;
  for (const [name, position] of Object.entries(SEARCH_POSITION)) args[position] = query[name as keyof typeof query];
  args[SEARCH_OPTIONS_POSITION] = options;
  return args as Parameters<MessagesApi['listMessages']>;
}

/** The part of a message-search answer proof reads; everything else passes through unchecked. */
const SentMessagesSchema = z.object({
  messages: z
    .array(
      z.object({
        messageId: z.string(),
        destinationTn: z.string(),
        receiveTime: z.string(),
        segmentCount: z
          .number()
          .nullish()
          .transform((v) => v ?? null),
        messageLength: z
          .number()
          .nullish()
          .transform((v) => v ?? null),
        attachmentCount: z
          .number()
          .nullish()
          .transform((v) => v ?? null),
      }),
    )
    .default([]),
});

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
  // Bandwidth's API answers where it is asked and never redirects; a redirect is not followed (it could carry the
  // credentials somewhere else) and fails the call as the 3xx it is. Not following also keeps axios off its
  // redirect-following transport: about 0.2 ms less per call against a local emulator.
  const axiosOptions = { timeout: options.timeoutMs ?? 10_000, maxRedirects: 0 };
  const messages = new MessagesApi(configuration);
  const media = new MediaApi(configuration);

  return {
    accountId: options.accountId,
    messages,
    media,
    async findSentMessages({ from, to, since }) {
      try {
        const response = await messages.listMessages(
          ...searchArguments(
            options.accountId,
            {
              sourceTn: from,
              destinationTn: to,
              messageDirection: 'OUTBOUND',
              fromDateTime: since,
              sort: 'receiveTime:desc',
              limit: 100,
            },
            axiosOptions,
          ),
        );
        return SentMessagesSchema.parse(response.data).messages;
      } catch (err) {
        throw toBandwidthApiError(err, 'message search');
      }
    },
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
