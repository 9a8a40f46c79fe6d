/**
 * `threadline conversations list|show|transcript`: the operator API (server/operator/api.ts) from a terminal. It talks
 * to the webhook server at `--server-url` (default THREADLINE_SERVER_URL, else PUBLIC_URL, else
 * http://127.0.0.1:PORT) with OPERATOR_TOKEN (on the local emulator, the development token when it is unset).
 */
import { loadConfig } from '../config/env';
import type { ConversationListSchema, ConversationSchema } from '../server/operator/schemas';
import type { z } from 'zod';
import { CliError } from './cli-error';

export interface OperatorClientOptions {
  serverUrl?: string;
  token?: string;
}

export interface ListOptions extends OperatorClientOptions {
  ourNumber?: string;
  participant?: string;
  state?: string;
  status?: string;
  limit?: string;
  cursor?: string;
  json?: boolean;
}

type ConversationList = z.infer<typeof ConversationListSchema>;
type Conversation = z.infer<typeof ConversationSchema>;

/** GET `path` on the operator API; an error answer becomes a {@link CliError} carrying the API's description. */
async function operatorGet<T>(options: OperatorClientOptions, path: string): Promise<T> {
  const config = loadConfig();
  const base = (options.serverUrl ?? process.env.THREADLINE_SERVER_URL ?? config.server.publicUrl).replace(/\/+$/, '');
  const token = options.token ?? config.operator?.token;
  if (!token) throw new CliError('OPERATOR_TOKEN: set the operator API token (or pass --token)');
  const url = `${base}/api/v1${path}`;
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } }).catch((err: unknown) => {
    throw new CliError(`cannot reach the operator API at ${base} (${String(err)}): is the webhook server running?`);
  });
  const body = (await response.json().catch(() => null)) as { type?: string; description?: string } | null;
  if (!response.ok) {
    throw new CliError(`${response.status} ${body?.type ?? ''}: ${body?.description ?? response.statusText}`);
  }
  return body as T;
}

/** Lists conversations, one line each (or the API's JSON with `--json`). */
export async function listConversations(options: ListOptions, print: (line: string) => void): Promise<void> {
  const query = new URLSearchParams();
  const filters = {
    ourNumber: options.ourNumber,
    participant: options.participant,
    state: options.state,
    status: options.status,
    limit: options.limit,
    cursor: options.cursor,
  };
  for (const [key, value] of Object.entries(filters)) if (value !== undefined) query.set(key, value);
  const list = await operatorGet<ConversationList>(options, `/conversations?${query.toString()}`);
  if (options.json) {
    print(JSON.stringify(list, null, 2));
    return;
  }
  for (const c of list.conversations) {
    print(
      [c.conversationId, c.bot, c.status, c.state ?? '-', c.participants.join(','), c.lastActivity ?? c.startTime].join(
        '  ',
      ),
    );
  }
  if (list.nextCursor) print(`(more: --cursor ${list.nextCursor})`);
}

function getConversation(id: string, options: OperatorClientOptions): Promise<Conversation> {
  return operatorGet<Conversation>(options, `/conversations/${encodeURIComponent(id)}`);
}

/** Prints one conversation as the operator API returns it (JSON). */
export async function showConversation(
  id: string,
  options: OperatorClientOptions,
  print: (line: string) => void,
): Promise<void> {
  print(JSON.stringify(await getConversation(id, options), null, 2));
}

/** Prints a conversation's transcript, one message a line: time, direction, sender, text, status. */
export async function printTranscript(
  id: string,
  options: OperatorClientOptions & { json?: boolean },
  print: (line: string) => void,
): Promise<void> {
  const conversation = await getConversation(id, options);
  if (options.json) {
    print(JSON.stringify(conversation.transcript, null, 2));
    return;
  }
  for (const line of conversation.transcript) {
    const media = line.media.length > 0 ? ` [${line.media.length} media]` : '';
    print(
      `${line.time}  ${line.direction === 'in' ? '<-' : '->'} ${line.from}: ${line.text}${media}  (${line.status})`,
    );
  }
}
