/**
 * The outgrow-one-machine deployment, end to end (docs/deploying.md): a real Temporal server with every service
 * (toolchain/temporal-server.ts) on PostgreSQL, two webhook servers behind a round-robin balancer and two workers, each
 * its own OS process (`bin/server.ts`, `bin/worker.ts`), the emulator (`bin/emulator.ts`), and the message records in
 * PostgreSQL. Two dozen handsets text the echo bot three times each while a worker is SIGKILLed (chaos/, the `workers`
 * phase); once everything has settled, every text has exactly one answer, both servers took callbacks, and the records
 * hold each text and each answer once.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { runChaos } from '../../chaos/run';
import { handsetPhone } from '../../chaos/handsets';
import { startChaosStack, type ChaosStack } from '../../chaos/processes';
import { DEFAULT_NUMBER } from '../../config/env';
import {
  ensureTemporalServer,
  setupTemporalSchemas,
  temporalDatabasesAt,
  temporalServerCommand,
} from '../../toolchain/temporal-server';
import { postgresBackend } from '../records/helpers/backends';

const HANDSETS = 24;
const TEXTS = 3;

describe('Threadline on a real Temporal server with two webhook servers and two workers', () => {
  it('answers every text exactly once, and records it once, while a worker is SIGKILLed mid-load', async (t) => {
    const log = (line: string) => t.diagnostic(line);
    const toolchain = await ensureTemporalServer(log);
    const pg = postgresBackend();
    await pg.start();
    const recordsDb = await pg.createDatabase();
    const { databaseUrl } = recordsDb.target as { databaseUrl: string };
    const suffix = randomBytes(4).toString('hex');
    const databases = temporalDatabasesAt(databaseUrl, {
      database: `temporal_${suffix}`,
      visibilityDatabase: `temporal_visibility_${suffix}`,
    });
    let stack: ChaosStack | undefined;
    try {
      await setupTemporalSchemas(toolchain, databases, log);
      const run = await runChaos(
        {
          phases: ['workers'],
          handsets: HANDSETS,
          texts: TEXTS,
          kills: 1,
          seed: 14,
          quiet: 2,
          replyTimeout: 45,
          settleTimeout: 45,
        },
        {
          log,
          tmpDir: process.env.THREADLINE_TEST_TMP,
          startStack: async (dir, stackLog) => {
            const temporalServer = await temporalServerCommand({
              toolchain,
              databases,
              dir: path.join(dir, 'temporal'),
            });
            stack = await startChaosStack({ dir, log: stackLog, temporalServer, servers: 2, workers: 2, databaseUrl });
            return stack;
          },
        },
      );
      for (const line of run.table.split('\n')) t.diagnostic(line);
      for (const note of run.notes) t.diagnostic(note);

      const [phase] = run.results;
      assert.ok(phase, 'the workers phase ran');
      assert.equal(phase.tally?.kills.worker, 1, 'a worker was SIGKILLed');
      assert.equal(phase.count.texts, HANDSETS * TEXTS);
      assert.equal(phase.count.lost, 0, `no text went unanswered:\n${phase.count.findings.join('\n')}`);
      assert.equal(phase.count.duplicated, 0, `no text was answered twice:\n${phase.count.findings.join('\n')}`);
      assert.deepEqual(run.failures, []);
      const forwarded = stack?.balancer?.forwarded ?? [];
      assert.ok(
        forwarded.length === 2 && forwarded.every((n) => n > 0),
        `callbacks per server: ${forwarded.join(', ')}`,
      );

      // The records: each text once (recorded by the server that took its callback), each answer once (by the worker
      // that sent it), whatever was delivered or sent twice.
      const store = await recordsDb.open();
      try {
        const phones = Array.from({ length: HANDSETS }, (_, i) => handsetPhone(0, i));
        const texts = async (kind: 'inbound' | 'outbound') => {
          const { records } = await store.search({ ourNumber: DEFAULT_NUMBER, kind, limit: 1000 });
          return records
            .filter((r) => phones.includes(r.participants[0]!))
            .map((r) => `${r.participants[0]} ${r.text}`)
            .sort();
        };
        const expected = (text: (n: number) => string) =>
          phones.flatMap((phone) => Array.from({ length: TEXTS }, (_, i) => `${phone} ${text(i + 1)}`)).sort();
        assert.deepEqual(
          await texts('inbound'),
          expected((n) => `m${n}`),
        );
        assert.deepEqual(
          await texts('outbound'),
          expected((n) => `#${n}: m${n}`),
        );
      } finally {
        await store.close();
      }
    } finally {
      // The stack is stopped (by runChaos) before Temporal's databases go.
      const admin = new Client({ connectionString: databaseUrl });
      await admin.connect();
      for (const name of [databases.database, databases.visibilityDatabase]) {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }
      await admin.end();
      await recordsDb.drop();
      await pg.stop();
    }
  });
});
