/**
 * The fuzz runs' seed and size: fixed by default, so a failure reproduces; `THREADLINE_FUZZ_SEED` and
 * `THREADLINE_FUZZ_RUNS` explore further. A failure is reported with its seed, the shrunk case and fast-check's path,
 * and re-runs with the seed alone.
 */
import type fc from 'fast-check';

/** The seed every run uses unless THREADLINE_FUZZ_SEED says otherwise. */
export const DEFAULT_FUZZ_SEED = 20_261_212;

function integerFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, not ${raw}`);
  return value;
}

export interface FuzzSettings {
  seed: number;
  runs: number;
}

export function fuzzSettings(defaultRuns: number): FuzzSettings {
  return {
    seed: integerFromEnv('THREADLINE_FUZZ_SEED', DEFAULT_FUZZ_SEED, -(2 ** 31)),
    runs: integerFromEnv('THREADLINE_FUZZ_RUNS', defaultRuns, 1),
  };
}

/** A value for a failure message: JSON, cut to `max` characters. */
export function preview(value: unknown, max = 1_500): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v));
  } catch (err) {
    text = `(not printable: ${String(err)})`;
  }
  if (text === undefined) text = String(value);
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/** Throws a readable error for a failed fast-check run: the seed to re-run, the failure, the (shrunk) case. */
export function assertRun<T>(details: fc.RunDetails<T>, file: string, describeCase: (c: T) => string): void {
  if (!details.failed) return;
  const rerun = `THREADLINE_FUZZ_SEED=${details.seed} npm test -- ${file}`;
  if (details.counterexample === null) {
    throw new Error(
      `the fuzz run failed without a case (${details.interrupted ? 'interrupted' : 'skipped'}); ${rerun}`,
    );
  }
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(
    `${cause}\n\nseed ${details.seed}, path ${details.counterexamplePath}, after ${details.numRuns} runs and ` +
      `${details.numShrinks} shrinks; re-run: ${rerun}\ncase: ${describeCase(details.counterexample)}`,
  );
}
