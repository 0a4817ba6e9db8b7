/**
 * One planner job's work, from a problem document to plans, utilisation, a short simulated sweep and SVG
 * charts. It runs in a worker thread (plannerJobWorker.mjs): candidate enumeration, simulation and chart
 * rendering are CPU work that would stall the HTTP server, and HiGHS runs in further workers of its own.
 */
import type { Algorithm, Plan, ProblemDocument, ResolvedProblem } from '../planner/index.ts';
import {
  HighsSolver,
  gpuEntryLabel,
  parseProblem,
  planFromOutcome,
  planProblem,
  resolveProblem,
} from '../planner/index.ts';
import { fromPlanDocument } from '../pipeline/index.ts';
import { simulate } from '../sim/index.ts';
import type { PlannerJobPlan } from './api.ts';
import { renderPlannerCharts } from './plannerCharts.ts';
import { planViewOf } from './clusterViews.ts';

/** Everything a job needs, as plain data (it crosses into a worker thread). */
export interface PlannerJobSpec {
  readonly jobId: string;
  readonly problemName: string;
  /** The problem with absolute profile folders. */
  readonly document: ProblemDocument;
  readonly algorithms: ReadonlyArray<Algorithm>;
  readonly sweep: boolean;
  /** Wall-clock limit of each algorithm's planning run. */
  readonly planTimeLimitS: number;
  /** Simulated seconds per load point and model. */
  readonly sweepDurationS: number;
  readonly loadFactors: ReadonlyArray<number>;
  readonly seed: number;
}

export interface PlannerJobResult {
  readonly plans: PlannerJobPlan[];
  readonly charts: Array<{ title: string; svg: string }>;
}

export type ProgressListener = (progress: number, step: string) => void;

/** Busy share of each GPU class's GPUs when every pipeline runs at its planned throughput (0..1). */
export function utilisationByClass(plan: Plan): Record<string, number> {
  const busyGpus = new Map<string, number>();
  for (const dnn of plan.dnns)
    for (const pipeline of dnn.pipelines)
      for (const part of pipeline.partitions) {
        // Batches per second × time per batch, over the instances; an instance holds 1/mpsShare of a GPU.
        const busyInstances = (pipeline.throughputRps / pipeline.batchSize) * (part.inferUs / 1e6);
        const label = gpuEntryLabel(part.gpu, part.site);
        busyGpus.set(label, (busyGpus.get(label) ?? 0) + busyInstances / part.mpsShare);
      }
  const out: Record<string, number> = {};
  for (const gpu of plan.cluster.gpus) {
    const label = gpuEntryLabel(gpu.type, gpu.site);
    out[label] = gpu.count === 0 ? 0 : Math.min(1, (busyGpus.get(label) ?? 0) / gpu.count);
  }
  return out;
}

/**
 * Attainment of all models together at each load factor; factor 1 is, per model, `referenceRps`. A model a
 * plan does not serve answers none of its requests in time.
 */
function sweepPlan(
  plan: Plan,
  problem: ResolvedProblem,
  referenceRps: ReadonlyArray<number>,
  spec: PlannerJobSpec,
  onPoint: (loadFactor: number) => void,
): NonNullable<PlannerJobPlan['sweep']> {
  const serving = fromPlanDocument(plan, spec.problemName, problem);
  return spec.loadFactors.map((loadFactor) => {
    onPoint(loadFactor);
    let requests = 0;
    let inTime = 0;
    let rateRps = 0;
    serving.dnns.forEach((dnn, d) => {
      const rate = Math.floor(loadFactor * referenceRps[d]!);
      if (rate <= 0) return;
      rateRps += rate;
      if (plan.dnns[d]!.pipelines.length === 0) {
        requests += rate * spec.sweepDurationS;
        return;
      }
      const result = simulate(dnn, {
        rateRps: rate,
        durationUs: spec.sweepDurationS * 1e6,
        seed: spec.seed + d,
        profile: problem.dnns[d]!.profile,
      });
      requests += result.requests;
      inTime += result.attainment * result.requests;
    });
    return { loadFactor, rateRps, attainment: requests === 0 ? 1 : inTime / requests };
  });
}

export async function runPlannerJob(spec: PlannerJobSpec, onProgress: ProgressListener): Promise<PlannerJobResult> {
  // Units of work: one per plan, one per swept plan, one for the charts.
  const units = spec.algorithms.length * (spec.sweep ? 2 : 1) + 1;
  let done = 0;
  const step = (text: string): void => onProgress(done / units, text);
  step(`loading ${spec.problemName}`);
  const problem = resolveProblem(parseProblem(spec.problemName, spec.document), '/', undefined, spec.problemName);
  const planned: Array<
    { algorithm: Algorithm; planSeconds: number } & ({ plan: Plan; status: string } | { error: string })
  > = [];
  const solver = new HighsSolver();
  try {
    solver.start();
    for (const [i, algorithm] of spec.algorithms.entries()) {
      step(`planning with ${algorithm} (${i + 1} of ${spec.algorithms.length})`);
      const started = performance.now();
      const seconds = (): number => (performance.now() - started) / 1000;
      try {
        const outcome = await planProblem(problem, solver, {
          algorithm,
          deadlineMs: started + spec.planTimeLimitS * 1000,
        });
        planned.push({
          algorithm,
          plan: planFromOutcome(problem, outcome),
          status: outcome.status,
          planSeconds: seconds(),
        });
      } catch (error) {
        // One algorithm that does not apply (DART-r needs two GPU classes) leaves the others' results standing.
        planned.push({
          algorithm,
          error: error instanceof Error ? error.message : String(error),
          planSeconds: seconds(),
        });
      }
      done++;
    }
  } finally {
    await solver.stop();
  }
  const plansMade = planned.flatMap((p) => ('plan' in p ? [p.plan] : []));
  const referenceRps = problem.dnns.map((_, d) => Math.max(0, ...plansMade.map((plan) => plan.dnns[d]!.throughputRps)));
  const createdAt = Date.now();
  const plans = planned.map((outcome): PlannerJobPlan => {
    const { algorithm, planSeconds } = outcome;
    if ('error' in outcome) {
      if (spec.sweep) done++;
      return {
        algorithm,
        objective: 0,
        status: 'failed',
        error: outcome.error,
        planSeconds,
        plan: null,
        utilisationByClass: {},
        sweep: null,
      };
    }
    const { plan, status } = outcome;
    let sweep: PlannerJobPlan['sweep'] = null;
    if (spec.sweep) {
      sweep = sweepPlan(plan, problem, referenceRps, spec, (loadFactor) =>
        step(`simulating the ${algorithm} plan at ${Math.round(loadFactor * 100)}% load`),
      );
      done++;
    }
    return {
      algorithm,
      objective: plan.objective,
      status,
      error: null,
      planSeconds,
      plan: planViewOf({
        planId: `${spec.jobId}-${algorithm}`,
        createdAt,
        reason: `planner job ${spec.jobId}: ${spec.problemName}`,
        nodes: [],
        plan,
      }),
      utilisationByClass: utilisationByClass(plan),
      sweep,
    };
  });
  step('drawing the charts');
  const charts = await renderPlannerCharts(plans);
  return { plans, charts };
}
