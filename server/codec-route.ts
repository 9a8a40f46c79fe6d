/**
 * The codec server, under `/codec` on the webhook server when payloads are encrypted (`THREADLINE_PAYLOAD_KEYS`): the
 * Temporal Web UI and `temporal` CLI send it a workflow's encrypted payloads and show what it answers, so operators
 * still read conversations. It speaks Temporal's codec server protocol: `POST /codec/encode` and `POST /codec/decode`
 * take and return `{"payloads": [...]}`, each payload in protobuf's JSON form (metadata values and data in base64).
 *
 * Who may call it (docs/operations.md, "Encrypted payloads"):
 * - `Authorization: Bearer <OPERATOR_TOKEN>` (scripts, `temporal --codec-endpoint … --codec-auth 'Bearer …'`);
 * - a browser signed in at `GET /codec/session` (a form that takes the operator token and sets an HttpOnly cookie for
 *   12 hours), with the Web UI's codec setting "Include cross-origin credentials" on: the UI then sends the cookie;
 * - anyone, in development mode only (no `OPERATOR_TOKEN`, on the local emulator), where the operator API accepts a
 *   published token anyway.
 * CORS answers only the Web UI origins configured (`THREADLINE_CODEC_CORS_ORIGINS`), with credentials allowed.
 */
import { createHmac } from 'node:crypto';
import type { PayloadCodec } from '@temporalio/common';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CODEC_PREFIX } from '../temporal/data-converter';
import { PayloadDecryptionError } from '../temporal/payload-codec';
import { bearerToken, safeEqual } from './auth';

/** The session cookie a browser signed in at `/codec/session` sends. */
export const CODEC_COOKIE = 'threadline_codec';
const SESSION_SECONDS = 12 * 60 * 60;

export interface CodecRouteDeps {
  codec: PayloadCodec;
  /** The operator token; `null` in development mode: the codec server then asks for no credentials. */
  token: string | null;
  /** Web UI origins allowed to call it from a browser. */
  corsOrigins: readonly string[];
  logger: Logger;
  /** Largest request body (default 4 MB: a history page's payloads). */
  bodyLimit?: string;
}

const Base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');
const PayloadsBodySchema = z.object({
  payloads: z.array(
    z.object({
      metadata: z.record(z.string(), Base64).nullish(),
      data: Base64.nullish(),
    }),
  ),
});
type JsonPayload = z.infer<typeof PayloadsBodySchema>['payloads'][number];

const fromJson = (p: JsonPayload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/** A session cookie's value: its expiry and an HMAC of it keyed by the operator token (no token in the cookie). */
function sessionValue(token: string, expires: number): string {
  const mac = createHmac('sha256', token).update(`threadline codec session ${expires}`).digest('base64url');
  return `${expires}.${mac}`;
}

function validSession(token: string, value: string | undefined): boolean {
  const expires = Number(value?.split('.')[0]);
  if (!value || !Number.isInteger(expires) || expires * 1000 < Date.now()) return false;
  return safeEqual(value, sessionValue(token, expires));
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

const page = (body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>Threadline codec</title></head><body>${body}</body></html>`;

export function codecRouter(deps: CodecRouteDeps): Router {
  const router = express.Router();
  const allowed = new Set(deps.corsOrigins);

  // CORS: the Web UI calls from its own origin. Preflights (JSON bodies, Authorization) are answered here.
  router.use((req: Request, res: Response, next: NextFunction) => {
    const origin = req.get('origin');
    if (origin !== undefined && allowed.has(origin)) {
      res.vary('Origin');
      res.set({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Content-Type, X-Namespace, Authorization, Authorization-Extras',
        'Access-Control-Max-Age': '600',
      });
      // Chrome asks before a public page (e.g. Temporal Cloud's UI) calls a server on a private network.
      if (req.get('access-control-request-private-network') === 'true') {
        res.set('Access-Control-Allow-Private-Network', 'true');
      }
    }
    if (req.method !== 'OPTIONS') return next();
    if (origin !== undefined && !allowed.has(origin)) {
      res.status(403).json({
        type: 'forbidden-origin',
        description: `${origin} may not call the codec server; add it to THREADLINE_CODEC_CORS_ORIGINS`,
      });
      return;
    }
    res.status(204).end();
  });

  // Signing a browser in, for the Web UI's "Include cross-origin credentials".
  router.get('/session', (_req, res) => {
    res
      .type('html')
      .send(
        page(
          deps.token === null
            ? '<p>Development mode: the codec server needs no sign-in.</p>'
            : '<form method="post"><label>Operator token <input name="token" type="password" autocomplete="off"></label> ' +
                '<button type="submit">Sign in</button></form>',
        ),
      );
  });
  router.post('/session', express.urlencoded({ extended: false, limit: '4kb' }), (req, res) => {
    const token: unknown = (req.body as Record<string, unknown> | undefined)?.token;
    const given = typeof token === 'string' ? token : '';
    if (deps.token === null || !safeEqual(given, deps.token)) {
      res.status(401).type('html').send(page('<p>Wrong operator token.</p><p><a href="session">Try again</a></p>'));
      return;
    }
    const expires = Math.floor(Date.now() / 1000) + SESSION_SECONDS;
    // Cross-site UIs need SameSite=None, which browsers accept only on Secure (HTTPS) cookies.
    const secure = req.secure || req.get('x-forwarded-proto') === 'https';
    res.cookie(CODEC_COOKIE, sessionValue(deps.token, expires), {
      httpOnly: true,
      path: CODEC_PREFIX,
      maxAge: SESSION_SECONDS * 1000,
      sameSite: secure ? 'none' : 'lax',
      secure,
    });
    res.type('html').send(page('<p>Signed in: the Temporal Web UI can decode payloads for 12 hours.</p>'));
  });

  const authorized = (req: Request, res: Response, next: NextFunction) => {
    if (deps.token === null) return next();
    const bearer = bearerToken(req);
    if (bearer !== undefined && safeEqual(bearer, deps.token)) return next();
    const origin = req.get('origin');
    const fromAllowedPage = origin === undefined || allowed.has(origin);
    if (fromAllowedPage && validSession(deps.token, cookie(req, CODEC_COOKIE))) return next();
    res
      .status(401)
      .set('WWW-Authenticate', 'Bearer realm="threadline-codec"')
      .json({
        type: 'unauthorized',
        description:
          'Send the operator token as Authorization: Bearer <OPERATOR_TOKEN>, or sign in at /codec/session and turn ' +
          'on "Include cross-origin credentials" in the Web UI codec settings',
      });
  };

  const json = express.json({ limit: deps.bodyLimit ?? '4mb' });
  for (const direction of ['encode', 'decode'] as const) {
    router.post(`/${direction}`, authorized, json, async (req: Request, res: Response, next: NextFunction) => {
      const parsed = PayloadsBodySchema.safeParse(req.body);
      if (!parsed.success) {
        res.status(400).json({
          type: 'invalid-request',
          description: `expected {"payloads": [{"metadata": {...}, "data": "<base64>"}]}: ${parsed.error.issues
            .map((i) => `${i.path.join('.')}: ${i.message}`)
            .join('; ')}`,
        });
        return;
      }
      try {
        const payloads = await deps.codec[direction](parsed.data.payloads.map(fromJson));
        res.json({ payloads: payloads.map(toJson) });
      } catch (err) {
        if (!(err instanceof PayloadDecryptionError)) return next(err);
        deps.logger.warn({ reason: err.message }, 'the codec server could not decode a payload');
        res.status(422).json({ type: 'cannot-decode', description: err.message });
      }
    });
  }
  // A body that is not JSON, or too large: the body parser's 4xx, said the API's way.
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = (err as { status?: unknown }).status;
    if (typeof status !== 'number' || status < 400 || status >= 500) return next(err);
    res.status(status).json({ type: 'invalid-request', description: (err as Error).message });
  });
  return router;
}
