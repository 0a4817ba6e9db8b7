/**
 * The serving topology of one DNN, derived from its plan: every vGPU instance with a global id, the server
 * whose NIC it shares, and integer-µs latency tables per pipeline stage and batch size. Both schedulers and
 * the simulator index everything by these ids.
 */
import type { ModelProfile } from '../planner/index.ts';
import { partitionLatencyUs } from '../planner/index.ts';
import type { ServingDnn } from './servingPlan.ts';

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
  /** µs per sample to send this stage's output, rounded like the artifact's per-request network latency. */
  readonly transferUsPerSample: number;
}

export interface PipelineTopology {
  readonly index: number;
  readonly batchSize: number;
  readonly stages: ReadonlyArray<StageTopology>;
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
  /** Notes such as profile/plan latency mismatches, for the caller to show. */
  readonly warnings: ReadonlyArray<string>;
}

export interface TopologyOptions {
  /** Latencies for batch sizes other than the planned one; without it they scale linearly from the plan. */
  readonly profile?: ModelProfile;
}

/**
 * Builds the topology. A partition's instances share a server NIC in groups of gps × v consecutive instances
 * (gps = GPUs per server of its own type), exactly the NIC share 1/(v·gps) per instance that the planner's
 * rate caps assume (reference §D.2). The artifact's simulator groups by max(gps_i, gps_i+1) and gives every
 * last-partition instance a NIC of its own (§F.3); that packs a T4 pool feeding L4s 4 GPUs to a NIC on
 * 2-GPU servers, so a plan the MILP sized for its real NICs could not be served. Partitions never share a
 * server, so every hop between stages crosses two NICs.
 */
export function buildTopology(dnn: ServingDnn, options: TopologyOptions = {}): ServingTopology {
  const warnings: string[] = [];
  const instanceServer: number[] = [];
  const instancePipeline: number[] = [];
  const instanceStage: number[] = [];
  const instanceGpu: string[] = [];
  const instanceShare: number[] = [];
  let serverCount = 0;
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
            warnings.push(`pipeline ${p} stage ${s}: profile gives ${us.toFixed(0)} µs at bs ${bs}, the plan ${part.inferUs.toFixed(0)} µs`);
          }
        } else {
          us = (part.inferUs * bs) / pipeline.batchSize;
        }
        inferUsByBs.push(Math.max(1, Math.round(us)));
      }
      return {
        stage: s,
        gpu: part.gpu,
        mpsShare: part.mpsShare,
        firstBlock: part.firstBlock,
        endBlock: part.endBlock,
        instances,
        inferUsByBs,
        transferUsPerSample: Math.round(part.transferUsPerSample),
      };
    });
    return { index: p, batchSize: pipeline.batchSize, stages };
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
    warnings,
  };
}

/** Transfer µs of a batch leaving a stage. */
export function transferUs(stage: StageTopology, batchSize: number): number {
  return batchSize * stage.transferUsPerSample;
}

