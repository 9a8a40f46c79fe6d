/**
 * API authentication as Bandwidth does it (reference §1): OAuth2 client-credentials bearer tokens (JWTs carrying the
 * account id, expiring on the emulated clock) and, where the account still allows it, legacy HTTP Basic with an API
 * user. Wrong or expired credentials, or credentials for another account, get 401; a user without the messaging
 * role gets 403.
 */
import { timingSafeEqual } from 'node:crypto';
import { type Request } from 'express';
import { SignJWT, jwtVerify } from 'jose';
import { type ScaledClock } from './clock';
import { getMeta, setMeta, type Db } from './database';
import { type Directory } from './directory';
import { type Account } from './directory-schemas';
import { randomToken } from './ids';

export const TOKEN_ISSUER = 'bandwidth-emulator';

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

export type AuthResult =
  { ok: true; account: Account; principal: string; method: 'bearer' | 'basic' } | { ok: false; status: 401 | 403 };

interface TokenClaims {
  clientId: string;
  accountId: string;
  expMs: number;
}

/** Parses `Authorization: Basic ...` into its user and password. */
export function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (!header || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export class TokenService {
  private readonly secret: Uint8Array;
  private readonly verified = new Map<string, TokenClaims>();

  constructor(
    db: Db,
    private readonly clock: ScaledClock,
    private readonly directory: Directory,
  ) {
    let hex = getMeta(db, 'jwt_secret');
    if (!hex) {
      hex = randomToken(32);
      setMeta(db, 'jwt_secret', hex);
    }
    this.secret = Buffer.from(hex, 'hex');
  }

  /** Exchanges client credentials for a token, or undefined when they are wrong. */
  async issue(clientId: string, clientSecret: string): Promise<IssuedToken | undefined> {
    const found = this.directory.findByClientId(clientId);
    if (!found || !safeEqual(found.credential.clientSecret, clientSecret)) return undefined;
    const ttl = found.account.tokenTtlSeconds;
    const nowS = Math.floor(this.clock.now() / 1000);
    const token = await new SignJWT({ accountId: found.account.id, accounts: [found.account.id], scope: 'messaging' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(TOKEN_ISSUER)
      .setSubject(clientId)
      .setIssuedAt(nowS)
      .setExpirationTime(nowS + ttl)
      .setJti(randomToken(8))
      .sign(this.secret);
    return { access_token: token, token_type: 'Bearer', expires_in: ttl };
  }

  /** Verifies a bearer token on the emulated clock; undefined when invalid or expired. */
  async verify(token: string): Promise<TokenClaims | undefined> {
    const now = this.clock.now();
    const cached = this.verified.get(token);
    if (cached) return cached.expMs > now ? cached : undefined;
    try {
      const { payload } = await jwtVerify(token, this.secret, {
        issuer: TOKEN_ISSUER,
        currentDate: new Date(now),
        algorithms: ['HS256'],
      });
      if (typeof payload.accountId !== 'string' || typeof payload.sub !== 'string' || payload.exp === undefined) {
        return undefined;
      }
      const claims = { clientId: payload.sub, accountId: payload.accountId, expMs: payload.exp * 1000 };
      if (this.verified.size > 10_000) this.verified.clear();
      this.verified.set(token, claims);
      return claims;
    } catch {
      return undefined;
    }
  }

  /** Authenticates a request for the account in its path. */
  async authenticate(req: Pick<Request, 'headers'>, accountId: string): Promise<AuthResult> {
    const header = req.headers.authorization;
    if (header && /^bearer /i.test(header)) {
      const claims = await this.verify(header.slice(7).trim());
      if (!claims || claims.accountId !== accountId) return { ok: false, status: 401 };
      const found = this.directory.findByClientId(claims.clientId);
      if (!found || found.account.id !== accountId) return { ok: false, status: 401 }; // credential revoked
      if (!found.credential.messagingRole) return { ok: false, status: 403 };
      return { ok: true, account: found.account, principal: claims.clientId, method: 'bearer' };
    }
    const basic = parseBasic(header);
    if (basic) {
      const account = this.directory.account(accountId);
      if (!account || !account.features.basicAuth) return { ok: false, status: 401 };
      const user = account.apiUsers.find((u) => u.username === basic.user);
      if (!user || !safeEqual(user.password, basic.password)) return { ok: false, status: 401 };
      if (!user.messagingRole) return { ok: false, status: 403 };
      return { ok: true, account, principal: basic.user, method: 'basic' };
    }
    return { ok: false, status: 401 };
  }
}
