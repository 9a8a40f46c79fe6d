/**
 * `GET /healthz`: liveness (the process answers). `GET /readyz`: readiness: Temporal answers a cheap call
 * (`GetSystemInfo`) and the records store answers a query, each within a short deadline; 503 otherwise, so a load
 * balancer stops sending callbacks to an instance that would only answer them with 503.
 */
import type { Client } from '@temporalio/client';
import express, { type Router } from 'express';
import type { RecordStore } from '../records';

export interface HealthDeps {
  temporal: Client;
  records: RecordStore;
  /** Deadline for each readiness check (default 2 s). */
  readinessTimeoutMs?: number;
}

type Check = 'ok' | 'unavailable';

async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function healthRouter(deps: HealthDeps): Router {
  const router = express.Router();
  const timeoutMs = deps.readinessTimeoutMs ?? 2_000;

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const temporal: Promise<Check> = deps.temporal.connection
      .withDeadline(Date.now() + timeoutMs, () => deps.temporal.workflowService.getSystemInfo({}))
      .then(
        () => 'ok' as const,
        () => 'unavailable' as const,
      );
    const records: Promise<Check> = within(timeoutMs, deps.records.search({ limit: 1 })).then(
      () => 'ok' as const,
      () => 'unavailable' as const,
    );
    const checks = { temporal: await temporal, records: await records };
    const ready = checks.temporal === 'ok' && checks.records === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks });
  });

  return router;
}
