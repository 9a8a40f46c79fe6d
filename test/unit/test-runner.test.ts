/**
 * The test runner's own parts (test/runner): how files are shared out into processes, and how a process's TAP
 * report is read back into each file's verdict and counts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_BATCH_MS, takeBatch } from '../runner/batches';
import { createTapReader, type FileOutcome } from '../runner/tap';

/** A batch process's TAP report, as node 20's reporter writes it (test/runner/file-batch.ts wraps each file). */
const report = `TAP version 13
# Subtest: test/unit/ids.test.ts
    # Subtest: ids
        # Subtest: derives the id
        ok 1 - derives the id
          ---
          duration_ms: 0.516409
          ...
        # Subtest: is not there yet
        ok 2 - is not there yet # TODO
          ---
          duration_ms: 0.1
          ...
        # Subtest: skipped
        ok 3 - skipped # SKIP
          ---
          duration_ms: 0.089844
          ...
        1..3
    ok 1 - ids
      ---
      duration_ms: 1.2357
      type: 'suite'
      ...
    1..1
ok 1 - test/unit/ids.test.ts
  ---
  duration_ms: 2.354377
  type: 'suite'
  ...
# Subtest: test/workflows/stuck.test.ts
    # Subtest: a stuck bot
        # Subtest: ok 1 - a test named like a result
        not ok 1 - ok 1 - a test named like a result
          ---
          duration_ms: 9.164478
          failureType: 'testCodeFailure'
          error: |-
            Expected values to be strictly equal:
          stack: |-
            ok 7 - a stack line that reads like a result
          ...
        # Subtest: waits
        not ok 2 - waits
          ---
          duration_ms: 1000
          failureType: 'cancelledByParent'
          error: 'test did not finish before its parent and was cancelled'
          ...
        1..2
    not ok 1 - a stuck bot
      ---
      duration_ms: 1010
      type: 'suite'
      failureType: 'subtestsFailed'
      ...
    1..1
not ok 2 - test/workflows/stuck.test.ts
  ---
  duration_ms: 1012
  type: 'suite'
  failureType: 'testTimeoutFailure'
  error: 'test timed out after 1000ms'
  ...
1..2
# tests 5
# suites 4
# pass 1
# fail 1
# cancelled 1
# skipped 1
# todo 1
`;

describe('the test runner', () => {
  it('reads each file verdict and counts its tests, not its suites, from a TAP report', () => {
    const outcomes: FileOutcome[] = [];
    const reader = createTapReader((outcome) => outcomes.push(outcome));
    for (const line of report.split('\n')) reader.line(line);
    reader.end();
    assert.deepEqual(outcomes, [
      {
        file: 'test/unit/ids.test.ts',
        ok: true,
        counts: { tests: 3, pass: 1, fail: 0, cancelled: 0, skipped: 1, todo: 1 },
      },
      {
        file: 'test/workflows/stuck.test.ts',
        ok: false,
        counts: { tests: 2, pass: 0, fail: 1, cancelled: 1, skipped: 0, todo: 0 },
      },
    ]);
  });

  it('reports a file as soon as its verdict and details have been read, before the next file starts', () => {
    const outcomes: string[] = [];
    const reader = createTapReader((outcome) => outcomes.push(outcome.file));
    const lines = report.split('\n');
    const endOfFirst = lines.indexOf('# Subtest: test/workflows/stuck.test.ts');
    for (const line of lines.slice(0, endOfFirst)) reader.line(line);
    assert.deepEqual(outcomes, ['test/unit/ids.test.ts']);
  });

  const times: Record<string, number> = { slow: 60_000, mid: 30_000, a: 5_000, b: 4_000, c: 3_000, d: 1_000 };
  const expected = (file: string) => times[file]!;
  const never = () => false;

  it('takes a lane’s share of the work left as a batch, the slowest files first, and smaller batches as it empties', () => {
    const queue = ['slow', 'mid', 'a', 'b', 'c', 'd'];
    // 103 s left over 2 lanes: 51.5 s, reached by the slowest file alone.
    assert.deepEqual(takeBatch(queue, expected, 2, never), ['slow']);
    // 43 s left: 21.5 s, reached by the next.
    assert.deepEqual(takeBatch(queue, expected, 2, never), ['mid']);
    // 13 s left: 6.5 s is less than the smallest batch worth a process, so the batch takes MIN_BATCH_MS's worth.
    assert.ok(MIN_BATCH_MS > 6_500 && MIN_BATCH_MS <= 9_000);
    assert.deepEqual(takeBatch(queue, expected, 2, never), ['a', 'b']);
    assert.deepEqual(takeBatch(queue, expected, 2, never), ['c', 'd']);
    assert.deepEqual(queue, []);
  });

  it('runs a file that must be alone in a batch of its own, and ends the batch before it', () => {
    const queue = ['a', 'b', 'slow', 'c', 'd'];
    const alone = (file: string) => file === 'slow';
    assert.deepEqual(takeBatch(queue, expected, 1, alone), ['a', 'b']);
    assert.deepEqual(takeBatch(queue, expected, 1, alone), ['slow']);
    assert.deepEqual(takeBatch(queue, expected, 1, alone), ['c', 'd']);
  });
});
