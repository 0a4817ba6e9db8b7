/**
 * The serving topology of one DNN, derived from its plan: every vGPU instance with a global id, the server
 * whose NIC it shares, and integer-µs latency tables per pipeline stage and batch size. Both schedulers and
 * the simulator index everything by these ids.
 */
import type { ModelProfile } from '../planner/index.ts';
import { partitionLatencyUs } from '../planner/index.ts';
import type { ServingDnn, ServingLink } from './servingPlan.ts';
import { findServingLink } from './servingPlan.ts';

export interface StageTopology {
  readonly stage: number;
  readonly gpu: string;
  readonly mpsShare: number;
  readonly firstBlock: number;
  readonly endBlock: number;
  /** Global instance ids of the pool, consecutive, grouped by server. */
  readonly instances: Int32Array;
  /** Inference µs by batch size: `inferUsByBs[bs − 1]`, bs = 1 … the pipeline's planned batch size. */
  readonly inferUsByBs: ReadonlyArray<number>;
  /**
   * µs per sample to send this stage's output, rounded like the artifact's per-request network latency: over
   * the NICs, or over the WAN link `outLink` when the next stage is at another site.
   */
  readonly transferUsPerSample: number;
  /** WAN link (index into `links`) the output crosses to the next stage; −1: the NICs. */
  readonly outLink: number;
  /** Pure delay after the output's transfer (the link's RTT on a WAN hop), µs. */
  readonly outDelayUs: number;
  /** Edge-to-cloud: the site of the pool. */
  readonly site: string | undefined;
}

export interface PipelineTopology {
  readonly index: number;
  readonly batchSize: number;
  readonly stages: ReadonlyArray<StageTopology>;
  /** Edge-to-cloud: the camera site this pipeline serves. */
  readonly source: string | undefined;
  /** WAN link frames cross before stage 0 (remote ingress); −1: none. */
  readonly ingressLink: number;
  /** µs per frame on the ingress link. */
  readonly ingressUsPerSample: number;
  /** Pure delay before stage 0: decoding, plus the RTT on remote ingress, µs. */
  readonly ingressDelayUs: number;
  /** Pure delay after the last stage for results to reach the camera site, µs. */
  readonly returnUs: number;
}

export interface ServingTopology {
  readonly dnn: string;
  readonly sloUs: number;
  readonly pipelines: ReadonlyArray<PipelineTopology>;
  readonly instanceCount: number;
  readonly serverCount: number;
  /** Server (NIC) of each instance. */
  readonly instanceServer: Int32Array;
  readonly instancePipeline: Int32Array;
  readonly instanceStage: Int32Array;
  readonly instanceGpu: ReadonlyArray<string>;
  readonly instanceShare: Int32Array;
  /** WAN link directions the pipelines cross, each a reservable resource (from → to). */
  readonly links: ReadonlyArray<ServingLink>;
  /** Notes such as profile/plan latency mismatches, for the caller to show. */
  readonly warnings: ReadonlyArray<string>;
}

export interface ServingTopologyOptions {
  /** Latencies for batch sizes other than the planned one; without it they scale linearly from the plan. */
  readonly profile?: ModelProfile;
}

/**
 * Builds the serving topology. A partition's instances share a server NIC in groups of gps × v consecutive instances
 * (gps = GPUs per server of its own type), exactly the NIC share 1/(v·gps) per instance that the planner's
 * rate caps assume (reference §D.2). The artifact's simulator groups by max(gps_i, gps_i+1) and gives every
 * last-partition instance a NIC of its own (§F.3); that packs a T4 pool feeding L4s 4 GPUs to a NIC on
 * 2-GPU servers, so a plan the MILP sized for its real NICs could not be served. Partitions never share a
 * server, so every hop between stages crosses two NICs.
 */
export function buildServingTopology(dnn: ServingDnn, options: ServingTopologyOptions = {}): ServingTopology {
  const warnings: string[] = [];
  const instanceServer: number[] = [];
  const instancePipeline: number[] = [];
  const instanceStage: number[] = [];
  const instanceGpu: string[] = [];
  const instanceShare: number[] = [];
  let serverCount = 0;
  // WAN link directions, indexed in order of first use.
  const links: ServingLink[] = [];
  const linkIndex = (from: string, to: string): number => {
    const found = links.findIndex((l) => l.from === from && l.to === to);
    if (found >= 0) return found;
    const link = findServingLink(dnn, from, to);
    if (!link) throw new Error(`${dnn.name}: no WAN link between ${from} and ${to}`);
    links.push({ from, to, bandwidthGbps: link.bandwidthGbps, rttUs: link.rttUs });
    return links.length - 1;
  };
  const pipelines = dnn.pipelines.map((pipeline, p): PipelineTopology => {
    const stages = pipeline.partitions.map((part, s): StageTopology => {
      const next = pipeline.partitions[s + 1];
      const groupSize = part.gpusPerServer * part.mpsShare;
      const instances = new Int32Array(part.instances);
      for (let k = 0; k < part.instances; k++) {
        const id = instanceServer.length;
        instances[k] = id;
        if (k % groupSize === 0) serverCount++;
        instanceServer.push(serverCount - 1);
        instancePipeline.push(p);
        instanceStage.push(s);
        instanceGpu.push(part.gpu);
        instanceShare.push(part.mpsShare);
      }
      const inferUsByBs: number[] = [];
      for (let bs = 1; bs <= pipeline.batchSize; bs++) {
        let us: number;
        if (options.profile) {
          us = partitionLatencyUs(options.profile, part.gpu, part.mpsShare, bs, part.firstBlock, part.endBlock);
          if (bs === pipeline.batchSize && Math.abs(us - part.inferUs) >= 50) {
            warnings.push(
              `pipeline ${p} stage ${s}: profile gives ${us.toFixed(0)} µs at bs ${bs}, the plan ` +
                `${part.inferUs.toFixed(0)} µs`,
            );
          }
        } else {
          us = (part.inferUs * bs) / pipeline.batchSize;
        }
        inferUsByBs.push(Math.max(1, Math.round(us)));
      }
      const wan = next !== undefined && part.site !== undefined && next.site !== undefined && part.site !== next.site;
      const outLink = wan ? linkIndex(part.site!, next.site!) : -1;
      return {
        stage: s,
        gpu: part.gpu,
        mpsShare: part.mpsShare,
        firstBlock: part.firstBlock,
        endBlock: part.endBlock,
        instances,
        inferUsByBs,
        transferUsPerSample: wan
          ? Math.round((part.cutBitsPerSample ?? 0) / (links[outLink]!.bandwidthGbps * 1e3))
          : Math.round(part.transferUsPerSample),
        outLink,
        outDelayUs: wan ? Math.round(links[outLink]!.rttUs) : 0,
        site: part.site,
      };
    });
    const first = pipeline.partitions[0]!;
    const remote = pipeline.source !== undefined && first.site !== undefined && first.site !== pipeline.source;
    const ingressLink = remote ? linkIndex(pipeline.source!, first.site!) : -1;
    const ingressUsPerSample = remote
      ? Math.round((pipeline.ingressBitsPerSample ?? 0) / (links[ingressLink]!.bandwidthGbps * 1e3))
      : 0;
    const ingressDelayUs = Math.round((pipeline.decodeUs ?? 0) + (remote ? links[ingressLink]!.rttUs : 0));
    return {
      index: p,
      batchSize: pipeline.batchSize,
      stages,
      source: pipeline.source,
      ingressLink,
      ingressUsPerSample,
      ingressDelayUs,
      returnUs: Math.round(pipeline.returnUs ?? 0),
    };
  });
  return {
    dnn: dnn.name,
    sloUs: Math.round(dnn.sloUs),
    pipelines,
    instanceCount: instanceServer.length,
    serverCount,
    instanceServer: Int32Array.from(instanceServer),
    instancePipeline: Int32Array.from(instancePipeline),
    instanceStage: Int32Array.from(instanceStage),
    instanceGpu,
    instanceShare: Int32Array.from(instanceShare),
    links,
    warnings,
  };
}

/** Transfer µs of a batch leaving a stage. */
export function transferUs(stage: StageTopology, batchSize: number): number {
  return batchSize * stage.transferUsPerSample;
}
