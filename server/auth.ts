/**
 * Credential checks for the two doors into the server: Basic auth on callbacks (the credentials configured on the
 * Bandwidth application, `CALLBACK_USERNAME`/`CALLBACK_PASSWORD`) and a bearer token on the operator API
 * (`OPERATOR_TOKEN`). Comparisons take the same time whatever the input: both sides are hashed to equal-length
 * digests and compared with `crypto.timingSafeEqual`, so neither the content nor the length of a secret leaks.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/** Constant-time equality of two strings. */
export function safeEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The `user:password` of a Basic `Authorization` header, or null. */
function basicCredentials(header: string | undefined): { username: string; password: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Requires Basic auth with `expected` (401 with `WWW-Authenticate` otherwise); lets everything through when no
 * credentials are configured.
 */
export function requireBasicAuth(expected: { username: string; password: string } | undefined, onReject?: () => void) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!expected) return next();
    const given = basicCredentials(req.get('authorization'));
    // Both halves are always compared, so a wrong username takes as long as a wrong password.
    const userOk = safeEqual(given?.username ?? '', expected.username);
    const passOk = safeEqual(given?.password ?? '', expected.password);
    if (given && userOk && passOk) return next();
    onReject?.();
    res
      .status(401)
      .set('WWW-Authenticate', 'Basic realm="threadline-callbacks", charset="UTF-8"')
      .json({ type: 'unauthorized', description: 'Authentication Failed' });
  };
}

/** The token of a Bearer `Authorization` header, or undefined. */
export function bearerToken(req: Request): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
}

/** Requires `Authorization: Bearer <token>` (401 with `WWW-Authenticate` otherwise). */
export function requireBearerToken(token: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const given = bearerToken(req);
    if (given !== undefined && safeEqual(given, token)) return next();
    res
      .status(401)
      .set('WWW-Authenticate', given ? 'Bearer realm="threadline", error="invalid_token"' : 'Bearer realm="threadline"')
      .json({ type: 'unauthorized', description: 'Send the operator token as Authorization: Bearer <OPERATOR_TOKEN>' });
  };
}
