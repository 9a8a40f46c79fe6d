/**
 * Reads the TAP report of a test process started with test/runner/file-batch.ts, line by line as it comes: each top
 * level result is one test file (its suite), and the results nested in it are its suites and tests; what is read is
 * each file's verdict and its tests' counts.
 *
 *   # Subtest: test/unit/ids.test.ts
 *       # Subtest: ids                      a suite of the file
 *           ok 1 - derives the id           a test: counted
 *             ---
 *             duration_ms: 0.5
 *             ...
 *       ok 1 - ids
 *         ---
 *         type: 'suite'                     suites are not counted
 *         ...
 *   ok 1 - test/unit/ids.test.ts            the file's verdict
 *     ---
 *     duration_ms: 123.4
 *     ...
 */

export type Counts = Record<'tests' | 'pass' | 'fail' | 'cancelled' | 'skipped' | 'todo', number>;

export const noCounts = (): Counts => ({ tests: 0, pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 });

export interface FileOutcome {
  file: string;
  ok: boolean;
  counts: Counts;
}

const RESULT = /^( *)(not )?ok \d+ - (.*?)(?: # (SKIP|TODO)\b.*)?$/;

interface Pending {
  indent: number;
  ok: boolean;
  name: string;
  directive: 'SKIP' | 'TODO' | undefined;
  suite: boolean;
  cancelled: boolean;
}

/** A reader that calls `onFile` as each file's result line and its details have been read. */
export function createTapReader(onFile: (outcome: FileOutcome) => void): { line(text: string): void; end(): void } {
  let counts = noCounts();
  let pending: Pending | undefined;

  const settle = () => {
    const result = pending;
    pending = undefined;
    if (!result) return;
    if (result.indent === 0) {
      onFile({ file: result.name, ok: result.ok, counts });
      counts = noCounts();
      return;
    }
    if (result.suite) return;
    counts.tests += 1;
    if (result.directive === 'SKIP') counts.skipped += 1;
    else if (result.directive === 'TODO') counts.todo += 1;
    else if (result.ok) counts.pass += 1;
    else if (result.cancelled) counts.cancelled += 1;
    else counts.fail += 1;
  };

  return {
    line(text) {
      // A result's details come before anything else (its subtests' results come before it), so a line indented
      // into the open details block is a detail, whatever it says.
      if (pending && text.startsWith(' '.repeat(pending.indent + 2))) {
        const detail = text.slice(pending.indent + 2);
        if (detail === '...') settle();
        else if (detail === "type: 'suite'") pending.suite = true;
        else if (detail === "failureType: 'cancelledByParent'") pending.cancelled = true;
        return;
      }
      settle();
      const result = RESULT.exec(text);
      if (result)
        pending = {
          indent: result[1]!.length,
          ok: result[2] === undefined,
          name: result[3]!,
          directive: result[4] as Pending['directive'],
          suite: false,
          cancelled: false,
        };
    },
    end: settle,
  };
}
