/**
 * The webhook server: an express app built by a factory, with no `listen()`; bin/server.ts and the tests listen.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CallbackBodySchema } from '../bandwidth/schemas';
import { handOffAll, type BotRouter } from './callbacks';

export interface AppDeps {
  temporal: Client;
  taskQueue: string;
  routeBot: BotRouter;
  logger: Logger;
  /** Largest callback body accepted (413 beyond). */
  bodyLimit?: string;
  /** Upper bound for handing one event to Temporal (default 5 s, inside Bandwidth's 10 s callback timeout). */
  handOffTimeoutMs?: number;
}

/** Seconds Bandwidth (or any caller) should wait before retrying when Temporal is unavailable. */
const RETRY_AFTER_SECONDS = 5;

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.post(
    '/callbacks/messaging',
    express.json({ limit: deps.bodyLimit ?? '1mb', type: () => true }),
    async (req: Request, res: Response) => {
      const parsed = CallbackBodySchema.safeParse(req.body);
      if (!parsed.success) {
        res.status(400).json({
          type: 'invalid-callback',
          description: 'The callback body is not a Bandwidth messaging callback array',
          issues: z.treeifyError(parsed.error),
        });
        return;
      }
      try {
        const outcomes = await handOffAll(deps, parsed.data);
        for (const o of outcomes)
          deps.logger.info(
            { callback: o.event, outcome: o.outcome, workflowId: 'workflowId' in o ? o.workflowId : undefined },
            'callback handed off',
          );
        res.status(200).json({ accepted: outcomes.length });
      } catch (err) {
        deps.logger.warn({ err }, 'Temporal did not accept a callback; asking Bandwidth to retry');
        res
          .status(503)
          .set('Retry-After', String(RETRY_AFTER_SECONDS))
          .json({ type: 'temporarily-unavailable', description: 'Temporal is unavailable; retry later' });
      }
    },
  );

  // A malformed JSON body: 400 with the parser's reason, never a 500.
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ type: 'invalid-json', description: e.message ?? 'malformed JSON' });
    } else if (e.type === 'entity.too.large') {
      res.status(413).json({ type: 'payload-too-large', description: e.message ?? 'body too large' });
    } else {
      next(err);
    }
  });
  return app;
}
