/**
 * The operator API's OpenAPI 3.0 document, generated from the operations' zod schemas (zod's own `toJSONSchema`,
 * OpenAPI 3.0 dialect): request schemas as the server accepts them (`io: 'input'`), response schemas as it sends them
 * (`io: 'output'`). Served at `GET /api/v1/openapi.json`.
 */
import { z } from 'zod';
import { ApiErrorSchema, COMMON_RESPONSES, type Operation, type ResponseSpec } from './operation';

type JsonSchema = Record<string, unknown>;

/**
 * OpenAPI 3.0 allows null in a `nullable` enum only when the enum lists it (3.0.3 clarification); zod leaves it out,
 * so a nullable enum such as a conversation's `state` would not match its own null.
 */
function nullInNullableEnums(ctx: { jsonSchema: Record<string, unknown> }): void {
  const { jsonSchema } = ctx;
  if (jsonSchema.nullable === true && Array.isArray(jsonSchema.enum) && !jsonSchema.enum.includes(null)) {
    jsonSchema.enum = [...(jsonSchema.enum as unknown[]), null];
  }
}

const schemaOf = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema =>
  z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io,
    unrepresentable: 'any',
    reused: 'inline',
    override: nullInNullableEnums,
  });

function parameters(schema: z.ZodObject | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => {
    const fieldSchema = schemaOf(field, 'input');
    const { description, ...rest } = fieldSchema;
    return {
      name,
      in: where,
      required: where === 'path' || !field.safeParse(undefined).success,
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function response(spec: ResponseSpec): JsonSchema {
  const content: JsonSchema = {};
  if (spec.schema) content['application/json'] = { schema: schemaOf(spec.schema, 'output') };
  for (const [mediaType, description] of Object.entries(spec.streams ?? {})) {
    content[mediaType] = { schema: { type: 'string', description } };
  }
  return {
    description: spec.description,
    ...(spec.headers ? { headers: spec.headers } : {}),
    ...(Object.keys(content).length > 0 ? { content } : {}),
  };
}

export interface OpenApiOptions {
  version: string;
  /** The server's base URL, if known (the document is also correct without it). */
  serverUrl?: string;
}

export function openApiDocument(operations: readonly Operation[], options: OpenApiOptions): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of operations) {
    const responses: Record<string, JsonSchema> = {};
    const bodyErrors: Record<number, ResponseSpec> = op.body
      ? {
          413: { description: 'The body is too large', schema: ApiErrorSchema },
          415: {
            description: 'The body is not UTF-8, or in an encoding the server does not read',
            schema: ApiErrorSchema,
          },
        }
      : {};
    const specs: Record<number, ResponseSpec> = { ...COMMON_RESPONSES, ...bodyErrors, ...op.responses };
    for (const [status, spec] of Object.entries(specs)) {
      responses[status] = response(spec);
    }
    (paths[op.path] ??= {})[op.method] = {
      operationId: op.operationId,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: [op.tag],
      parameters: [...parameters(op.params, 'path'), ...parameters(op.query, 'query')],
      ...(op.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(op.body, 'input') } } } }
        : {}),
      responses,
    };
  }
  paths['/openapi.json'] = {
    get: {
      operationId: 'getOpenApiDocument',
      summary: 'This document',
      tags: ['meta'],
      security: [],
      responses: {
        200: { description: 'The OpenAPI document', content: { 'application/json': { schema: { type: 'object' } } } },
      },
    },
  };
  return {
    openapi: '3.0.3',
    info: {
      title: 'Threadline operator API',
      version: options.version,
      description:
        'Start, watch, join and end SMS/MMS conversations, search and export the message records, and keep the ' +
        'opt-out ledger. Every request but this document needs `Authorization: Bearer <OPERATOR_TOKEN>`. Errors are ' +
        'JSON: `{ type, description, issues? }`.',
    },
    servers: [{ url: options.serverUrl ? `${options.serverUrl.replace(/\/+$/, '')}/api/v1` : '/api/v1' }],
    security: [{ bearerAuth: [] }],
    components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    tags: [
      { name: 'conversations', description: 'Conversations: Temporal workflows, one per our number and participants' },
      { name: 'records', description: 'Message records: every inbound message, outbound send and status event' },
      { name: 'opt-outs', description: 'The opt-out ledger: who opted out (and back in) where, with every change' },
      { name: 'contacts', description: 'Erasing a person, and the audit of erasures' },
      { name: 'meta', description: 'About the API' },
    ],
    paths,
  };
}
