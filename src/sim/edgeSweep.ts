/**
 * Edge-to-cloud sweep: every (DNN, source site) group of a plan is simulated by its own frontend on its own
 * pipelines, all cameras scaled by one factor; the answer is the largest total frame rate served at the
 * target attainment over all groups together (every site's requests counted as one population). Plain data
 * in and out, so it runs in the sweep worker pool.
 */
import type { ServingDnn } from '../pipeline/index.ts';
import { ProfileLibrary } from '../planner/index.ts';
import type { ArrivalSpec } from './arrivals.ts';
import type { SimResult } from './simulator.ts';
import { simulate } from './simulator.ts';

export interface EdgeGroup {
  /** The group's own pipelines (one source site). */
  readonly dnn: ServingDnn;
  readonly source: string;
  /** cameras × fps of the source site at scale 1. */
  readonly framesPerSecond: number;
}

export interface EdgeSweepTask {
  readonly kind: 'edge';
  readonly id: number;
  readonly groups: ReadonlyArray<EdgeGroup>;
  /** Empty: latencies scale linearly from the plan (no profile needed). */
  readonly profiles: ReadonlyArray<string>;
  /** The top scale (the plan's objective: served / demanded frames); steps are top × 1.00, 0.95, …, 0.05. */
  readonly topScale: number;
  /** Σ frames/s at the top scale, which also orders the pool's queue. */
  readonly referenceXputRps: number;
  readonly arrivals: ArrivalSpec;
  readonly durationUs: number;
  readonly seed: number;
  readonly targetAttainment?: number;
  readonly clusterGpus: Readonly<Record<string, number>>;
}

export interface EdgePoint {
  readonly scale: number;
  readonly framesPerSecond: number;
  readonly attainment: number;
  readonly minGroupAttainment: number;
}

export interface EdgeSweepResult {
  readonly id: number;
  /** Largest passing scale (0 when none passes). */
  readonly scale: number;
  /** Σ offered frames/s at that scale. */
  readonly framesPerSecond: number;
  readonly attainment: number;
  /** WAN traffic the simulation carried at that scale, Mbit/s, all links; and the busiest link's reserved share. */
  readonly wanMbps: number;
  readonly maxLinkBusyShare: number;
  /** Busy share of all GPUs of each type in the cluster (unused GPUs idle), at that scale. */
  readonly clusterUtilization: Record<string, number>;
  readonly points: ReadonlyArray<EdgePoint>;
  readonly events: number;
  readonly wallS: number;
}

const libraries = new Map<string, ProfileLibrary>();

/** Simulates every group at one scale; the total attainment counts all groups' requests together. */
export function simulateEdgeScale(
  task: Omit<EdgeSweepTask, 'kind' | 'id' | 'topScale' | 'referenceXputRps'>,
  scale: number,
): { results: SimResult[]; attainment: number; minGroupAttainment: number } {
  let library: ProfileLibrary | undefined;
  if (task.profiles.length > 0) {
    const key = task.profiles.join('\n');
    library = libraries.get(key);
    if (!library) {
      library = new ProfileLibrary(task.profiles);
      libraries.set(key, library);
    }
  }
  const results = task.groups.map((group, g) =>
    simulate(group.dnn, {
      rateRps: group.framesPerSecond * scale,
      durationUs: task.durationUs,
      seed: task.seed * 1009 + g,
      arrivals: task.arrivals,
      ...(library ? { profile: library.get(group.dnn.name) } : {}),
      clusterGpus: task.clusterGpus,
    }),
  );
  const requests = results.reduce((n, r) => n + r.requests, 0);
  const served = results.reduce((n, r) => n + r.served, 0);
  return {
    results,
    attainment: requests === 0 ? 1 : served / requests,
    minGroupAttainment: Math.min(...results.map((r) => r.attainment)),
  };
}

export function runEdgeSweepTask(task: EdgeSweepTask): EdgeSweepResult {
  const started = performance.now();
  const target = task.targetAttainment ?? 0.99;
  const demand = task.groups.reduce((n, g) => n + g.framesPerSecond, 0);
  const points: EdgePoint[] = [];
  let events = 0;
  let best: { scale: number; attainment: number; results: SimResult[] } | undefined;
  if (task.topScale > 0) {
    for (let percent = 100; percent >= 5; percent -= 5) {
      const scale = (task.topScale * percent) / 100;
      const run = simulateEdgeScale(task, scale);
      events += run.results.reduce((n, r) => n + r.events, 0);
      points.push({
        scale,
        framesPerSecond: demand * scale,
        attainment: run.attainment,
        minGroupAttainment: run.minGroupAttainment,
      });
      if (run.attainment >= target) {
        best = { scale, attainment: run.attainment, results: run.results };
        break;
      }
    }
  }
  const clusterUtilization: Record<string, number> = {};
  let wanMbps = 0;
  let maxLinkBusyShare = 0;
  for (const r of best?.results ?? []) {
    for (const [gpu, u] of Object.entries(r.clusterUtilization ?? {}))
      clusterUtilization[gpu] = (clusterUtilization[gpu] ?? 0) + u;
    for (const link of r.wan ?? []) {
      wanMbps += link.mbps;
      maxLinkBusyShare = Math.max(maxLinkBusyShare, link.busyShare);
    }
  }
  return {
    id: task.id,
    scale: best?.scale ?? 0,
    framesPerSecond: best ? demand * best.scale : 0,
    attainment: best?.attainment ?? 0,
    wanMbps,
    maxLinkBusyShare,
    clusterUtilization,
    points,
    events,
    wallS: (performance.now() - started) / 1000,
  };
}
