/**
 * The normalized serving plan that the scheduler and the simulator consume: per DNN its SLO and pooled
 * pipelines, per partition the block range, device class, MPS share, instance count, server size and the
 * planned latencies. Planner formats convert into it (the artifact's here; ours plugs in beside it), so the
 * data plane never depends on how a plan was made.
 */
import { z } from 'zod';
import type { Plan, ResolvedProblem } from '../planner/index.ts';
import { describeIssues } from '../config/index.ts';
import { InputError, PLAN_FORMAT, parsePlan } from '../planner/index.ts';

const partitionSchema = z.strictObject({
  firstBlock: z.number().int().nonnegative(),
  /** Exclusive. */
  endBlock: z.number().int().positive(),
  /** Device class, e.g. `L4`. */
  gpu: z.string().min(1),
  /** Denominator v of the MPS share 1/v. */
  mpsShare: z.number().int().min(1),
  /** vGPU instances in the pool (physical GPUs × v). */
  instances: z.number().int().min(1),
  gpusPerServer: z.number().int().min(1),
  /** Inference µs of the partition at the pipeline's batch size. */
  inferUs: z.number().positive(),
  /** µs per sample to send this partition's output cut; 0 on the last partition. */
  transferUsPerSample: z.number().nonnegative(),
  /** Edge-to-cloud: the site of the pool. */
  site: z.string().min(1).optional(),
  /** Edge-to-cloud: bits per sample of the output cut, when the next partition is at another site (a WAN hop). */
  cutBitsPerSample: z.number().nonnegative().optional(),
});

const linkSchema = z.strictObject({
  from: z.string().min(1),
  to: z.string().min(1),
  /** Per direction (full duplex). */
  bandwidthGbps: z.number().positive(),
  rttUs: z.number().nonnegative(),
});

const pipelineSchema = z.strictObject({
  batchSize: z.number().int().min(1),
  /** Planned throughput (req/s), when the planner states it. */
  xputRps: z.number().nonnegative().optional(),
  partitions: z.array(partitionSchema).min(1),
  /** Edge-to-cloud: the camera site whose frames this pipeline serves. */
  source: z.string().min(1).optional(),
  /**
   * Edge-to-cloud: frames reach stage 0 locally, as compressed video over the WAN, or as decoded tensors over the WAN.
   */
  ingress: z.enum(['local', 'video', 'tensor']).optional(),
  /** Bits per frame sent over the source→first-site link on remote ingress. */
  ingressBitsPerSample: z.number().nonnegative().optional(),
  /** Decode delay before stage 0 (at the cloud for video, at the edge for local and tensor ingress), µs. */
  decodeUs: z.number().nonnegative().optional(),
  /** Delay for results to return to the camera site (the RTT when the last stage is elsewhere), µs. */
  returnUs: z.number().nonnegative().optional(),
});

const dnnSchema = z.strictObject({
  name: z.string().min(1),
  sloUs: z.number().positive(),
  /** Planned throughput of the DNN (req/s) = Σ pipelines, when the planner states it. */
  xputRps: z.number().nonnegative().optional(),
  pipelines: z.array(pipelineSchema).min(1),
  /** Edge-to-cloud: the WAN links (each direction a reservable resource, like a NIC). */
  links: z.array(linkSchema).optional(),
});

export const servingPlanSchema = z.strictObject({
  bandwidthGbps: z.number().positive(),
  dnns: z.array(dnnSchema).min(1),
});

export type ServingPlan = z.output<typeof servingPlanSchema>;
export type ServingDnn = ServingPlan['dnns'][number];
export type ServingPipeline = ServingDnn['pipelines'][number];
export type ServingPartition = ServingPipeline['partitions'][number];
export type ServingLink = NonNullable<ServingDnn['links']>[number];

/** Validates a normalized plan, including the block chain of every pipeline. */
export function parseServingPlan(source: string, data: unknown): ServingPlan {
  const parsed = servingPlanSchema.safeParse(data);
  if (!parsed.success) throw new InputError(source, undefined, describeIssues(parsed.error.issues));
  const plan = parsed.data;
  plan.dnns.forEach((dnn, d) =>
    dnn.pipelines.forEach((pipeline, p) => {
      pipeline.partitions.forEach((part, i) => {
        const where = `dnns[${d}].pipelines[${p}].partitions[${i}]`;
        if (part.endBlock <= part.firstBlock) throw new InputError(source, where, 'expected endBlock > firstBlock');
        const next = pipeline.partitions[i + 1];
        if (next && next.firstBlock !== part.endBlock)
          throw new InputError(source, where, `expected the next partition to start at block ${part.endBlock}`);
        if (!next && part.transferUsPerSample !== 0)
          throw new InputError(source, where, 'expected transferUsPerSample 0 on the last partition');
        if (next && part.site !== undefined && next.site !== undefined && next.site !== part.site) {
          if (part.cutBitsPerSample === undefined)
            throw new InputError(source, where, `expected cutBitsPerSample for the WAN hop ${part.site}>${next.site}`);
          if (!findServingLink(dnn, part.site, next.site))
            throw new InputError(source, where, `expected a link between ${part.site} and ${next.site}`);
        }
      });
      const first = pipeline.partitions[0]!;
      if (
        pipeline.source !== undefined &&
        first.site !== undefined &&
        first.site !== pipeline.source &&
        !findServingLink(dnn, pipeline.source, first.site)
      ) {
        throw new InputError(
          source,
          `dnns[${d}].pipelines[${p}]`,
          `expected a link between ${pipeline.source} and ${first.site}`,
        );
      }
    }),
  );
  return plan;
}

// The artifact's plan JSON (reference §E); only the fields the data plane needs, others pass through.
const artifactPartitionSchema = z.looseObject({
  layers: z.tuple([z.number().int().nonnegative(), z.number().int().positive()]),
  gpu: z.string().min(1),
  mps: z.number().int().nonnegative(),
  bs: z.number().int().min(1),
  num_gpu: z.number().positive(),
  num_gpu_per_server: z.number().int().min(1),
  lat_infer: z.number().positive(),
  lat_trans: z.number().nonnegative(),
});
const artifactPlanSchema = z
  .array(
    z.looseObject({
      xput: z.number().nonnegative().optional(),
      sla: z.number().positive(),
      config: z.looseObject({
        dnn_name: z.string().min(1),
        bw_gbps: z.number().positive(),
        transmit_time_us_arr: z.array(z.number().nonnegative()),
      }),
      pipelines: z.array(
        z.looseObject({
          xput: z.number().nonnegative().optional(),
          partitions: z.array(artifactPartitionSchema).min(1),
        }),
      ),
    }),
  )
  .min(1);

export interface ArtifactConversionOptions {
  /** Serve at another bandwidth than the plan's `config.bw_gbps`; transfer times scale inversely. */
  readonly bandwidthGbps?: number;
}

/**
 * Converts an artifact plan (an array, one element per DNN; reference §E) into the normalized serving plan.
 * It reads only what the data plane needs (a plan without `xput` serves at capacity), so it stays apart
 * from the planner's `planFromArtifact`, which needs the planner's fields to rebuild a whole plan document.
 */
export function servingPlanFromArtifact(
  json: unknown,
  options: ArtifactConversionOptions = {},
  source = 'plan',
): ServingPlan {
  const parsed = artifactPlanSchema.safeParse(json);
  if (!parsed.success)
    throw new InputError(
      source,
      undefined,
      `expected the artifact's plan format: ${describeIssues(parsed.error.issues)}`,
    );
  const elements = parsed.data;
  const bandwidthGbps = options.bandwidthGbps ?? elements[0]!.config.bw_gbps;
  const dnns = elements.map((element, d) => {
    const scale = element.config.bw_gbps / bandwidthGbps;
    const pipelines = element.pipelines.map((pipeline, p) => {
      const batchSize = pipeline.partitions[0]!.bs;
      const partitions = pipeline.partitions.map((part, i) => {
        const where = `[${d}].pipelines[${p}].partitions[${i}]`;
        if (part.bs !== batchSize)
          throw new InputError(
            source,
            where,
            `expected bs ${batchSize} like the pipeline's first partition (one batch size per pipeline)`,
          );
        const isLast = i === pipeline.partitions.length - 1;
        // The cut after block end−1 is transmit_time_us_arr[end − 1]; lat_trans is the fallback when absent.
        const perSample = isLast
          ? 0
          : (element.config.transmit_time_us_arr[part.layers[1] - 1] ?? part.lat_trans / part.bs);
        const instances = Math.round(part.num_gpu * (part.mps + 1));
        if (instances < 1)
          throw new InputError(source, where, 'expected at least one instance (num_gpu × (mps+1) ≥ 1)');
        return {
          firstBlock: part.layers[0],
          endBlock: part.layers[1],
          gpu: part.gpu,
          mpsShare: part.mps + 1,
          instances,
          gpusPerServer: part.num_gpu_per_server,
          inferUs: part.lat_infer,
          transferUsPerSample: perSample * scale,
        };
      });
      return { batchSize, partitions, ...(pipeline.xput !== undefined ? { xputRps: pipeline.xput } : {}) };
    });
    if (pipelines.length === 0) throw new InputError(source, `[${d}].pipelines`, 'expected at least one pipeline');
    return {
      name: element.config.dnn_name,
      sloUs: element.sla,
      pipelines,
      ...(element.xput !== undefined ? { xputRps: element.xput } : {}),
    };
  });
  return parseServingPlan(source, { bandwidthGbps, dnns });
}

/** The link joining two sites (links are full duplex: either orientation matches). */
export function findServingLink(dnn: Pick<ServingDnn, 'links'>, from: string, to: string): ServingLink | undefined {
  return dnn.links?.find((l) => (l.from === from && l.to === to) || (l.from === to && l.to === from));
}

/**
 * Splits an edge-to-cloud DNN into its (DNN, source site) groups: each group's frames are scheduled by
 * their own frontend on the group's own pipelines. A DNN without sources is one group.
 */
export function servingGroups(dnn: ServingDnn): Array<{ source: string | undefined; dnn: ServingDnn }> {
  const sources = [...new Set(dnn.pipelines.map((p) => p.source))];
  if (sources.length <= 1) return [{ source: sources[0], dnn }];
  return sources.map((source) => {
    const pipelines = dnn.pipelines.filter((p) => p.source === source);
    const xputRps = pipelines.reduce((sum, p) => sum + (p.xputRps ?? pipelineCapacityRps(p)), 0);
    return { source, dnn: { ...dnn, xputRps, pipelines } };
  });
}

/** Throughput (req/s) of one pipeline from its partitions alone: min over partitions of instances × bs / latency. */
export function pipelineCapacityRps(pipeline: ServingPipeline): number {
  let rps = Infinity;
  for (const part of pipeline.partitions)
    rps = Math.min(rps, (part.instances * 1e6 * pipeline.batchSize) / part.inferUs);
  return rps;
}

/** The DNN's planned throughput: the plan's `xput` when present, else Σ pipelines (their xput, else capacity). */
export function dnnThroughputRps(dnn: ServingDnn): number {
  if (dnn.xputRps !== undefined) return dnn.xputRps;
  let sum = 0;
  for (const pipeline of dnn.pipelines) sum += pipeline.xputRps ?? pipelineCapacityRps(pipeline);
  return sum;
}

/**
 * Converts our own plan document (`ppipe-plan/1`, src/planner/planDocument.ts) into the normalized plan.
 * An edge-to-cloud plan needs its resolved problem too (WAN links, decode times, video and tensor sizes,
 * which the document does not carry); without it, sites are ignored and the plan serves as one data centre.
 */
export function fromPlanDocument(
  plan: Plan,
  source = 'plan',
  problem?: Pick<ResolvedProblem, 'edge' | 'dnns'>,
): ServingPlan {
  const edge = problem?.edge;
  const dnns = plan.dnns.map((dnn) => ({
    name: dnn.name,
    sloUs: dnn.sloUs,
    xputRps: dnn.throughputRps,
    ...(edge
      ? { links: edge.links.map((l) => ({ from: l.from, to: l.to, bandwidthGbps: l.bandwidthGbps, rttUs: l.rttUs })) }
      : {}),
    pipelines: dnn.pipelines.map((pipeline) => ({
      batchSize: pipeline.batchSize,
      xputRps: pipeline.throughputRps,
      ...(edge && pipeline.source !== undefined ? edgePipelineFields(dnn.name, pipeline, problem!) : {}),
      partitions: pipeline.partitions.map((part, i) => {
        const isLast = i === pipeline.partitions.length - 1;
        const next = pipeline.partitions[i + 1];
        const crossSite =
          edge !== undefined &&
          next !== undefined &&
          part.site !== undefined &&
          next.site !== undefined &&
          next.site !== part.site;
        return {
          ...(edge && part.site !== undefined ? { site: part.site } : {}),
          // Bits of the cut from its NIC time at the plan bandwidth (µs × Gbit/s × 1000).
          ...(crossSite
            ? {
                cutBitsPerSample: (dnn.transferUsPerSample[part.blocks[1] - 1] ?? 0) * plan.cluster.bandwidthGbps * 1e3,
              }
            : {}),
          firstBlock: part.blocks[0],
          endBlock: part.blocks[1],
          gpu: part.gpu,
          mpsShare: part.mpsShare,
          instances: part.instances,
          gpusPerServer: part.gpusPerServer,
          inferUs: part.inferUs,
          transferUsPerSample: isLast
            ? 0
            : (dnn.transferUsPerSample[part.blocks[1] - 1] ?? part.transferUs / pipeline.batchSize),
        };
      }),
    })),
  }));
  return parseServingPlan(source, { bandwidthGbps: plan.cluster.bandwidthGbps, dnns });
}

function edgePipelineFields(
  dnnName: string,
  pipeline: Plan['dnns'][number]['pipelines'][number],
  problem: Pick<ResolvedProblem, 'edge' | 'dnns'>,
) {
  const edge = problem.edge!;
  const source = pipeline.source!;
  const first = pipeline.partitions[0]!;
  const last = pipeline.partitions[pipeline.partitions.length - 1]!;
  const ingress = pipeline.ingress ?? 'local';
  const decodeAt = (site: string | undefined): number => edge.sites.find((s) => s.name === site)?.decodeUsPerFrame ?? 0;
  const target = problem.dnns.findIndex((t) => t.name === dnnName);
  const demand = edge.demands.find((d) => d.dnn === target && d.site === source);
  const bits =
    ingress === 'video'
      ? (demand?.videoBitsPerFrame ?? 0)
      : ingress === 'tensor'
        ? (problem.dnns[target]?.profile.inputBytes ?? 0) * 8
        : 0;
  const rtt = (a: string, b: string): number =>
    edge.links.find((l) => (l.from === a && l.to === b) || (l.from === b && l.to === a))?.rttUs ?? 0;
  return {
    source,
    ingress,
    ...(ingress !== 'local' ? { ingressBitsPerSample: bits } : {}),
    decodeUs: decodeAt(ingress === 'video' ? first.site : source),
    returnUs: last.site !== undefined && last.site !== source ? (pipeline.returnUs ?? rtt(last.site, source)) : 0,
  };
}

/**
 * PLAN FORMAT HOOK: every plan document the data plane accepts comes through here. An array is the
 * artifact's format (reference §E); `format: "ppipe-plan/1"` is ours; an object with `dnns` and
 * `bandwidthGbps` is already normalized. New formats plug in as one more branch.
 */
export function loadServingPlan(data: unknown, source: string, options: ArtifactConversionOptions = {}): ServingPlan {
  if (Array.isArray(data)) return servingPlanFromArtifact(data, options, source);
  const format = (data as { format?: unknown } | null)?.format;
  if (format === PLAN_FORMAT) {
    const plan = fromPlanDocument(parsePlan(source, data), source);
    return options.bandwidthGbps === undefined ? plan : rescaleBandwidth(plan, options.bandwidthGbps);
  }
  if (format !== undefined)
    throw new InputError(
      source,
      'format',
      `expected "${PLAN_FORMAT}" or the artifact's plan array, got ${JSON.stringify(format)}`,
    );
  const plan = parseServingPlan(source, data);
  return options.bandwidthGbps === undefined ? plan : rescaleBandwidth(plan, options.bandwidthGbps);
}

function rescaleBandwidth(plan: ServingPlan, bandwidthGbps: number): ServingPlan {
  const scale = plan.bandwidthGbps / bandwidthGbps;
  return {
    bandwidthGbps,
    dnns: plan.dnns.map((dnn) => ({
      ...dnn,
      pipelines: dnn.pipelines.map((p) => ({
        ...p,
        partitions: p.partitions.map((part) => ({ ...part, transferUsPerSample: part.transferUsPerSample * scale })),
      })),
    })),
  };
}
