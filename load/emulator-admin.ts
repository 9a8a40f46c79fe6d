/**
 * The few calls the load tool makes to the emulator's admin API (docs/emulator.md): lift an account's rate limit,
 * and read the counters a report carries (callbacks delivered, API faults injected).
 */
import { z } from 'zod';

/** Lifts `accountId`'s send rate limit (1 message per second by default, as Bandwidth's) to a million per second. */
export async function liftRateLimit(emulatorUrl: string, accountId: string): Promise<void> {
  const response = await fetch(`${emulatorUrl}/emulator/accounts/${encodeURIComponent(accountId)}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ limits: { messagesPerSecond: 1_000_000 } }),
  });
  if (!response.ok) {
    throw new Error(
      `could not lift the rate limit of account ${accountId}: ${response.status} ${await response.text()}`,
    );
  }
}

const StatusSchema = z.object({ callbacks: z.record(z.string(), z.number()) });
const FaultsSchema = z.object({ createMessage: z.record(z.string(), z.number()) });

/** The emulator's counters: callbacks by state, and API faults injected on create-message by kind. */
export interface EmulatorCounters {
  callbacks: Record<string, number>;
  apiFaults: Record<string, number>;
}

export async function readCounters(emulatorUrl: string): Promise<EmulatorCounters> {
  const [status, faults] = await Promise.all([
    fetch(`${emulatorUrl}/emulator`).then(async (r) => StatusSchema.parse(await r.json())),
    fetch(`${emulatorUrl}/emulator/faults`).then(async (r) => FaultsSchema.parse(await r.json())),
  ]);
  return { callbacks: status.callbacks, apiFaults: faults.createMessage };
}

/** `after - before`, key by key. */
export function counterDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([key, value]) => [key, value - (before[key] ?? 0)]));
}
