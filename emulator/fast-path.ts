/**
 * A lean HTTP front for the hottest request, `POST [/api/v2]/users/{accountId}/messages` with a JSON body: the same
 * authentication and create logic as the express route, without express's routing and body-parsing layers. Anything
 * unusual (another path or method, a non-JSON content type, an Accept header without JSON) falls through to express,
 * which answers with the full behaviour (405, 406, 415...). Used only by `Emulator.listen`; `Emulator.app` is the
 * complete API on its own.
 */
import type http from 'node:http';
import { type EmulatorContext } from './context';
import { acceptCreateMessage } from './create-message';

const CREATE_PATH = /^(?:\/api\/v2)?\/users\/([^/?#]+)\/messages\/?(?:\?.*)?$/;
const MAX_BODY = 1024 * 1024;

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

/** Handles the request and returns true, or returns false (having touched nothing) to let express handle it. */
export function handleFast(ctx: EmulatorContext, req: http.IncomingMessage, res: http.ServerResponse): boolean {
  if (req.method !== 'POST') return false;
  const match = CREATE_PATH.exec(req.url ?? '');
  if (!match) return false;
  const type = req.headers['content-type'];
  if (!type || !/^application\/json\s*(;|$)/i.test(type)) return false;
  const accept = req.headers.accept;
  if (accept !== undefined && !/(\*\/\*|application\/\*|application\/json)/i.test(accept)) return false;
  let accountId: string;
  try {
    accountId = decodeURIComponent(match[1] ?? '');
  } catch {
    return false;
  }

  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size > MAX_BODY) tooLarge = true;
    else chunks.push(c);
  });
  req.on('end', () => {
    void (async () => {
      try {
        const auth = await ctx.tokens.authenticate(req, accountId);
        if (!auth.ok) {
          send(
            res,
            auth.status,
            auth.status === 403
              ? { type: 'forbidden', description: 'Access Denied' }
              : { type: 'unauthorized', description: 'Authentication Failed' },
          );
          return;
        }
        if (tooLarge) {
          send(res, 400, {
            type: 'request-validation',
            description: 'Your request could not be accepted: the body is too large',
          });
          return;
        }
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          send(res, 400, {
            type: 'request-validation',
            description: 'Your request could not be accepted: the body is not valid JSON',
          });
          return;
        }
        const outcome = await acceptCreateMessage(ctx, auth.account, body);
        if ('withholdMs' in outcome) ctx.apiFaults.withhold(res, outcome.withholdMs);
        else send(res, outcome.status, outcome.body, outcome.headers);
      } catch (err) {
        ctx.logger.error({ err }, 'create message failed');
        if (!res.headersSent)
          send(res, 500, { type: 'internal-server-error', description: 'An internal error occurred' });
      }
    })();
  });
  return true;
}
