/**
 * The message records, end to end on a real Temporal server, with the whole stack (emulator, webhook server, worker)
 * on SQLite in the data directory and on PostgreSQL (DATABASE_URL): every inbound message, outbound send and status
 * event is recorded, and after Temporal has removed a conversation its messages and delivery statuses are still found
 * through the operator API.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../config/env';
import { startStack, type Stack } from '../../stack';
import { conversationId } from '../../workflows/ids';
import { eventually } from '../helpers/eventually';
import { uniqueTaskQueue, workflowSource } from '../helpers/temporal';
import { postgresBackend, type TestDatabase } from '../records/helpers/backends';
import { parseCsv } from '../records/helpers/csv-parse';

const OUR = '+19195550100';

interface Conversation {
  workflow: unknown;
  transcriptSource: string;
  transcript: {
    direction: string;
    text: string;
    status: string;
    recipients?: Record<string, { status: string; errorCode?: number }>;
  }[];
}

const backends = [
  { name: 'SQLite in the data directory', database: async () => null },
  {
    name: 'PostgreSQL at DATABASE_URL',
    database: async () => {
      const pg = postgresBackend();
      await pg.start();
      const db = await pg.createDatabase();
      return { db, stop: () => pg.stop() };
    },
  },
];

for (const backend of backends) {
  describe(`message records with ${backend.name}`, () => {
    let stack: Stack;
    let database: { db: TestDatabase; stop(): Promise<void> } | null;
    const ada = '+19195550401';
    const bo = '+19195550402';

    const operator = (p: string) =>
      fetch(`${stack.serverUrl}/api/v1${p}`, { headers: { authorization: `Bearer ${stack.operatorToken}` } });

    before(async () => {
      database = await backend.database();
      const dataDir = fs.mkdtempSync(path.join(process.env.THREADLINE_TEST_TMP ?? '/tmp', 'records-e2e-'));
      const url = database && 'databaseUrl' in database.db.target ? database.db.target.databaseUrl : undefined;
      const config = loadConfig({
        TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS,
        TEMPORAL_TASK_QUEUE: uniqueTaskQueue('records-e2e'),
        THREADLINE_DATA_DIR: dataDir,
        THREADLINE_DEFAULT_BOT: 'echoBot',
        ...(url ? { DATABASE_URL: url } : {}),
        PORT: '0',
        EMULATOR_PORT: '0',
        EMULATOR_TIME_SCALE: '20',
        LOG_LEVEL: 'silent',
      });
      stack = await startStack({ config, persistEmulator: false, workflowBundle: workflowSource().workflowBundle });
      if (!url)
        assert.ok(fs.existsSync(path.join(dataDir, 'records.sqlite')), 'the records live in the data directory');
    });
    after(async () => {
      await stack?.stop();
      await database?.db.drop();
      await database?.stop();
    });

    async function text(from: string, body: string): Promise<void> {
      const response = await fetch(`${stack.emulatorUrl}/emulator/handsets/${encodeURIComponent(from)}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to: OUR, text: body }),
      });
      assert.equal(response.status, 202);
    }

    it('records every message and status, and still finds them after Temporal has removed the conversation', async () => {
      // The emulator fails every message to Bo with 4720 (Bandwidth: the number cannot receive texts).
      const behavior = await fetch(`${stack.emulatorUrl}/emulator/behaviors/${encodeURIComponent(bo)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ failWith: 4720 }),
      });
      assert.ok(behavior.ok, await behavior.text());
      await text(ada, 'hi');
      await text(bo, 'hello');
      await eventually(async () => {
        const statuses = (await stack.records.search({ kind: 'status' })).records.map((r) => [
          r.recipient,
          r.eventType,
        ]);
        assert.ok(
          statuses.some(([to, type]) => to === ada && type === 'message-delivered'),
          JSON.stringify(statuses),
        );
        assert.ok(
          statuses.some(([to, type]) => to === bo && type === 'message-failed'),
          JSON.stringify(statuses),
        );
      });
      // An event is recorded before it is handed over and counted: the counters follow a moment later.
      await eventually(async () => {
        const response = await fetch(`${stack.serverUrl}/metrics`);
        // The webhook server keeps an idle connection for HTTP_KEEP_ALIVE_TIMEOUT_MS (65 s), and tells its clients so.
        assert.equal(response.headers.get('keep-alive'), 'timeout=65');
        const metrics = await response.text();
        assert.match(metrics, /threadline_sends_total\{outcome="recorded"\} 2/);
        assert.match(metrics, /threadline_delivery_outcomes_total\{outcome="failed",error_code="4720"\} 1/);
        assert.match(metrics, /threadline_delivery_outcomes_total\{outcome="delivered",error_code="none"\} 1/);
      });

      // Temporal's retention removes closed conversations; deleting them does the same, now.
      for (const phone of [ada, bo]) {
        const handle = stack.client.workflow.getHandle(conversationId({ ourNumber: OUR, participants: [phone] }));
        const { runId } = await handle.describe();
        await stack.client.workflowService.deleteWorkflowExecution({
          namespace: stack.client.options.namespace,
          workflowExecution: { workflowId: handle.workflowId, runId },
        });
        await eventually(() => assert.rejects(handle.describe(), /not found/i));
      }

      const id = (phone: string) => encodeURIComponent(conversationId({ ourNumber: OUR, participants: [phone] }));
      const adas = (await (await operator(`/conversations/${id(ada)}`)).json()) as Conversation;
      assert.equal(adas.workflow, null);
      assert.equal(adas.transcriptSource, 'records');
      assert.deepEqual(
        adas.transcript.map((m) => [m.direction, m.text, m.status]),
        [
          ['in', 'hi', 'received'],
          ['out', '#1: hi', 'delivered'],
        ],
      );
      const bos = (await (await operator(`/conversations/${id(bo)}`)).json()) as Conversation;
      assert.deepEqual(
        bos.transcript.map((m) => [m.direction, m.text, m.status]),
        [
          ['in', 'hello', 'received'],
          ['out', '#1: hello', 'failed'],
        ],
      );
      assert.equal(bos.transcript[1]!.recipients?.[bo]?.errorCode, 4720);

      const search = (await (await operator(`/records?participant=${encodeURIComponent(bo)}`)).json()) as {
        records: { eventType: string; errorCode: number | null; conversationId: string | null }[];
      };
      const types = search.records.map((r) => r.eventType);
      assert.equal(types[0], 'message-received');
      assert.equal(types[1], 'send-accepted');
      assert.equal(types.at(-1), 'message-failed');
      assert.equal(search.records.at(-1)!.errorCode, 4720);
      assert.ok(search.records.every((r) => r.conversationId === decodeURIComponent(id(bo))));

      const csv = await operator(`/records/export?format=csv&conversationId=${id(ada)}`);
      assert.equal(csv.status, 200);
      const rows = parseCsv(await csv.text());
      const adasRecords = await stack.records.conversation(decodeURIComponent(id(ada)));
      assert.ok(adasRecords.length >= 3);
      assert.deepEqual(
        rows.slice(1).map((r) => r[0]),
        adasRecords.map((r) => r.id),
        'one row per record, oldest first',
      );
    });
  });
}
