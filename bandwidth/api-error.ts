/**
 * The send policy's first half: how a failed Bandwidth API call went, decided in one place. Bandwidth takes no
 * idempotency key, so the only safe retry is one where Bandwidth certainly took nothing: it never bills or sends on a
 * 4xx/5xx answer (reference §2.1), and a refused connection never reached it. A 4xx will fail the same way again; a
 * timeout or a connection dropped after sending may have been accepted. `activities/send-message.ts` turns the kind
 * into a retry or a typed, non-retryable failure; `workflows/activity-options.ts` holds the retry settings.
 */
import { isAxiosError } from 'axios';
import { MessagingErrorSchema } from './schemas';

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
    /** How long Bandwidth asked us to wait before trying again (a 429's `Retry-After`), when it said. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'BandwidthApiError';
  }
}

/** The kind of failure an HTTP answer means: 429 and 5xx are safe to retry, any other 4xx is a rejection. */
export function failureKindOfStatus(status: number): BandwidthFailureKind {
  return status === 429 || status >= 500 ? 'not-sent' : 'rejected';
}

const MIN_RETRY_AFTER_MS = 1_000;

/**
 * A `Retry-After` header in milliseconds: delay-seconds (`300`) or an HTTP date; null when absent or unreadable. At
 * least a second (`0` or a date already past would otherwise retry at once, again and again) and at most an hour, so a
 * confused header cannot park a send for a day.
 */
export function retryAfterMs(header: unknown, now = Date.now()): number | null {
  const value = Array.isArray(header) ? (header[0] as unknown) : header;
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value).trim();
  if (text === '') return null;
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (!Number.isFinite(ms)) return null;
  return Math.min(Math.max(MIN_RETRY_AFTER_MS, Math.round(ms)), 3_600_000);
}

/** Connection errors that happen before a request leaves: Bandwidth cannot have taken anything. */
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
      return new BandwidthApiError(
        `Bandwidth ${what} failed with ${status} (${detail})`,
        failureKindOfStatus(status),
        status,
        err.response?.data,
        status === 429
          ? retryAfterMs((err.response?.headers as Record<string, unknown> | undefined)?.['retry-after'])
          : null,
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
