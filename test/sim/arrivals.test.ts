import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  foldTraceGapsUs,
  gammaArrivals,
  parseTraceCsv,
  poissonArrivals,
  traceArrivals,
} from '../../src/sim/arrivals.ts';
import { Prng } from '../../src/sim/prng.ts';
import { FIXTURES } from '../helpers.ts';

function meanAndCv(samples: number[]): { mean: number; cv: number } {
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const variance = samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (samples.length - 1);
  return { mean, cv: Math.sqrt(variance) / mean };
}

for (const cv of [0.5, 1, 2, 4]) {
  test(`gamma arrivals have the requested mean and CV (CV ${cv})`, () => {
    const arrivals = gammaArrivals(1000, cv, new Prng(11));
    const gaps = Array.from({ length: 200_000 }, () => arrivals.nextGapUs());
    const stats = meanAndCv(gaps);
    assert.ok(Math.abs(stats.mean - 1000) / 1000 < 0.02, `mean ${stats.mean}`);
    assert.ok(Math.abs(stats.cv - cv) / cv < 0.05, `cv ${stats.cv}`);
  });
}

test('poisson arrivals have mean 1/rate and CV 1', () => {
  const arrivals = poissonArrivals(250, new Prng(5));
  const stats = meanAndCv(Array.from({ length: 100_000 }, () => arrivals.nextGapUs()));
  assert.ok(Math.abs(stats.mean - 4000) / 4000 < 0.02);
  assert.ok(Math.abs(stats.cv - 1) < 0.03);
});

test('the same seed gives the same stream, another seed another', () => {
  const a = new Prng(42);
  const b = new Prng(42);
  const c = new Prng(43);
  const xs = Array.from({ length: 5 }, () => a.nextUint32());
  assert.deepEqual(
    Array.from({ length: 5 }, () => b.nextUint32()),
    xs,
  );
  assert.notDeepEqual(
    Array.from({ length: 5 }, () => c.nextUint32()),
    xs,
  );
});

test('trace folding on a tiny CSV (reference §G)', () => {
  const file = path.join(FIXTURES, 'tiny-trace.csv');
  const arrivals = parseTraceCsv(file, readFileSync(file, 'utf8'));
  // end − duration, sorted: 10.0, 10.5, 11.0, 12.0, 14.0 (span 4 s, 4 gaps: 1 req/s).
  assert.deepEqual(arrivals, [10, 10.5, 11, 12, 14]);
  // Target 2 req/s: factor 2, segment 2 s; t mod 2 = 0, 0.5, 1, 0, 0 → sorted 0, 0, 0, 0.5, 1.
  assert.deepEqual(foldTraceGapsUs(arrivals, 2), [0, 0, 500_000, 500_000]);
  // Slower than the trace: stretched, gaps × 2.
  assert.deepEqual(foldTraceGapsUs(arrivals, 0.5), [1_000_000, 1_000_000, 2_000_000, 4_000_000]);
  const replay = traceArrivals(arrivals, 2);
  assert.deepEqual(
    Array.from({ length: 6 }, () => replay.nextGapUs()),
    [0, 0, 500_000, 500_000, 0, 0],
    'gaps cycle by request index',
  );
  assert.throws(() => parseTraceCsv('x.csv', 'a,b\n1,2\n'), /end_timestamp and duration/);
});
