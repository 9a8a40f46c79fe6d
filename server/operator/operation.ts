/**
 * One definition per operator API operation: method, path, zod schemas for its path parameters, query and body, its
 * documented responses, and its handler. The express router and the OpenAPI document are both built from these
 * definitions, and the handler only ever sees parsed, typed input.
 */
import { once } from 'node:events';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';

export interface ResponseSpec {
  description: string;
  /** JSON body schema; omit for responses without a JSON body. */
  schema?: z.ZodType;
  /** Non-JSON bodies: media type → description (streamed exports). */
  streams?: Record<string, string>;
  headers?: Record<string, { description: string; schema: { type: 'string' | 'integer' } }>;
}

/** What a handler answers: a JSON body, or nothing when it wrote the response itself (a stream). */
export type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | 'streamed';

export interface HandlerContext {
  req: Request;
  res: Response;
  log: Logger;
}

type Obj = z.ZodObject;

export interface Operation<P extends Obj = Obj, Q extends Obj = Obj, B extends z.ZodType = z.ZodType> {
  operationId: string;
  method: 'get' | 'post' | 'delete';
  /** OpenAPI form, relative to /api/v1: `/conversations/{conversationId}`. */
  path: string;
  summary: string;
  description?: string;
  tag: 'conversations' | 'records' | 'opt-outs' | 'contacts';
  params?: P;
  query?: Q;
  body?: B;
  /** Documented responses by HTTP status; 400, 401, 500 and 503 are added to every operation (413, 415 with a body). */
  responses: Record<number, ResponseSpec>;
  handle(input: { params: z.output<P>; query: z.output<Q>; body: z.output<B> }, ctx: HandlerContext): Promise<Reply>;
}

/** Defines an operation with its handler's input typed from its schemas. */
export function defineOperation<P extends Obj = Obj, Q extends Obj = Obj, B extends z.ZodType = z.ZodUndefined>(
  operation: Operation<P, Q, B>,
): Operation {
  return operation;
}

export const ApiErrorSchema = z.object({
  type: z.string(),
  description: z.string(),
  issues: z.unknown().optional(),
});

/** The responses every operation may give. */
export const COMMON_RESPONSES: Record<number, ResponseSpec> = {
  400: { description: 'The request is invalid; `issues` says which fields and why', schema: ApiErrorSchema },
  401: {
    description: 'Missing or wrong bearer token',
    schema: ApiErrorSchema,
    headers: { 'WWW-Authenticate': { description: 'Bearer realm="threadline"', schema: { type: 'string' } } },
  },
  500: { description: 'An unexpected failure; the server log has the details', schema: ApiErrorSchema },
  503: {
    description: 'Temporal or the records store is unavailable; retry later',
    schema: ApiErrorSchema,
    headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
  },
};

/** `/conversations/{conversationId}` → `/conversations/:conversationId` */
export function expressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

/**
 * Streams an export as the response body: `200` with its media type and a file name, then chunk by chunk, waiting when
 * the client reads slowly and stopping when it goes away. Create `chunks` before calling, so a bad filter still gets
 * a JSON error rather than a broken stream.
 */
export async function streamExport(
  { req, res }: Pick<HandlerContext, 'req' | 'res'>,
  chunks: AsyncIterable<string>,
  { format, name }: { format: 'jsonl' | 'csv'; name: string },
): Promise<'streamed'> {
  res.status(200);
  res.setHeader('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
  res.setHeader('Content-Disposition', `attachment; filename="${name}.${format}"`);
  let closed = false;
  req.on('close', () => {
    closed = true;
  });
  for await (const chunk of chunks) {
    if (closed) break;
    if (!res.write(chunk)) await once(res, 'drain');
  }
  res.end();
  return 'streamed';
}
