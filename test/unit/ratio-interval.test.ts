/**
 * The benchmarks judge targets on ratios of medians (an evicted reply against a cached one, Threadline against bare
 * Temporal). `ratioOfMediansInterval` (load/stats.ts) says how far one run's ratio can be trusted.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom } from '../../emulator/settings';
import { percentile, ratioOfMediansInterval } from '../../load/stats';

/** Reply-time-like samples: a floor plus a long right tail, from a seeded generator. */
function replyTimes(n: number, floorMs: number, seed: number): number[] {
  const random = createRandom(seed);
  return Array.from({ length: n }, () => floorMs * (1 + -Math.log(1 - random()) * 0.3));
}

void describe('the interval of a ratio of medians', () => {
  void it('is the ratio itself when neither side varies', () => {
    const interval = ratioOfMediansInterval([30, 30, 30], [15, 15, 15, 15]);
    assert.equal(interval?.low, 2);
    assert.equal(interval?.high, 2);
  });

  void it('holds the point estimate, and the same samples always give the same interval', () => {
    const evicted = replyTimes(30, 30, 7);
    const cached = replyTimes(30, 15, 8);
    const ratio = percentile(evicted, 50) / percentile(cached, 50);
    const interval = ratioOfMediansInterval(evicted, cached)!;
    assert.ok(interval.low < ratio && ratio < interval.high, `${ratio} within ${interval.low}-${interval.high}`);
    assert.deepEqual(ratioOfMediansInterval(evicted, cached), interval);
  });

  void it('narrows as the samples grow', () => {
    const width = (n: number) => {
      const interval = ratioOfMediansInterval(replyTimes(n, 30, 11), replyTimes(n, 15, 12))!;
      return interval.high - interval.low;
    };
    assert.ok(width(300) < width(30) / 2, `300 samples: ${width(300)}, 30 samples: ${width(30)}`);
  });

  void it('is absent when a side has no samples', () => {
    assert.equal(ratioOfMediansInterval([], [1]), null);
    assert.equal(ratioOfMediansInterval([1], []), null);
  });
});
