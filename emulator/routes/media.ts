/**
 * The Media API (reference §2.3): `GET /users/{accountId}/media` (list, 1000 per page, `Continuation-Token`),
 * `PUT|GET|DELETE /users/{accountId}/media/{mediaId}`. Media ids may contain slashes, sent literally or as `%2F`
 * (the Node SDK encodes them, other SDKs do not).
 */
import express, { type Request, type Router } from 'express';
import { type EmulatorContext } from '../context';
import { sendError } from '../http-errors';
import { deleteMedia, getMedia, listMedia, storeMedia } from '../media-store';
import { accountOf, methodNotAllowed, requireAccount, requireJsonAccept } from './require-account';

/** Upload content types the spec lists for `uploadMedia`. */
export const MEDIA_TYPES = new Set(
  [
    'application/json application/ogg application/pdf application/rtf application/zip application/x-tar',
    'application/xml application/gzip application/x-bzip2 application/x-gzip application/smil application/javascript',
    'audio/mp4 audio/mpeg audio/ogg audio/flac audio/webm audio/wav audio/amr audio/3gpp',
    'image/bmp image/gif image/heic image/heif image/jpeg image/pjpeg image/png image/svg+xml image/tiff image/webp',
    'image/x-icon text/css text/csv text/calendar text/html text/plain text/javascript text/vcard text/vnd.wap.wml',
    'text/xml video/avi video/mp4 video/mpeg video/ogg video/quicktime video/webm video/x-ms-wmv video/x-flv',
  ]
    .join(' ')
    .split(' '),
);

function mediaIdOf(req: Request): string {
  const raw = (req.params as Record<string, string | string[]>).mediaId;
  return Array.isArray(raw) ? raw.join('/') : String(raw);
}

export function mediaRouter(ctx: EmulatorContext): Router {
  const router = express.Router();
  const auth = requireAccount(ctx);
  const list = '/users/:accountId/media';
  const item = '/users/:accountId/media/*mediaId';

  router.get(list, auth, requireJsonAccept, (req, res) => {
    const account = accountOf(res);
    const token = req.header('Continuation-Token') ?? undefined;
    const page = listMedia(ctx, account.id, token);
    if (page.next) res.setHeader('Continuation-Token', page.next);
    res.json(
      page.items.map((m) => ({
        content: `${ctx.publicUrl()}/api/v2/users/${account.id}/media/${m.mediaId}`,
        contentLength: m.size,
        mediaName: m.mediaId,
      })),
    );
  });
  router.all(list, methodNotAllowed(['GET']));

  router.get(item, auth, (req, res) => {
    const media = getMedia(ctx, accountOf(res).id, mediaIdOf(req));
    if (!media) {
      sendError(res, 404, 'not-found', `Media '${mediaIdOf(req)}' was not found`);
      return;
    }
    res.setHeader('Content-Type', media.contentType);
    if (media.cacheControl) res.setHeader('Cache-Control', media.cacheControl);
    res.status(200).end(media.content);
  });

  router.put(item, auth, express.raw({ type: () => true, limit: '64mb' }), (req, res) => {
    const account = accountOf(res);
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!MEDIA_TYPES.has(contentType)) {
      sendError(
        res,
        415,
        'unsupported-media-type',
        contentType
          ? `Content type '${contentType}' is not a supported media type`
          : 'A Content-Type header is required',
      );
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const max = ctx.settings().media.maxBytes;
    if (body.length > max) {
      sendError(
        res,
        400,
        'request-validation',
        `The media file is ${body.length} bytes; the limit is ${max} bytes (3.75 MB)`,
      );
      return;
    }
    storeMedia(ctx, account.id, mediaIdOf(req), body, contentType, req.header('Cache-Control') ?? undefined);
    res.status(204).end();
  });

  router.delete(item, auth, (req, res) => {
    deleteMedia(ctx, accountOf(res).id, mediaIdOf(req));
    res.status(204).end();
  });
  router.all(item, methodNotAllowed(['GET', 'PUT', 'DELETE']));
  return router;
}
