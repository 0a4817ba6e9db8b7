/**
 * The one percentile helper. Two rank rules are in use and both are kept, because each caller's printed
 * numbers must stay as they were:
 * - `nearest-rank`: the smallest sample with at least q of the samples at or below it (index ⌈q·n⌉ − 1);
 *   the simulator's latency and scheduler-cost percentiles.
 * - `floor`: index ⌊q·n⌋ (the median of an even count is the upper middle sample); the live stats of the
 *   detection loop and the cluster frontend, the cluster bench and the benchmarks.
 */
export type PercentileRule = 'nearest-rank' | 'floor';

/**
 * The q-quantile (0 ≤ q ≤ 1) of the first `count` values of `sorted`, which must be sorted ascending;
 * undefined when there are none.
 */
export function percentileOfSorted(
  sorted: ArrayLike<number>,
  q: number,
  rule: PercentileRule,
  count = sorted.length,
): number | undefined {
  if (count === 0) return undefined;
  const rank = rule === 'nearest-rank' ? Math.ceil(q * count) - 1 : Math.floor(q * count);
  return sorted[Math.min(count - 1, Math.max(0, rank))];
}

/** Sorts a copy of `values` ascending (numerically) and gives its q-quantile by `rule`; undefined when empty. */
export function percentile(values: Iterable<number>, q: number, rule: PercentileRule): number | undefined {
  return percentileOfSorted(Float64Array.from(values).sort(), q, rule);
}
