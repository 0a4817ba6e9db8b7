/**
 * Candidate pooled-pipeline configurations of one DNN: cut points, a GPU type and MPS share per partition,
 * and one batch size for the whole pipeline (reference §D.2). Each candidate already meets the SLO minus
 * margin on its own, and candidates that another one dominates are dropped, so the MILP only chooses
 * instance counts and pools (DESIGN: make the model small before the solver sees it).
 *
 * Edge-to-cloud problems add a route: the pipeline starts at the camera's site, its first partition runs
 * there or the frames cross the WAN (as compressed video or as tensors), a cut between sites pays the WAN
 * transfer plus the RTT, and results return to the camera's site.
 */
import type { Placement } from '../config/index.ts';
import { maxProfiledBatch, profiledShares } from './modelProfile.ts';
import type { ModelProfile } from './modelProfile.ts';
import type { DnnTarget, GpuClass, WanLink } from './problem.ts';

/** One partition of a candidate: blocks [first, end) on one GPU entry at MPS share 1/share. */
export interface CandidateStage {
  readonly first: number;
  readonly end: number;
  readonly gpu: number;
  readonly share: number;
  /** Σ block latencies at the pipeline's batch size (lat_infer), µs. */
  readonly inferUs: number;
  /**
   * Transfer of this partition's output batch to the next one (lat_trans; WAN time + RTT across sites), µs; 0 on the
   * last.
   */
  readonly transferUs: number;
  /** Requests/s of one instance, NIC-capped (reference §D.2). */
  readonly rateRps: number;
}

export type Ingress = 'local' | 'video' | 'tensor';

export interface Candidate {
  readonly batch: number;
  readonly stages: ReadonlyArray<CandidateStage>;
  /** Everything in the latency budget: ingress, Σ (inferUs + transferUs), result return, batch building, µs. */
  readonly latencyUs: number;
  /** The batch-building delay included in latencyUs, µs. */
  readonly batchBuildUs: number;
  /** Edge-to-cloud only: how frames reach the first partition, and what that costs (decode, WAN, RTT). */
  readonly ingress?: Ingress;
  readonly ingressUs?: number;
  /** Edge-to-cloud only: the RTT for results to return to the camera's site, µs. */
  readonly returnUs?: number;
  /** Edge-to-cloud only: bits each frame puts on each WAN link direction (`from>to`). */
  readonly linkBits?: ReadonlyArray<readonly [string, number]>;
}

/** Where frames come from, for edge-to-cloud problems. */
export interface RouteContext {
  readonly source: string;
  readonly links: ReadonlyArray<WanLink>;
  readonly decodeUsBySite: ReadonlyMap<string, number>;
  readonly videoBitsPerFrame: number;
  readonly placement: Placement;
}

export interface CandidateOptions {
  readonly maxPartitions: number;
  /** Per GPU entry, the largest MPS share denominator usable (1 = whole GPUs). */
  readonly mpsLevels: ReadonlyArray<number>;
  readonly bandwidthGbps: number;
  readonly batchBuildFactor: number;
  /** Largest batch size considered (the profiles cap it further per share). */
  readonly maxBatch?: number;
  readonly route?: RouteContext;
}

/** A WAN link in one direction, or undefined when the two sites are not joined. */
export function findLink(
  links: ReadonlyArray<WanLink>,
  from: string,
  to: string,
): { key: string; link: WanLink } | undefined {
  const link = links.find((l) => (l.from === from && l.to === to) || (l.from === to && l.to === from));
  return link ? { key: `${from}>${to}`, link } : undefined;
}

/** µs to move `bits` per sample for a batch over a WAN link, plus its RTT. */
export function wanTransferUs(link: WanLink, batch: number, bits: number): number {
  return (batch * bits) / (link.bandwidthGbps * 1e3) + link.rttUs;
}

/** Per-sample transfer µs of each cut c = 0..M at the NIC bandwidth (0 and M: not transferred). */
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

interface Entry {
  ingress: Ingress | undefined;
  ingressUs: number;
  linkBits: Array<readonly [string, number]>;
}

/** The ways frames can reach a first partition on `site` (one for data-centre problems). */
function entries(
  route: RouteContext | undefined,
  site: string | undefined,
  batch: number,
  inputBits: number | undefined,
): Entry[] {
  if (!route) return [{ ingress: undefined, ingressUs: 0, linkBits: [] }];
  const decodeAt = (s: string): number => route.decodeUsBySite.get(s) ?? 0;
  if (site === route.source)
    return route.placement === 'cloud-only' ? [] : [{ ingress: 'local', ingressUs: decodeAt(site), linkBits: [] }];
  if (route.placement === 'edge-only' || site === undefined) return [];
  const hop = findLink(route.links, route.source, site);
  if (!hop) return [];
  const out: Entry[] = [
    {
      ingress: 'video',
      ingressUs: wanTransferUs(hop.link, batch, route.videoBitsPerFrame) + decodeAt(site),
      linkBits: [[hop.key, route.videoBitsPerFrame]],
    },
  ];
  if (inputBits !== undefined && route.placement === 'any') {
    out.push({
      ingress: 'tensor',
      ingressUs: decodeAt(route.source) + wanTransferUs(hop.link, batch, inputBits),
      linkBits: [[hop.key, inputBits]],
    });
  }
  return out;
}

/**
 * Every candidate that meets `sloUs − marginUs`, then the undominated ones among those with the same
 * sequence of GPU entries (see paretoMaximal).
 */
export function enumerateCandidates(
  dnn: DnnTarget,
  gpus: ReadonlyArray<GpuClass>,
  options: CandidateOptions,
): Candidate[] {
  const profile = dnn.profile;
  const blocks = profile.blockCount;
  const budgetUs = dnn.sloUs - dnn.marginUs;
  const transfer = cutTransferTable(profile, options.bandwidthGbps);
  const maxBatch = options.maxBatch ?? 64;
  const route = options.route;
  const inputBits = profile.inputBytes === undefined ? undefined : profile.inputBytes * 8;

  // Usable (gpu, share) options with the largest batch each supports.
  const slots: Array<{ gpu: number; share: number; maxBatch: number; site: string | undefined }> = [];
  gpus.forEach((gpu, g) => {
    if (gpu.count === 0) return;
    for (const share of profiledShares(profile, gpu.type)) {
      if (share > options.mpsLevels[g]!) continue;
      slots.push({
        gpu: g,
        share,
        maxBatch: Math.min(maxBatch, maxProfiledBatch(profile, gpu.type, share)),
        site: gpu.site,
      });
    }
  });
  const batchLimit = Math.max(0, ...slots.map((s) => s.maxBatch));

  const byShape = new Map<string, Candidate[]>();
  for (let batch = 1; batch <= batchLimit; batch++) {
    const batchBuildUs = dnn.estXput === undefined ? 0 : (options.batchBuildFactor * 1e6 * (batch - 1)) / dnn.estXput;
    if (batchBuildUs > budgetUs) break;
    const usable = slots
      .filter((s) => s.maxBatch >= batch)
      .map((s) => ({ ...s, prefix: prefixLatencies(profile, gpus[s.gpu]!.type, s.share, batch) }));
    const stages: CandidateStage[] = [];
    let entry: Entry | undefined;
    const linkBits: Array<readonly [string, number]> = [];

    // Adds a stage starting at `first`; `spentUs` already counts everything before its input arrives.
    // `firstSite` restricts the first stage to the site its entry delivers frames to.
    const extend = (first: number, spentUs: number, previousSite: string | undefined, firstSite?: string): void => {
      const last = stages.length + 1 === options.maxPartitions;
      for (const slot of usable) {
        if (first === 0 && slot.site !== firstSite) continue;
        // The cut at `first` (between the previous stage and this one): a NIC hop inside a site, a WAN hop across.
        let hopUs = 0;
        let hopBits: readonly [string, number] | undefined;
        if (first > 0) {
          if (!route || slot.site === previousSite) hopUs = batch * transfer[first]!;
          else {
            if (route.placement === 'edge-only' || (route.placement === 'cloud-only' && slot.site === route.source))
              continue;
            const hop = findLink(route.links, previousSite!, slot.site!);
            if (!hop) continue;
            const bits = profile.cutBytes[first - 1]! * 8;
            hopUs = wanTransferUs(hop.link, batch, bits);
            hopBits = [hop.key, bits];
          }
        }
        const arrivedUs = spentUs + hopUs;
        if (arrivedUs > budgetUs + 1e-6) continue;
        const previous = stages.at(-1);
        if (previous) stages[stages.length - 1] = { ...previous, transferUs: hopUs };
        if (hopBits) linkBits.push(hopBits);
        for (let end = last ? blocks : first + 1; end <= blocks; end++) {
          const inferUs = slot.prefix[end]! - slot.prefix[first]!;
          let latencyUs = arrivedUs + inferUs;
          const returnUs =
            end === blocks && route && slot.site !== route.source
              ? (findLink(route.links, slot.site!, route.source)?.link.rttUs ?? Infinity)
              : 0;
          if (latencyUs + returnUs > budgetUs + 1e-6) break; // inference only grows with end
          const serverShare = slot.share * gpus[slot.gpu]!.gpusPerServer;
          const downloadUs = first > 0 ? transfer[first]! : 1;
          const uploadUs = end < blocks ? transfer[end]! : 1;
          const rateRps = Math.min(
            (1e6 * batch) / inferUs,
            1e6 / (downloadUs * serverShare),
            1e6 / (uploadUs * serverShare),
          );
          stages.push({ first, end, gpu: slot.gpu, share: slot.share, inferUs, transferUs: 0, rateRps });
          if (end === blocks) {
            latencyUs += returnUs;
            const shape = stages.map((s) => s.gpu).join('>');
            const list = byShape.get(shape) ?? [];
            list.push({
              batch,
              stages: [...stages],
              latencyUs,
              batchBuildUs,
              ...(route
                ? {
                    ingress: entry!.ingress!,
                    ingressUs: entry!.ingressUs,
                    returnUs,
                    linkBits: [...entry!.linkBits, ...linkBits],
                  }
                : {}),
            });
            byShape.set(shape, list);
          } else {
            extend(end, latencyUs, slot.site);
          }
          stages.pop();
        }
        if (previous) stages[stages.length - 1] = previous;
        if (hopBits) linkBits.pop();
      }
    };

    for (const site of new Set(usable.map((s) => s.site))) {
      for (const way of entries(route, site, batch, inputBits)) {
        entry = way;
        extend(0, batchBuildUs + way.ingressUs, undefined, site);
      }
    }
  }

  const survivors: Candidate[] = [];
  for (const list of byShape.values()) survivors.push(...paretoMaximal(list));
  return survivors;
}

/**
 * Drops every candidate that another one dominates exactly: same GPU entry in every partition, in each
 * partition an MPS share that is a multiple of the other's (1/2 vs 1/1, 1/4 vs 1/2…) with at least its
 * rate per physical GPU, and no more bits on any WAN link per frame. n instances at share 1/v are then
 * replaced by n·v′/v instances at 1/v′ on the same GPUs that serve at least as much, so the MILP's optimum
 * cannot fall (ties keep the lower latency).
 */
function paretoMaximal(list: Candidate[]): Candidate[] {
  const perGpu = (stage: CandidateStage): number => stage.rateRps * stage.share;
  const bitsOn = (c: Candidate, key: string): number =>
    c.linkBits?.filter(([k]) => k === key).reduce((sum, [, bits]) => sum + bits, 0) ?? 0;
  const sorted = [...list].sort((a, b) => perGpu(b.stages[0]!) - perGpu(a.stages[0]!) || a.latencyUs - b.latencyUs);
  const kept: Candidate[] = [];
  for (const candidate of sorted) {
    const dominated = kept.some(
      (other) =>
        other.stages.every((stage, p) => {
          const mine = candidate.stages[p]!;
          return stage.share % mine.share === 0 && perGpu(stage) >= perGpu(mine) - 1e-9;
        }) && (other.linkBits ?? []).every(([key]) => bitsOn(other, key) <= bitsOn(candidate, key) + 1e-9),
    );
    if (!dominated) kept.push(candidate);
  }
  return kept;
}
