/** A plan document (`ppipe-plan/1`) as the UI draws it (PlanView): pools with inclusive block ranges, SLOs in ms. */
import type { Plan } from '../planner/index.ts';
import type { PlanView } from './api.ts';

export function planViewOf(plan: Plan, meta: Pick<PlanView, 'planId' | 'createdAt' | 'reason' | 'nodes'>): PlanView {
  return {
    ...meta,
    algorithm: plan.algorithm,
    objective: plan.objective,
    dnns: plan.dnns.map((dnn) => ({
      name: dnn.name,
      sloMs: dnn.sloUs / 1000,
      blockCount: dnn.blockCount,
      throughputRps: dnn.throughputRps,
      pipelines: dnn.pipelines.map((pipeline) => ({
        throughputRps: pipeline.throughputRps,
        batchSize: pipeline.batchSize,
        ...(pipeline.source !== undefined ? { source: pipeline.source } : {}),
        pools: pipeline.partitions.map((part) => ({
          // Plans hold [first, end); the view shows first and last block.
          blocks: [part.blocks[0], part.blocks[1] - 1] as [number, number],
          gpuType: part.gpu,
          instances: part.instances,
          mpsShare: part.mpsShare,
          gpus: part.gpus,
          batchSize: pipeline.batchSize,
          throughputRps: part.throughputRps,
          inferUs: part.inferUs,
          transferUs: part.transferUs,
          ...(part.site !== undefined ? { site: part.site } : {}),
        })),
      })),
    })),
  };
}
