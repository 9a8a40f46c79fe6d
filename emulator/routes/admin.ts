/**
 * The admin API under `/emulator`: the directory (accounts, applications, numbers), scripted number behaviour,
 * simulation settings, the emulated clock, the callback log and message state. No authentication: the emulator is
 * a local tool and binds to 127.0.0.1 by default.
 */
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { ERROR_CODES } from '../../bandwidth/error-codes';
import { type CallbackState } from '../callback-dispatcher';
import { type EmulatorContext } from '../context';
import { DirectoryError } from '../directory';
import { housekeeping } from '../housekeeping';
import { parsePhone } from './handsets';

export function adminRouter(ctx: EmulatorContext): Router {
  const router = express.Router();
  router.use('/emulator', express.json({ limit: '1mb' }));
  const d = ctx.directory;

  router.get('/emulator', (_req, res) => {
    res.json({
      name: 'Threadline Bandwidth emulator',
      clock: clockView(ctx),
      accounts: d.listAccounts().length,
      applications: d.listApplications().length,
      numbers: d.listNumbers().length,
      callbacks: ctx.engine.callbacks.stats(),
      docs: 'docs/emulator.md',
    });
  });

  // Accounts
  router.get('/emulator/accounts', (_req, res) => res.json(d.listAccounts()));
  router.get('/emulator/accounts/:id', (req, res) => found(res, d.account(req.params.id)));
  router.put('/emulator/accounts/:id', (req, res) =>
    write(res, () => d.putAccount({ ...(req.body as object), id: req.params.id })),
  );
  router.patch('/emulator/accounts/:id', (req, res) => {
    const current = d.account(req.params.id);
    if (!current) return notFound(res);
    const body = req.body as Record<string, unknown>;
    write(res, () =>
      d.putAccount({
        ...current,
        ...body,
        features: { ...current.features, ...(body.features as object | undefined) },
        limits: { ...current.limits, ...(body.limits as object | undefined) },
        id: current.id,
      }),
    );
    ctx.engine.kick();
  });
  router.delete('/emulator/accounts/:id', (req, res) => gone(res, d.deleteAccount(req.params.id)));

  // Applications
  router.get('/emulator/applications', (req, res) => res.json(d.listApplications(queryString(req, 'accountId'))));
  router.get('/emulator/applications/:id', (req, res) => found(res, d.application(req.params.id)));
  router.put('/emulator/applications/:id', (req, res) =>
    write(res, () => d.putApplication({ ...(req.body as object), id: req.params.id } as never)),
  );
  router.patch('/emulator/applications/:id', (req, res) => {
    const current = d.application(req.params.id);
    if (!current) return notFound(res);
    write(res, () => d.putApplication({ ...current, ...(req.body as object), id: current.id }));
  });
  router.delete('/emulator/applications/:id', (req, res) => gone(res, d.deleteApplication(req.params.id)));

  // Numbers we own
  router.get('/emulator/numbers', (req, res) => res.json(d.listNumbers(queryString(req, 'accountId'))));
  router.get('/emulator/numbers/:number', (req, res) => found(res, d.number(parsePhone(req.params.number) ?? '')));
  router.put('/emulator/numbers/:number', (req, res) =>
    write(res, () =>
      d.putNumber({ ...(req.body as object), number: parsePhone(req.params.number) ?? req.params.number } as never),
    ),
  );
  router.patch('/emulator/numbers/:number', (req, res) => {
    const current = d.number(parsePhone(req.params.number) ?? '');
    if (!current) return notFound(res);
    write(res, () => d.putNumber({ ...current, ...(req.body as object), number: current.number }));
  });
  router.delete('/emulator/numbers/:number', (req, res) =>
    gone(res, d.deleteNumber(parsePhone(req.params.number) ?? '')),
  );

  // Scripted behaviour of destination numbers
  router.get('/emulator/behaviors', (_req, res) => res.json(d.listBehaviors()));
  router.get('/emulator/behaviors/:number', (req, res) => found(res, d.behavior(parsePhone(req.params.number) ?? '')));
  router.put('/emulator/behaviors/:number', (req, res) => {
    const tn = parsePhone(req.params.number);
    if (!tn) return badRequest(res, `'${req.params.number}' is not an E.164 number`);
    write(res, () => d.putBehavior(tn, req.body));
  });
  router.delete('/emulator/behaviors/:number', (req, res) =>
    gone(res, d.deleteBehavior(parsePhone(req.params.number) ?? '')),
  );

  // Settings and clock
  router.get('/emulator/settings', (_req, res) => res.json(ctx.settings()));
  router.patch('/emulator/settings', (req, res) => write(res, () => ctx.updateSettings(req.body)));
  router.get('/emulator/clock', (_req, res) => res.json(clockView(ctx)));
  router.post('/emulator/clock/advance', (req, res) => {
    const parsed = AdvanceSchema.safeParse(req.body ?? {});
    if (!parsed.success) return badRequest(res, 'give one of ms, seconds, minutes, hours (a positive number)');
    const p = parsed.data;
    const ms = (p.ms ?? 0) + (p.seconds ?? 0) * 1000 + (p.minutes ?? 0) * 60_000 + (p.hours ?? 0) * 3_600_000;
    ctx.clock.advance(ms);
    housekeeping(ctx);
    ctx.engine.kick();
    res.json(clockView(ctx));
  });

  // Callback log and message state
  router.get('/emulator/callbacks', (req, res) => {
    const state = queryString(req, 'state');
    if (state !== undefined && !['pending', 'delivered', 'dropped'].includes(state)) {
      return badRequest(res, 'state must be pending, delivered or dropped');
    }
    const limit = Number(queryString(req, 'limit') ?? 100);
    res.json(
      ctx.engine.callbacks.list({
        messageId: queryString(req, 'messageId'),
        type: queryString(req, 'type'),
        state: state as CallbackState | undefined,
        limit: Number.isFinite(limit) && limit > 0 ? Math.min(limit, 10_000) : 100,
      }),
    );
  });
  router.get('/emulator/messages/:id', (req, res) => {
    const message = ctx.engine.messages.get(req.params.id);
    if (!message) return notFound(res);
    res.json({
      ...message,
      time: new Date(message.timeMs).toISOString(),
      recipients: ctx.engine.messages.recipients(message.id).map((r) => ({
        to: r.tn,
        status: r.status,
        errorCode: r.errorCode,
        carrierName: r.carrierName,
        terminal: r.terminal,
        updated: new Date(r.updatedMs).toISOString(),
      })),
    });
  });
  router.get('/emulator/queue', (_req, res) => {
    res.json(
      d.listAccounts().map((a) => ({
        accountId: a.id,
        queuedUnits: ctx.engine.queue.depth(a.id),
        capacity: ctx.engine.queue.capacity(a.id),
      })),
    );
  });
  router.get('/emulator/error-codes', (_req, res) => res.json(ERROR_CODES));
  router.get('/emulator/faults', (_req, res) => res.json(ctx.apiFaults.snapshot()));
  router.post('/emulator/reset', (_req, res) => {
    ctx.db.exec(
      `DELETE FROM messages; DELETE FROM recipients; DELETE FROM queue; DELETE FROM events; DELETE FROM callbacks;
       DELETE FROM callback_attempts; DELETE FROM media; DELETE FROM handset_inbox; DELETE FROM toll_free_opt_outs;`,
    );
    ctx.engine.queue.reset();
    ctx.engine.messages.clearCache();
    ctx.apiFaults.reset();
    res.status(204).end();
  });
  return router;
}

const AdvanceSchema = z
  .object({
    ms: z.number().positive().optional(),
    seconds: z.number().positive().optional(),
    minutes: z.number().positive().optional(),
    hours: z.number().positive().optional(),
  })
  .refine((p) => p.ms !== undefined || p.seconds !== undefined || p.minutes !== undefined || p.hours !== undefined);

function clockView(ctx: EmulatorContext) {
  return { now: ctx.clock.iso(), epochMs: ctx.clock.now(), timeScale: ctx.clock.timeScale };
}

function queryString(req: Request, name: string): string | undefined {
  const v = req.query[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function found(res: Response, value: unknown): void {
  if (value === undefined) notFound(res);
  else res.json(value);
}

function notFound(res: Response): void {
  res.status(404).json({ error: 'not found' });
}

function badRequest(res: Response, error: string): void {
  res.status(400).json({ error });
}

function gone(res: Response, deleted: boolean): void {
  if (deleted) res.status(204).end();
  else notFound(res);
}

function write(res: Response, fn: () => unknown): void {
  try {
    res.json(fn());
  } catch (err) {
    if (err instanceof z.ZodError) {
      res.status(400).json({ error: 'invalid', issues: err.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
    } else if (err instanceof DirectoryError) {
      res.status(409).json({ error: err.message });
    } else throw err;
  }
}
