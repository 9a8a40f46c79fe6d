/**
 * How long each test file took last time, kept in the toolchain's cache (`test-durations.json`), so a run starts its
 * slowest files first and the lanes finish together instead of one long file starting last.
 */
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir } from '../../toolchain/temporal';

export type Durations = Record<string, number>;

const durationsFile = () => path.join(cacheDir(), 'test-durations.json');

/** The durations (ms) recorded by earlier runs; empty when there are none or the file is unreadable. */
export function loadDurations(): Durations {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(durationsFile(), 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter((entry): entry is [string, number] => typeof entry[1] === 'number'),
    );
  } catch {
    return {};
  }
}

/** Records this run's durations over the earlier ones. Best effort: a read-only cache only loses the ordering. */
export function saveDurations(measured: Durations): void {
  try {
    fs.mkdirSync(path.dirname(durationsFile()), { recursive: true });
    const tmp = `${durationsFile()}.${process.pid}`;
    fs.writeFileSync(tmp, `${JSON.stringify({ ...loadDurations(), ...measured }, null, 2)}\n`);
    fs.renameSync(tmp, durationsFile());
  } catch {
    // The order is only an optimisation.
  }
}

/**
 * `files`, longest first by the recorded durations; files never timed come first of all (they may be long), in their
 * given order.
 */
export function longestFirst(files: readonly string[], durations: Durations): string[] {
  const expected = (file: string) => durations[file] ?? Number.POSITIVE_INFINITY;
  return files
    .map((file, index) => ({ file, index }))
    .sort((a, b) => expected(b.file) - expected(a.file) || a.index - b.index)
    .map(({ file }) => file);
}
