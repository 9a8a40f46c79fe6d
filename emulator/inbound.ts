/**
 * Simulated handsets texting our numbers (reference §3.3, §7): one `message-received` per number we own among the
 * recipients, each copy with its own message id and owner. Attached media is re-hosted the way Bandwidth does it,
 * under `/users/{accountId}/media/{messageId}/{index}/{filename}`, reachable only with the account's credentials.
 * A keyword texted to a toll-free number is also acted on by the network (see toll-free-network.ts).
 */
import { z } from 'zod';
import { E164Schema } from '../bandwidth/schemas';
import { segmentCount } from '../bandwidth/segments';
import { inboundEvent } from './callback-payloads';
import { type EmulatorContext } from './context';
import { carrierFor } from './delivery-plan';
import { newMessageId } from './ids';
import { type StoredMessage } from './message-store';
import { storeMedia } from './media-store';

const MediaItemSchema = z.union([
  z.string().min(1),
  z.object({
    filename: z.string().min(1).optional(),
    contentType: z.string().min(1).default('application/octet-stream'),
    /** Base64 bytes. */
    content: z.string(),
  }),
]);

export const HandsetMessageSchema = z
  .object({
    to: z.union([E164Schema, z.array(E164Schema).min(1)]).transform((v) => (Array.isArray(v) ? v : [v])),
    text: z.string().max(2048).optional(),
    media: z.array(MediaItemSchema).max(10).optional(),
  })
  .refine((m) => (m.text !== undefined && m.text !== '') || (m.media?.length ?? 0) > 0, {
    message: 'a message needs text or media',
    path: ['text'],
  });
export type HandsetMessage = z.input<typeof HandsetMessageSchema>;

export interface ResolvedMedia {
  filename: string;
  contentType: string;
  content: Buffer;
}

export class InboundError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'InboundError';
  }
}

/** Result of a handset send: the copies Bandwidth would deliver to our applications. */
export interface InboundResult {
  from: string;
  to: string[];
  messages: { id: string; owner: string; accountId: string; applicationId: string; media?: string[] }[];
  /** Recipients that are not Bandwidth numbers of ours (other handsets in a group). */
  otherRecipients: string[];
}

export async function sendFromHandset(ctx: EmulatorContext, phone: string, input: unknown): Promise<InboundResult> {
  const parsed = HandsetMessageSchema.safeParse(input);
  if (!parsed.success) {
    throw new InboundError(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  }
  const { to, text, media } = parsed.data;
  if (new Set(to).size !== to.length) throw new InboundError('to: duplicate numbers');
  const resolved = media ? await Promise.all(media.map((m, i) => resolveMedia(ctx, m, i))) : [];
  const now = ctx.clock.now();
  const owned = to.filter((tn) => ctx.directory.number(tn)?.applicationId !== undefined);
  if (owned.length === 0) {
    throw new InboundError(`none of ${to.join(', ')} is a Bandwidth number assigned to an application`, 404);
  }
  const result: InboundResult = {
    from: phone,
    to,
    messages: [],
    otherRecipients: to.filter((t) => !owned.includes(t)),
  };
  const isMms = resolved.length > 0 || to.length > 1;
  const delay = ctx.settings().timing.inboundDelayMs;
  ctx.db.transaction(() => {
    for (const [i, tn] of owned.entries()) {
      const number = ctx.directory.number(tn);
      const app = number?.applicationId ? ctx.directory.application(number.applicationId) : undefined;
      const account = number ? ctx.directory.account(number.accountId) : undefined;
      if (!number || !app || !account) continue;
      const id = newMessageId(now + i);
      const mediaUrls = resolved.map((m, index) => {
        const mediaId = `${id}/${index}/${m.filename}`;
        storeMedia(ctx, account.id, mediaId, m.content, m.contentType, undefined);
        return `${ctx.publicUrl()}/api/v2/users/${account.id}/media/${mediaId}`;
      });
      const message: StoredMessage = {
        id,
        accountId: account.id,
        applicationId: app.id,
        direction: 'in',
        from: phone,
        to,
        owner: tn,
        timeMs: now,
        segmentCount: segmentCount({ text, media: mediaUrls, to }),
        messageType: isMms ? 'mms' : 'sms',
        media: mediaUrls.length > 0 ? mediaUrls : undefined,
        messageLength: text ? [...text].length : 0,
        messageSize: Buffer.byteLength(text ?? '') + resolved.reduce((n, m) => n + m.content.length, 0),
        product: number.product,
      };
      ctx.engine.messages.insert(message, [tn], 'RECEIVED');
      const carrierName = account.features.carrierName ? carrierFor(phone, ctx.directory.behavior(phone)) : undefined;
      ctx.engine.enqueueInbound(
        app,
        [inboundEvent(message, text ?? '', { atMs: now + delay, carrierName })],
        now + delay,
      );
      result.messages.push({ id, owner: tn, accountId: account.id, applicationId: app.id, media: message.media });
      // The toll-free network acts on STOP/START/UNSTOP itself; the message reaches the application all the same.
      const reply = ctx.engine.tollFree.handleInbound(
        { number, phone, text, messageId: id, atMs: now },
        ctx.settings().tollFree,
      );
      if (reply) ctx.engine.feed.touch(reply.to, reply.messageId);
    }
    // Other handsets in the group receive the message too, with its media.
    const copy = { messageId: result.messages[0]?.id ?? '', from: phone, to, text: text ?? null, timeMs: now };
    const media = result.messages[0]?.media ?? null;
    for (const other of result.otherRecipients) {
      ctx.engine.addToInbox({ ...copy, phone: other, direction: 'peer', media });
    }
    // The sender keeps what it sent (the phone page shows it; the handset API lists only what a phone received).
    ctx.engine.addToInbox({ ...copy, phone, direction: 'sent', media });
  })();
  for (const tn of [phone, ...result.otherRecipients]) ctx.engine.feed.touch(tn, result.messages[0]?.id ?? '');
  return result;
}

async function resolveMedia(
  ctx: EmulatorContext,
  item: z.infer<typeof MediaItemSchema>,
  index: number,
): Promise<ResolvedMedia> {
  if (typeof item !== 'string') {
    return {
      filename: safeName(item.filename ?? `attachment-${index}${extensionFor(item.contentType)}`),
      contentType: item.contentType,
      content: Buffer.from(item.content, 'base64'),
    };
  }
  const dataUrl = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(item);
  if (dataUrl) {
    const contentType = dataUrl[1] ?? 'text/plain';
    const content = dataUrl[2]
      ? Buffer.from(dataUrl[3] ?? '', 'base64')
      : Buffer.from(decodeURIComponent(dataUrl[3] ?? ''));
    return { filename: `attachment-${index}${extensionFor(contentType)}`, contentType, content };
  }
  let url: URL;
  try {
    url = new URL(item);
  } catch {
    throw new InboundError(`media[${index}]: not a URL, data: URL or {contentType, content} object`);
  }
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new InboundError(`media[${index}]: ${url.href} answered ${res.status}`);
    const contentType = res.headers.get('content-type')?.split(';')[0] ?? 'application/octet-stream';
    const disposition = /filename="?([^";]+)"?/.exec(res.headers.get('content-disposition') ?? '');
    const last = decodeURIComponent(url.pathname.split('/').pop() ?? '');
    return {
      filename: safeName(disposition?.[1] ?? (last || `attachment-${index}${extensionFor(contentType)}`)),
      contentType,
      content: Buffer.from(await res.arrayBuffer()),
    };
  } catch (err) {
    if (err instanceof InboundError) throw err;
    ctx.logger.debug({ err }, 'inbound media fetch failed');
    throw new InboundError(`media[${index}]: could not download ${url.href}`);
  }
}

function safeName(name: string): string {
  return name.replace(/[/\\?#%]/g, '_').slice(0, 200) || 'attachment';
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/gif': '.gif',
  'text/plain': '.txt',
  'video/mp4': '.mp4',
  'audio/mpeg': '.mp3',
  'application/pdf': '.pdf',
};

function extensionFor(contentType: string): string {
  return EXTENSIONS[contentType] ?? '';
}
