/**
 * Emulator-wide simulation settings: delivery timing, callback delivery policy and fault injection, media and search
 * limits, the toll-free network's keywords, faults on the API itself. All durations are emulated milliseconds or
 * seconds and shrink with the time scale, except the API faults' `holdMs`, which is real time. Set in the config file
 * (`settings`) or at run time with `PATCH /emulator/settings`.
 */
import { z } from 'zod';

export const TimingSchema = z.object({
  /** Delay from dequeue to `message-sending`. */
  sendingDelayMs: z.number().int().min(0).default(200),
  /** Delay from dequeue to `message-sent` (SMS, when enabled). */
  sentDelayMs: z.number().int().min(0).default(500),
  /** Delay from dequeue to the terminal event (delivered or carrier-reported failure). */
  deliveryDelayMs: z.number().int().min(0).default(1500),
  /** How long Bandwidth waits for a carrier receipt before `message-failed` 9902 (2 hours). */
  receiptTimeoutMs: z
    .number()
    .int()
    .min(0)
    .default(2 * 60 * 60 * 1000),
  /** Delay from a handset sending to the `message-received` callback. */
  inboundDelayMs: z.number().int().min(0).default(100),
});

export const CallbackPolicySchema = z.object({
  /** Per-attempt timeout (Bandwidth: 10 s), emulated. */
  timeoutMs: z.number().int().positive().default(10_000),
  /** Floor for the real timeout, so a high time scale does not time out a healthy local server. */
  minRealTimeoutMs: z.number().int().min(1).default(1_000),
  /** Back-off before retry n (1-based), emulated seconds; the last entry repeats until `maxAgeSeconds`. */
  retryScheduleSeconds: z.array(z.number().positive()).min(1).default([5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600]),
  /** A callback still undelivered this long after it was first due is dropped (Bandwidth: 24 hours). */
  maxAgeSeconds: z
    .number()
    .positive()
    .default(24 * 60 * 60),
  /** Events for the same URL that are due together may share one POST, up to this many (1 = never batch). */
  batchMaxEvents: z.number().int().min(1).max(100).default(1),
  /** Probability (0..1) that a delivered callback is delivered again shortly after (at-least-once duplicates). */
  duplicateRate: z.number().min(0).max(1).default(0),
  /** Probability (0..1) that a callback is held back so later events overtake it. */
  reorderRate: z.number().min(0).max(1).default(0),
  /** Maximum hold-back for reordered callbacks, emulated. */
  reorderMaxDelayMs: z.number().int().min(0).default(3_000),
  /** Concurrent callback requests in flight. */
  concurrency: z.number().int().min(1).max(1024).default(64),
});

export const MediaPolicySchema = z.object({
  /** Media retention (Bandwidth: 48 hours), emulated. */
  retentionHours: z.number().positive().default(48),
  /** Upload size limit in bytes (Bandwidth: 3.75 MB). */
  maxBytes: z
    .number()
    .int()
    .positive()
    .default(Math.round(3.75 * 1024 * 1024)),
});

/**
 * The toll-free network's own keyword handling (reference §4, "STOP and opt-out"): a handset that texts an opt-out
 * keyword to a toll-free number is blocked from it at the network layer and answered by the network itself; an opt-in
 * keyword lifts the block. Keywords match the whole message, trimmed, in any case. `{keyword}` in a reply is the word
 * the handset sent, in lower case.
 */
export const TollFreeSettingsSchema = z.object({
  /** Bandwidth, AWS and Twilio document STOP as the toll-free network's opt-out keyword. */
  optOutKeywords: z.array(z.string().trim().min(1)).default(['STOP']),
  /** START and UNSTOP lift a toll-free opt-out (Bandwidth: "STOP/UNSTOP/START commands"). */
  optInKeywords: z.array(z.string().trim().min(1)).default(['START', 'UNSTOP']),
  /** The network's answer to an opt-out keyword (the carriers' wording, as Twilio documents it). */
  optOutReply: z
    .string()
    .min(1)
    .default(
      'NETWORK MSG: You replied with the word "{keyword}" which blocks all texts sent from this number. ' +
        'Text back "unstop" to receive messages again.',
    ),
  /** The network's answer to an opt-in keyword from an opted-out handset. */
  optInReply: z
    .string()
    .min(1)
    .default('NETWORK MSG: You have replied "{keyword}" and will begin receiving messages again from this number.'),
});
export type TollFreeSettings = z.infer<typeof TollFreeSettingsSchema>;

/**
 * Faults injected into `POST /users/{accountId}/messages` (see emulator/api-faults.ts). Each request that would
 * otherwise be accepted draws once; the rates are probabilities (0..1) taken in the order listed and may add up to at
 * most 1. All 0 (the default) is off.
 */
export const CreateMessageFaultsSchema = z
  .object({
    /** 500 `internal-server-error`; nothing accepted. */
    error500Rate: z.number().min(0).max(1).default(0),
    /** 503 `service-unavailable`; nothing accepted. */
    error503Rate: z.number().min(0).max(1).default(0),
    /** 429 `rate_limit_exceeded` with a `Retry-After` header; nothing accepted. */
    error429Rate: z.number().min(0).max(1).default(0),
    /** The 429's `Retry-After`, in seconds. */
    retryAfterSeconds: z.number().int().min(0).default(1),
    /** The message is accepted (stored, queued, delivered, called back) but the response is withheld, then dropped. */
    acceptThenTimeoutRate: z.number().min(0).max(1).default(0),
    /** Nothing is accepted and the request is held, then dropped. */
    hangRate: z.number().min(0).max(1).default(0),
    /** Real ms a held request waits before its connection is destroyed; 35 s outlasts a 30 s client timeout. */
    holdMs: z.number().int().min(0).default(35_000),
  })
  // A little slack, so rates such as 0.1 + 0.2 + 0.7 (1.0000000000000002 in floating point) pass.
  .refine((f) => f.error500Rate + f.error503Rate + f.error429Rate + f.acceptThenTimeoutRate + f.hangRate <= 1 + 1e-9, {
    message:
      'the rates error500Rate, error503Rate, error429Rate, acceptThenTimeoutRate and hangRate add up to more than 1',
    // Only once each rate is valid on its own, so a single rate above 1 gets one issue, not two.
    when: (payload) => payload.issues.length === 0,
  });
export type CreateMessageFaults = z.infer<typeof CreateMessageFaultsSchema>;

export const ApiFaultsSchema = z.object({
  createMessage: CreateMessageFaultsSchema.default(CreateMessageFaultsSchema.parse({})),
});

export const SettingsSchema = z.object({
  timing: TimingSchema.default(TimingSchema.parse({})),
  callbacks: CallbackPolicySchema.default(CallbackPolicySchema.parse({})),
  media: MediaPolicySchema.default(MediaPolicySchema.parse({})),
  tollFree: TollFreeSettingsSchema.default(TollFreeSettingsSchema.parse({})),
  /** Faults on the API itself (off by default). */
  apiFaults: ApiFaultsSchema.default(ApiFaultsSchema.parse({})),
  /** Message search window in days (Bandwidth: 14). */
  searchWindowDays: z.number().positive().default(14),
  /** Seed for fault injection randomness, for reproducible runs. */
  seed: z.number().int().optional(),
});
export type Settings = z.infer<typeof SettingsSchema>;
export type SettingsInput = z.input<typeof SettingsSchema>;

/** Deep-merges a partial settings patch into `current` (objects at any depth; arrays are replaced) and validates it. */
export function mergeSettings(current: Settings, patch: unknown): Settings {
  const p = z.record(z.string(), z.unknown()).parse(patch ?? {});
  return SettingsSchema.parse(deepMerge(current, p));
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function deepMerge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = merged[key];
    merged[key] = isPlainObject(value) && isPlainObject(current) ? deepMerge(current, value) : value;
  }
  return merged;
}

/** A small seeded PRNG (mulberry32) for reproducible fault injection. */
export function createRandom(seed: number = Date.now()): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
