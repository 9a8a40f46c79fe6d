/**
 * Temporal's protobuf timestamps (history event times, execution start and close times) as milliseconds: `seconds` is
 * a Long from the gRPC client or a number, `nanos` the fraction.
 */

/** A protobuf Timestamp (`seconds` is a Long or a number). */
export interface Timestamp {
  seconds?: unknown;
  nanos?: number | null;
}

/** Milliseconds since the epoch, to the nanosecond's fraction; NaN for none. */
export function timestampMs(ts: Timestamp | null | undefined): number {
  if (!ts) return Number.NaN;
  const raw = ts.seconds as number | { toNumber(): number } | null | undefined;
  const seconds = typeof raw === 'number' ? raw : (raw?.toNumber() ?? 0);
  return seconds * 1000 + (ts.nanos ?? 0) / 1e6;
}
