/**
 * The operator API served over HTTP on a records backend, for tests that only need the API: a records database of the
 * backend, a real Temporal client, `createApp` with no bots, and an API checker that validates every call against the
 * served OpenAPI document. `close()` tears it all down in order.
 */
import type { Client } from '@temporalio/client';
import type { AppDeps } from '../../server/app';
import { createApp } from '../../server/app';
import type { RecordStore } from '../../records';
import { connectToDevServer } from '../helpers/temporal';
import type { Backend, TestDatabase } from '../records/helpers/backends';
import { capturingLogger, serve, type Served } from './helpers';
import { createApiChecker, type ApiChecker } from './openapi-check';

export interface OperatorApp {
  temporal: Client;
  records: RecordStore;
  server: Served;
  api: ApiChecker;
  close(): Promise<void>;
}

export async function serveOperatorApp(
  backend: Backend,
  options: { token: string; taskQueue: string } & Partial<AppDeps>,
): Promise<OperatorApp> {
  await backend.start();
  const temporal = await connectToDevServer();
  const db: TestDatabase = await backend.createDatabase();
  const records = await db.open();
  const { token, taskQueue, ...deps } = options;
  const server = await serve(
    createApp({
      temporal: temporal.client,
      taskQueue,
      routeBot: () => null, // no conversation starts: callbacks are recorded only
      records,
      logger: capturingLogger('silent').logger,
      operatorToken: token,
      ...deps,
    }),
  );
  const api = await createApiChecker(server.url, token);
  return {
    temporal: temporal.client,
    records,
    server,
    api,
    async close() {
      await server.close();
      await records.close();
      await db.drop();
      await temporal.close();
      await backend.stop();
    },
  };
}
