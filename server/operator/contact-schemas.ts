/**
 * The operator API's erasure requests and answers, as zod schemas: the server parses every request through them and
 * the OpenAPI document is generated from them.
 */
import { z } from 'zod';
import { E164Schema } from '../../bandwidth/schemas';
import { OperatorNameSchema } from './schemas';

export const ContactParamsSchema = z.object({
  phone: E164Schema.describe('The person to erase (E.164; percent-encode the +: %2B19195550123)'),
});

export const EraseContactQuerySchema = z.object({
  operator: OperatorNameSchema.describe('Who asks for the erasure: kept in the audit entry'),
  reason: z
    .string()
    .min(1)
    .max(500)
    .optional()
    .describe('Why, e.g. a ticket reference; kept in the audit entry, so write no personal data here'),
});

export const ErasureCountsSchema = z.object({
  records: z.number().int().describe('Message records (inbound, outbound, status) that listed the person'),
  media: z.number().int().describe('Stored media files of their inbound messages'),
  sendIntents: z.number().int().describe('Send intents addressed to them'),
  conversationsEnded: z.number().int().describe('Running conversations ended (terminated: nothing more is sent)'),
  historiesDeleted: z.number().int().describe('Conversation histories deleted from Temporal (the ended ones too)'),
  consentChangesDeleted: z.number().int().describe('Opt-out ledger changes deleted'),
  optOutsKept: z.number().int().describe('Opt-outs kept (number, scope, time and source only) so STOP is honoured'),
});

export const ErasureSchema = z.object({
  erasureId: z.string().describe('The audit entry (the erasure workflow run)'),
  state: z.enum(['completed', 'in-progress']),
  contactKey: z.string().describe('The hash of the number the audit keeps (never the number)'),
  requestedBy: z.string(),
  requestedAt: z.string(),
  completedAt: z.string().nullable(),
  erased: ErasureCountsSchema.nullable().describe('What went, counted; null while in progress'),
});

export const ErasureListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const ErasureListSchema = z.object({
  erasures: z.array(
    z.object({
      id: z.string(),
      contactKey: z.string(),
      requestedBy: z.string(),
      reason: z.string().nullable(),
      requestedAt: z.string(),
      completedAt: z.string().nullable(),
      erased: ErasureCountsSchema.nullable(),
    }),
  ),
});
