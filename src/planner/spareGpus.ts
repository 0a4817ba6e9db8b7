/**
 * Spare GPUs as headroom. The max–min MILP sizes every DNN for its planned throughput and is indifferent to
 * the GPUs it does not need: in the paper's clusters a PPipe plan often leaves tens of low-class GPUs idle,
 * and the last GPU of an integral MPS pool half empty. A pool loaded to its full capacity by Poisson arrivals
 * drops about 1/(2K) of its requests, K being the requests that fit in the SLO's slack, so an idle GPU is
 * worth more as headroom on the pool that limits a pipeline.
 *
 * After the solve, the unused vGPUs of each integral pool's GPUs and the GPUs no pool holds become extra
 * instances of the pools that limit a pipeline, the pipeline with the least headroom first. Each pipeline's
 * planned throughput stays the solver's: the extra instances are capacity above the plan, not a larger
 * promise, so load factors keep their meaning (1.0 = the planned throughput).
 */
import type { Allocation, AllocatedPipeline } from './allocation.ts';
import { poolGpus, poolKey, wholeGpusPerType } from './allocation.ts';

export interface SpareGpuOptions {
  /** A pipeline stops growing once its slowest pool serves this multiple of its planned throughput. */
  readonly maxHeadroom?: number;
}

export interface SpareGpuResult {
  readonly allocation: Allocation;
  /** Instances added, over all pools. */
  readonly addedInstances: number;
  /** Physical GPUs per type that no pool holds afterwards. */
  readonly idleGpus: number[];
}

const EPSILON = 1e-9;

/**
 * Adds spare instances to an allocation. `poolOwners[g]` is the DNN whose integral pools group g's pipelines
 * share (the reference's pools are per DNN, partition slot and GPU type); `gpuCounts` are the physical GPUs
 * per type, indexed like the candidates' `gpu`.
 */
export function addSpareInstances(
  allocation: Allocation,
  poolOwners: ReadonlyArray<number>,
  gpuCounts: ReadonlyArray<number>,
  options: SpareGpuOptions = {},
): SpareGpuResult {
  const maxHeadroom = options.maxHeadroom ?? 1.5;
  const pools = poolGpus(
    allocation.dnns.map((dnn) => dnn.pipelines),
    poolOwners,
  );
  const instances = allocation.dnns.map((dnn) => dnn.pipelines.map((pipeline) => [...pipeline.instances]));
  const held = wholeGpusPerType(pools, gpuCounts.length);
  const idle = gpuCounts.map((count, k) => count - held[k]!);

  let added = 0;
  for (;;) {
    let best: { g: number; l: number; slot: number } | undefined;
    let bestHeadroom = maxHeadroom;
    allocation.dnns.forEach((dnn, g) =>
      dnn.pipelines.forEach((pipeline, l) => {
        if (pipeline.throughputRps <= 0) return;
        const counts = instances[g]![l]!;
        let slot = 0;
        let capacity = Infinity;
        pipeline.candidate.stages.forEach((stage, s) => {
          const c = counts[s]! * stage.rateRps;
          if (c < capacity) {
            capacity = c;
            slot = s;
          }
        });
        const headroom = capacity / pipeline.throughputRps;
        if (headroom >= bestHeadroom) return;
        const stage = pipeline.candidate.stages[slot]!;
        if (fitsInPool(pools.get(poolKey(poolOwners[g]!, slot, stage.gpu))!, stage.share) || idle[stage.gpu]! >= 1) {
          bestHeadroom = headroom;
          best = { g, l, slot };
        }
      }),
    );
    if (!best) break;
    const stage = allocation.dnns[best.g]!.pipelines[best.l]!.candidate.stages[best.slot]!;
    const key = poolKey(poolOwners[best.g]!, best.slot, stage.gpu);
    const pool = pools.get(key)!;
    if (!fitsInPool(pool, stage.share)) idle[stage.gpu]!--;
    pools.set(key, pool + 1 / stage.share);
    instances[best.g]![best.l]![best.slot]!++;
    added++;
  }

  const dnns = allocation.dnns.map((dnn, g) => ({
    ...dnn,
    pipelines: dnn.pipelines.map((pipeline, l): AllocatedPipeline => ({ ...pipeline, instances: instances[g]![l]! })),
  }));
  return { allocation: { ...allocation, dnns }, addedInstances: added, idleGpus: idle };
}

/** Whether one more 1/share instance fits on the GPUs the pool already holds. */
function fitsInPool(poolGpus: number, share: number): boolean {
  return Math.ceil(poolGpus - EPSILON) - poolGpus >= 1 / share - EPSILON;
}
