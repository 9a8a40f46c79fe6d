/**
 * `POST /api/v1/oauth2/token`: OAuth2 client credentials (RFC 6749 §4.4) at the same path as Bandwidth's token
 * endpoint. Client id and secret as HTTP Basic (or, as RFC 6749 also allows, in the form body).
 */
import express, { type Router } from 'express';
import { parseBasic } from '../auth';
import { type EmulatorContext } from '../context';

export function oauthRouter(ctx: EmulatorContext): Router {
  const router = express.Router();
  router.post('/api/v1/oauth2/token', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const basic = parseBasic(req.headers.authorization);
    const clientId = basic?.user ?? (typeof body.client_id === 'string' ? body.client_id : undefined);
    const clientSecret = basic?.password ?? (typeof body.client_secret === 'string' ? body.client_secret : undefined);
    if (body.grant_type === undefined) {
      res.status(400).json({ error: 'invalid_request', error_description: 'grant_type is required' });
      return;
    }
    if (body.grant_type !== 'client_credentials') {
      res.status(400).json({ error: 'unsupported_grant_type', error_description: 'use grant_type=client_credentials' });
      return;
    }
    const token = clientId && clientSecret ? await ctx.tokens.issue(clientId, clientSecret) : undefined;
    if (!token) {
      res.setHeader('WWW-Authenticate', 'Basic realm="bandwidth"');
      res.status(401).json({ error: 'invalid_client', error_description: 'Client authentication failed' });
      return;
    }
    res.status(200).json(token);
  });
  router.all('/api/v1/oauth2/token', (_req, res) => {
    res.setHeader('Allow', 'POST');
    res.status(405).json({ error: 'invalid_request', error_description: 'use POST' });
  });
  return router;
}
