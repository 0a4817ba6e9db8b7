/**
 * The planning algorithms of reference §D: PPipe (pooled pipelines), NP (no partitioning) and DART-r
 * (replicated high/low GPU pairs plus leftovers). Each one enumerates candidates, solves the allocation
 * MILP with HiGHS and returns an allocation per DNN; plan documents are made from it in planDocument.ts.
 */
import type { Allocation, AllocationInput, AllocatedPipeline } from './allocation.ts';
import { buildAllocationLp, poolGpus, readAllocation, wholeGpusPerType } from './allocation.ts';
import { enumerateCandidates } from './candidates.ts';
import type { RouteContext } from './candidates.ts';
import type { HighsSolver } from './highsSolver.ts';
import type { Algorithm, DnnTarget, ResolvedProblem } from './problem.ts';
import { addSpareInstances } from './spareGpus.ts';
import { solveWholeGpuMaxMin } from './wholeGpuAllocation.ts';

export type PlanStatus = 'optimal' | 'time_limit' | 'infeasible';

/** What one allocation group serves: a DNN (data centre) or a DNN's frames from one site (edge-to-cloud). */
export interface ServedGroup {
  readonly dnn: number;
  readonly site?: string | undefined;
  readonly weight: number;
}

/** The problem's algorithm and partition limit, and what the solve found. */
export interface PlanOutcome extends Pick<ResolvedProblem, 'algorithm' | 'maxPartitions'> {
  readonly status: PlanStatus;
  /** Relative MIP gap of the main solve (0 when proved optimal). */
  readonly mipGap: number;
  /** DNNs with their final estXput (from the NP pre-solve when not given). */
  readonly dnns: ReadonlyArray<DnnTarget>;
  /** allocation.dnns[i] serves groups[i]. */
  readonly groups: ReadonlyArray<ServedGroup>;
  readonly allocation: Allocation;
  /** Candidates given to the main MILP, summed over DNNs (for reports). */
  readonly candidateCount: number;
  /** Instances added from spare GPUs as headroom above the planned throughput (spareGpus.ts). */
  readonly spareInstances: number;
}

export interface PlanOptions {
  readonly algorithm?: Algorithm;
  readonly maxPartitions?: number;
  /** Wall-clock deadline (performance.now() ms) for everything, including the NP pre-solve. */
  readonly deadlineMs: number;
  readonly mipRelGap?: number;
  /** Turn the GPUs the solver leaves idle into headroom on the pools that limit pipelines (default true). */
  readonly spareGpus?: boolean;
  readonly onProgress?: (message: string) => void;
}

interface SolveOutcome {
  allocation: Allocation;
  status: PlanStatus;
  mipGap: number;
}

function remainingS(deadlineMs: number): number {
  return Math.max(0.05, (deadlineMs - performance.now()) / 1000);
}

async function solveAllocation(
  solver: HighsSolver,
  input: AllocationInput,
  options: PlanOptions,
): Promise<SolveOutcome> {
  // Whole GPUs, one partition (NP and its pre-solve): solved exactly without the MILP.
  const direct = solveWholeGpuMaxMin(input);
  if (direct) return { allocation: direct, status: 'optimal', mipGap: 0 };
  const lp = buildAllocationLp(input);
  const reply = await solver.solve({
    lp,
    timeLimitS: remainingS(options.deadlineMs),
    mipRelGap: options.mipRelGap ?? 1e-4,
  });
  if (reply.status === 'infeasible')
    return { allocation: readAllocation(input, {}), status: 'infeasible', mipGap: Infinity };
  if (reply.status === 'error') throw new Error('HiGHS returned no solution for the allocation model');
  if (reply.objective === undefined) {
    // Time limit before any incumbent: an empty plan, honestly labelled.
    return { allocation: readAllocation(input, {}), status: 'time_limit', mipGap: Infinity };
  }
  const allocation = readAllocation(input, reply.values);
  // Only a proof counts as optimal; an interrupted or limited search keeps its incumbent and its gap.
  return { allocation, status: reply.status === 'optimal' ? 'optimal' : 'time_limit', mipGap: reply.mipGap ?? 0 };
}

/** The allocation groups of a problem: one per DNN, or one per (DNN, camera site) with sites. */
export function servedGroups(problem: ResolvedProblem): ServedGroup[] {
  if (!problem.edge) return problem.dnns.map((dnn, d) => ({ dnn: d, weight: dnn.weight }));
  return problem.edge.demands.map((demand) => ({ dnn: demand.dnn, site: demand.site, weight: demand.framesPerSecond }));
}

function routeFor(problem: ResolvedProblem, group: ServedGroup): RouteContext | undefined {
  const edge = problem.edge;
  if (!edge || group.site === undefined) return undefined;
  const demand = edge.demands.find((d) => d.dnn === group.dnn && d.site === group.site)!;
  return {
    source: group.site,
    links: edge.links,
    decodeUsBySite: new Map(edge.sites.map((site) => [site.name, site.decodeUsPerFrame])),
    videoBitsPerFrame: demand.videoBitsPerFrame,
    placement: edge.placement,
  };
}

function allocationInput(
  problem: ResolvedProblem,
  dnns: ReadonlyArray<DnnTarget>,
  maxPartitions: number,
  wholeGpusOnly: boolean,
): { input: AllocationInput; groups: ServedGroup[] } {
  const groups = servedGroups(problem);
  const input: AllocationInput = {
    interchangeable: interchangeableGroups(problem, groups),
    dnns: groups.map((group) => ({
      weight: group.weight,
      poolOwner: group.dnn,
      candidates: enumerateCandidates(dnns[group.dnn]!, problem.gpus, {
        maxPartitions,
        mpsLevels: problem.gpus.map((gpu) => (wholeGpusOnly ? 1 : gpu.mpsLevels)),
        bandwidthGbps: problem.bandwidthGbps,
        batchBuildFactor: problem.batchBuildFactor,
        ...(problem.edge ? { route: routeFor(problem, group)! } : {}),
      }),
    })),
    gpuCounts: problem.gpus.map((g) => g.count),
    links: (problem.edge?.links ?? []).flatMap((link) => [
      { key: `${link.from}>${link.to}`, capacityBitsPerSecond: link.bandwidthGbps * 1e9 },
      { key: `${link.to}>${link.from}`, capacityBitsPerSecond: link.bandwidthGbps * 1e9 },
    ]),
  };
  return { input, groups };
}

/**
 * Groups whose sites are interchangeable: same DNN and demand, same decode cost, the same GPU entries at
 * the site, and the same links to the same peers outside the run. Returned as runs of group indices.
 */
export function interchangeableGroups(problem: ResolvedProblem, groups: ReadonlyArray<ServedGroup>): number[][] {
  const edge = problem.edge;
  if (!edge) return [];
  const signature = (group: ServedGroup): string => {
    const site = group.site!;
    const demand = edge.demands.find((d) => d.dnn === group.dnn && d.site === site)!;
    const gpus = problem.gpus
      .filter((g) => g.site === site)
      .map((g) => `${g.type}:${g.count}:${g.mpsLevels}:${g.gpusPerServer}`)
      .sort();
    const links = edge.links
      .filter((l) => l.from === site || l.to === site)
      .map((l) => `${l.from === site ? l.to : l.from}:${l.bandwidthGbps}:${l.rttUs}`)
      .sort();
    const decode = edge.sites.find((s) => s.name === site)?.decodeUsPerFrame ?? 0;
    return JSON.stringify([
      group.dnn,
      demand.framesPerSecond,
      demand.videoBitsPerFrame,
      decode,
      gpus,
      links,
      edge.demands.filter((d) => d.site === site).length,
    ]);
  };
  const runs = new Map<string, number[]>();
  groups.forEach((group, g) => runs.set(signature(group), [...(runs.get(signature(group)) ?? []), g]));
  return [...runs.values()].filter((run) => {
    if (run.length < 2) return false;
    const sites = new Set(run.map((g) => groups[g]!.site));
    return !edge.links.some((l) => sites.has(l.from) && sites.has(l.to));
  });
}

/** NP: one partition per pipeline, whole GPUs only (reference §D.4). */
async function solveNp(
  problem: ResolvedProblem,
  dnns: ReadonlyArray<DnnTarget>,
  solver: HighsSolver,
  options: PlanOptions,
): Promise<SolveOutcome & { candidateCount: number }> {
  const { input } = allocationInput(problem, dnns, 1, true);
  return {
    ...(await solveAllocation(solver, input, options)),
    candidateCount: input.dnns.reduce((n, g) => n + g.candidates.length, 0),
  };
}

/**
 * DART-r (reference §D.4): NP first, share the unused GPUs equally, then per DNN replicate the best pipeline
 * on one high + one low GPU as many times as the scarcer type allows, and fill the rest of the more
 * numerous type with whole-model replicas.
 */
async function solveDartR(
  problem: ResolvedProblem,
  dnns: ReadonlyArray<DnnTarget>,
  solver: HighsSolver,
  options: PlanOptions,
): Promise<SolveOutcome & { candidateCount: number }> {
  if (problem.gpus.length !== 2 || problem.edge)
    throw new Error(
      `DART-r pairs two GPU types of one data centre; the problem has ${problem.gpus.length} GPU ` +
        `entries${problem.edge ? ' and sites' : ''}`,
    );
  const np = await solveNp(problem, dnns, solver, options);
  // NP's optimum is not unique in how many GPUs the non-binding DNNs hold; take the one that needs the
  // fewest GPUs, so that "the unused GPUs" shared below are well defined.
  const { input: npInput } = allocationInput(problem, dnns, 1, true);
  const lean = await solveAllocation(
    solver,
    { ...npInput, fewestGpusForObjective: np.allocation.objective * (1 - 1e-9) },
    options,
  );
  const needed = lean.status === 'infeasible' ? np : lean;
  const used = needed.allocation.dnns.map((dnn) => wholeGpusPerType(poolGpus([dnn.pipelines], [0]), 2));
  const limits = dnns.map((_, d) =>
    problem.gpus.map((gpu, k) => {
      const remaining = gpu.count - used.reduce((sum, u) => sum + u[k]!, 0);
      return used[d]![k]! + Math.floor(remaining / dnns.length);
    }),
  );
  let candidateCount = np.candidateCount;
  let status: PlanStatus = 'optimal';
  let mipGap = 0;
  const merged = [];
  for (let d = 0; d < dnns.length; d++) {
    const dnn = dnns[d]!;
    const pairs = Math.min(...limits[d]!);
    const more = limits[d]![0]! >= limits[d]![1]! ? 0 : 1;
    const extra = limits[d]![more]! - pairs;
    const pipelines: AllocatedPipeline[] = [];
    const replicate = (allocation: Allocation, times: number): void => {
      for (const pipeline of allocation.dnns[0]!.pipelines) {
        pipelines.push({
          candidate: pipeline.candidate,
          instances: pipeline.instances.map((n) => n * times),
          throughputRps: pipeline.throughputRps * times,
        });
      }
    };
    if (pairs > 0) {
      const pairProblem = {
        ...problem,
        dnns: [dnn],
        gpus: problem.gpus.map((g) => ({ ...g, count: 1, mpsLevels: 1 })),
      };
      const { input } = allocationInput(pairProblem, [dnn], 2, true);
      candidateCount += input.dnns[0]!.candidates.length;
      const pair = await solveAllocation(solver, input, options);
      if (pair.status === 'time_limit') status = 'time_limit';
      mipGap = Math.max(mipGap, pair.mipGap === Infinity ? 0 : pair.mipGap);
      replicate(pair.allocation, pairs);
    }
    if (extra > 0) {
      const soloProblem = {
        ...problem,
        dnns: [dnn],
        gpus: problem.gpus.map((g, k) => ({ ...g, count: k === more ? 1 : 0, mpsLevels: 1 })),
      };
      const { input } = allocationInput(soloProblem, [dnn], 1, true);
      candidateCount += input.dnns[0]!.candidates.length;
      const solo = await solveAllocation(solver, input, options);
      if (solo.status === 'time_limit') status = 'time_limit';
      replicate(solo.allocation, extra);
    }
    merged.push({ pipelines, throughputRps: pipelines.reduce((sum, p) => sum + p.throughputRps, 0) });
  }
  const objective = Math.min(...merged.map((dnn, d) => dnn.throughputRps / dnns[d]!.weight));
  return { allocation: { dnns: merged, objective }, status, mipGap, candidateCount };
}

/** Plans a resolved problem with the chosen algorithm; estimates estXput by an NP solve where unset. */
export async function planProblem(
  problem: ResolvedProblem,
  solver: HighsSolver,
  options: PlanOptions,
): Promise<PlanOutcome> {
  const algorithm = options.algorithm ?? problem.algorithm;
  const maxPartitions = algorithm === 'np' ? 1 : (options.maxPartitions ?? problem.maxPartitions);
  let dnns = problem.dnns;
  if (dnns.some((dnn) => dnn.estXput === undefined)) {
    options.onProgress?.('estimating throughput with an NP pre-solve');
    const pre = await solveNp(problem, dnns, solver, options);
    const groups = servedGroups(problem);
    const npThroughput = (d: number): number =>
      pre.allocation.dnns.reduce((sum, g, i) => sum + (groups[i]!.dnn === d ? g.throughputRps : 0), 0);
    dnns = dnns.map((dnn, d) => ({ ...dnn, estXput: dnn.estXput ?? (npThroughput(d) || undefined) }));
  }
  options.onProgress?.(`solving ${algorithm} with up to ${maxPartitions} partitions`);
  let outcome: SolveOutcome & { candidateCount: number };
  switch (algorithm) {
    case 'np':
      outcome = await solveNp(problem, dnns, solver, options);
      break;
    case 'dart-r':
      outcome = await solveDartR(problem, dnns, solver, options);
      break;
    case 'ppipe': {
      const { input } = allocationInput(problem, dnns, maxPartitions, false);
      outcome = {
        ...(await solveAllocation(solver, input, options)),
        candidateCount: input.dnns.reduce((n, g) => n + g.candidates.length, 0),
      };
      break;
    }
  }
  const planned: PlanOutcome = {
    algorithm,
    maxPartitions,
    status: outcome.status,
    mipGap: outcome.mipGap,
    dnns,
    groups: servedGroups(problem),
    allocation: outcome.allocation,
    candidateCount: outcome.candidateCount,
    spareInstances: 0,
  };
  return options.spareGpus === false ? planned : withSpareGpus(problem, planned);
}

/** The outcome with the GPUs its pools leave idle added as headroom (spareGpus.ts); planned throughputs unchanged. */
export function withSpareGpus(problem: ResolvedProblem, outcome: PlanOutcome): PlanOutcome {
  const spare = addSpareInstances(
    outcome.allocation,
    outcome.groups.map((group) => group.dnn),
    problem.gpus.map((gpu) => gpu.count),
  );
  return { ...outcome, allocation: spare.allocation, spareInstances: outcome.spareInstances + spare.addedInstances };
}
