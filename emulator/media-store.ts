/**
 * The Media API's storage (reference §2.3, §5): per account, ids that may contain `/`, overwrite on re-upload,
 * bytes returned exactly as uploaded with their content type, retention of 48 hours (emulated), 1000 items per list
 * page with an opaque `Continuation-Token`.
 */
import { type EmulatorContext } from './context';

export const MEDIA_PAGE_SIZE = 1000;

export interface MediaObject {
  mediaId: string;
  contentType: string;
  cacheControl: string | null;
  content: Buffer;
  size: number;
  uploadedMs: number;
}

/** Stores (or overwrites) a media file. */
export function storeMedia(
  ctx: EmulatorContext,
  accountId: string,
  mediaId: string,
  content: Buffer,
  contentType: string,
  cacheControl: string | undefined,
): void {
  const now = ctx.clock.now();
  const expires = now + ctx.settings().media.retentionHours * 3600 * 1000;
  ctx.db
    .prepare(
      `INSERT INTO media (account_id, media_id, content_type, cache_control, content, size, uploaded_ms, expires_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(account_id, media_id) DO UPDATE SET content_type = excluded.content_type,
         cache_control = excluded.cache_control, content = excluded.content, size = excluded.size,
         uploaded_ms = excluded.uploaded_ms, expires_ms = excluded.expires_ms`,
    )
    .run(accountId, mediaId, contentType, cacheControl ?? null, content, content.length, now, expires);
}

/** A stored, unexpired media file. */
export function getMedia(ctx: EmulatorContext, accountId: string, mediaId: string): MediaObject | undefined {
  const row = ctx.db
    .prepare('SELECT * FROM media WHERE account_id = ? AND media_id = ? AND expires_ms > ?')
    .get(accountId, mediaId, ctx.clock.now()) as MediaRow | undefined;
  return row ? toObject(row) : undefined;
}

/** Deletes a media file; deleting an absent file is not an error (§13). */
export function deleteMedia(ctx: EmulatorContext, accountId: string, mediaId: string): void {
  ctx.db.prepare('DELETE FROM media WHERE account_id = ? AND media_id = ?').run(accountId, mediaId);
}

/** One page of an account's media in name order, and the token for the next page if there is one. */
export function listMedia(
  ctx: EmulatorContext,
  accountId: string,
  continuationToken: string | undefined,
  pageSize = MEDIA_PAGE_SIZE,
): { items: { mediaId: string; size: number }[]; next?: string } {
  purgeExpiredMedia(ctx);
  const after = continuationToken ? decodeToken(continuationToken) : '';
  const rows = ctx.db
    .prepare(
      'SELECT media_id, size FROM media WHERE account_id = ? AND media_id > ? AND expires_ms > ? ORDER BY media_id LIMIT ?',
    )
    .all(accountId, after, ctx.clock.now(), pageSize + 1) as { media_id: string; size: number }[];
  const page = rows.slice(0, pageSize).map((r) => ({ mediaId: r.media_id, size: r.size }));
  const last = page[page.length - 1];
  return { items: page, next: rows.length > pageSize && last ? encodeToken(last.mediaId) : undefined };
}

/** Removes media past its retention. */
export function purgeExpiredMedia(ctx: EmulatorContext): number {
  return ctx.db.prepare('DELETE FROM media WHERE expires_ms <= ?').run(ctx.clock.now()).changes;
}

export function encodeToken(after: string): string {
  return Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');
}

/** Decodes a continuation token; an unreadable token is treated as the start. */
export function decodeToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    return typeof parsed.after === 'string' ? parsed.after : '';
  } catch {
    return '';
  }
}

interface MediaRow {
  media_id: string;
  content_type: string;
  cache_control: string | null;
  content: Buffer;
  size: number;
  uploaded_ms: number;
}

function toObject(r: MediaRow): MediaObject {
  return {
    mediaId: r.media_id,
    contentType: r.content_type,
    cacheControl: r.cache_control,
    content: r.content,
    size: r.size,
    uploadedMs: r.uploaded_ms,
  };
}
