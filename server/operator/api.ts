/**
 * The operator API, under `/api/v1`: bearer-token auth, every input parsed by the operation's zod schemas, and the
 * OpenAPI document generated from the same operations at `GET /api/v1/openapi.json`.
 *
 * | operation | |
 * | --- | --- |
 * | `POST /conversations` | start a proactive conversation (409 when one is running or a participant opted out) |
 * | `GET /conversations` | list conversations by our number, participant, state, status (Temporal visibility) |
 * | `GET /conversations/{id}` | one conversation with its transcript (the workflow, or the message records) |
 * | `POST /conversations/{id}/messages` | a human sends a message into the live conversation (409 when opted out) |
 * | `POST /conversations/{id}/takeover` | pause or resume the bot |
 * | `POST /conversations/{id}/end` | end the conversation |
 * | `GET /records` | search the message records (paginated) |
 * | `GET /records/export` | export them as JSON Lines or CSV, streamed |
 * | `GET /opt-outs`, `GET /opt-outs/{scope}/{contact}` | the opt-out ledger: list (paginated), one contact's history |
 * | `POST /opt-outs`, `DELETE /opt-outs/{scope}/{contact}` | add an opt-out; remove one (who and why are recorded) |
 * | `GET /opt-outs/export` | export the ledger as JSON Lines or CSV, streamed |
 * | `DELETE /contacts/{phone}`, `GET /erasures` | erase a person (server/operator/contact-operations.ts); the audit |
 */
import { isGrpcServiceError, ServiceError } from '@temporalio/client';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Metrics } from '../../observability/metrics';
import { RecordQueryError } from '../../records';
import { endConversationSignal, takeoverSignal } from '../../workflows/messages';
import { requireBearerToken } from '../auth';
import { requestLog } from '../request-logging';
import {
  getConversation,
  listConversations,
  OperatorError,
  sendOperatorMessage,
  signalConversation,
  startConversation,
  type ConversationDeps,
} from './conversations';
import { inputProblem } from './input-guards';
import { openApiDocument } from './openapi';
import { optOutOperations } from './opt-out-operations';
import { contactOperations } from './contact-operations';
import { SendConflictSchema } from './opt-out-schemas';
import { defineOperation, expressPath, streamExport, type Operation, type Reply } from './operation';
import {
  ConversationListSchema,
  ConversationParamsSchema,
  ConversationSchema,
  EndConversationBodySchema,
  ErrorSchema,
  ListConversationsQuerySchema,
  OperatorMessageBodySchema,
  RecordExportQuerySchema,
  RecordPageSchema,
  RecordSearchQuerySchema,
  SignalAcceptedSchema,
  StartConversationBodySchema,
  StartedConversationSchema,
  TakeoverBodySchema,
} from './schemas';

export const OPERATOR_API_PREFIX = '/api/v1';

export interface OperatorApiDeps extends ConversationDeps {
  /** The bearer token (`OPERATOR_TOKEN`). */
  token: string;
  metrics: Metrics;
  logger: Logger;
  /** Version shown in the OpenAPI document. */
  version?: string;
  retryAfterSeconds?: number;
}

const notFound = { description: 'No such conversation', schema: ErrorSchema };
const notRunning = { description: 'The conversation is not running', schema: ErrorSchema };

/** Every operation of the operator API, with its handler. */
export function operatorOperations(deps: OperatorApiDeps): Operation[] {
  return [
    defineOperation({
      operationId: 'startConversation',
      method: 'post',
      path: '/conversations',
      tag: 'conversations',
      summary: 'Start a proactive conversation',
      description:
        'Starts the bot for our number and the participants, which sends `opening` first. The conversation id is ' +
        'derived from the numbers, so a later reply from a participant reaches the same conversation.',
      body: StartConversationBodySchema,
      responses: {
        201: {
          description: 'Started',
          schema: StartedConversationSchema,
          headers: { Location: { description: 'The conversation', schema: { type: 'string' } } },
        },
        409: {
          description:
            'A conversation between these numbers is already running (`conversation-running`), or a participant ' +
            'opted out in its scope (`opted-out`; `optedOut` names them, and nothing was started)',
          schema: SendConflictSchema,
        },
      },
      async handle({ body }, { log }) {
        const started = await startConversation(deps, body);
        log.info({ conversationId: started.conversationId, bot: started.bot }, 'operator started a conversation');
        return {
          status: 201,
          body: started,
          headers: { Location: `${OPERATOR_API_PREFIX}/conversations/${encodeURIComponent(started.conversationId)}` },
        };
      },
    }),
    defineOperation({
      operationId: 'listConversations',
      method: 'get',
      path: '/conversations',
      tag: 'conversations',
      summary: 'List conversations',
      description:
        'Through Temporal visibility, newest first. Visibility is eventually consistent: a conversation started a ' +
        'moment ago may take a moment to show.',
      query: ListConversationsQuerySchema,
      responses: { 200: { description: 'One page of conversations', schema: ConversationListSchema } },
      async handle({ query }) {
        return { status: 200, body: await listConversations(deps, query) };
      },
    }),
    defineOperation({
      operationId: 'getConversation',
      method: 'get',
      path: '/conversations/{conversationId}',
      tag: 'conversations',
      summary: 'Get a conversation with its transcript',
      description:
        "The transcript comes from the workflow's `transcript` query; once Temporal's retention has removed the " +
        'workflow (or no worker answers), it is rebuilt from the message records.',
      params: ConversationParamsSchema,
      responses: { 200: { description: 'The conversation', schema: ConversationSchema }, 404: notFound },
      async handle({ params }) {
        const conversation = await getConversation(deps, params.conversationId);
        if (!conversation) {
          throw new OperatorError(
            404,
            'conversation-not-found',
            `Neither Temporal nor the records know ${params.conversationId}`,
          );
        }
        return { status: 200, body: conversation };
      },
    }),
    defineOperation({
      operationId: 'sendOperatorMessage',
      method: 'post',
      path: '/conversations/{conversationId}/messages',
      tag: 'conversations',
      summary: 'Send a message into the live conversation as a human',
      params: ConversationParamsSchema,
      body: OperatorMessageBodySchema,
      description:
        "Refused (409, `opted-out`, nothing sent) when a participant is opted out in the conversation's scope.",
      responses: {
        202: { description: 'Handed to the conversation, which sends it', schema: SignalAcceptedSchema },
        404: notFound,
        409: {
          description: 'The conversation is not running, or a participant opted out (`optedOut` names them)',
          schema: SendConflictSchema,
        },
      },
      async handle({ params, body }, { log }) {
        const accepted = await sendOperatorMessage(deps, params.conversationId, body);
        log.info({ conversationId: params.conversationId, operator: body.operator }, 'operator message handed over');
        log.debug({ conversationId: params.conversationId, text: body.text }, 'operator message text');
        return { status: 202, body: accepted };
      },
    }),
    defineOperation({
      operationId: 'takeOver',
      method: 'post',
      path: '/conversations/{conversationId}/takeover',
      tag: 'conversations',
      summary: 'Pause the bot (a human takes over) or resume it',
      params: ConversationParamsSchema,
      body: TakeoverBodySchema,
      responses: {
        202: { description: 'Handed to the conversation', schema: SignalAcceptedSchema },
        404: notFound,
        409: notRunning,
      },
      async handle({ params, body }, { log }) {
        const accepted = await signalConversation(deps, params.conversationId, takeoverSignal, body);
        log.info({ conversationId: params.conversationId, paused: body.paused, operator: body.operator }, 'takeover');
        return { status: 202, body: accepted };
      },
    }),
    defineOperation({
      operationId: 'endConversation',
      method: 'post',
      path: '/conversations/{conversationId}/end',
      tag: 'conversations',
      summary: 'End the conversation',
      params: ConversationParamsSchema,
      body: EndConversationBodySchema,
      responses: {
        202: { description: 'Handed to the conversation, which ends', schema: SignalAcceptedSchema },
        404: notFound,
        409: notRunning,
      },
      async handle({ params, body }, { log }) {
        const accepted = await signalConversation(deps, params.conversationId, endConversationSignal, body);
        log.info({ conversationId: params.conversationId }, 'operator ended a conversation');
        return { status: 202, body: accepted };
      },
    }),
    defineOperation({
      operationId: 'searchRecords',
      method: 'get',
      path: '/records',
      tag: 'records',
      summary: 'Search the message records',
      description:
        'Every inbound message, outbound send and status event, oldest first. All filters given must match. Pass ' +
        '`nextCursor` back as `cursor`, with the same filters, for the next page.',
      query: RecordSearchQuerySchema,
      responses: { 200: { description: 'One page of records', schema: RecordPageSchema } },
      async handle({ query }) {
        return { status: 200, body: await deps.records.search(query) };
      },
    }),
    defineOperation({
      operationId: 'exportRecords',
      method: 'get',
      path: '/records/export',
      tag: 'records',
      summary: 'Export the message records as JSON Lines or CSV',
      description:
        'Streamed, oldest first. JSON Lines: one record per line, `raw` included. CSV: a header row; `raw` left out.',
      query: RecordExportQuerySchema,
      responses: {
        200: {
          description: 'The records',
          streams: {
            'application/x-ndjson': 'One JSON record per line (the searchRecords record shape)',
            'text/csv': 'A header row, then one row per record',
          },
        },
      },
      async handle({ query }, ctx) {
        const { format, ...filter } = query;
        const chunks = deps.records.export(filter, format); // validates the filter before anything is sent
        return streamExport(ctx, chunks, { format, name: 'threadline-records' });
      },
    }),
    ...optOutOperations(deps),
    ...contactOperations(deps),
  ];
}

function sendError(
  res: Response,
  status: number,
  type: string,
  description: string,
  extra: Record<string, unknown> = {},
): void {
  res.status(status).json({ type, description, ...extra });
}

/** The gRPC status code of a Temporal client error, if it is one. */
function grpcCode(err: unknown): number | undefined {
  if (isGrpcServiceError(err)) return err.code;
  if (err instanceof ServiceError) return grpcCode(err.cause);
  return undefined;
}

/** Temporal or the database cannot be reached right now (as opposed to a request it refuses). */
function isUnavailable(err: unknown): boolean {
  const code = grpcCode(err);
  if (code !== undefined) return code === 14 || code === 4 || code === 1; // UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED
  const e = err as { code?: unknown };
  return typeof e?.code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|57P0[123]|08\d\d\d)$/.test(e.code);
}

export function operatorApiRouter(deps: OperatorApiDeps): Router {
  const router = express.Router();
  const operations = operatorOperations({ cursorSecret: deps.token, ...deps });
  const document = openApiDocument(operations, { version: deps.version ?? '0.1.0' });
  const retryAfter = String(deps.retryAfterSeconds ?? 5);

  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.use(requireBearerToken(deps.token));
  // Only operations that take a body read one: a body sent anywhere else is ignored, not parsed (and refused).
  const readJson = express.json({ limit: '256kb' });

  for (const op of operations) {
    const handler = async (req: Request, res: Response) => {
      const log = requestLog(res);
      res.on('finish', () =>
        deps.metrics.operatorRequests.inc({ operation: op.operationId, status: String(res.statusCode) }),
      );
      const problem = inputProblem({ path: req.params, query: req.query, body: op.body ? req.body : undefined });
      if (problem !== null) {
        sendError(res, 400, 'invalid-request', problem);
        return;
      }
      const params = (op.params ?? z.object({})).safeParse(req.params);
      const query = (op.query ?? z.object({})).safeParse(req.query);
      const body = op.body ? op.body.safeParse(req.body) : ({ success: true, data: undefined } as const);
      const failed = [
        ['path', params],
        ['query', query],
        ['body', body],
      ].filter(([, r]) => !(r as { success: boolean }).success) as [string, { error: z.ZodError }][];
      if (failed.length > 0) {
        const issues = Object.fromEntries(failed.map(([where, r]) => [where, z.treeifyError(r.error)]));
        const first = failed[0]![1].error.issues[0];
        sendError(
          res,
          400,
          'invalid-request',
          `The request is invalid: ${failed[0]![0]} ${first?.path.join('.') ?? ''} ${first?.message ?? ''}`.trim(),
          { issues },
        );
        return;
      }
      try {
        const reply: Reply = await op.handle(
          { params: params.data!, query: query.data!, body: body.data },
          { req, res, log },
        );
        if (reply === 'streamed') return;
        for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
        res.status(reply.status).json(reply.body);
      } catch (err) {
        if (res.headersSent) {
          log.warn({ err }, 'operator request failed mid-stream');
          res.destroy();
        } else if (err instanceof OperatorError) {
          sendError(res, err.status, err.type, err.message, err.details);
        } else if (err instanceof RecordQueryError) {
          sendError(res, 400, 'invalid-request', err.message);
        } else if (grpcCode(err) === 3) {
          sendError(res, 400, 'invalid-request', `Temporal refused the request: ${(err as Error).message}`);
        } else if (isUnavailable(err)) {
          log.warn({ err }, 'operator request failed: Temporal or the records store is unavailable');
          res.set('Retry-After', retryAfter);
          sendError(res, 503, 'temporarily-unavailable', 'Temporal or the records store is unavailable; retry later');
        } else {
          log.error({ err }, 'operator request failed');
          sendError(res, 500, 'internal-error', 'The request failed; the server log has the details');
        }
      }
    };
    if (op.body) router[op.method](expressPath(op.path), readJson, handler);
    else router[op.method](expressPath(op.path), handler);
  }

  router.use((req: Request, res: Response) => {
    sendError(
      res,
      404,
      'not-found',
      `No operation ${req.method} ${OPERATOR_API_PREFIX}${req.path}; see ${OPERATOR_API_PREFIX}/openapi.json`,
    );
  });
  // A request that cannot be read: its body (JSON, size, charset, encoding) or a path parameter that is not valid
  // percent-encoding (express refuses it with status 400). Never a 500.
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const e = err as { type?: string; message?: string; status?: unknown };
    const reason = e.message ?? 'unreadable request';
    if (e.type === 'entity.parse.failed') sendError(res, 400, 'invalid-json', reason);
    else if (e.type === 'entity.too.large') sendError(res, 413, 'payload-too-large', reason);
    else if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') {
      sendError(res, 415, 'unsupported-media-type', reason);
    } else if (e.status === 400) sendError(res, 400, 'invalid-request', `The request could not be read: ${reason}`);
    else next(err);
  });
  return router;
}
