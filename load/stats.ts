/**
 * Percentiles as the load tool and the benchmarks report them (nearest rank, rounded to 0.1), and how sure a ratio of
 * two medians is.
 */
import { createRandom } from '../emulator/settings';

/** The `p`th percentile (0-100) of `samples` by nearest rank, rounded to 0.1; NaN for no samples. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return Math.round(nearestRank(sorted, p) * 10) / 10;
}

/** The `p`th percentile of samples already sorted ascending (at least one), by nearest rank, unrounded. */
function nearestRank(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Count, p50, p90 and p99 of `samples`. */
export function summary(samples: number[]) {
  return {
    n: samples.length,
    p50: percentile(samples, 50),
    p90: percentile(samples, 90),
    p99: percentile(samples, 99),
  };
}

/** How sure a ratio of two medians is: a percentile bootstrap interval, reproducible from the samples alone. */
export interface RatioInterval {
  /** Bounds of the interval of `p50(ours) / p50(theirs)`, rounded to 0.01. */
  low: number;
  high: number;
  /** 0.95 for a 95 % interval. */
  confidence: number;
  resamples: number;
  method: string;
}

/**
 * A percentile bootstrap interval for the ratio of the medians of two independent samples: both are resampled with
 * replacement `resamples` times, and the interval holds the middle `confidence` of the ratios seen. The generator is
 * seeded, so the same samples always give the same interval. A target close to a ratio whose interval spans it is
 * met or missed by the noise of one run; more samples narrow the interval.
 */
export function ratioOfMediansInterval(
  ours: number[],
  theirs: number[],
  { resamples = 2000, confidence = 0.95, seed = 1 }: { resamples?: number; confidence?: number; seed?: number } = {},
): RatioInterval | null {
  if (ours.length === 0 || theirs.length === 0) return null;
  const random = createRandom(seed);
  const median = (from: number[], scratch: number[]) => {
    for (let i = 0; i < scratch.length; i++) scratch[i] = from[Math.floor(random() * from.length)]!;
    scratch.sort((a, b) => a - b);
    return nearestRank(scratch, 50);
  };
  const a = new Array<number>(ours.length);
  const b = new Array<number>(theirs.length);
  const ratios: number[] = [];
  for (let r = 0; r < resamples; r++) ratios.push(median(ours, a) / median(theirs, b));
  ratios.sort((x, y) => x - y);
  const at = (q: number) => ratios[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))]!;
  const tail = (1 - confidence) / 2;
  return {
    low: Math.round(at(tail) * 100) / 100,
    high: Math.round(at(1 - tail) * 100) / 100,
    confidence,
    resamples,
    method: `percentile bootstrap of the ratio of medians (nearest rank), ${resamples} resamples, seed ${seed}`,
  };
}
