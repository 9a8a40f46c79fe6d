/**
 * The operator API's request and response bodies, as zod schemas. The server parses every request through them and
 * the OpenAPI document is generated from them, so the document and the server cannot drift apart.
 */
import { z } from 'zod';
import { CONVERSATION_STATES } from '../../workflows/search-attributes';
import { E164Schema } from '../../bandwidth/schemas';
import { BotNameSchema } from '../../config/env';
import { MAX_LIMIT, RECORD_STATUSES } from '../../records';
import { parseConversationId } from '../../workflows/ids';

const describe = <T extends z.ZodType>(schema: T, description: string): T => schema.describe(description);

export const ErrorSchema = z
  .object({
    type: z.string().describe('A stable, machine-readable error type, e.g. invalid-request or conversation-not-found'),
    description: z.string(),
    issues: z.unknown().optional().describe('For invalid-request: the validation issues, by field'),
  })
  .describe('An error');

export const ConversationIdSchema = z
  .string()
  .refine((id) => parseConversationId(id) !== null, {
    message: 'must be a conversation id: sms:<our number>:<participant>[,<participant>...]',
  })
  .describe(
    'The conversation (= Temporal workflow) id: sms:<our number>:<participants, sorted, comma-separated>; ' +
      'percent-encoding is optional',
  );

export const ConversationParamsSchema = z.object({ conversationId: ConversationIdSchema });

const MediaSchema = z.array(z.url({ protocol: /^https?$/ })).max(10);
export const OperatorNameSchema = z
  .string()
  .min(1)
  .max(200)
  .describe('Who acts: shown in the conversation and the logs');

export const StartConversationBodySchema = z.strictObject({
  participants: z.array(E164Schema).min(1).max(9).describe('Whom to text (E.164); more than one: a group conversation'),
  ourNumber: E164Schema.optional().describe('Our number to text from; default BANDWIDTH_NUMBER'),
  bot: BotNameSchema.optional().describe(
    'The bot to run; default: the route for ourNumber (THREADLINE_ROUTES), else the default bot',
  ),
  applicationId: z
    .string()
    .min(1)
    .optional()
    .describe('The Bandwidth application to send through; default BANDWIDTH_APPLICATION_ID'),
  opening: z
    .strictObject({ text: z.string().min(1).max(2048), media: MediaSchema.optional() })
    .optional()
    .describe('The first message the conversation sends, before the bot runs'),
  params: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("The bot's own input, e.g. the appointment a reminder is about (see the bot's documentation)"),
});
export type StartConversationBody = z.infer<typeof StartConversationBodySchema>;

export const StartedConversationSchema = z.object({
  conversationId: z.string(),
  runId: z.string(),
  bot: z.string(),
  ourNumber: z.string(),
  participants: z.array(z.string()),
});

export const OperatorMessageBodySchema = z.strictObject({
  text: z.string().min(1).max(2048),
  media: MediaSchema.optional(),
  operator: OperatorNameSchema,
});

export const TakeoverBodySchema = z.strictObject({
  paused: z.boolean().describe('true: the bot stops answering and a human takes over; false: the bot resumes'),
  operator: OperatorNameSchema,
});

export const EndConversationBodySchema = z.strictObject({
  reason: z.string().min(1).max(500),
});

export const SignalAcceptedSchema = z.object({
  conversationId: z.string(),
  runId: z.string().describe('The conversation run the signal was delivered to'),
  accepted: z.literal(true),
});

export const ConversationStatusSchema = z.enum([
  'running',
  'completed',
  'failed',
  'canceled',
  'terminated',
  'continued-as-new',
  'timed-out',
  'unknown',
]);

/** `ThreadlineState`: a closed set of values (workflows/search-attributes.ts). */
export const ConversationStateSchema = z.enum(CONVERSATION_STATES);

export const ConversationSummarySchema = z.object({
  conversationId: z.string(),
  runId: z.string(),
  bot: z.string(),
  status: ConversationStatusSchema,
  startTime: z.string(),
  closeTime: z.string().nullable(),
  ourNumber: z.string().nullable(),
  participants: z.array(z.string()),
  state: ConversationStateSchema.nullable().describe('What the conversation is doing now (ThreadlineState)'),
  lastActivity: z.string().nullable().describe('When a message last went in or out (ThreadlineLastActivity)'),
});
export type ConversationSummary = z.infer<typeof ConversationSummarySchema>;

export const ListConversationsQuerySchema = z.object({
  ourNumber: E164Schema.optional(),
  participant: E164Schema.optional(),
  state: ConversationStateSchema.optional().describe('Only conversations in this state (ThreadlineState)'),
  status: z.enum(['running', 'closed', 'all']).default('all'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).optional().describe('nextCursor of the previous page'),
});

export const ConversationListSchema = z.object({
  conversations: z.array(ConversationSummarySchema),
  nextCursor: z.string().nullable(),
});

const RecipientStatusSchema = z.looseObject({
  status: z.string(),
  errorCode: z.number().int().optional(),
  description: z.string().optional(),
  time: z.string().optional(),
});

export const TranscriptEntrySchema = z.looseObject({
  direction: z.enum(['in', 'out']),
  messageId: z.string().nullable(),
  from: z.string(),
  to: z.array(z.string()),
  text: z.string(),
  media: z.array(z.string()),
  time: z.string(),
  segmentCount: z.number().int().nullable(),
  cost: z.number().optional().describe('What the message cost so far, in currency units (absent when unpriced)'),
  currency: z.string().optional().describe("The cost's ISO 4217 currency"),
  status: z.string(),
  recipients: z.record(z.string(), RecipientStatusSchema).optional(),
  errorCode: z.number().int().optional(),
});
export type TranscriptLine = z.infer<typeof TranscriptEntrySchema>;

const DirectionCountsSchema = z.object({ in: z.number().int(), out: z.number().int() });

export const TotalsSchema = z
  .object({
    messages: DirectionCountsSchema.describe('Messages received, and messages Bandwidth accepted from us'),
    segments: DirectionCountsSchema.describe('SMS segments (an MMS or a group message is 1)'),
    cost: z
      .record(z.string(), z.number())
      .describe(
        'Cost by ISO 4217 currency, in currency units: messages and carrier surcharges (THREADLINE_PRICE_TABLE)',
      ),
    source: z
      .enum(['records', 'transcript'])
      .describe(
        'records: summed from the message records (every message and surcharge); transcript: from the workflow',
      ),
  })
  .describe('Messages, segments and cost so far');

export const ConversationSchema = z.object({
  conversationId: z.string(),
  ourNumber: z.string(),
  participants: z.array(z.string()),
  workflow: ConversationSummarySchema.nullable().describe('The latest run in Temporal; null once retention removed it'),
  transcript: z.array(TranscriptEntrySchema),
  transcriptSource: z
    .enum(['workflow', 'records'])
    .describe('workflow: the running (or still kept) workflow answered; records: rebuilt from the message records'),
  totals: TotalsSchema,
});

const RecordKindSchema = z.enum(['inbound', 'outbound', 'status', 'other']);
const statusNames = Object.keys(RECORD_STATUSES) as [keyof typeof RECORD_STATUSES, ...(keyof typeof RECORD_STATUSES)[]];

export const RecordFilterSchema = z.object({
  conversationId: z.string().min(1).optional(),
  ourNumber: z.string().min(1).optional(),
  participant: z.string().min(1).optional(),
  direction: z.enum(['in', 'out']).optional(),
  kind: RecordKindSchema.optional(),
  eventType: z.string().min(1).optional().describe('A Bandwidth callback type, or send-accepted'),
  status: z.enum(statusNames).optional().describe('Shorthand for an eventType: delivered, failed, received, ...'),
  errorCode: z.coerce
    .number()
    .int()
    .min(-(2 ** 31))
    .max(2 ** 31 - 1)
    .optional()
    .describe('A Bandwidth error code (stored as a 32-bit integer)'),
  messageId: z.string().min(1).optional(),
  from: z.string().min(1).optional().describe('Earliest event time, inclusive (ISO 8601)'),
  to: z.string().min(1).optional().describe('Latest event time, exclusive (ISO 8601)'),
});

export const RecordSearchQuerySchema = RecordFilterSchema.extend({
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100),
  cursor: z.string().min(1).optional().describe('nextCursor of the previous page'),
});

export const RecordExportQuerySchema = RecordFilterSchema.extend({
  format: z.enum(['jsonl', 'csv']).default('jsonl'),
});

export const MessageRecordSchema = z.object({
  id: z.string().describe('The idempotency key'),
  seq: z.number().int(),
  kind: RecordKindSchema,
  messageId: z.string().nullable(),
  eventType: z.string(),
  direction: z.enum(['in', 'out']).nullable(),
  ourNumber: z.string().nullable(),
  participants: z.array(z.string()),
  from: z.string().nullable(),
  to: z.array(z.string()),
  recipient: z.string().nullable(),
  text: z.string().nullable(),
  media: z.array(z.string()),
  segmentCount: z.number().int().nullable(),
  cost: z
    .number()
    .nullable()
    .describe(
      'What this event adds to the bill, in currency units: a message received or accepted, a carrier surcharge',
    ),
  currency: z.string().nullable(),
  carrierName: z.string().nullable().describe('The carrier a status callback named (carrierName), URL-decoded'),
  errorCode: z.number().int().nullable(),
  description: z.string().nullable(),
  conversationId: z.string().nullable(),
  tag: z.string().nullable(),
  eventTime: z.string(),
  recordedAt: z.string(),
  raw: describe(z.unknown(), 'The event as received (privacy mode removes the text)'),
});

export const RecordPageSchema = z.object({
  records: z.array(MessageRecordSchema),
  nextCursor: z.string().nullable(),
});
