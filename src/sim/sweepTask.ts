/**
 * One load-factor sweep as a self-contained task (plain data in, plain data out), so that the reproduction
 * can run sweeps in worker threads on every core.
 */
import type { ServingDnn } from '../pipeline/index.ts';
import { ProfileLibrary } from '../planner/index.ts';
import type { ArrivalSpec } from './arrivals.ts';
import type { SchedulerKind } from './simulator.ts';
import { sweep } from './sweep.ts';

export interface SweepTask {
  readonly id: number;
  readonly dnn: ServingDnn;
  readonly profiles: ReadonlyArray<string>;
  readonly referenceXputRps: number;
  readonly arrivals: ArrivalSpec;
  readonly durationUs: number;
  readonly seed: number;
  readonly scheduler: SchedulerKind;
  readonly clusterGpus: Readonly<Record<string, number>>;
}

export interface SweepTaskResult {
  readonly id: number;
  readonly maxLoadFactor: number;
  readonly points: number;
  /** Busy share of the plan's own instances per GPU type, at the largest passing load factor. */
  readonly utilization: Record<string, number>;
  /** The same over every GPU of the cluster (Fig. 8: unused GPUs count as idle). */
  readonly clusterUtilization: Record<string, number>;
  readonly events: number;
  readonly wallS: number;
}

const libraries = new Map<string, ProfileLibrary>();

export function runSweepTask(task: SweepTask): SweepTaskResult {
  const key = task.profiles.join('\n');
  let library = libraries.get(key);
  if (!library) {
    library = new ProfileLibrary(task.profiles);
    libraries.set(key, library);
  }
  const started = performance.now();
  const result = sweep(task.dnn, {
    referenceXputRps: task.referenceXputRps,
    arrivals: task.arrivals,
    durationUs: task.durationUs,
    seed: task.seed,
    scheduler: task.scheduler,
    profile: library.get(task.dnn.name),
    clusterGpus: task.clusterGpus,
  });
  const passing = result.points.find((p) => p.loadFactor === result.maxLoadFactor);
  return {
    id: task.id,
    maxLoadFactor: result.maxLoadFactor,
    points: result.points.length,
    utilization: passing?.utilization ?? {},
    clusterUtilization: passing?.clusterUtilization ?? {},
    events: result.points.reduce((n, p) => n + p.events, 0),
    wallS: (performance.now() - started) / 1000,
  };
}
