import { type Db } from './database';

export type Direction = 'in' | 'out';
export type MessageType = 'sms' | 'mms';
/** Per-recipient state, in the search API's vocabulary (`messageStatus`). */
export type RecipientStatus = 'RECEIVED' | 'QUEUED' | 'SENDING' | 'SENT' | 'DELIVERED' | 'FAILED';

/** Message metadata as kept for search and callbacks. Never the text: Bandwidth stores none. */
export interface StoredMessage {
  id: string;
  accountId: string;
  applicationId: string;
  direction: Direction;
  from: string;
  to: string[];
  owner: string;
  timeMs: number;
  segmentCount: number;
  messageType: MessageType;
  tag?: string;
  priority?: 'default' | 'high';
  expiration?: string;
  media?: string[];
  /** Characters of text. */
  messageLength: number;
  /** Bytes of text plus media URLs (an approximation of "content and headers"). */
  messageSize: number;
  /** Messaging product of our number (`ProductTypeEnum`), for search. */
  product?: string;
}

export interface RecipientRow {
  messageId: string;
  tn: string;
  accountId: string;
  status: RecipientStatus;
  errorCode: number;
  carrierName: string | null;
  terminal: boolean;
  updatedMs: number;
}

export interface MessageRow {
  id: string;
  account_id: string;
  application_id: string;
  direction: Direction;
  from_tn: string;
  to_json: string;
  owner: string;
  time_ms: number;
  segment_count: number;
  message_type: MessageType;
  tag: string | null;
  priority: 'default' | 'high' | null;
  expiration: string | null;
  media_json: string | null;
  message_length: number;
  message_size: number;
  product: string | null;
}

export function rowToMessage(r: MessageRow): StoredMessage {
  return {
    id: r.id,
    accountId: r.account_id,
    applicationId: r.application_id,
    direction: r.direction,
    from: r.from_tn,
    to: JSON.parse(r.to_json) as string[],
    owner: r.owner,
    timeMs: r.time_ms,
    segmentCount: r.segment_count,
    messageType: r.message_type,
    tag: r.tag ?? undefined,
    priority: r.priority ?? undefined,
    expiration: r.expiration ?? undefined,
    media: r.media_json ? (JSON.parse(r.media_json) as string[]) : undefined,
    messageLength: r.message_length,
    messageSize: r.message_size,
    product: r.product ?? undefined,
  };
}

/** Message metadata and per-recipient state in SQLite, with a small cache of recently used messages. */
export class MessageStore {
  private readonly cache = new Map<string, StoredMessage>();
  private readonly insertMessageStmt;
  private readonly insertRecipientStmt;
  private readonly getMessageStmt;
  private readonly getRecipientStmt;
  private readonly advanceRecipientStmt;
  private readonly recipientsStmt;

  constructor(readonly db: Db) {
    this.insertMessageStmt = db.prepare(
      `INSERT INTO messages (id, account_id, application_id, direction, from_tn, to_json, owner, time_ms, segment_count,
         message_type, tag, priority, expiration, media_json, message_length, message_size, product)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertRecipientStmt = db.prepare(
      `INSERT INTO recipients (message_id, tn, account_id, status, error_code, carrier_name, terminal, updated_ms)
       VALUES (?, ?, ?, ?, 0, NULL, 0, ?)`,
    );
    this.getMessageStmt = db.prepare('SELECT * FROM messages WHERE id = ?');
    this.getRecipientStmt = db.prepare('SELECT * FROM recipients WHERE message_id = ? AND tn = ?');
    this.advanceRecipientStmt = db.prepare(
      `UPDATE recipients SET status = ?, error_code = ?, carrier_name = COALESCE(?, carrier_name), terminal = ?,
         updated_ms = ? WHERE message_id = ? AND tn = ? AND terminal = 0`,
    );
    this.recipientsStmt = db.prepare('SELECT * FROM recipients WHERE message_id = ? ORDER BY rowid');
  }

  /** Stores a message and one recipient row per `recipientTns` entry, all in `status`. */
  insert(message: StoredMessage, recipientTns: string[], status: RecipientStatus): void {
    this.insertMessageStmt.run(
      message.id,
      message.accountId,
      message.applicationId,
      message.direction,
      message.from,
      JSON.stringify(message.to),
      message.owner,
      message.timeMs,
      message.segmentCount,
      message.messageType,
      message.tag ?? null,
      message.priority ?? null,
      message.expiration ?? null,
      message.media ? JSON.stringify(message.media) : null,
      message.messageLength,
      message.messageSize,
      message.product ?? null,
    );
    for (const tn of recipientTns)
      this.insertRecipientStmt.run(message.id, tn, message.accountId, status, message.timeMs);
    this.remember(message);
  }

  get(id: string): StoredMessage | undefined {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const row = this.getMessageStmt.get(id) as MessageRow | undefined;
    if (!row) return undefined;
    const message = rowToMessage(row);
    this.remember(message);
    return message;
  }

  recipient(messageId: string, tn: string): RecipientRow | undefined {
    const r = this.getRecipientStmt.get(messageId, tn) as RawRecipient | undefined;
    return r ? toRecipient(r) : undefined;
  }

  recipients(messageId: string): RecipientRow[] {
    return (this.recipientsStmt.all(messageId) as RawRecipient[]).map(toRecipient);
  }

  /**
   * Moves a recipient that has not reached a terminal state to `change`; false (nothing changed) when there is no
   * such recipient or it already had its terminal event. One statement: the status events' hot path.
   */
  advanceRecipient(
    messageId: string,
    tn: string,
    change: { status: RecipientStatus; errorCode?: number; carrierName?: string; terminal: boolean; atMs: number },
  ): boolean {
    const { changes } = this.advanceRecipientStmt.run(
      change.status,
      change.errorCode ?? 0,
      change.carrierName ?? null,
      change.terminal ? 1 : 0,
      change.atMs,
      messageId,
      tn,
    );
    return changes > 0;
  }

  /** Drops cached messages (after rows were deleted underneath). */
  clearCache(): void {
    this.cache.clear();
  }

  private remember(message: StoredMessage): void {
    if (this.cache.size > 5000) this.cache.clear();
    this.cache.set(message.id, message);
  }
}

interface RawRecipient {
  message_id: string;
  tn: string;
  account_id: string;
  status: RecipientStatus;
  error_code: number;
  carrier_name: string | null;
  terminal: number;
  updated_ms: number;
}

function toRecipient(r: RawRecipient): RecipientRow {
  return {
    messageId: r.message_id,
    tn: r.tn,
    accountId: r.account_id,
    status: r.status,
    errorCode: r.error_code,
    carrierName: r.carrier_name,
    terminal: r.terminal === 1,
    updatedMs: r.updated_ms,
  };
}
