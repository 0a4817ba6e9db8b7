/**
 * Top floor: `ppipe cluster-bench` with the simulator's prediction wired in. The cluster room may not
 * import the simulator, so its bench takes a predictor hook; here it is the discrete-event simulator's
 * load-factor sweep (src/sim `sweep`, the same ReservationScheduler on a virtual clock) of the very plan the
 * emulated cluster served, with the profile's per-batch-size latencies and Poisson arrivals.
 */
import type { SimPredictor } from './clusterBenchCommand.ts';
import { runClusterBenchCommand } from './clusterBenchCommand.ts';
import type { CommandIo } from './io.ts';
import { fromPlanDocument } from '../pipeline/index.ts';
import { ProfileLibrary } from '../planner/index.ts';
import { sweep } from '../sim/index.ts';

/** Simulated seconds per load point of the prediction. */
const SIM_DURATION_US = 20_000_000;

export const simulatedMaxLoadFactor: SimPredictor = (plan, referenceRps, profiles) => {
  const dnn = fromPlanDocument(plan, 'cluster-bench plan').dnns[0];
  if (!dnn || !(referenceRps > 0)) return null;
  let profile;
  try {
    profile = new ProfileLibrary([profiles]).get(dnn.name);
  } catch {
    profile = undefined;
  }
  const result = sweep(dnn, { referenceXputRps: referenceRps, durationUs: SIM_DURATION_US, seed: 1, scheduler: 'reservation', ...(profile ? { profile } : {}) });
  return result.maxLoadFactor;
};

export function runClusterBench(argv: string[], io: CommandIo): Promise<number> {
  return runClusterBenchCommand(argv, io, { simMaxLoadFactor: simulatedMaxLoadFactor });
}
