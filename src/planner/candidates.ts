/**
 * Candidate pooled-pipeline configurations of one DNN: cut points, a GPU type and MPS share per partition,
 * and one batch size for the whole pipeline (reference §D.2). Each candidate already meets the SLO minus
 * margin on its own, and candidates that another one dominates are dropped, so the MILP only chooses
 * instance counts and pools (DESIGN: make the model small before the solver sees it).
 */
import type { ModelProfile } from './modelProfile.ts';
import { maxProfiledBatch, profiledShares } from './modelProfile.ts';
import type { DnnTarget, GpuClass } from './problem.ts';

/** One partition of a candidate: blocks [first, end) on one GPU type at MPS share 1/share. */
export interface CandidateStage {
  readonly first: number;
  readonly end: number;
  readonly gpu: number;
  readonly share: number;
  /** Σ block latencies at the pipeline's batch size (lat_infer), µs. */
  readonly inferUs: number;
  /** Transfer of this partition's output batch at the full NIC rate (lat_trans), µs; 0 on the last. */
  readonly transferUs: number;
  /** Requests/s of one instance, NIC-capped (reference §D.2). */
  readonly rateRps: number;
}

export interface Candidate {
  readonly batch: number;
  readonly stages: ReadonlyArray<CandidateStage>;
  /** Σ (inferUs + transferUs) + estimated batch-building delay, µs (without the margin). */
  readonly latencyUs: number;
  /** The batch-building delay included in latencyUs, µs. */
  readonly batchBuildUs: number;
}

export interface CandidateOptions {
  readonly maxPartitions: number;
  /** Per GPU type, the largest MPS share denominator usable (1 = whole GPUs). */
  readonly mpsLevels: ReadonlyArray<number>;
  readonly bandwidthGbps: number;
  readonly batchBuildFactor: number;
  /** Largest batch size considered (the profiles cap it further per share). */
  readonly maxBatch?: number;
}

/** Per-sample transfer µs of each cut c = 0..M (0 and M are the model's input and output: not transferred). */
function cutTransferTable(profile: ModelProfile, bandwidthGbps: number): number[] {
  const table = [0];
  for (let c = 1; c < profile.blockCount; c++) table.push((profile.cutBytes[c - 1]! * 8) / (bandwidthGbps * 1e3));
  table.push(0);
  return table;
}

/** prefix[m] = Σ_{block < m} max(1, latency) for one (device, share, batch). */
function prefixLatencies(profile: ModelProfile, device: string, share: number, batch: number): number[] {
  const rows = profile.devices.get(device)!.latencyUs.get(share)!;
  const prefix = [0];
  for (let m = 0; m < profile.blockCount; m++) prefix.push(prefix[m]! + Math.max(1, rows[m]![batch - 1]!));
  return prefix;
}

/**
 * Every candidate that meets `sloUs − marginUs`, then the undominated ones among those with the same
 * sequence of GPU types (see paretoMaximal).
 */
export function enumerateCandidates(dnn: DnnTarget, gpus: ReadonlyArray<GpuClass>, options: CandidateOptions): Candidate[] {
  const profile = dnn.profile;
  const blocks = profile.blockCount;
  const budgetUs = dnn.sloUs - dnn.marginUs;
  const transfer = cutTransferTable(profile, options.bandwidthGbps);
  const maxBatch = options.maxBatch ?? 64;

  // Usable (gpu, share) options with the largest batch each supports.
  const slots: Array<{ gpu: number; share: number; maxBatch: number }> = [];
  gpus.forEach((gpu, g) => {
    if (gpu.count === 0) return;
    for (const share of profiledShares(profile, gpu.type)) {
      if (share > options.mpsLevels[g]!) continue;
      slots.push({ gpu: g, share, maxBatch: Math.min(maxBatch, maxProfiledBatch(profile, gpu.type, share)) });
    }
  });
  const batchLimit = Math.max(0, ...slots.map((s) => s.maxBatch));

  const byShape = new Map<string, Candidate[]>();
  for (let batch = 1; batch <= batchLimit; batch++) {
    const batchBuildUs = dnn.estXput === undefined ? 0 : (options.batchBuildFactor * 1e6 * (batch - 1)) / dnn.estXput;
    if (batchBuildUs > budgetUs) break;
    const usable = slots.filter((s) => s.maxBatch >= batch).map((s) => ({ ...s, prefix: prefixLatencies(profile, gpus[s.gpu]!.type, s.share, batch) }));
    const stages: CandidateStage[] = [];
    const extend = (first: number, spentUs: number): void => {
      const last = stages.length + 1 === options.maxPartitions;
      for (let end = last ? blocks : first + 1; end <= blocks; end++) {
        const transferUs = end < blocks ? batch * transfer[end]! : 0;
        for (const slot of usable) {
          const inferUs = slot.prefix[end]! - slot.prefix[first]!;
          const latencyUs = spentUs + inferUs + transferUs;
          if (latencyUs > budgetUs + 1e-6) continue;
          const serverShare = slot.share * gpus[slot.gpu]!.gpusPerServer;
          const downloadUs = first > 0 ? transfer[first]! : 1;
          const uploadUs = end < blocks ? transfer[end]! : 1;
          const rateRps = Math.min((1e6 * batch) / inferUs, 1e6 / (downloadUs * serverShare), 1e6 / (uploadUs * serverShare));
          stages.push({ first, end, gpu: slot.gpu, share: slot.share, inferUs, transferUs, rateRps });
          if (end === blocks) {
            const shape = stages.map((s) => s.gpu).join('>');
            const list = byShape.get(shape) ?? [];
            list.push({ batch, stages: [...stages], latencyUs, batchBuildUs });
            byShape.set(shape, list);
          } else {
            extend(end, latencyUs);
          }
          stages.pop();
        }
      }
    };
    extend(0, batchBuildUs);
  }

  const survivors: Candidate[] = [];
  for (const list of byShape.values()) survivors.push(...paretoMaximal(list));
  return survivors;
}

/**
 * Drops every candidate that another one dominates exactly: same GPU type in every partition, and in each
 * partition an MPS share that is a multiple of the other's (1/2 vs 1/1, 1/4 vs 1/2…) with at least its
 * rate per physical GPU. n instances at share 1/v are then replaced by n·v′/v instances at 1/v′ that use
 * the same GPUs and serve at least as much, so the MILP's optimum cannot fall (ties keep the lower latency).
 */
function paretoMaximal(list: Candidate[]): Candidate[] {
  const perGpu = (stage: CandidateStage): number => stage.rateRps * stage.share;
  const sorted = [...list].sort((a, b) => perGpu(b.stages[0]!) - perGpu(a.stages[0]!) || a.latencyUs - b.latencyUs);
  const kept: Candidate[] = [];
  for (const candidate of sorted) {
    const dominated = kept.some((other) =>
      other.stages.every((stage, p) => {
        const mine = candidate.stages[p]!;
        return stage.share % mine.share === 0 && perGpu(stage) >= perGpu(mine) - 1e-9;
      }),
    );
    if (!dominated) kept.push(candidate);
  }
  return kept;
}
