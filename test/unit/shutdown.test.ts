/**
 * The shutdown coordinator (stack/shutdown.ts) on parts that write down what happens to them: intake first, then the
 * stages in order, forcing near the deadline, and a report that names every part that did not stop.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { shutDown, type Part } from '../../stack/shutdown';

function recorder() {
  const log: string[] = [];
  const part = (name: string, stop: (force: AbortSignal) => Promise<void> = async () => undefined): Part => ({
    name,
    stopIntake: () => log.push(`${name}: intake stopped`),
    async stop(force) {
      log.push(`${name}: stopping`);
      await stop(force);
      log.push(`${name}: stopped${force.aborted ? ' (forced)' : ''}`);
    },
  });
  return { log, part };
}

const untilForced = (force: AbortSignal) =>
  new Promise<void>((resolve) => force.addEventListener('abort', () => resolve(), { once: true }));

describe('shutting down', () => {
  it('stops intake everywhere before stopping anything, then stops stage by stage', async () => {
    const { log, part } = recorder();
    const report = await shutDown([[part('server'), part('worker')], [part('emulator')], [part('Temporal')]], {
      timeoutMs: 5_000,
    });
    assert.deepEqual(log, [
      'server: intake stopped',
      'worker: intake stopped',
      'emulator: intake stopped',
      'Temporal: intake stopped',
      'server: stopping',
      'worker: stopping',
      'server: stopped',
      'worker: stopped',
      'emulator: stopping',
      'emulator: stopped',
      'Temporal: stopping',
      'Temporal: stopped',
    ]);
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.stopped.map((s) => [s.part, s.forced]),
      [
        ['server', false],
        ['worker', false],
        ['emulator', false],
        ['Temporal', false],
      ],
    );
  });

  it('tells the parts still stopping to force near the deadline, and begins the later stages at once, forced', async () => {
    const { log, part } = recorder();
    const report = await shutDown([[part('worker', untilForced)], [part('Temporal')]], {
      timeoutMs: 2_000,
      forceAfterMs: 100,
    });
    assert.equal(report.ok, true);
    assert.deepEqual(log.slice(2, 4), ['worker: stopping', 'Temporal: stopping']);
    assert.deepEqual(log.slice(4).sort(), ['Temporal: stopped (forced)', 'worker: stopped (forced)']);
  });

  it('names a part whose stop fails, and still stops the others', async () => {
    const { part } = recorder();
    const report = await shutDown(
      [
        [
          part('records store', async () => {
            throw new Error('the database is gone');
          }),
          part('worker'),
        ],
        [part('Temporal')],
      ],
      { timeoutMs: 5_000 },
    );
    assert.equal(report.ok, false);
    assert.deepEqual(report.failures, [{ part: 'records store', reason: 'the database is gone' }]);
    assert.deepEqual(
      report.stopped.map((s) => s.part),
      ['worker', 'Temporal'],
    );
  });

  it('reports a part still stopping at the deadline without waiting for it', async () => {
    const { part } = recorder();
    const report = await shutDown(
      [[part('stuck part', () => new Promise<void>(() => undefined))], [part('Temporal')]],
      {
        timeoutMs: 300,
      },
    );
    assert.equal(report.ok, false);
    assert.deepEqual(report.failures, [{ part: 'stuck part', reason: 'did not stop within the 300 ms deadline' }]);
    assert.deepEqual(
      report.stopped.map((s) => [s.part, s.forced]),
      [['Temporal', true]],
    );
  });

  it('names a part that could not stop taking new work, and still stops it', async () => {
    let stopped = false;
    const report = await shutDown(
      [
        [
          {
            name: 'emulator',
            stopIntake: () => {
              throw new Error('no dispatcher');
            },
            stop: async () => void (stopped = true),
          },
        ],
      ],
      { timeoutMs: 1_000 },
    );
    assert.deepEqual(report.failures, [{ part: 'emulator', reason: 'could not stop taking new work: no dispatcher' }]);
    assert.equal(stopped, true);
  });
});
