/**
 * `ppipe reproduce`: plans the paper's evaluation (6 groups × 4 clusters × NP, DART-r, PPipe, reference
 * §H) with our planner, sweeps every DNN of every plan in the simulator, and writes a Markdown report with
 * the tables of Fig. 6 (max load factor and gains), Fig. 8 (utilisation by GPU class) and Fig. 10
 * (reservation vs reactive on the three-partition, 10%-margin L4-T4 plans), beside the paper's numbers,
 * plus SVG charts and the raw results as JSON.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ServingDnn } from '../pipeline/index.ts';
import { fromPlanDocument } from '../pipeline/index.ts';
import type { Algorithm, Plan } from '../planner/index.ts';
import {
  HighsSolver,
  PAPER_CLUSTERS,
  PAPER_GROUPS,
  PAPER_WEIGHTS,
  paperProblem,
  parseProblem,
  planFromOutcome,
  planProblem,
  readPlanData,
  resolveProblem,
  ProfileLibrary,
  validatePlan,
  withSpareGpus,
} from '../planner/index.ts';
import type { ResolvedProblem } from '../planner/index.ts';
import type { ArrivalSpec } from './arrivals.ts';
import type {
  ArtifactComparison,
  DnnOutcome,
  Fig10Row,
  PlannedCase,
  RejectedPlan,
  ShareScaleOutcome,
} from './reproduceReport.ts';
import { ALGORITHMS, LABEL, writeReport } from './reproduceReport.ts';
import { runSweepPool } from './sweepPool.ts';
import type { SweepTask, SweepTaskResult } from './sweepTask.ts';

export interface ReproduceOptions {
  readonly profiles: string;
  readonly outDir: string;
  readonly arrivals: ArrivalSpec;
  readonly arrivalsLabel: string;
  readonly durationS: number;
  readonly planTimeLimitS: number;
  readonly fig10: boolean;
  readonly seed: number;
  readonly workers?: number;
  /**
   * A folder of the artifact's plans (reference §E): swept beside ours on the same scale, and only the cases
   * it holds are planned.
   */
  readonly artifactPlans?: string;
  readonly onProgress: (line: string) => void;
}

/** One case's problem, as reproduce plans it: the paper's cluster, group, weights and margin. */
function caseProblem(
  options: ReproduceOptions,
  library: ProfileLibrary,
  cluster: (typeof PAPER_CLUSTERS)[number],
  dnns: ReadonlyArray<string>,
  algorithm: Algorithm,
): ResolvedProblem {
  return resolveProblem(
    parseProblem('reproduce', {
      ...paperProblem(options.profiles, cluster, dnns, { weights: PAPER_WEIGHTS }),
      algorithm,
    }),
    '/',
    library,
  );
}

/** `only`: the `group cluster` keys to plan (all 24 cases without it). */
async function planCases(
  options: ReproduceOptions,
  solver: HighsSolver,
  library: ProfileLibrary,
  only?: ReadonlySet<string>,
): Promise<PlannedCase[]> {
  const cases: PlannedCase[] = [];
  for (const group of PAPER_GROUPS) {
    for (const cluster of PAPER_CLUSTERS) {
      if (only && !only.has(`${group.id} ${cluster.name}`)) continue;
      for (const algorithm of ALGORITHMS) {
        const started = performance.now();
        const problem = caseProblem(options, library, cluster, group.dnns, algorithm);
        const solved = await planProblem(problem, solver, {
          deadlineMs: started + options.planTimeLimitS * 1000,
          spareGpus: false,
        });
        const outcome = withSpareGpus(problem, solved);
        cases.push({
          group: group.id,
          cluster: cluster.name,
          algorithm,
          plan: planFromOutcome(problem, outcome),
          solvedPlan: planFromOutcome(problem, solved),
          spareInstances: outcome.spareInstances,
          planSeconds: (performance.now() - started) / 1000,
        });
        options.onProgress(
          `planned ${group.id} ${cluster.name} ${LABEL[algorithm]}: Z = ${outcome.allocation.objective.toFixed(1)} ` +
            `(${outcome.status})`,
        );
      }
    }
  }
  return cases;
}

const ARTIFACT_ALGORITHM: Readonly<Record<string, Algorithm>> = { v4: 'ppipe', bl: 'np', 'dart-r': 'dart-r' };
const ARTIFACT_NAME =
  /^(.+)_(\d[\d.]*-\d[\d.]*-\d[\d.]*)_([A-Za-z0-9]+-[A-Za-z0-9]+)_25-75_bw-gbps-(\d+)_sla-multiplier-5_(v4|bl|dart-r)$/;

/** The artifact's plans in a folder, each read and validated against its case's problem. */
export interface ArtifactPlans {
  readonly cases: PlannedCase[];
  /** Files named with why they are left out (unreadable, unknown case, or rejected by the validator). */
  readonly rejected: RejectedPlan[];
  /** Every `group cluster` a file names, accepted or not. */
  readonly caseKeys: ReadonlySet<string>;
}

/**
 * Reads every `*.json` of `dir` as an artifact plan (reference §E; the name gives the group, cluster and
 * algorithm), builds the case's problem as reproduce does, and runs the plan validator of `ppipe check` on it.
 */
export function readArtifactPlans(dir: string, options: ReproduceOptions, library: ProfileLibrary): ArtifactPlans {
  const accepted: Array<{ file: string; planned: PlannedCase }> = [];
  const rejected: RejectedPlan[] = [];
  const caseKeys = new Set<string>();
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  for (const file of files) {
    const match = ARTIFACT_NAME.exec(file.slice(0, -'.json'.length));
    const group = match && PAPER_GROUPS.find((g) => [...g.dnns].sort().join('-') === match[1]);
    const cluster = match && PAPER_CLUSTERS.find((c) => c.name === match[3]);
    if (!match || !group || !cluster) {
      rejected.push({ file, reason: 'the name is not one of the paper’s 24 cases (reference §E, §H)' });
      continue;
    }
    caseKeys.add(`${group.id} ${cluster.name}`);
    const algorithm = ARTIFACT_ALGORITHM[match[5]!]!;
    const base = { file, group: group.id, cluster: cluster.name, algorithm };
    if (match[2]!.split('-').map(Number).join() !== PAPER_WEIGHTS.join()) {
      rejected.push({ ...base, reason: `weights ${match[2]} are not MAF'19's ${PAPER_WEIGHTS.join('-')}` });
      continue;
    }
    if (Number(match[4]) !== cluster.bandwidthGbps) {
      rejected.push({ ...base, reason: `bandwidth ${match[4]} Gbps, the case has ${cluster.bandwidthGbps}` });
      continue;
    }
    try {
      const problem = caseProblem(options, library, cluster, group.dnns, algorithm);
      const source = path.join(dir, file);
      const plan: Plan = {
        ...readPlanData(source, JSON.parse(readFileSync(source, 'utf8')), { problem }),
        algorithm,
      };
      const errors = validatePlan(plan, problem);
      if (errors.length > 0) {
        rejected.push({ ...base, reason: errors.join('; ') });
        continue;
      }
      const { file: _, ...key } = base;
      accepted.push({ file, planned: { ...key, plan, solvedPlan: plan, spareInstances: 0, planSeconds: 0 } });
    } catch (error) {
      rejected.push({ ...base, reason: (error as Error).message });
    }
  }
  // Every DNN is loaded against the artifact's PPipe plan's X: without an accepted one, a case has no scale.
  const hasScale = (c: PlannedCase): boolean =>
    accepted.some(({ planned: p }) => p.group === c.group && p.cluster === c.cluster && p.algorithm === 'ppipe');
  for (const { file, planned } of accepted.filter((a) => !hasScale(a.planned))) {
    const { group, cluster, algorithm } = planned;
    const reason = 'left out: the case’s PPipe plan, whose throughputs are the load scale, was rejected';
    rejected.push({ file, group, cluster, algorithm, reason });
  }
  const cases = accepted.filter((a) => hasScale(a.planned)).map((a) => a.planned);
  return { cases, rejected, caseKeys };
}

function clusterGpus(plan: Plan): Record<string, number> {
  return Object.fromEntries(plan.cluster.gpus.map((g) => [g.type, g.count]));
}

/** `seedIndex` picks the arrivals: sweeps of two variants of one plan get the same arrivals (paired runs). */
function taskFor(
  id: number,
  dnn: ServingDnn,
  referenceXputRps: number,
  plan: Plan,
  options: ReproduceOptions,
  scheduler: SweepTask['scheduler'],
  seedIndex = id,
): SweepTask {
  return {
    id,
    dnn,
    profiles: [options.profiles],
    referenceXputRps,
    arrivals: options.arrivals,
    durationUs: options.durationS * 1e6,
    seed: options.seed + seedIndex,
    scheduler,
    clusterGpus: clusterGpus(plan),
  };
}

function progressReporter(
  options: ReproduceOptions,
  total: number,
  label: string,
): (result: SweepTaskResult, done: number) => void {
  const started = performance.now();
  return (_result, done) => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    options.onProgress(
      `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label} sweeps, ` +
        `${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
  };
}

export interface ReproduceSummary {
  readonly reportFile: string;
  readonly planSeconds: number;
  readonly sweepSeconds: number;
  readonly fig10Seconds: number | undefined;
}

export async function reproduce(options: ReproduceOptions): Promise<ReproduceSummary> {
  mkdirSync(options.outDir, { recursive: true });
  const library = new ProfileLibrary([options.profiles]);
  const solver = new HighsSolver();
  solver.start();
  let cases: PlannedCase[];
  const fig10Plans: Array<{ model: string; plan: Plan }> = [];
  const planStarted = performance.now();
  let fig10PlanSeconds = 0;
  const artifact = options.artifactPlans ? readArtifactPlans(options.artifactPlans, options, library) : undefined;
  for (const r of artifact?.rejected ?? []) options.onProgress(`artifact plan rejected: ${r.file}: ${r.reason}`);
  try {
    cases = await planCases(options, solver, library, artifact?.caseKeys);
    if (options.fig10) {
      const started = performance.now();
      const models = readFileSync(path.join(options.profiles, 'model_list.txt'), 'utf8').split('\n').filter(Boolean);
      const cluster = PAPER_CLUSTERS.find((c) => c.name === 'L4-T4')!;
      for (const model of models) {
        const problem = resolveProblem(
          parseProblem(
            'reproduce',
            paperProblem(options.profiles, cluster, [model], { marginFraction: 0.1, maxPartitions: 3 }),
          ),
          '/',
          library,
        );
        // As solved: the ablation compares schedulers on the paper's kind of plan, idle GPUs left idle.
        const outcome = await planProblem(problem, solver, {
          deadlineMs: performance.now() + options.planTimeLimitS * 1000,
          spareGpus: false,
        });
        fig10Plans.push({ model, plan: planFromOutcome(problem, outcome) });
        options.onProgress(
          `planned Fig. 10 ${model}: ${outcome.allocation.objective.toFixed(1)} req/s (${outcome.status})`,
        );
      }
      fig10PlanSeconds = (performance.now() - started) / 1000;
    }
  } finally {
    await solver.stop();
  }
  const planSeconds = (performance.now() - planStarted) / 1000 - fig10PlanSeconds;

  // Fig. 6 and 8: every DNN of every plan, loaded against the PPipe plan's throughput for that DNN.
  const tasks: SweepTask[] = [];
  // Both variants of every plan: with spare GPUs (the planner's default) and as solved.
  const taskKeys: Array<{ group: string; cluster: string; algorithm: Algorithm; dnn: string; solved: boolean }> = [];
  const seedOf = new Map<string, number>();
  for (const solved of [false, true]) {
    let seedIndex = 0;
    for (const planned of cases) {
      const ppipe = cases.find(
        (c) => c.group === planned.group && c.cluster === planned.cluster && c.algorithm === 'ppipe',
      )!;
      const plan = solved ? planned.solvedPlan : planned.plan;
      fromPlanDocument(plan).dnns.forEach((dnn, d) => {
        seedOf.set(`${planned.group}/${planned.cluster}/${planned.algorithm}/${dnn.name}`, seedIndex);
        tasks.push(
          taskFor(
            tasks.length,
            dnn,
            Math.floor(ppipe.plan.dnns[d]!.throughputRps),
            plan,
            options,
            'reservation',
            seedIndex++,
          ),
        );
        taskKeys.push({
          group: planned.group,
          cluster: planned.cluster,
          algorithm: planned.algorithm,
          dnn: dnn.name,
          solved,
        });
      });
    }
  }
  // The PPipe plans as solved once more against each DNN's guaranteed share w·Z instead of its full planned
  // throughput: the lenient end of the artifact's scale, whose plans keep the solver's slack on DNNs that do
  // not bind the objective (reference §E). Reported beside ours, not mixed into Fig. 6.
  const shareKeys: Array<{ group: string; cluster: string; dnn: string; capacityRps: number; shareRps: number }> = [];
  for (const planned of cases.filter((c) => c.algorithm === 'ppipe')) {
    fromPlanDocument(planned.solvedPlan).dnns.forEach((dnn, d) => {
      const planDnn = planned.solvedPlan.dnns[d]!;
      const shareRps = Math.floor(Math.min(planDnn.throughputRps, planDnn.weight * planned.solvedPlan.objective));
      tasks.push(
        taskFor(
          tasks.length,
          dnn,
          shareRps,
          planned.solvedPlan,
          options,
          'reservation',
          seedOf.get(`${planned.group}/${planned.cluster}/ppipe/${dnn.name}`),
        ),
      );
      shareKeys.push({
        group: planned.group,
        cluster: planned.cluster,
        dnn: dnn.name,
        capacityRps: planDnn.throughputRps,
        shareRps,
      });
    });
  }
  // The artifact's plans: every DNN loaded against the artifact's PPipe plan's X for it, with the seeds of ours.
  const artifactKeys: Array<{ group: string; cluster: string; algorithm: Algorithm; dnn: string }> = [];
  const artifactStart = tasks.length;
  for (const planned of artifact?.cases ?? []) {
    const ppipe = artifact!.cases.find(
      (c) => c.group === planned.group && c.cluster === planned.cluster && c.algorithm === 'ppipe',
    )!;
    for (const dnn of fromPlanDocument(planned.plan).dnns) {
      const reference = Math.floor(ppipe.plan.dnns.find((d) => d.name === dnn.name)!.throughputRps);
      const seedIndex = seedOf.get(`${planned.group}/${planned.cluster}/${planned.algorithm}/${dnn.name}`);
      tasks.push(taskFor(tasks.length, dnn, reference, planned.plan, options, 'reservation', seedIndex));
      artifactKeys.push({
        group: planned.group,
        cluster: planned.cluster,
        algorithm: planned.algorithm,
        dnn: dnn.name,
      });
    }
  }
  const sweepStarted = performance.now();
  const results = await runSweepPool(tasks, {
    ...(options.workers ? { workers: options.workers } : {}),
    onResult: progressReporter(options, tasks.length, 'Fig. 6/8'),
  });
  const sweepSeconds = (performance.now() - sweepStarted) / 1000;
  const allOutcomes = results
    .slice(0, taskKeys.length)
    .map((r, i) => ({ ...taskKeys[i]!, maxLoadFactor: r.maxLoadFactor, clusterUtilization: r.clusterUtilization }));
  const outcomes: DnnOutcome[] = allOutcomes.filter((o) => !o.solved).map(({ solved: _, ...o }) => o);
  const solvedOutcomes: DnnOutcome[] = allOutcomes.filter((o) => o.solved).map(({ solved: _, ...o }) => o);
  const shareScale: ShareScaleOutcome[] = results
    .slice(taskKeys.length, artifactStart)
    .map((r, i) => ({ ...shareKeys[i]!, maxLoadFactor: r.maxLoadFactor }));
  const artifactComparison: ArtifactComparison | undefined = artifact && {
    dir: options.artifactPlans!,
    cases: artifact.cases,
    rejected: artifact.rejected,
    outcomes: results.slice(artifactStart).map((r, i) => ({
      ...artifactKeys[i]!,
      maxLoadFactor: r.maxLoadFactor,
      clusterUtilization: r.clusterUtilization,
    })),
  };

  // Fig. 10: reservation vs reactive on the same three-partition plans.
  let fig10: Fig10Row[] = [];
  let fig10Seconds: number | undefined;
  if (options.fig10) {
    const started = performance.now();
    const fig10Tasks: SweepTask[] = [];
    fig10Plans.forEach(({ plan }, i) => {
      const dnn = fromPlanDocument(plan).dnns[0]!;
      const reference = Math.floor(plan.dnns[0]!.throughputRps);
      fig10Tasks.push(
        taskFor(2 * i, dnn, reference, plan, options, 'reservation'),
        taskFor(2 * i + 1, dnn, reference, plan, options, 'reactive'),
      );
    });
    const fig10Results = await runSweepPool(fig10Tasks, {
      ...(options.workers ? { workers: options.workers } : {}),
      onResult: progressReporter(options, fig10Tasks.length, 'Fig. 10'),
    });
    fig10 = fig10Plans.map(({ model }, i) => ({
      model,
      reservation: fig10Results[2 * i]!.maxLoadFactor,
      reactive: fig10Results[2 * i + 1]!.maxLoadFactor,
    }));
    fig10Seconds = (performance.now() - started) / 1000 + fig10PlanSeconds;
  }

  const timing = { planSeconds, sweepSeconds, fig10Seconds, fig10PlanSeconds };
  const reportFile = await writeReport({
    options,
    cases,
    outcomes,
    solvedOutcomes,
    shareScale,
    fig10,
    timing,
    ...(artifactComparison ? { artifact: artifactComparison } : {}),
  });
  return { reportFile, planSeconds, sweepSeconds, fig10Seconds };
}
