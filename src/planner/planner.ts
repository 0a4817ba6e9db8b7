/**
 * The planning algorithms of reference §D: PPipe (pooled pipelines), NP (no partitioning) and DART-r
 * (replicated high/low GPU pairs plus leftovers). Each one enumerates candidates, solves the allocation
 * MILP with HiGHS and returns an allocation per DNN; plan documents are made from it in planDocument.ts.
 */
import type { Allocation, AllocationInput, AllocatedPipeline } from './allocation.ts';
import { allocationStart, buildAllocationLp, readAllocation } from './allocation.ts';
import type { Candidate } from './candidates.ts';
import { enumerateCandidates } from './candidates.ts';
import type { HighsSolver } from './highsSolver.ts';
import type { Algorithm, DnnTarget, ResolvedProblem } from './problem.ts';

export type PlanStatus = 'optimal' | 'time_limit' | 'infeasible';

export interface PlanOutcome {
  readonly algorithm: Algorithm;
  readonly maxPartitions: number;
  readonly status: PlanStatus;
  /** Relative MIP gap of the main solve (0 when proved optimal). */
  readonly mipGap: number;
  /** DNNs with their final estXput (from the NP pre-solve when not given). */
  readonly dnns: ReadonlyArray<DnnTarget>;
  readonly allocation: Allocation;
  /** Candidates given to the main MILP, summed over DNNs (for reports). */
  readonly candidateCount: number;
}

export interface PlanOptions {
  readonly algorithm?: Algorithm;
  readonly maxPartitions?: number;
  /** Wall-clock deadline (performance.now() ms) for everything, including the NP pre-solve. */
  readonly deadlineMs: number;
  readonly mipRelGap?: number;
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

async function solveAllocation(solver: HighsSolver, input: AllocationInput, options: PlanOptions, start?: Allocation): Promise<SolveOutcome> {
  const lp = buildAllocationLp(input);
  const reply = await solver.solve({
    lp,
    timeLimitS: remainingS(options.deadlineMs),
    mipRelGap: options.mipRelGap ?? 1e-4,
    ...(start ? { start: allocationStart(input, start) } : {}),
  });
  if (reply.status === 'infeasible') return { allocation: readAllocation(input, {}), status: 'infeasible', mipGap: Infinity };
  if (reply.status === 'error') throw new Error('HiGHS returned no solution for the allocation model');
  if (reply.objective === undefined) {
    // Time limit before any incumbent: fall back to the seed, or to an empty plan.
    return { allocation: start ?? readAllocation(input, {}), status: 'time_limit', mipGap: Infinity };
  }
  const allocation = readAllocation(input, reply.values);
  return { allocation, status: reply.status, mipGap: reply.mipGap ?? 0 };
}

function candidatesFor(problem: ResolvedProblem, dnns: ReadonlyArray<DnnTarget>, maxPartitions: number, wholeGpusOnly: boolean): Candidate[][] {
  return dnns.map((dnn) =>
    enumerateCandidates(dnn, problem.gpus, {
      maxPartitions,
      mpsLevels: problem.gpus.map((gpu) => (wholeGpusOnly ? 1 : gpu.mpsLevels)),
      bandwidthGbps: problem.bandwidthGbps,
      batchBuildFactor: problem.batchBuildFactor,
    }),
  );
}

/** NP: one partition per pipeline, whole GPUs only (reference §D.4). */
async function solveNp(problem: ResolvedProblem, dnns: ReadonlyArray<DnnTarget>, solver: HighsSolver, options: PlanOptions): Promise<SolveOutcome & { candidateCount: number }> {
  const candidates = candidatesFor(problem, dnns, 1, true);
  const input: AllocationInput = { dnns: dnns.map((dnn, d) => ({ weight: dnn.weight, candidates: candidates[d]! })), gpuCounts: problem.gpus.map((g) => g.count) };
  return { ...(await solveAllocation(solver, input, options)), candidateCount: candidates.flat().length };
}

/** Physical GPUs of each type that an allocation uses per DNN (integral pools per slot and type). */
export function gpusUsedByDnn(pipelines: ReadonlyArray<AllocatedPipeline>, gpuTypes: number): number[] {
  const pools = new Map<string, number>();
  for (const pipeline of pipelines) {
    pipeline.candidate.stages.forEach((stage, p) => {
      const key = `${p}/${stage.gpu}`;
      pools.set(key, (pools.get(key) ?? 0) + pipeline.instances[p]! / stage.share);
    });
  }
  const used = new Array<number>(gpuTypes).fill(0);
  for (const [key, gpus] of pools) used[Number(key.split('/')[1])]! += Math.ceil(gpus - 1e-9);
  return used;
}

/**
 * DART-r (reference §D.4): NP first, share the unused GPUs equally, then per DNN replicate the best pipeline
 * on one high + one low GPU as many times as the scarcer type allows, and fill the rest of the more
 * numerous type with whole-model replicas.
 */
async function solveDartR(problem: ResolvedProblem, dnns: ReadonlyArray<DnnTarget>, solver: HighsSolver, options: PlanOptions): Promise<SolveOutcome & { candidateCount: number }> {
  if (problem.gpus.length !== 2) throw new Error(`DART-r pairs two GPU types; the problem has ${problem.gpus.length}`);
  const np = await solveNp(problem, dnns, solver, options);
  const used = np.allocation.dnns.map((dnn) => gpusUsedByDnn(dnn.pipelines, 2));
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
        pipelines.push({ candidate: pipeline.candidate, instances: pipeline.instances.map((n) => n * times), throughputRps: pipeline.throughputRps * times });
      }
    };
    if (pairs > 0) {
      const pairProblem = { ...problem, gpus: problem.gpus.map((g) => ({ ...g, count: 1, mpsLevels: 1 })) };
      const candidates = candidatesFor(pairProblem, [dnn], 2, true)[0]!;
      candidateCount += candidates.length;
      const pair = await solveAllocation(solver, { dnns: [{ weight: 1, candidates }], gpuCounts: [1, 1] }, options);
      if (pair.status === 'time_limit') status = 'time_limit';
      mipGap = Math.max(mipGap, pair.mipGap === Infinity ? 0 : pair.mipGap);
      replicate(pair.allocation, pairs);
    }
    if (extra > 0) {
      const soloProblem = { ...problem, gpus: problem.gpus.map((g, k) => ({ ...g, count: k === more ? 1 : 0, mpsLevels: 1 })) };
      const candidates = candidatesFor(soloProblem, [dnn], 1, true)[0]!;
      candidateCount += candidates.length;
      const solo = await solveAllocation(solver, { dnns: [{ weight: 1, candidates }], gpuCounts: soloProblem.gpus.map((g) => g.count) }, options);
      if (solo.status === 'time_limit') status = 'time_limit';
      replicate(solo.allocation, extra);
    }
    merged.push({ pipelines, throughputRps: pipelines.reduce((sum, p) => sum + p.throughputRps, 0) });
  }
  const objective = Math.min(...merged.map((dnn, d) => dnn.throughputRps / dnns[d]!.weight));
  return { allocation: { dnns: merged, objective }, status, mipGap, candidateCount };
}

/** Plans a resolved problem with the chosen algorithm; estimates estXput by an NP solve where unset. */
export async function planProblem(problem: ResolvedProblem, solver: HighsSolver, options: PlanOptions): Promise<PlanOutcome> {
  const algorithm = options.algorithm ?? problem.algorithm;
  const maxPartitions = algorithm === 'np' ? 1 : (options.maxPartitions ?? problem.maxPartitions);
  let dnns = problem.dnns;
  if (dnns.some((dnn) => dnn.estXput === undefined)) {
    options.onProgress?.('estimating throughput with an NP pre-solve');
    const pre = await solveNp(problem, dnns, solver, options);
    dnns = dnns.map((dnn, d) => ({ ...dnn, estXput: dnn.estXput ?? (pre.allocation.dnns[d]!.throughputRps || undefined) }));
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
      const candidates = candidatesFor(problem, dnns, maxPartitions, false);
      const input: AllocationInput = { dnns: dnns.map((dnn, d) => ({ weight: dnn.weight, candidates: candidates[d]! })), gpuCounts: problem.gpus.map((g) => g.count) };
      outcome = { ...(await solveAllocation(solver, input, options)), candidateCount: candidates.flat().length };
      break;
    }
  }
  return { algorithm, maxPartitions, status: outcome.status, mipGap: outcome.mipGap, dnns, allocation: outcome.allocation, candidateCount: outcome.candidateCount };
}
