/**
 * The chaos suite's short form (chaos/; `npm run chaos` is the full run). The stack runs as separate processes: a
 * Temporal dev server on a SQLite file, the emulator, the webhook server and two workers. Six handsets text the echo
 * bot four times each, waiting for each answer, while the workers, the webhook server, Temporal and the emulator are
 * SIGKILLed and started again, the emulator duplicates and reorders callbacks, and create-message fails now and then
 * (when the emulator has API faults). Once everything has settled, every inbox is counted.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChaos } from '../../chaos/run';
import { SettingsSchema } from '../../emulator/settings';

describe('the chaos suite, short form', () => {
  it('answers every text exactly once while every part is killed and callbacks and API calls misbehave', async (t) => {
    const run = await runChaos(
      // Shorter waits than the full run's, so that a failing run ends sooner: an answer a fault delays comes some 10 s
      // late (a workflow task or a request timing out).
      {
        phases: ['mixed'],
        handsets: 6,
        texts: 4,
        kills: 3,
        restarts: 1,
        seed: 7,
        quiet: 2,
        replyTimeout: 45,
        settleTimeout: 30,
      },
      { log: (line) => t.diagnostic(line), tmpDir: process.env.THREADLINE_TEST_TMP },
    );
    for (const line of run.table.split('\n')) t.diagnostic(line);
    for (const note of run.notes) t.diagnostic(note);

    const [mixed] = run.results;
    assert.ok(mixed, 'the mixed phase ran');
    assert.deepEqual(
      mixed.tally?.kills,
      { worker: 3, server: 1, temporal: 1, emulator: 1 },
      'each part was SIGKILLed as often as asked',
    );
    assert.ok((mixed.tally?.callbackDuplicates ?? 0) > 0, 'the emulator delivered callbacks twice');
    if ('apiFaults' in SettingsSchema.shape) {
      assert.ok(mixed.plan.apiFaults && mixed.tally?.apiFaults, 'create-message faults were switched on and counted');
    }
    assert.equal(mixed.count.texts, 24);
    assert.equal(mixed.count.lost, 0, `no text went unanswered:\n${mixed.count.findings.join('\n')}`);
    assert.equal(mixed.count.duplicated, 0, `no text was answered twice:\n${mixed.count.findings.join('\n')}`);
    assert.deepEqual(run.failures, []);
  });
});
