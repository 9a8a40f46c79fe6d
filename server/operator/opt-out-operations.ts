/**
 * The operator API's opt-out operations, on the ledger in the records database: list, look up, add, remove (an
 * opt-in that records who and why) and export. Every change made here is kept in the contact's history with the
 * operator's name and reason, like the STOPs and 4775 failures the ledger learns by itself.
 */
import { randomUUID } from 'node:crypto';
import { scopeOf } from '../consent';
import type { ConversationDeps } from './conversations';
import { OperatorError } from './conversations';
import { defineOperation, streamExport, type Operation } from './operation';
import {
  AddOptOutBodySchema,
  OptOutExportQuerySchema,
  OptOutListQuerySchema,
  OptOutLookupSchema,
  OptOutPageSchema,
  OptOutParamsSchema,
  RemoveOptOutQuerySchema,
} from './opt-out-schemas';
import { ErrorSchema } from './schemas';

export type OptOutApiDeps = Pick<ConversationDeps, 'records' | 'consent' | 'defaults'>;

const OPT_OUTS_PATH = '/api/v1/opt-outs';

/** Every opt-out operation, with its handler. */
export function optOutOperations(deps: OptOutApiDeps): Operation[] {
  const ledger = deps.records.optOuts;

  /** The configured scope of our default number, for an add that names no scope. */
  function defaultScope(): string {
    if (!deps.defaults) {
      throw new OperatorError(400, 'invalid-request', 'scope: name the scope; this server has no default number');
    }
    return scopeOf(deps.consent, deps.defaults);
  }

  async function lookup(scope: string, contact: string) {
    const { entry, history } = await ledger.lookup(scope, contact);
    return { scope, contact, optedOut: entry?.optedOut ?? false, entry, history };
  }

  return [
    defineOperation({
      operationId: 'listOptOuts',
      method: 'get',
      path: '/opt-outs',
      tag: 'opt-outs',
      summary: 'List opt-outs',
      description:
        'Every contact the ledger knows, per scope, with its state and the change that decided it, in (scope, ' +
        'contact) order. All filters given must match. Pass `nextCursor` back as `cursor`, with the same filters.',
      query: OptOutListQuerySchema,
      responses: { 200: { description: 'One page of entries', schema: OptOutPageSchema } },
      async handle({ query }) {
        return { status: 200, body: await ledger.list(query) };
      },
    }),
    defineOperation({
      operationId: 'getOptOut',
      method: 'get',
      path: '/opt-outs/{scope}/{contact}',
      tag: 'opt-outs',
      summary: "Look up a contact's consent in a scope, with its history",
      description: 'A contact the ledger has never heard of is not opted out: `optedOut: false`, `entry: null`.',
      params: OptOutParamsSchema,
      responses: { 200: { description: 'The state and every change, oldest first', schema: OptOutLookupSchema } },
      async handle({ params }) {
        return { status: 200, body: await lookup(params.scope, params.contact) };
      },
    }),
    defineOperation({
      operationId: 'addOptOut',
      method: 'post',
      path: '/opt-outs',
      tag: 'opt-outs',
      summary: 'Opt a contact out',
      description:
        'For an opt-out that reached you another way (a call, an email, a form). From now on nothing is sent to the ' +
        'contact in the scope: bots get `opted-out`, operator messages and proactive starts 409.',
      body: AddOptOutBodySchema,
      responses: {
        201: {
          description: 'Recorded; the contact is opted out',
          schema: OptOutLookupSchema,
          headers: { Location: { description: 'The contact in the ledger', schema: { type: 'string' } } },
        },
      },
      async handle({ body }, { log }) {
        const scope = body.scope ?? defaultScope();
        await ledger.record({
          id: `${body.source}:${randomUUID()}`,
          scope,
          contact: body.contact,
          action: 'opt-out',
          source: body.source,
          time: new Date().toISOString(),
          actor: body.operator,
          reason: body.reason,
        });
        log.info({ scope, operator: body.operator, source: body.source }, 'operator added an opt-out');
        return {
          status: 201,
          body: await lookup(scope, body.contact),
          headers: { Location: `${OPT_OUTS_PATH}/${encodeURIComponent(scope)}/${encodeURIComponent(body.contact)}` },
        };
      },
    }),
    defineOperation({
      operationId: 'removeOptOut',
      method: 'delete',
      path: '/opt-outs/{scope}/{contact}',
      tag: 'opt-outs',
      summary: 'Remove an opt-out',
      description:
        "Records an opt-in with the operator and the reason, which are required: only with the contact's own " +
        'consent (they can also text START themselves). The opt-out stays in the history.',
      params: OptOutParamsSchema,
      query: RemoveOptOutQuerySchema,
      responses: {
        200: { description: 'Recorded; the contact may be texted again', schema: OptOutLookupSchema },
        404: { description: 'The contact is not opted out in this scope', schema: ErrorSchema },
      },
      async handle({ params, query }, { log }) {
        const { scope, contact } = params;
        if (!(await ledger.lookup(scope, contact)).entry?.optedOut) {
          throw new OperatorError(404, 'not-opted-out', `${contact} is not opted out in ${scope}`);
        }
        await ledger.record({
          id: `${query.source}:${randomUUID()}`,
          scope,
          contact,
          action: 'opt-in',
          source: query.source,
          time: new Date().toISOString(),
          actor: query.operator,
          reason: query.reason,
        });
        log.info({ scope, operator: query.operator, source: query.source }, 'operator removed an opt-out');
        return { status: 200, body: await lookup(scope, contact) };
      },
    }),
    defineOperation({
      operationId: 'exportOptOuts',
      method: 'get',
      path: '/opt-outs/export',
      tag: 'opt-outs',
      summary: 'Export the opt-out ledger as JSON Lines or CSV',
      description:
        'Streamed, in (scope, contact) order: each entry with the change that decided it. JSON Lines: the listOptOuts ' +
        'entry shape. CSV: a header row (scope, contact, optedOut, since, then the last change).',
      query: OptOutExportQuerySchema,
      responses: {
        200: {
          description: 'The entries',
          streams: {
            'application/x-ndjson': 'One JSON entry per line (the listOptOuts entry shape)',
            'text/csv': 'A header row, then one row per entry',
          },
        },
      },
      async handle({ query }, ctx) {
        const { format, ...filter } = query;
        return streamExport(ctx, ledger.export(filter, format), { format, name: 'threadline-opt-outs' });
      },
    }),
  ];
}
