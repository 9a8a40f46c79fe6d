/**
 * The Bandwidth Messaging wire format, as zod schemas. This is the only place that knows Bandwidth's field names;
 * the server, the emulator and the tests parse through these schemas once, at the edge.
 *
 * Ground truth: ../shared/reference/bandwidth-messaging.md §2 and §3, and the OpenAPI spec beside it.
 */
import { z } from 'zod';

/** An E.164 telephone number: `+` then 2 to 15 digits, no leading zero. */
export const E164Schema = z.string().regex(/^\+[1-9]\d{1,14}$/, 'must be an E.164 number such as +19195550123');
export type E164 = z.infer<typeof E164Schema>;

export const MessageDirectionSchema = z.enum(['in', 'out']);
export const PrioritySchema = z.enum(['default', 'high']);

/** The `message` object inside every callback (statusCallbackMessage / inboundCallbackMessage). Extra fields pass. */
export const CallbackMessageSchema = z.looseObject({
  id: z.string().min(1),
  owner: z.string(),
  applicationId: z.string(),
  time: z.string(),
  segmentCount: z.number().int(),
  direction: MessageDirectionSchema,
  to: z.array(z.string()).min(1),
  from: z.string(),
  text: z.string().optional(),
  tag: z.string().optional(),
  media: z.array(z.string()).optional(),
  priority: PrioritySchema.optional(),
  channel: z.string().optional(),
});
export type CallbackMessage = z.infer<typeof CallbackMessageSchema>;

const callbackBase = {
  time: z.string(),
  to: z.string(),
  description: z.string(),
  carrierName: z.string().optional(),
  message: CallbackMessageSchema,
};

export const InboundCallbackSchema = z.looseObject({ ...callbackBase, type: z.literal('message-received') });
export type InboundCallback = z.infer<typeof InboundCallbackSchema>;

export const STATUS_CALLBACK_TYPES = [
  'message-sending',
  'message-sent',
  'message-delivered',
  'message-failed',
] as const;
export type StatusCallbackType = (typeof STATUS_CALLBACK_TYPES)[number];

export const StatusCallbackSchema = z.discriminatedUnion('type', [
  z.looseObject({ ...callbackBase, type: z.literal('message-sending') }),
  z.looseObject({ ...callbackBase, type: z.literal('message-sent') }),
  z.looseObject({ ...callbackBase, type: z.literal('message-delivered') }),
  z.looseObject({ ...callbackBase, type: z.literal('message-failed'), errorCode: z.number().int() }),
]);
export type StatusCallback = z.infer<typeof StatusCallbackSchema>;

/**
 * Events Threadline does not act on (RBM `message-read`, `suggestion-response`, `requested-location-response`, and
 * anything Bandwidth adds later). They are acknowledged and recorded, never bounced: a non-2xx would make Bandwidth
 * retry them for 24 hours.
 */
export const OtherCallbackSchema = z.looseObject({
  type: z.string().min(1),
  time: z.string().optional(),
  to: z.string().optional(),
  description: z.string().optional(),
  message: z.looseObject({ id: z.string().optional() }).optional(),
});
export type OtherCallback = z.infer<typeof OtherCallbackSchema>;

/** One callback event, discriminated on Bandwidth's own `type`. */
export const MessageCallbackSchema = z.discriminatedUnion('type', [
  InboundCallbackSchema,
  ...StatusCallbackSchema.options,
]);
export type MessageCallback = z.infer<typeof MessageCallbackSchema>;

/**
 * A callback request body. Bandwidth sends a JSON array of events, even for one event (reference §3.1); a bare object
 * is accepted too. Known types must match their schema; unknown types only need a `type`.
 */
export const CallbackBodySchema = z
  .union([z.array(z.unknown()).min(1, 'a callback body must hold at least one event'), z.looseObject({})])
  .transform((body) => (Array.isArray(body) ? body : [body]))
  .pipe(
    z.array(
      z.unknown().transform((event, ctx): MessageCallback | (OtherCallback & { known: false }) => {
        const type = typeof event === 'object' && event !== null ? (event as { type?: unknown }).type : undefined;
        const known = MessageCallbackSchema.options.some((o) => o.shape.type.value === type);
        const parsed = known ? MessageCallbackSchema.safeParse(event) : OtherCallbackSchema.safeParse(event);
        if (!parsed.success) {
          for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: 'custom', message: issue.message });
          return z.NEVER;
        }
        return known ? (parsed.data as MessageCallback) : { ...parsed.data, known: false };
      }),
    ),
  );
export type CallbackEvent = z.output<typeof CallbackBodySchema>[number];

export function isKnownCallback(event: CallbackEvent): event is MessageCallback {
  return !('known' in event && event.known === false);
}

/** `POST /users/{accountId}/messages` request body (MessageRequest). */
export const MessageRequestSchema = z.object({
  applicationId: z.string(),
  to: z.array(z.string()),
  from: z.string(),
  text: z.string().optional(),
  media: z.array(z.string()).optional(),
  tag: z.string().optional(),
  priority: PrioritySchema.optional(),
  expiration: z.string().optional(),
});
export type MessageRequest = z.infer<typeof MessageRequestSchema>;

/** The 202 body of a create-message call (Message). All fields are optional in the spec. */
export const MessageSchema = z.looseObject({
  id: z.string(),
  owner: z.string().optional(),
  applicationId: z.string().optional(),
  time: z.string().optional(),
  segmentCount: z.number().int().optional(),
  direction: MessageDirectionSchema.optional(),
  to: z.array(z.string()).optional(),
  from: z.string().optional(),
  text: z.string().optional(),
  media: z.array(z.string()).optional(),
  tag: z.string().optional(),
  priority: PrioritySchema.optional(),
  expiration: z.string().optional(),
});
export type Message = z.infer<typeof MessageSchema>;

/** Error body of every messaging endpoint (MessagingRequestError / CreateMessageRequestError). */
export const MessagingErrorSchema = z.looseObject({
  type: z.string(),
  description: z.string(),
  fieldErrors: z.array(z.object({ fieldName: z.string(), description: z.string() })).optional(),
});
export type MessagingError = z.infer<typeof MessagingErrorSchema>;
