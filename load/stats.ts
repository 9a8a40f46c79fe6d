/** Percentiles as the load tool and the benchmarks report them (nearest rank, rounded to 0.1). */

/** The `p`th percentile (0-100) of `samples` by nearest rank, rounded to 0.1; NaN for no samples. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[index]! * 10) / 10;
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
