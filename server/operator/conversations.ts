/**
 * What operators do to conversations, on Temporal: start one proactively, find them through visibility (the
 * Threadline* search attributes), read one with its transcript (the workflow's query, or the message records once
 * Temporal has let the workflow go), and signal a running one (operator message, takeover, end).
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionDescription,
} from '@temporalio/client';
import { createHmac } from 'node:crypto';
import type { SignalDefinition } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { RecordStore } from '../../records';
import type { ConversationStart } from '../../workflows/conversation';
import { conversationId, parseConversationId } from '../../workflows/ids';
import { operatorMessageSignal, transcriptQuery } from '../../workflows/messages';
import { CONVERSATION_STATES, type ConversationState } from '../../workflows/search-attributes';
import { safeEqual } from '../auth';
import { indexedParticipants, PHONE_HASH_PREFIX } from '../../temporal/phone-hash';
import { timestampMs, type Timestamp } from '../../temporal/timestamps';
import type { BotRouter } from '../bot-router';
import { policyFor, scopeOf, type ConsentSettings } from '../consent';
import type { z } from 'zod';
import type {
  ConversationSchema,
  ConversationSummary,
  ListConversationsQuerySchema,
  OperatorMessageBodySchema,
  StartConversationBody,
  TranscriptLine,
} from './schemas';
import { transcriptFromRecords } from './transcript';
import { conversationTotals } from './totals';
import { startMetadata } from '../conversation-metadata';

export interface ConversationDeps {
  temporal: Client;
  taskQueue: string;
  routeBot: BotRouter;
  records: RecordStore;
  /** Our number and Bandwidth application when a proactive start names none. */
  defaults?: { ourNumber: string; applicationId?: string };
  /** Where opt-outs apply; default: per number. Nothing is started or sent to a participant opted out there. */
  consent?: ConsentSettings;
  /** The bots the workers run; a start naming another bot is refused. Unchecked when omitted. */
  knownBots?: readonly string[];
  /** How long to wait for a workflow to answer the transcript query before using the records (default 3 s). */
  queryTimeoutMs?: number;
  /**
   * Signs list cursors, so a cursor that no server of this deployment issued is refused at once (Temporal answers an
   * unknown page token only after retrying for many seconds). Every server instance must use the same secret; the
   * operator API uses the operator token.
   */
  cursorSecret?: string;
  /** How a participant's number is indexed in search attributes: hashed with `THREADLINE_HASH_PHONES_IN_SEARCH`. */
  indexPhone?: (e164: string) => string;
}

/** Visibility answers in milliseconds; a list call that takes longer than this is answered with 503. */
const LIST_DEADLINE_MS = 10_000;

/** A request the operator API refuses, with the HTTP status and error type to answer (and fields to add to it). */
export class OperatorError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly type: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'OperatorError';
  }
}

/**
 * Refuses (409 `opted-out`, naming them) when any of the participants is opted out in the scope of `ourNumber`: an
 * operator must not text, or start a bot that texts, someone who said STOP.
 */
async function refuseOptedOut(
  deps: ConversationDeps,
  at: { ourNumber: string; applicationId?: string | undefined },
  participants: readonly string[],
): Promise<void> {
  const scope = scopeOf(deps.consent, at);
  const optedOut = await deps.records.optOuts.optedOut(scope, participants);
  if (optedOut.length === 0) return;
  throw new OperatorError(
    409,
    'opted-out',
    `Nothing was sent: ${optedOut.join(', ')} opted out of messages in ${scope}. They can text START to opt back ` +
      'in; an operator can remove the opt-out (DELETE /api/v1/opt-outs/{scope}/{contact}) only with their consent',
    { optedOut },
  );
}

const STATUS_NAMES: Record<number, ConversationSummary['status']> = {
  1: 'running',
  2: 'completed',
  3: 'failed',
  4: 'canceled',
  5: 'terminated',
  6: 'continued-as-new',
  7: 'timed-out',
};
const STATUS_BY_NAME: Record<string, ConversationSummary['status']> = {
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'canceled',
  TERMINATED: 'terminated',
  CONTINUED_AS_NEW: 'continued-as-new',
  TIMED_OUT: 'timed-out',
};

function isoOf(ts: Timestamp | null | undefined): string | null {
  if (!ts) return null;
  return new Date(Math.floor(timestampMs(ts))).toISOString();
}

/** Decodes a search attribute payload (json/plain, never encoded by codecs). */
function attribute(fields: Record<string, temporal.api.common.v1.IPayload> | null | undefined, name: string): unknown {
  const payload = fields?.[name];
  if (!payload?.data) return undefined;
  try {
    return JSON.parse(Buffer.from(payload.data).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

const asString = (v: unknown): string | null =>
  typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : null;
const asDateString = (v: unknown): string | null => {
  const s = asString(v);
  return s && !Number.isNaN(Date.parse(s)) ? new Date(s).toISOString() : null;
};

function summaryFromRaw(info: temporal.api.workflow.v1.IWorkflowExecutionInfo): ConversationSummary {
  const id = info.execution?.workflowId ?? '';
  const fields = info.searchAttributes?.indexedFields;
  const participants = attribute(fields, 'ThreadlineParticipants');
  return {
    conversationId: id,
    runId: info.execution?.runId ?? '',
    bot: info.type?.name ?? '',
    status: STATUS_NAMES[info.status ?? 0] ?? 'unknown',
    startTime: isoOf(info.startTime) ?? new Date(0).toISOString(),
    closeTime: isoOf(info.closeTime),
    ourNumber: asString(attribute(fields, 'ThreadlineOurNumber')) ?? parseConversationId(id)?.ourNumber ?? null,
    // Hashed numbers (THREADLINE_HASH_PHONES_IN_SEARCH) say nothing to an operator: the id has the numbers.
    participants:
      Array.isArray(participants) && !participants.some((p) => typeof p === 'string' && p.startsWith(PHONE_HASH_PREFIX))
        ? participants.filter((p): p is string => typeof p === 'string')
        : (parseConversationId(id)?.participants ?? []),
    state: asConversationState(attribute(fields, 'ThreadlineState')),
    lastActivity: asDateString(attribute(fields, 'ThreadlineLastActivity')),
  };
}

function summaryFromDescription(d: WorkflowExecutionDescription): ConversationSummary {
  return summaryFromRaw(d.raw.workflowExecutionInfo ?? {});
}

/** Starts a proactive conversation; refuses (409) when one is already running between these numbers. */
export async function startConversation(
  deps: ConversationDeps,
  body: StartConversationBody,
): Promise<{ conversationId: string; runId: string; bot: string; ourNumber: string; participants: string[] }> {
  const ourNumber = body.ourNumber ?? deps.defaults?.ourNumber;
  if (ourNumber === undefined)
    throw new OperatorError(400, 'invalid-request', 'ourNumber: name the number to text from');
  const participants = [...new Set(body.participants)].filter((p) => p !== ourNumber).sort();
  if (participants.length === 0) {
    throw new OperatorError(400, 'invalid-request', 'participants: name at least one number other than ourNumber');
  }
  const applicationId = body.applicationId ?? deps.defaults?.applicationId;
  const bot = body.bot ?? deps.routeBot({ ourNumber, applicationId });
  if (bot === null) {
    throw new OperatorError(400, 'no-bot', `No bot answers ${ourNumber}: name one in "bot" or route the number`);
  }
  if (deps.knownBots && !deps.knownBots.includes(bot)) {
    throw new OperatorError(400, 'no-bot', `There is no bot named ${bot}; the bots are ${deps.knownBots.join(', ')}`);
  }
  await refuseOptedOut(deps, { ourNumber, applicationId }, participants);
  const workflowId = conversationId({ ourNumber, participants });
  const start: ConversationStart = {
    ourNumber,
    participants,
    ...(applicationId ? { applicationId } : {}),
    ...(body.opening ? { opening: body.opening } : {}),
    ...(body.params ? { params: body.params } : {}),
    consent: policyFor(deps.consent, { ourNumber, applicationId }),
    ...indexedParticipants(deps, participants),
  };
  try {
    const handle = await deps.temporal.workflow.start(bot, {
      workflowId,
      taskQueue: deps.taskQueue,
      args: [start],
      workflowIdConflictPolicy: 'FAIL',
      ...startMetadata(start, bot, 'operator'),
    });
    return { conversationId: workflowId, runId: handle.firstExecutionRunId, bot, ourNumber, participants };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new OperatorError(409, 'conversation-running', `A conversation ${workflowId} is already running`);
    }
    throw err;
  }
}

/** A Temporal page token as an opaque cursor: `<token>.<signature>`, both base64url. */
function encodeCursor(token: Uint8Array, secret: string): string {
  const signature = createHmac('sha256', secret).update(token).digest().subarray(0, 12);
  return `${Buffer.from(token).toString('base64url')}.${signature.toString('base64url')}`;
}

function decodeCursor(cursor: string, secret: string): Uint8Array {
  const [token, signature] = cursor.split('.');
  if (token && signature) {
    const bytes = Buffer.from(token, 'base64url');
    if (bytes.length > 0 && safeEqual(encodeCursor(bytes, secret), cursor)) return bytes;
  }
  throw new OperatorError(400, 'invalid-request', 'cursor: not a cursor this API returned; pass nextCursor unchanged');
}

const quoted = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Conversations matching the filters, newest first, one page at a time. */
export async function listConversations(
  deps: ConversationDeps,
  query: z.output<typeof ListConversationsQuerySchema>,
): Promise<{ conversations: ConversationSummary[]; nextCursor: string | null }> {
  const clauses = [`WorkflowId STARTS_WITH 'sms:'`];
  if (query.ourNumber) clauses.push(`ThreadlineOurNumber = ${quoted(query.ourNumber)}`);
  if (query.participant) {
    const indexed = deps.indexPhone ? deps.indexPhone(query.participant) : query.participant;
    clauses.push(`ThreadlineParticipants = ${quoted(indexed)}`);
  }
  if (query.state) clauses.push(`ThreadlineState = ${quoted(query.state)}`);
  if (query.status === 'running') clauses.push(`ExecutionStatus = 'Running'`);
  if (query.status === 'closed') clauses.push(`ExecutionStatus != 'Running'`);
  const secret = deps.cursorSecret ?? 'threadline';
  const nextPageToken = query.cursor ? decodeCursor(query.cursor, secret) : undefined;
  const response = await deps.temporal.connection.withDeadline(Date.now() + LIST_DEADLINE_MS, () =>
    deps.temporal.workflowService.listWorkflowExecutions({
      namespace: deps.temporal.options.namespace,
      query: clauses.join(' AND '),
      pageSize: query.limit,
      ...(nextPageToken ? { nextPageToken } : {}),
    }),
  );
  const token = response.nextPageToken;
  return {
    conversations: (response.executions ?? []).map(summaryFromRaw),
    nextCursor: token && token.length > 0 ? encodeCursor(token, secret) : null,
  };
}

/** One conversation with its transcript; null when neither Temporal nor the records know it. */
export async function getConversation(
  deps: ConversationDeps,
  id: string,
): Promise<z.output<typeof ConversationSchema> | null> {
  const ids = parseConversationId(id);
  if (!ids) return null;
  let description: WorkflowExecutionDescription | null = null;
  try {
    description = await deps.temporal.workflow.getHandle(id).describe();
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  const base = { conversationId: id, ourNumber: ids.ourNumber, participants: ids.participants };
  // The records are the bill's ledger (totals), and the transcript when the workflow cannot answer.
  const records = await deps.records.conversation(id);
  const answer = (workflow: ConversationSummary | null, transcript: TranscriptLine[], source: 'workflow' | 'records') =>
    ({
      ...base,
      workflow,
      transcript,
      transcriptSource: source,
      totals: conversationTotals(records, transcript),
    }) as const;
  if (description) {
    const workflow = summaryFromDescription(description);
    const handle = deps.temporal.workflow.getHandle(id, description.runId);
    try {
      const transcript = await deps.temporal.connection.withDeadline(Date.now() + (deps.queryTimeoutMs ?? 3_000), () =>
        handle.query(transcriptQuery),
      );
      return answer(workflow, transcript as TranscriptLine[], 'workflow');
    } catch {
      // No worker to answer (or the query failed): the records know every message too.
      return answer(workflow, transcriptFromRecords(records), 'records');
    }
  }
  if (records.length === 0) return null;
  return answer(null, transcriptFromRecords(records), 'records');
}

/**
 * Signals the conversation's running workflow.
 * @throws OperatorError 404 when there is no such conversation, 409 when it is no longer running
 */
export async function signalConversation<Args extends unknown[]>(
  deps: ConversationDeps,
  id: string,
  signal: SignalDefinition<Args>,
  ...args: Args
): Promise<{ conversationId: string; runId: string; accepted: true }> {
  const runId = await runningConversation(deps, id);
  return signalRun(id, runId, () => deps.temporal.workflow.getHandle(id, runId).signal(signal, ...args));
}

/**
 * Hands an operator's message to the running conversation, which sends it.
 * @throws OperatorError 404 when there is no such conversation, 409 when it is no longer running or a participant
 * is opted out in its scope (nothing is sent)
 */
export async function sendOperatorMessage(
  deps: ConversationDeps,
  id: string,
  message: z.output<typeof OperatorMessageBodySchema>,
): Promise<{ conversationId: string; runId: string; accepted: true }> {
  const runId = await runningConversation(deps, id);
  const ids = parseConversationId(id);
  if (ids) {
    // The conversation's application is not in its id: the configured one stands for it (one application per server).
    await refuseOptedOut(
      deps,
      { ourNumber: ids.ourNumber, applicationId: deps.defaults?.applicationId },
      ids.participants,
    );
  }
  return signalRun(id, runId, () => deps.temporal.workflow.getHandle(id, runId).signal(operatorMessageSignal, message));
}

async function signalRun(
  id: string,
  runId: string,
  signal: () => Promise<void>,
): Promise<{ conversationId: string; runId: string; accepted: true }> {
  try {
    await signal();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      throw new OperatorError(409, 'conversation-not-running', `The conversation ${id} has just ended`);
    }
    throw err;
  }
  return { conversationId: id, runId, accepted: true };
}

/**
 * The run id of the conversation's running workflow.
 * @throws OperatorError 404 when there is no such conversation, 409 when it is no longer running
 */
async function runningConversation(deps: ConversationDeps, id: string): Promise<string> {
  let description: WorkflowExecutionDescription;
  try {
    description = await deps.temporal.workflow.getHandle(id).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      throw new OperatorError(404, 'conversation-not-found', `There is no conversation ${id} in Temporal`);
    }
    throw err;
  }
  if (description.status.name !== 'RUNNING') {
    throw new OperatorError(
      409,
      'conversation-not-running',
      `The conversation ${id} is ${STATUS_BY_NAME[description.status.name] ?? 'not running'}`,
    );
  }
  return description.runId;
}

/** The indexed state, or null when absent or not one of today's values (a conversation from an older version). */
function asConversationState(value: unknown): ConversationState | null {
  return (CONVERSATION_STATES as readonly unknown[]).includes(value) ? (value as ConversationState) : null;
}
