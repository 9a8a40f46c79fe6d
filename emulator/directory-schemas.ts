/**
 * Shapes of the emulator's directory: accounts (with API credentials and features), messaging applications and
 * phone numbers, plus per-number scripted behaviour. The config file, the admin API and the database all go through
 * these schemas, so defaults are filled in one place.
 */
import { z } from 'zod';
import { E164Schema } from '../bandwidth/schemas';

export const CredentialsSchema = z.object({ username: z.string().min(1), password: z.string().min(1) });

/** OAuth2 client credentials ("API Credentials" in Bandwidth's Credential Management). */
export const ApiCredentialSchema = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** false ⇒ requests with this credential are answered 403 (the user lacks the messaging API role). */
  messagingRole: z.boolean().default(true),
});
export type ApiCredential = z.infer<typeof ApiCredentialSchema>;

/** Legacy API user (HTTP Basic to the API), retired by Bandwidth on 2026-12-02. */
export const ApiUserSchema = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
  messagingRole: z.boolean().default(true),
});
export type ApiUser = z.infer<typeof ApiUserSchema>;

export const AccountFeaturesSchema = z.object({
  /** Legacy HTTP Basic with API users accepted (switch off to rehearse Bandwidth's 2026-12-02 retirement). */
  basicAuth: z.boolean().default(true),
  /** MMS and group delivery receipts (default-on at Bandwidth since 2020-07-31). Off ⇒ delivered = handed to the MMSC. */
  mmsDeliveryReceipts: z.boolean().default(true),
  /** `carrierName` on callbacks and search results. */
  carrierName: z.boolean().default(false),
  /** Emit `message-sending` for SMS (always emitted for MMS and group messages). */
  smsSending: z.boolean().default(true),
  /** Emit `message-sent` for SMS (new in spec v8.1.4). */
  smsSent: z.boolean().default(true),
});
export type AccountFeatures = z.infer<typeof AccountFeaturesSchema>;

export const AccountLimitsSchema = z.object({
  /** Account dequeue rate in segments per second (Bandwidth's default for new accounts is 1). */
  messagesPerSecond: z.number().positive().default(1),
  /** Queue capacity expressed in minutes of the dequeue rate (Bandwidth: 15). */
  queueMinutes: z.number().positive().default(15),
  /** Search API rate limit: requests per window (Bandwidth: 3500 per 5 minutes per source IP). */
  searchRequestsPerWindow: z.number().int().positive().default(3500),
  searchWindowSeconds: z.number().positive().default(300),
});
export type AccountLimits = z.infer<typeof AccountLimitsSchema>;

export const AccountSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]+$/, 'account ids are letters, digits, - and _'),
  name: z.string().optional(),
  credentials: z.array(ApiCredentialSchema).default([]),
  apiUsers: z.array(ApiUserSchema).default([]),
  features: AccountFeaturesSchema.default(AccountFeaturesSchema.parse({})),
  limits: AccountLimitsSchema.default(AccountLimitsSchema.parse({})),
  /** Lifetime of issued OAuth2 tokens, in emulated seconds. */
  tokenTtlSeconds: z.number().int().positive().default(3600),
});
export type Account = z.infer<typeof AccountSchema>;
export type AccountInput = z.input<typeof AccountSchema>;

export const CALLBACK_TYPES = ['message-sending', 'message-sent', 'message-delivered', 'message-failed'] as const;

export const ApplicationSchema = z.object({
  id: z.string().min(1),
  accountId: z.string().min(1),
  name: z.string().optional(),
  /** Receives `message-received`. */
  inboundCallbackUrl: z.url(),
  /** Receives status events; defaults to the inbound URL ("use multiple callback URLs" unchecked). */
  statusCallbackUrl: z.url().optional(),
  inboundCallbackCredentials: CredentialsSchema.optional(),
  statusCallbackCredentials: CredentialsSchema.optional(),
  /** Status event types to send (Bandwidth's RequestedCallbackTypes); all by default. */
  requestedCallbackTypes: z.array(z.enum(CALLBACK_TYPES)).default([...CALLBACK_TYPES]),
});
export type Application = z.infer<typeof ApplicationSchema>;
export type ApplicationInput = z.input<typeof ApplicationSchema>;

export const PRODUCTS = ['LOCAL_A2P', 'P2P', 'TOLL_FREE', 'SHORT_CODE_REACH', 'HOSTED_SHORT_CODE'] as const;

export const PhoneNumberSchema = z.object({
  number: E164Schema,
  accountId: z.string().min(1),
  applicationId: z.string().min(1).optional(),
  /** Messaging product; P2P numbers are limited to 1 segment per second, A2P only by the account rate. */
  product: z.enum(PRODUCTS).default('LOCAL_A2P'),
  /** Per-number dequeue rate in segments per second; overrides the product default. */
  messagesPerSecond: z.number().positive().optional(),
});
export type PhoneNumber = z.infer<typeof PhoneNumberSchema>;
export type PhoneNumberInput = z.input<typeof PhoneNumberSchema>;

/** Scripted behaviour of a destination number (a simulated handset). */
export const BehaviorSchema = z.object({
  /** Fail every message to this number with this error code (reference §4). */
  failWith: z.number().int().optional(),
  /** Extra emulated delay before the delivery outcome, in milliseconds. */
  delayMs: z.number().int().min(0).optional(),
  /** The carrier never returns a receipt: the message ends with 9902 after the receipt timeout. */
  noReceipt: z.boolean().optional(),
  /**
   * The number is invalid. In a group message it fails (with `failWith` or 4406) while the others deliver; with
   * `legacyGroupBug` it gets both `message-failed` and `message-delivered`, as Bandwidth's 2019 bug did (§7).
   */
  invalid: z.boolean().optional(),
  legacyGroupBug: z.boolean().optional(),
  /** Carrier name reported for this number when the account has carrierName on. */
  carrierName: z.string().optional(),
});
export type Behavior = z.infer<typeof BehaviorSchema>;
