/**
 * Request arrival processes as integer-µs inter-arrival gaps: Poisson, Gamma with a coefficient of
 * variation (bursty when CV > 1), and replay of a MAF 2021 trace folded to a target rate (reference §G).
 */
import { InputError } from '../planner/index.ts';
import type { Prng } from './prng.ts';

export type ArrivalSpec =
  | { kind: 'poisson' }
  | { kind: 'gamma'; cv: number }
  | { kind: 'trace'; file: string; arrivalsS: ReadonlyArray<number> };

export interface ArrivalProcess {
  /** Gap in µs (≥ 0) from the previous arrival to the next. */
  nextGapUs(): number;
}

export function poissonArrivals(rateRps: number, prng: Prng): ArrivalProcess {
  const meanUs = 1e6 / rateRps;
  return { nextGapUs: () => Math.round(prng.exponential(meanUs)) };
}

/** Gamma gaps with mean 1/rate and the given CV: shape 1/CV², scale mean·CV². */
export function gammaArrivals(rateRps: number, cv: number, prng: Prng): ArrivalProcess {
  const meanUs = 1e6 / rateRps;
  const shape = 1 / (cv * cv);
  const scale = meanUs / shape;
  return { nextGapUs: () => Math.round(prng.gamma(shape, scale)) };
}

/** Arrival times (s) of a MAF 2021 CSV: arrival = end_timestamp − duration, sorted. */
export function parseTraceCsv(file: string, text: string): number[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((cell) => cell.trim());
  const endColumn = header.indexOf('end_timestamp');
  const durationColumn = header.indexOf('duration');
  if (endColumn < 0 || durationColumn < 0)
    throw new InputError(file, 'line 1', 'expected a CSV header with the columns end_timestamp and duration (seconds)');
  const arrivals: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i]!.split(',');
    const end = Number(cells[endColumn]);
    const duration = Number(cells[durationColumn]);
    if (!Number.isFinite(end) || !Number.isFinite(duration))
      throw new InputError(file, `line ${i + 1}`, 'expected numeric end_timestamp and duration');
    arrivals.push(end - duration);
  }
  if (arrivals.length < 2) throw new InputError(file, undefined, 'expected at least two requests');
  return arrivals.sort((a, b) => a - b);
}

/**
 * The artifact's fold: factor = rate / ((n−1)/(t_last − t_first)); arrivals folded onto a segment of
 * length span/factor (t mod segment), re-sorted, and the gaps taken in µs (truncated, as the artifact's
 * int cast). A trace denser than the target (factor < 1) cannot be folded; it is stretched instead.
 */
export function foldTraceGapsUs(arrivalsS: ReadonlyArray<number>, rateRps: number): number[] {
  const sorted = [...arrivalsS].sort((a, b) => a - b);
  const n = sorted.length;
  const span = sorted[n - 1]! - sorted[0]!;
  if (n < 2 || span <= 0) throw new Error('a trace needs two or more distinct arrival times');
  const factor = rateRps / ((n - 1) / span);
  let times: number[];
  if (factor >= 1) {
    const segment = span / factor;
    times = sorted.map((t) => ((t % segment) + segment) % segment).sort((a, b) => a - b);
  } else {
    times = sorted.map((t) => t / factor);
  }
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) gaps.push(Math.trunc((times[i]! - times[i - 1]!) * 1e6));
  return gaps;
}

/** Replays folded gaps, cycled by request index. */
export function traceArrivals(arrivalsS: ReadonlyArray<number>, rateRps: number): ArrivalProcess {
  const gaps = foldTraceGapsUs(arrivalsS, rateRps);
  let i = 0;
  return {
    nextGapUs: () => {
      const gap = gaps[i]!;
      i = i + 1 === gaps.length ? 0 : i + 1;
      return gap;
    },
  };
}

export function arrivalProcess(spec: ArrivalSpec, rateRps: number, prng: Prng): ArrivalProcess {
  switch (spec.kind) {
    case 'poisson':
      return poissonArrivals(rateRps, prng);
    case 'gamma':
      return gammaArrivals(rateRps, spec.cv, prng);
    case 'trace':
      return traceArrivals(spec.arrivalsS, rateRps);
  }
}
