/**
 * The operator API's opt-out bodies and queries, as zod schemas: the server parses every request through them and the
 * OpenAPI document is generated from them.
 */
import { z } from 'zod';
import { E164Schema } from '../../bandwidth/schemas';
import { CONSENT_SOURCES, MAX_LIMIT } from '../../records';
import { ErrorSchema, OperatorNameSchema } from './schemas';

export const ConsentScopeSchema = z
  .string()
  .max(256) // the ledger indexes it; PostgreSQL refuses index entries over about 2,700 bytes
  .regex(
    /^(number:\+[1-9]\d{1,14}|application:\S+|account:\S+)$/,
    'must be number:<E.164>, application:<applicationId> or account:<accountId>',
  )
  .describe(
    'Where an opt-out applies: number:+19195550100 (per number, the default THREADLINE_CONSENT_SCOPE), ' +
      'application:<applicationId> or account:<accountId>; percent-encoding is optional in a path',
  );

/** `optedOut=true|false` in a query string. */
const BooleanQuerySchema = z.enum(['true', 'false']).transform((v) => v === 'true');

const ReasonSchema = z.string().min(1).max(500).describe('Why: kept with the change in the ledger');
const ManualSourceSchema = z
  .enum(['operator', 'api'])
  .default('operator')
  .describe('operator (default): a person; api: another system, such as a CRM keeping its own list in step');

export const ConsentChangeSchema = z.object({
  id: z.string().describe('The idempotency key: 4775:<messageId>:<recipient>, keyword:..., operator:<uuid>, ...'),
  scope: z.string(),
  contact: z.string(),
  action: z.enum(['opt-out', 'opt-in']),
  source: z.enum(CONSENT_SOURCES as [string, ...string[]]),
  time: z.string().describe('When it happened (ISO 8601, UTC, microseconds)'),
  messageId: z.string().nullable().describe('The inbound message (a keyword) or the failed message (4775)'),
  keyword: z.string().nullable().describe('The word matched, e.g. STOP'),
  actor: z.string().nullable().describe('The operator or API client'),
  reason: z.string().nullable(),
});

export const OptOutEntrySchema = z.object({
  scope: z.string(),
  contact: z.string(),
  optedOut: z.boolean(),
  since: z.string().describe('Since when the contact has been in this state'),
  lastChange: ConsentChangeSchema.describe('The change that decides the state: the latest'),
});

export const OptOutListQuerySchema = z.object({
  scope: ConsentScopeSchema.optional(),
  contact: E164Schema.optional().describe('Only this contact (in every scope, unless scope is given)'),
  optedOut: BooleanQuerySchema.optional().describe(
    'true: only contacts opted out now; false: only those opted back in',
  ),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100),
  cursor: z.string().min(1).optional().describe('nextCursor of the previous page'),
});

export const OptOutPageSchema = z.object({
  entries: z.array(OptOutEntrySchema),
  nextCursor: z.string().nullable(),
});

export const OptOutParamsSchema = z.object({ scope: ConsentScopeSchema, contact: E164Schema });

export const OptOutLookupSchema = z.object({
  scope: z.string(),
  contact: z.string(),
  optedOut: z.boolean().describe('Whether messages to the contact in this scope are refused now'),
  entry: OptOutEntrySchema.nullable().describe('null: the ledger has never heard of the contact in this scope'),
  history: z.array(ConsentChangeSchema).describe('Every change, oldest first'),
});

export const AddOptOutBodySchema = z.strictObject({
  contact: E164Schema.describe('Who is not to be texted (E.164)'),
  scope: ConsentScopeSchema.optional().describe(
    'Where; default: the configured scope (THREADLINE_CONSENT_SCOPE) of BANDWIDTH_NUMBER',
  ),
  reason: ReasonSchema,
  operator: OperatorNameSchema,
  source: ManualSourceSchema,
});

export const RemoveOptOutQuerySchema = z.object({
  reason: ReasonSchema,
  operator: OperatorNameSchema,
  source: ManualSourceSchema,
});

export const OptOutExportQuerySchema = z.object({
  scope: ConsentScopeSchema.optional(),
  optedOut: BooleanQuerySchema.optional().describe(
    'true: only contacts opted out now; false: only those opted back in',
  ),
  format: z.enum(['jsonl', 'csv']).default('jsonl'),
});

/** A 409 of an operation that sends: the conversation is running, or a participant opted out. */
export const SendConflictSchema = ErrorSchema.extend({
  optedOut: z
    .array(z.string())
    .optional()
    .describe("For opted-out: the participants opted out in the conversation's scope; nothing was sent"),
});
