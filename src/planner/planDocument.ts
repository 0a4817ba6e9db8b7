/**
 * Plans as documents: the project's own format (`ppipe-plan/1`, zod-validated) and the artifact's format
 * (reference §E) for import and export, so that plans move between the two.
 */
import { z } from 'zod';
import { describeIssues } from '../config/index.ts';
import { InputError } from './inputError.ts';
import { cutTransferUs } from './modelProfile.ts';
import type { PlanOutcome } from './planner.ts';
import { ALGORITHMS } from './problem.ts';
import type { ResolvedProblem } from './problem.ts';
import type { ProfileLibrary } from './profileLibrary.ts';

export const PLAN_FORMAT = 'ppipe-plan/1';

const partitionSchema = z
  .object({
    blocks: z.tuple([z.number().int().min(0), z.number().int().min(1)]).describe('Blocks [first, end) of the model'),
    gpu: z.string().min(1).describe('Device class of the pool'),
    mpsShare: z.number().int().min(1).describe('MPS share denominator v: each instance holds 1/v of a GPU'),
    instances: z.number().int().min(1).describe('vGPU instances in the pool'),
    gpus: z.number().positive().describe('Physical-GPU equivalents = instances / mpsShare'),
    gpusPerServer: z.number().int().min(1).describe('GPUs per server of this type (they share a NIC)'),
    inferUs: z.number().nonnegative().describe('Latency of the partition at the batch size, µs'),
    transferUs: z
      .number()
      .nonnegative()
      .describe('Transfer of the output batch to the next partition, µs (0 on the last)'),
    throughputRps: z.number().nonnegative().describe('Pool throughput, req/s'),
    site: z.string().optional().describe('Edge-to-cloud: the site of the pool'),
  })
  .strict();

const pipelineSchema = z
  .object({
    throughputRps: z.number().nonnegative().describe('Planned throughput of the pipeline, req/s'),
    batchSize: z.number().int().min(1).describe('One batch size for every partition'),
    estBatchBuildUs: z
      .number()
      .nonnegative()
      .describe('Estimated batch-building delay counted in the latency budget, µs'),
    partitions: z.array(partitionSchema).min(1),
    source: z.string().optional().describe('Edge-to-cloud: the camera site whose frames this pipeline serves'),
    ingress: z
      .enum(['local', 'video', 'tensor'])
      .optional()
      .describe('Edge-to-cloud: how frames reach the first partition'),
    ingressUs: z
      .number()
      .nonnegative()
      .optional()
      .describe('Edge-to-cloud: decode, WAN transfer and RTT before the first partition, µs'),
    returnUs: z
      .number()
      .nonnegative()
      .optional()
      .describe('Edge-to-cloud: RTT for results to return to the camera site, µs'),
  })
  .strict();

const dnnPlanSchema = z
  .object({
    name: z.string().min(1),
    weight: z.number().positive(),
    sloUs: z.number().positive(),
    marginUs: z.number().min(0),
    estXput: z.number().positive().nullable().describe('Throughput used for the batch-building estimate (null: none)'),
    blockCount: z.number().int().min(1),
    transferUsPerSample: z
      .array(z.number().nonnegative())
      .describe('Per-sample transfer µs of each internal cut at the plan bandwidth'),
    throughputRps: z.number().nonnegative(),
    pipelines: z.array(pipelineSchema),
  })
  .strict();

export const planSchema = z
  .object({
    format: z.literal(PLAN_FORMAT),
    algorithm: z.enum(ALGORITHMS),
    maxPartitions: z.number().int().min(1),
    objective: z.number().min(0).describe('min over DNNs of throughput / weight'),
    status: z.enum(['optimal', 'time_limit', 'infeasible', 'imported']),
    mipGap: z.number().min(0).nullable(),
    cluster: z
      .object({
        bandwidthGbps: z.number().positive(),
        batchBuildFactor: z.number().min(0),
        gpus: z.array(
          z
            .object({
              type: z.string(),
              count: z.number().int().min(0),
              mpsLevels: z.number().int().min(1),
              gpusPerServer: z.number().int().min(1),
              site: z.string().optional(),
            })
            .strict(),
        ),
      })
      .strict(),
    dnns: z.array(dnnPlanSchema).min(1),
    demands: z
      .array(
        z
          .object({
            dnn: z.string(),
            site: z.string(),
            framesPerSecond: z.number().positive(),
            servedRps: z.number().nonnegative(),
          })
          .strict(),
      )
      .optional()
      .describe(
        'Edge-to-cloud: camera frames per DNN and site, and what the plan serves; the objective is min served/demand',
      ),
    links: z
      .array(
        z
          .object({
            from: z.string(),
            to: z.string(),
            usedBitsPerSecond: z.number().nonnegative(),
            capacityBitsPerSecond: z.number().positive(),
          })
          .strict(),
      )
      .optional()
      .describe('Edge-to-cloud: WAN traffic per link direction at the planned throughput'),
  })
  .strict();

export type Plan = z.infer<typeof planSchema>;
export type PlanDnn = Plan['dnns'][number];
export type PlanPipeline = PlanDnn['pipelines'][number];
export type PlanPartition = PlanPipeline['partitions'][number];

export function parsePlan(source: string, data: unknown): Plan {
  const parsed = planSchema.safeParse(data);
  if (!parsed.success) throw new InputError(source, undefined, describeIssues(parsed.error.issues));
  return parsed.data;
}

/** Builds our plan document from a planner outcome. */
export function planFromOutcome(problem: ResolvedProblem, outcome: PlanOutcome): Plan {
  const edge = problem.edge;
  const dnns = outcome.dnns.map((dnn, d): PlanDnn => {
    const pipelines: PlanPipeline[] = [];
    outcome.groups.forEach((group, g) => {
      if (group.dnn !== d) return;
      for (const pipeline of outcome.allocation.dnns[g]!.pipelines) {
        const candidate = pipeline.candidate;
        pipelines.push({
          throughputRps: pipeline.throughputRps,
          batchSize: candidate.batch,
          estBatchBuildUs: candidate.batchBuildUs,
          partitions: candidate.stages.map((stage, p) => {
            const gpu = problem.gpus[stage.gpu]!;
            const instances = pipeline.instances[p]!;
            return {
              blocks: [stage.first, stage.end] as [number, number],
              gpu: gpu.type,
              mpsShare: stage.share,
              instances,
              gpus: instances / stage.share,
              gpusPerServer: gpu.gpusPerServer,
              inferUs: stage.inferUs,
              transferUs: stage.transferUs,
              throughputRps: instances * stage.rateRps,
              ...(gpu.site !== undefined ? { site: gpu.site } : {}),
            };
          }),
          ...(group.site !== undefined
            ? {
                source: group.site,
                ingress: candidate.ingress!,
                ingressUs: candidate.ingressUs!,
                returnUs: candidate.returnUs!,
              }
            : {}),
        });
      }
    });
    return {
      name: dnn.name,
      weight: dnn.weight,
      sloUs: dnn.sloUs,
      marginUs: dnn.marginUs,
      estXput: dnn.estXput ?? null,
      blockCount: dnn.profile.blockCount,
      transferUsPerSample: Array.from({ length: dnn.profile.blockCount - 1 }, (_, c) =>
        cutTransferUs(dnn.profile, c + 1, problem.bandwidthGbps),
      ),
      throughputRps: pipelines.reduce((sum, p) => sum + p.throughputRps, 0),
      pipelines,
    };
  });
  const demands = edge?.demands.map((demand) => ({
    dnn: dnns[demand.dnn]!.name,
    site: demand.site,
    framesPerSecond: demand.framesPerSecond,
    servedRps: dnns[demand.dnn]!.pipelines.filter((p) => p.source === demand.site).reduce(
      (sum, p) => sum + p.throughputRps,
      0,
    ),
  }));
  const plan: Plan = {
    format: PLAN_FORMAT,
    algorithm: outcome.algorithm,
    maxPartitions: outcome.maxPartitions,
    objective: 0,
    status: outcome.status,
    mipGap: Number.isFinite(outcome.mipGap) ? outcome.mipGap : null,
    cluster: {
      bandwidthGbps: problem.bandwidthGbps,
      batchBuildFactor: problem.batchBuildFactor,
      gpus: problem.gpus.map((g) => ({
        type: g.type,
        count: g.count,
        mpsLevels: g.mpsLevels,
        gpusPerServer: g.gpusPerServer,
        ...(g.site !== undefined ? { site: g.site } : {}),
      })),
    },
    dnns,
    ...(demands ? { demands } : {}),
  };
  if (edge) plan.links = linkUsage(plan, problem);
  plan.objective = planObjective(plan);
  return plan;
}

/** min over DNNs of throughput / weight; with camera sites, min over (DNN, site) of served / demanded frames. */
export function planObjective(plan: Pick<Plan, 'dnns' | 'demands'>): number {
  if (plan.demands)
    return plan.demands.length === 0 ? 0 : Math.min(...plan.demands.map((d) => d.servedRps / d.framesPerSecond));
  return plan.dnns.length === 0 ? 0 : Math.min(...plan.dnns.map((dnn) => dnn.throughputRps / dnn.weight));
}

/** Bits per second each WAN link direction carries at the plan's throughputs (recomputed from the profiles). */
export function linkUsage(plan: Plan, problem: ResolvedProblem): NonNullable<Plan['links']> {
  const edge = problem.edge;
  if (!edge) return [];
  const used = new Map<string, number>();
  const add = (from: string, to: string, bitsPerSecond: number): void => {
    const key = `${from}>${to}`;
    used.set(key, (used.get(key) ?? 0) + bitsPerSecond);
  };
  for (const dnn of plan.dnns) {
    const target = problem.dnns.find((t) => t.name === dnn.name);
    if (!target) continue;
    for (const pipeline of dnn.pipelines) {
      if (pipeline.source === undefined) continue;
      const first = pipeline.partitions[0]!;
      if (first.site !== pipeline.source) {
        const demand = edge.demands.find(
          (dm) => dm.site === pipeline.source && problem.dnns[dm.dnn]!.name === dnn.name,
        );
        const bits =
          pipeline.ingress === 'tensor' ? (target.profile.inputBytes ?? 0) * 8 : (demand?.videoBitsPerFrame ?? 0);
        add(pipeline.source, first.site!, pipeline.throughputRps * bits);
      }
      pipeline.partitions.forEach((part, p) => {
        const next = pipeline.partitions[p + 1];
        if (next && next.site !== part.site)
          add(part.site!, next.site!, pipeline.throughputRps * target.profile.cutBytes[part.blocks[1] - 1]! * 8);
      });
    }
  }
  return edge.links.flatMap((link) =>
    [
      [link.from, link.to],
      [link.to, link.from],
    ].map(([from, to]) => ({
      from: from!,
      to: to!,
      usedBitsPerSecond: used.get(`${from}>${to}`) ?? 0,
      capacityBitsPerSecond: link.bandwidthGbps * 1e9,
    })),
  );
}

// ---- The artifact's format (reference §E) ----

const artifactPartitionSchema = z.object({
  dnn: z.string(),
  layers: z.tuple([z.number().int(), z.number().int()]),
  gpu: z.string(),
  mps: z.number().int().min(0),
  bs: z.number().int().min(1),
  num_gpu_per_server: z.number().int().min(1),
  num_gpu: z.number().min(0),
  lat_infer: z.number(),
  lat_trans: z.number(),
  xput: z.number(),
});

const artifactDnnSchema = z.object({
  xput: z.number(),
  config: z
    .object({
      dnn_name: z.string(),
      gpu_name_arr: z.array(z.string()),
      sla: z.number(),
      num_mps_levels: z.array(z.number().int()),
      max_num_parts: z.number().int(),
      transmit_time_us_arr: z.array(z.number()),
      est_xput: z.number().nullable().optional(),
      batch_build_factor: z.number(),
      hist_adjustment: z.number(),
      num_gpu_per_server_arr: z.array(z.number().int()),
      bw_gbps: z.number(),
    })
    .passthrough(),
  sla: z.number(),
  mipgap: z.number().optional(),
  runtime: z.number().optional(),
  pipelines: z.array(
    z
      .object({
        xput: z.number(),
        est_xput: z.number().nullable().optional(),
        est_batch_build_lat: z.number(),
        batch_build_factor: z.number(),
        hist_adjustment: z.number(),
        partitions: z.array(artifactPartitionSchema).min(1),
      })
      .passthrough(),
  ),
});

export const artifactPlanSchema = z.array(artifactDnnSchema).min(1);
export type ArtifactPlan = z.infer<typeof artifactPlanSchema>;

/** Exports a plan in the artifact's format (one array element per DNN). */
export function toArtifactPlan(plan: Plan, runtimeS?: number): ArtifactPlan {
  if (plan.demands) throw new Error('the artifact format has no sites: export edge-to-cloud plans in our format');
  const gpuNames = plan.cluster.gpus.map((g) => g.type);
  return plan.dnns.map((dnn, d) => ({
    xput: dnn.throughputRps,
    config: {
      dnn_name: dnn.name,
      gpu_name_arr: gpuNames,
      sla: dnn.sloUs,
      num_mps_levels: plan.cluster.gpus.map((g) => g.mpsLevels),
      max_num_parts: plan.maxPartitions,
      bs_same: true,
      transmit_time_us_arr: dnn.transferUsPerSample,
      est_xput: dnn.estXput,
      batch_build_factor: plan.cluster.batchBuildFactor,
      hist_adjustment: dnn.marginUs,
      hist_adjustment_w_scheduling: 0,
      num_gpu_per_server_arr: plan.cluster.gpus.map((g) => g.gpusPerServer),
      force_sum_gpu_integer_per_partition: true,
      bw_gbps: plan.cluster.bandwidthGbps,
      runtime_fmt: 1,
    },
    sla: dnn.sloUs,
    ...(d === 0 ? { mipgap: plan.mipGap ?? 0, ...(runtimeS !== undefined ? { runtime: runtimeS } : {}) } : {}),
    pipelines: dnn.pipelines.map((pipeline) => ({
      xput: pipeline.throughputRps,
      est_xput: dnn.estXput,
      est_batch_build_lat: pipeline.estBatchBuildUs,
      batch_build_factor: plan.cluster.batchBuildFactor,
      hist_adjustment: dnn.marginUs,
      hist_adjustment_w_scheduling: 0,
      partitions: pipeline.partitions.map((part) => ({
        dnn: dnn.name,
        layers: part.blocks,
        gpu: part.gpu,
        mps: part.mpsShare - 1,
        bs: pipeline.batchSize,
        num_gpu_per_server: part.gpusPerServer,
        num_gpu: part.gpus,
        lat_infer: part.inferUs,
        lat_trans: part.transferUs,
        xput: part.throughputRps,
      })),
    })),
  }));
}

export interface ImportContext {
  /** Supplies GPU counts and weights the artifact's format does not carry. */
  readonly problem?: ResolvedProblem;
  readonly profiles?: ProfileLibrary;
}

/**
 * Reads an artifact plan into our plan document. GPU counts and weights are not in that format: they come
 * from the problem when given, else counts are the GPUs the plan uses and weights are 1.
 */
export function planFromArtifact(source: string, data: unknown, context: ImportContext = {}): Plan {
  const parsed = artifactPlanSchema.safeParse(data);
  if (!parsed.success)
    throw new InputError(
      source,
      undefined,
      `expected an artifact plan (reference §E): ${describeIssues(parsed.error.issues)}`,
    );
  const doc = parsed.data;
  const first = doc[0]!.config;
  const dnns = doc.map((entry, d): PlanDnn => {
    const target = context.problem?.dnns.find((t) => t.name === entry.config.dnn_name);
    const blockCount = entry.config.transmit_time_us_arr.length + 1;
    const estXput = entry.config.est_xput ?? null;
    return {
      name: entry.config.dnn_name,
      weight: target?.weight ?? 1,
      sloUs: entry.sla,
      marginUs: entry.config.hist_adjustment,
      estXput,
      blockCount,
      transferUsPerSample: entry.config.transmit_time_us_arr,
      throughputRps: entry.xput,
      pipelines: entry.pipelines.map((pipeline, l) => ({
        throughputRps: pipeline.xput,
        batchSize: pipeline.partitions[0]!.bs,
        estBatchBuildUs: pipeline.est_batch_build_lat,
        partitions: pipeline.partitions.map((part, p) => {
          const instances = Math.round(part.num_gpu * (part.mps + 1));
          if (instances < 1)
            throw new InputError(
              source,
              `[${d}].pipelines[${l}].partitions[${p}].num_gpu`,
              'expected at least one instance',
            );
          return {
            blocks: [part.layers[0], part.layers[1]] as [number, number],
            gpu: part.gpu,
            mpsShare: part.mps + 1,
            instances,
            gpus: part.num_gpu,
            gpusPerServer: part.num_gpu_per_server,
            inferUs: part.lat_infer,
            transferUs: part.lat_trans,
            throughputRps: part.xput,
          };
        }),
      })),
    };
  });
  const usedGpus = usedGpusByType(dnns);
  const gpus = first.gpu_name_arr.map((type, k) => ({
    type,
    count: context.problem?.gpus.find((g) => g.type === type)?.count ?? usedGpus.get(type) ?? 0,
    mpsLevels: first.num_mps_levels[k] ?? 1,
    gpusPerServer: first.num_gpu_per_server_arr[k] ?? 1,
  }));
  return {
    format: PLAN_FORMAT,
    algorithm: 'ppipe',
    maxPartitions: first.max_num_parts,
    objective: planObjective({ dnns }),
    status: 'imported',
    mipGap: doc[0]!.mipgap ?? null,
    cluster: { bandwidthGbps: first.bw_gbps, batchBuildFactor: first.batch_build_factor, gpus },
    dnns,
  };
}

/** A GPU entry's name in messages and GPU counts: `T4`, or `T4@edge-1` with sites. */
export function gpuEntryLabel(type: string, site: string | undefined): string {
  return site === undefined ? type : `${type}@${site}`;
}

/**
 * Physical GPUs per type a plan needs: per (DNN, partition slot, type) the instances' GPU fractions are
 * pooled and rounded up (reference §D.2 integral pools), then summed.
 */
export function usedGpusByType(dnns: ReadonlyArray<Pick<PlanDnn, 'pipelines'>>): Map<string, number> {
  const used = new Map<string, number>();
  for (const dnn of dnns) {
    const pools = new Map<string, { type: string; gpus: number }>();
    for (const pipeline of dnn.pipelines) {
      pipeline.partitions.forEach((part, p) => {
        const type = gpuEntryLabel(part.gpu, part.site);
        const key = `${p}/${type}`;
        const pool = pools.get(key) ?? { type, gpus: 0 };
        pool.gpus += part.instances / part.mpsShare;
        pools.set(key, pool);
      });
    }
    for (const pool of pools.values()) used.set(pool.type, (used.get(pool.type) ?? 0) + Math.ceil(pool.gpus - 1e-9));
  }
  return used;
}

/** Reads a plan in either format (an array is the artifact's). */
export function readPlanData(source: string, data: unknown, context: ImportContext = {}): Plan {
  return Array.isArray(data) ? planFromArtifact(source, data, context) : parsePlan(source, data);
}
