/**
 * The toll-free network's opt-outs in the admin API: `GET /emulator/opt-outs[?number=&phone=]` lists them,
 * `GET|PUT|DELETE /emulator/opt-outs/{number}/{phone}` reads, sets (as if `{phone}` had texted STOP to our toll-free
 * `{number}`, without the network's reply) or lifts one, `DELETE /emulator/opt-outs[?number=]` lifts them all.
 * Numbers may be written `%2B1…` or `+1…`.
 */
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { type EmulatorContext } from '../context';
import { parsePhone } from './handsets';

const PutOptOutSchema = z.object({
  /** The keyword recorded as the reason; STOP by default. */
  keyword: z.string().trim().min(1).default('STOP'),
});

export function optOutsRouter(ctx: EmulatorContext): Router {
  const router = express.Router();
  router.use('/emulator/opt-outs', express.json({ limit: '1mb' }));
  const network = ctx.engine.tollFree;

  router.get('/emulator/opt-outs', (req, res) => {
    const filter = phoneFilter(req, res);
    if (filter) res.json(network.list(filter));
  });

  router.get('/emulator/opt-outs/:number/:phone', (req, res) => {
    const pair = pairOf(req, res);
    if (!pair) return;
    const optOut = network.get(pair.number, pair.phone);
    if (optOut) res.json(optOut);
    else res.status(404).json({ error: `${pair.phone} has not opted out of ${pair.number}` });
  });

  router.put('/emulator/opt-outs/:number/:phone', (req, res) => {
    const pair = pairOf(req, res);
    if (!pair) return;
    const body = PutOptOutSchema.safeParse(req.body ?? {});
    if (!body.success) {
      res
        .status(400)
        .json({ error: 'invalid', issues: body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
      return;
    }
    const number = ctx.directory.number(pair.number);
    if (number?.product !== 'TOLL_FREE') {
      res.status(409).json({
        error: `${pair.number} is not a toll-free number of ours: only toll-free numbers have network-level opt-outs`,
      });
      return;
    }
    res.json(network.optOut({ ...pair, keyword: body.data.keyword.toUpperCase(), atMs: ctx.clock.now() }));
  });

  router.delete('/emulator/opt-outs/:number/:phone', (req, res) => {
    const pair = pairOf(req, res);
    if (!pair) return;
    if (network.optIn(pair.number, pair.phone)) res.status(204).end();
    else res.status(404).json({ error: `${pair.phone} has not opted out of ${pair.number}` });
  });

  router.delete('/emulator/opt-outs', (req, res) => {
    const filter = phoneFilter(req, res);
    if (!filter) return;
    network.clear(filter.number);
    res.status(204).end();
  });

  return router;
}

/** `{number}` and `{phone}` from the path, or a 400. */
function pairOf(req: Request, res: Response): { number: string; phone: string } | undefined {
  const number = parsePhone(req.params.number);
  const phone = parsePhone(req.params.phone);
  if (number && phone) return { number, phone };
  res.status(400).json({ error: `'${String(number ? req.params.phone : req.params.number)}' is not an E.164 number` });
  return undefined;
}

/** The optional `number` and `phone` query filters, or a 400. */
function phoneFilter(req: Request, res: Response): { number?: string; phone?: string } | undefined {
  const filter: { number?: string; phone?: string } = {};
  for (const key of ['number', 'phone'] as const) {
    const raw = req.query[key];
    if (raw === undefined || raw === '') continue;
    const tn = typeof raw === 'string' ? parsePhone(raw) : undefined;
    if (!tn) {
      res.status(400).json({ error: `${key}: '${JSON.stringify(raw)}' is not an E.164 number` });
      return undefined;
    }
    filter[key] = tn;
  }
  return filter;
}
