/**
 * The plan validator: recomputes every latency, throughput and GPU count of a plan from the profiles and the
 * problem, and checks the invariants of reference §J.6. Returns one readable message per violation.
 */
import { maxProfiledBatch, partitionLatencyUs, profiledShares } from './modelProfile.ts';
import type { Plan } from './planDocument.ts';
import { usedGpusByType } from './planDocument.ts';
import type { ResolvedProblem } from './problem.ts';

const close = (a: number, b: number, absolute = 1e-3): boolean => Math.abs(a - b) <= absolute + 1e-6 * Math.max(Math.abs(a), Math.abs(b));

export function validatePlan(plan: Plan, problem: ResolvedProblem): string[] {
  const errors: string[] = [];
  const bandwidthGbps = problem.bandwidthGbps;
  if (!close(plan.cluster.bandwidthGbps, bandwidthGbps)) errors.push(`cluster.bandwidthGbps: plan says ${plan.cluster.bandwidthGbps}, the problem ${bandwidthGbps}`);

  plan.dnns.forEach((dnn, d) => {
    const at = `dnns[${d}] (${dnn.name})`;
    const target = problem.dnns.find((t) => t.name === dnn.name);
    if (!target) {
      errors.push(`${at}: not a DNN of the problem (${problem.dnns.map((t) => t.name).join(', ')})`);
      return;
    }
    const profile = target.profile;
    const blocks = profile.blockCount;
    let served = 0;
    dnn.pipelines.forEach((pipeline, l) => {
      const pat = `${at}.pipelines[${l}]`;
      const batch = pipeline.batchSize;
      let expectedStart = 0;
      let latencyUs = 0;
      let minPartitionRps = Infinity;
      pipeline.partitions.forEach((part, p) => {
        const ppat = `${pat}.partitions[${p}]`;
        const [first, end] = part.blocks;
        if (first !== expectedStart || end <= first || end > blocks) {
          errors.push(`${ppat}.blocks: expected [${expectedStart}, e) with ${expectedStart} < e ≤ ${blocks}, got [${first}, ${end})`);
          return;
        }
        expectedStart = end;
        const gpu = problem.gpus.find((g) => g.type === part.gpu);
        if (!gpu) {
          errors.push(`${ppat}.gpu: ${part.gpu} is not a GPU type of the problem`);
          return;
        }
        if (part.mpsShare > gpu.mpsLevels || !profiledShares(profile, part.gpu).includes(part.mpsShare)) {
          errors.push(`${ppat}.mpsShare: 1/${part.mpsShare} is not allowed on ${part.gpu} (mpsLevels ${gpu.mpsLevels}, profiled ${profiledShares(profile, part.gpu).join(', ')})`);
          return;
        }
        if (batch > maxProfiledBatch(profile, part.gpu, part.mpsShare)) {
          errors.push(`${ppat}: batch ${batch} is not profiled on ${part.gpu} at 1/${part.mpsShare}`);
          return;
        }
        if (!Number.isInteger(part.instances) || part.instances < 1) errors.push(`${ppat}.instances: expected a positive integer, got ${part.instances}`);
        if (!close(part.gpus, part.instances / part.mpsShare, 1e-9)) errors.push(`${ppat}.gpus: expected instances/mpsShare = ${part.instances / part.mpsShare}, got ${part.gpus}`);
        const inferUs = partitionLatencyUs(profile, part.gpu, part.mpsShare, batch, first, end);
        if (!close(part.inferUs, inferUs, 0.5)) errors.push(`${ppat}.inferUs: profiles give ${inferUs}, plan says ${part.inferUs}`);
        const cutUs = (c: number): number => (profile.cutBytes[c - 1]! * 8) / (bandwidthGbps * 1e3);
        const transferUs = end < blocks ? batch * cutUs(end) : 0;
        if (!close(part.transferUs, transferUs)) errors.push(`${ppat}.transferUs: expected batch × per-sample transfer = ${transferUs}, got ${part.transferUs}`);
        const serverShare = part.mpsShare * part.gpusPerServer;
        const rateRps = Math.min((1e6 * batch) / inferUs, 1e6 / ((first > 0 ? cutUs(first) : 1) * serverShare), 1e6 / ((end < blocks ? cutUs(end) : 1) * serverShare));
        if (part.throughputRps > part.instances * rateRps * (1 + 1e-6) + 1e-6) {
          errors.push(`${ppat}.throughputRps: ${part.throughputRps} exceeds instances × NIC-capped rate = ${part.instances * rateRps}`);
        }
        if (part.gpusPerServer !== gpu.gpusPerServer) errors.push(`${ppat}.gpusPerServer: the problem has ${gpu.gpusPerServer} ${part.gpu} per server, plan says ${part.gpusPerServer}`);
        latencyUs += part.inferUs + part.transferUs;
        minPartitionRps = Math.min(minPartitionRps, part.throughputRps);
      });
      if (expectedStart !== blocks) errors.push(`${pat}: partitions end at block ${expectedStart}, expected ${blocks}`);
      if (pipeline.throughputRps > minPartitionRps * (1 + 1e-6) + 1e-6) errors.push(`${pat}.throughputRps: ${pipeline.throughputRps} exceeds its slowest partition (${minPartitionRps})`);
      const batchBuildUs = dnn.estXput === null ? 0 : (problem.batchBuildFactor * 1e6 * (batch - 1)) / dnn.estXput;
      if (!close(pipeline.estBatchBuildUs, batchBuildUs)) errors.push(`${pat}.estBatchBuildUs: expected ${batchBuildUs}, got ${pipeline.estBatchBuildUs}`);
      const totalUs = latencyUs + batchBuildUs + target.marginUs;
      if (totalUs > target.sloUs + 1e-3) errors.push(`${pat}: latency ${totalUs.toFixed(1)} µs (inference + transfers + batch building + margin ${target.marginUs}) exceeds the SLO ${target.sloUs} µs`);
      served += pipeline.throughputRps;
    });
    if (!close(dnn.throughputRps, served)) errors.push(`${at}.throughputRps: expected the sum of its pipelines ${served}, got ${dnn.throughputRps}`);
  });

  for (const [type, used] of usedGpusByType(plan.dnns)) {
    const gpu = problem.gpus.find((g) => g.type === type);
    if (gpu && used > gpu.count) errors.push(`GPUs: the plan needs ${used} ${type} (integral pools per DNN, slot and type), the cluster has ${gpu.count}`);
  }
  for (const target of problem.dnns) if (!plan.dnns.some((dnn) => dnn.name === target.name)) errors.push(`dnns: ${target.name} of the problem is missing from the plan`);
  const objective = Math.min(...plan.dnns.map((dnn) => dnn.throughputRps / (problem.dnns.find((t) => t.name === dnn.name)?.weight ?? dnn.weight)));
  if (!close(plan.objective, objective)) errors.push(`objective: expected min throughput/weight = ${objective}, got ${plan.objective}`);
  return errors;
}
