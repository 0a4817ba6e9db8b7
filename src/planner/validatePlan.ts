/**
 * The plan validator: recomputes every latency, throughput and GPU count of a plan from the profiles and the
 * problem, and checks the invariants of reference §J.6. Returns one readable message per violation.
 */
import { findLink, wanTransferUs } from './candidates.ts';
import { maxProfiledBatch, partitionLatencyUs, profiledShares } from './modelProfile.ts';
import type { Plan, PlanPipeline } from './planDocument.ts';
import { gpuEntryLabel, linkUsage, planObjective, usedGpusByType } from './planDocument.ts';
import type { ResolvedProblem } from './problem.ts';

const close = (a: number, b: number, absolute = 1e-3): boolean =>
  Math.abs(a - b) <= absolute + 1e-6 * Math.max(Math.abs(a), Math.abs(b));

export function validatePlan(plan: Plan, problem: ResolvedProblem): string[] {
  const errors: string[] = [];
  const bandwidthGbps = problem.bandwidthGbps;
  if (!close(plan.cluster.bandwidthGbps, bandwidthGbps))
    errors.push(`cluster.bandwidthGbps: plan says ${plan.cluster.bandwidthGbps}, the problem ${bandwidthGbps}`);

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
      const route = routeCheck(pipeline, problem, dnn.name, pat, errors);
      latencyUs += route.ingressUs + route.returnUs;
      pipeline.partitions.forEach((part, p) => {
        const ppat = `${pat}.partitions[${p}]`;
        const [first, end] = part.blocks;
        if (first !== expectedStart || end <= first || end > blocks) {
          errors.push(
            `${ppat}.blocks: expected [${expectedStart}, e) with ${expectedStart} < e ≤ ${blocks}, got [${first}, ` +
              `${end})`,
          );
          return;
        }
        expectedStart = end;
        const gpu = problem.gpus.find((g) => g.type === part.gpu && g.site === part.site);
        if (!gpu) {
          errors.push(`${ppat}.gpu: ${gpuEntryLabel(part.gpu, part.site)} is not a GPU entry of the problem`);
          return;
        }
        if (part.mpsShare > gpu.mpsLevels || !profiledShares(profile, part.gpu).includes(part.mpsShare)) {
          errors.push(
            `${ppat}.mpsShare: 1/${part.mpsShare} is not allowed on ${part.gpu} (mpsLevels ${gpu.mpsLevels}, ` +
              `profiled ${profiledShares(profile, part.gpu).join(', ')})`,
          );
          return;
        }
        if (batch > maxProfiledBatch(profile, part.gpu, part.mpsShare)) {
          errors.push(`${ppat}: batch ${batch} is not profiled on ${part.gpu} at 1/${part.mpsShare}`);
          return;
        }
        if (!Number.isInteger(part.instances) || part.instances < 1)
          errors.push(`${ppat}.instances: expected a positive integer, got ${part.instances}`);
        if (!close(part.gpus, part.instances / part.mpsShare, 1e-9))
          errors.push(
            `${ppat}.gpus: expected instances/mpsShare = ${part.instances / part.mpsShare}, got ${part.gpus}`,
          );
        const inferUs = partitionLatencyUs(profile, part.gpu, part.mpsShare, batch, first, end);
        if (!close(part.inferUs, inferUs, 0.5))
          errors.push(`${ppat}.inferUs: profiles give ${inferUs}, plan says ${part.inferUs}`);
        const cutUs = (c: number): number => (profile.cutBytes[c - 1]! * 8) / (bandwidthGbps * 1e3);
        const next = pipeline.partitions[p + 1];
        let transferUs = end < blocks ? batch * cutUs(end) : 0;
        if (next && next.site !== part.site) {
          const hop =
            problem.edge && part.site !== undefined && next.site !== undefined
              ? findLink(problem.edge.links, part.site, next.site)
              : undefined;
          if (!hop)
            errors.push(
              `${ppat}: no WAN link from ${part.site ?? '?'} to ${next.site ?? '?'} for the cut after block ${end}`,
            );
          else transferUs = wanTransferUs(hop.link, batch, profile.cutBytes[end - 1]! * 8);
        }
        if (!close(part.transferUs, transferUs))
          errors.push(
            `${ppat}.transferUs: expected ${transferUs} µs for the cut after block ${end}, got ${part.transferUs}`,
          );
        const serverShare = part.mpsShare * part.gpusPerServer;
        const rateRps = Math.min(
          (1e6 * batch) / inferUs,
          1e6 / ((first > 0 ? cutUs(first) : 1) * serverShare),
          1e6 / ((end < blocks ? cutUs(end) : 1) * serverShare),
        );
        if (part.throughputRps > part.instances * rateRps * (1 + 1e-6) + 1e-6) {
          errors.push(
            `${ppat}.throughputRps: ${part.throughputRps} exceeds instances × NIC-capped rate = ` +
              `${part.instances * rateRps}`,
          );
        }
        if (part.gpusPerServer !== gpu.gpusPerServer)
          errors.push(
            `${ppat}.gpusPerServer: the problem has ${gpu.gpusPerServer} ${part.gpu} per server, plan says ` +
              `${part.gpusPerServer}`,
          );
        latencyUs += part.inferUs + part.transferUs;
        minPartitionRps = Math.min(minPartitionRps, part.throughputRps);
      });
      if (expectedStart !== blocks) errors.push(`${pat}: partitions end at block ${expectedStart}, expected ${blocks}`);
      if (pipeline.throughputRps > minPartitionRps * (1 + 1e-6) + 1e-6)
        errors.push(
          `${pat}.throughputRps: ${pipeline.throughputRps} exceeds its slowest partition (${minPartitionRps})`,
        );
      const batchBuildUs = dnn.estXput === null ? 0 : (problem.batchBuildFactor * 1e6 * (batch - 1)) / dnn.estXput;
      if (!close(pipeline.estBatchBuildUs, batchBuildUs))
        errors.push(`${pat}.estBatchBuildUs: expected ${batchBuildUs}, got ${pipeline.estBatchBuildUs}`);
      const totalUs = latencyUs + batchBuildUs + target.marginUs;
      if (totalUs > target.sloUs + 1e-3)
        errors.push(
          `${pat}: latency ${totalUs.toFixed(1)} µs (ingress + inference + transfers + return + batch building + ` +
            `margin ${target.marginUs}) exceeds the SLO ${target.sloUs} µs`,
        );
      served += pipeline.throughputRps;
    });
    if (!close(dnn.throughputRps, served))
      errors.push(`${at}.throughputRps: expected the sum of its pipelines ${served}, got ${dnn.throughputRps}`);
  });

  for (const [type, used] of usedGpusByType(plan.dnns)) {
    const gpu = problem.gpus.find((g) => gpuEntryLabel(g.type, g.site) === type);
    if (gpu && used > gpu.count)
      errors.push(
        `GPUs: the plan needs ${used} ${type} (integral pools per DNN, slot and type), the cluster has ${gpu.count}`,
      );
  }
  for (const target of problem.dnns)
    if (!plan.dnns.some((dnn) => dnn.name === target.name))
      errors.push(`dnns: ${target.name} of the problem is missing from the plan`);
  if (problem.edge) {
    for (const link of linkUsage(plan, problem)) {
      if (link.usedBitsPerSecond > link.capacityBitsPerSecond * (1 + 1e-6)) {
        errors.push(
          `WAN ${link.from}>${link.to}: the plan sends ${(link.usedBitsPerSecond / 1e6).toFixed(1)} Mbit/s, the ` +
            `link carries ${(link.capacityBitsPerSecond / 1e6).toFixed(1)}`,
        );
      }
    }
    problem.edge.demands.forEach((demand, i) => {
      const name = problem.dnns[demand.dnn]!.name;
      const served =
        plan.dnns
          .find((dnn) => dnn.name === name)
          ?.pipelines.filter((p) => p.source === demand.site)
          .reduce((sum, p) => sum + p.throughputRps, 0) ?? 0;
      const stated = plan.demands?.find((d) => d.dnn === name && d.site === demand.site);
      if (!stated || !close(stated.servedRps, served) || !close(stated.framesPerSecond, demand.framesPerSecond)) {
        errors.push(
          `demands[${i}] (${name} at ${demand.site}): expected ${demand.framesPerSecond} frames/s demanded and ` +
            `${served} served, got ${stated ? `${stated.framesPerSecond} and ${stated.servedRps}` : 'nothing'}`,
        );
      }
    });
  }
  const weighted = {
    dnns: plan.dnns.map((dnn) => ({
      ...dnn,
      weight: problem.dnns.find((t) => t.name === dnn.name)?.weight ?? dnn.weight,
    })),
    demands: plan.demands,
  };
  const objective = planObjective(weighted);
  if (!close(plan.objective, objective))
    errors.push(
      `objective: expected ${plan.demands ? 'min served/demanded frames' : 'min throughput/weight'} = ${objective}, ` +
        `got ${plan.objective}`,
    );
  return errors;
}

/** Recomputes the edge-to-cloud parts of a pipeline's latency: ingress (decode, WAN, RTT) and result return. */
function routeCheck(
  pipeline: PlanPipeline,
  problem: ResolvedProblem,
  dnnName: string,
  at: string,
  errors: string[],
): { ingressUs: number; returnUs: number } {
  const edge = problem.edge;
  if (pipeline.source === undefined || !edge) {
    if (edge) errors.push(`${at}.source: expected the camera site of the frames this pipeline serves`);
    return { ingressUs: 0, returnUs: 0 };
  }
  const source = pipeline.source;
  const first = pipeline.partitions[0]!;
  const lastSite = pipeline.partitions.at(-1)!.site;
  const decodeAt = (site: string | undefined): number => edge.sites.find((s) => s.name === site)?.decodeUsPerFrame ?? 0;
  const batch = pipeline.batchSize;
  let ingressUs = decodeAt(source);
  if (first.site !== source) {
    const hop = first.site === undefined ? undefined : findLink(edge.links, source, first.site);
    const demand = edge.demands.find((d) => d.site === source && problem.dnns[d.dnn]!.name === dnnName);
    const profile = problem.dnns.find((t) => t.name === dnnName)?.profile;
    if (!hop || !demand)
      errors.push(
        `${at}: frames of ${dnnName} at ${source} cannot reach ${first.site ?? '?'} (no WAN link or no cameras there)`,
      );
    else if (pipeline.ingress === 'tensor')
      ingressUs = decodeAt(source) + wanTransferUs(hop.link, batch, (profile?.inputBytes ?? 0) * 8);
    else ingressUs = wanTransferUs(hop.link, batch, demand.videoBitsPerFrame) + decodeAt(first.site);
  }
  let returnUs = 0;
  if (lastSite !== source) {
    const back = lastSite === undefined ? undefined : findLink(edge.links, lastSite, source);
    if (!back) errors.push(`${at}: results cannot return from ${lastSite ?? '?'} to ${source}`);
    else returnUs = back.link.rttUs;
  }
  if (pipeline.ingressUs !== undefined && !close(pipeline.ingressUs, ingressUs))
    errors.push(`${at}.ingressUs: expected ${ingressUs}, got ${pipeline.ingressUs}`);
  if (pipeline.returnUs !== undefined && !close(pipeline.returnUs, returnUs))
    errors.push(`${at}.returnUs: expected ${returnUs}, got ${pipeline.returnUs}`);
  return { ingressUs, returnUs };
}
