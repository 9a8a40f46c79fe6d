/**
 * What the phone page shows: a handset's messages, sent and received, each in its thread (the people on it besides
 * the handset: our numbers and other handsets), with the status of our messages and the error's name when one failed.
 * Read from the handsets' inboxes; the page gets the whole list once and then each changed message as it changes.
 */
import { describeErrorCode } from '../bandwidth/error-codes';
import { type EmulatorContext } from './context';
import { INBOX_SELECT, type InboxRow } from './handset-inbox';

/** A thread as the handset sees it: whom it talks to. */
export interface PhoneThread {
  /** The handset's own number. */
  handset: string;
  /** Our numbers on the thread (usually the bot's one number), sorted. */
  ourNumbers: string[];
  /** The other handsets on the thread (a group), sorted. */
  otherHandsets: string[];
}

/** Where a thread's conversation is shown (the Temporal Web UI), or nothing; given by whoever runs the emulator. */
export type ConversationLink = (thread: PhoneThread) => string | undefined;

/** The status the page shows: our messages move from queued to delivered or failed; everything else just arrived. */
export type PhoneStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed' | 'received';

export interface PhoneMessage {
  /** Stable per handset and message: the page replaces a message with the same id when it changes. */
  id: number;
  phone: string;
  messageId: string;
  /** `sent` by this handset, or `received` by it (from us, another handset in a group, or the toll-free network). */
  direction: 'sent' | 'received';
  from: string;
  to: string[];
  /** The thread's key: everyone on it but the handset, sorted and comma-separated. */
  threadId: string;
  thread: PhoneThread & { webUiUrl?: string };
  text: string;
  /** Attachments, as URLs the page can show (stored media through the admin API, other URLs as they are). */
  media: { url: string; name: string }[];
  time: string;
  status: PhoneStatus;
  errorCode?: number;
  /** The error's name from Bandwidth's table, e.g. `rejected-unallocated-to-number`. */
  errorName?: string;
  fromNetwork: boolean;
}

/** Every message of `phone`, oldest first. */
export function phoneMessages(ctx: EmulatorContext, phone: string): PhoneMessage[] {
  const rows = ctx.db.prepare(`${INBOX_SELECT} WHERE h.phone = ? ORDER BY h.id`).all(phone) as InboxRow[];
  return rows.map((r) => toPhoneMessage(ctx, r));
}

/** The messages of these (phone, message) pairs, oldest first (the changes a feed reported). */
export function changedMessages(ctx: EmulatorContext, changes: { phone: string; messageId: string }[]): PhoneMessage[] {
  if (changes.length === 0) return [];
  const statement = ctx.db.prepare(`${INBOX_SELECT} WHERE h.phone = ? AND h.message_id = ?`);
  const rows = changes.flatMap((c) => statement.all(c.phone, c.messageId) as InboxRow[]);
  return rows.sort((a, b) => a.id - b.id).map((r) => toPhoneMessage(ctx, r));
}

/** Splits everyone on a message but the handset into our numbers and other handsets. */
export function threadOf(ctx: EmulatorContext, handset: string, people: string[]): PhoneThread {
  const others = [...new Set(people)].filter((p) => p !== handset).sort();
  const ours = (tn: string) => ctx.directory.number(tn)?.applicationId !== undefined;
  return { handset, ourNumbers: others.filter(ours), otherHandsets: others.filter((p) => !ours(p)) };
}

function toPhoneMessage(ctx: EmulatorContext, r: InboxRow): PhoneMessage {
  const to = JSON.parse(r.to_json) as string[];
  const thread = threadOf(ctx, r.phone, [r.from_tn, ...to]);
  const webUiUrl = thread.ourNumbers.length > 0 ? ctx.conversationLink?.(thread) : undefined;
  const status = statusOf(r);
  const failed = status === 'failed' && r.error_code ? describeErrorCode(r.error_code) : undefined;
  return {
    id: r.id,
    phone: r.phone,
    messageId: r.message_id,
    direction: r.direction === 'sent' ? 'sent' : 'received',
    from: r.from_tn,
    to,
    threadId: [...thread.ourNumbers, ...thread.otherHandsets].sort().join(','),
    thread: webUiUrl ? { ...thread, webUiUrl } : thread,
    text: r.text ?? '',
    media: r.media_json ? (JSON.parse(r.media_json) as string[]).map((url) => viewable(ctx, url)) : [],
    time: new Date(r.time_ms).toISOString(),
    status,
    ...(failed ? { errorCode: failed.code, errorName: failed.name } : {}),
    fromNetwork: r.direction === 'network',
  };
}

function statusOf(r: InboxRow): PhoneStatus {
  if (r.direction === 'sent') return 'sent';
  if (r.direction !== 'out') return 'received';
  return (r.status ?? 'QUEUED').toLowerCase() as PhoneStatus;
}

const STORED_MEDIA = /\/users\/([^/]+)\/media\/(.+)$/;

/** Media stored here is shown through the admin API (the Media API wants the account's credentials). */
function viewable(ctx: EmulatorContext, url: string): { url: string; name: string } {
  const name = decodeURIComponent(url.split('/').pop() ?? '') || 'attachment';
  const base = ctx.publicUrl();
  const match = url.startsWith(base) ? STORED_MEDIA.exec(url.slice(base.length)) : null;
  if (!match) return { url, name };
  return { url: `/emulator/phone/media/${match[1]}/${match[2]}`, name };
}
