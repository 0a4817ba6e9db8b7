/**
 * Load-factor sweep (reference §G): load = ⌊lf × reference throughput⌋ for lf = 1.00, 0.95, …, 0.05, one
 * simulation per point; the result is the largest lf whose attainment is ≥ 0.99. Points descend, so the
 * first passing point is the answer and the sweep stops there unless every point is asked for.
 */
import type { ServingDnn } from '../pipeline/index.ts';
import type { SimOptions, SimResult } from './simulator.ts';
import { simulate } from './simulator.ts';

export interface SweepPoint extends SimResult {
  loadFactor: number;
}

export interface SweepResult {
  maxLoadFactor: number;
  referenceXputRps: number;
  points: SweepPoint[];
}

export interface SweepOptions extends Omit<SimOptions, 'rateRps'> {
  readonly referenceXputRps: number;
  readonly targetAttainment?: number;
  readonly allPoints?: boolean;
  readonly onPoint?: (point: SweepPoint) => void;
}

export function sweep(dnn: ServingDnn, options: SweepOptions): SweepResult {
  const { referenceXputRps, targetAttainment = 0.99, allPoints = false, onPoint, ...simOptions } = options;
  const points: SweepPoint[] = [];
  let maxLoadFactor = 0;
  // Integer percent steps: no drift from adding 0.05 twenty times.
  for (let percent = 100; percent >= 5; percent -= 5) {
    const rateRps = Math.floor((percent * referenceXputRps) / 100);
    if (rateRps <= 0) continue;
    const point: SweepPoint = { loadFactor: percent / 100, ...simulate(dnn, { ...simOptions, rateRps }) };
    points.push(point);
    onPoint?.(point);
    if (point.attainment >= targetAttainment && maxLoadFactor === 0) {
      maxLoadFactor = point.loadFactor;
      if (!allPoints) break;
    }
  }
  return { maxLoadFactor, referenceXputRps, points };
}
