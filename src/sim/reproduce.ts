/**
 * `ppipe reproduce`: plans the paper's evaluation (6 groups × 4 clusters × NP, DART-r, PPipe, reference
 * §H) with our planner, sweeps every DNN of every plan in the simulator, and writes a Markdown report with
 * the tables of Fig. 6 (max load factor and gains), Fig. 8 (utilisation by GPU class) and Fig. 10
 * (reservation vs reactive on the three-partition, 10%-margin L4-T4 plans), beside the paper's numbers,
 * plus SVG charts and the raw results as JSON.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ServingDnn } from '../pipeline/index.ts';
import { fromPlanDocument } from '../pipeline/index.ts';
import type { Algorithm, Plan } from '../planner/index.ts';
import { ARTIFACT_OBJECTIVES, HighsSolver, PAPER_CLUSTERS, PAPER_GROUPS, PAPER_WEIGHTS, paperProblem, parseProblem, planFromOutcome, planProblem, resolveProblem, ProfileLibrary, withSpareGpus } from '../planner/index.ts';
import type { ArrivalSpec } from './arrivals.ts';
import { groupedBars, renderSvg } from './charts.ts';
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
  readonly onProgress: (line: string) => void;
}

const ALGORITHMS: ReadonlyArray<Algorithm> = ['np', 'dart-r', 'ppipe'];
const LABEL: Record<Algorithm, string> = { np: 'NP', 'dart-r': 'DART-r', ppipe: 'PPipe' };
const HIGH_CLASS = new Set(['L4', 'V100']);
/** The artifact's plots take the smallest load factor when none reaches 99% (reference §G). */
const FLOOR_LOAD_FACTOR = 0.05;

/** The paper's numbers (reference §H), for the report's side-by-side columns. */
const PAPER = {
  meanLoadFactor: { poisson: { np: 0.668, 'dart-r': 0.749, ppipe: 0.965 }, bursty: { np: 0.611, 'dart-r': 0.694, ppipe: 0.903 } },
  gainVsNp: { poisson: { mean: 0.48, 'L4-P4': 0.649, 'L4-T4': 0.348, 'V100-P4': 0.467, 'V100-T4': 0.455 }, bursty: { mean: 0.751, 'L4-P4': 1.616, 'L4-T4': 0.341, 'V100-P4': 0.504, 'V100-T4': 0.541 } },
  gainVsDartR: { poisson: { mean: 0.322, 'L4-P4': 0.472, 'L4-T4': 0.173, 'V100-P4': 0.348, 'V100-T4': 0.293 }, bursty: { mean: 0.358, 'L4-P4': 0.504, 'L4-T4': 0.181, 'V100-P4': 0.402, 'V100-T4': 0.345 } },
  lowClassUtilization: { np: 0.081, 'dart-r': 0.295, ppipe: 0.736 },
  fig10: { reservation: 0.92, reactive: 0.71 },
  /** The artifact's planned objectives (maf19 weights): per cluster, the mean over the six groups of Z_PPipe / Z_other. */
  plannedGain: { 'L4-P4': { np: 1.676, 'dart-r': 1.578 }, 'L4-T4': { np: 1.398, 'dart-r': 1.261 }, 'V100-P4': { np: 1.432, 'dart-r': 1.394 }, 'V100-T4': { np: 1.468, 'dart-r': 1.342 } },
} as const;

interface PlannedCase {
  readonly group: string;
  readonly cluster: string;
  readonly algorithm: Algorithm;
  /** The planner's default: the solver's pools plus the GPUs they leave idle as headroom. */
  readonly plan: Plan;
  /** The solver's pools only, as the paper's plans are; the same planned throughputs. */
  readonly solvedPlan: Plan;
  readonly spareInstances: number;
  readonly planSeconds: number;
}

interface DnnOutcome {
  readonly group: string;
  readonly cluster: string;
  readonly algorithm: Algorithm;
  readonly dnn: string;
  readonly maxLoadFactor: number;
  readonly clusterUtilization: Record<string, number>;
}

/** A PPipe DNN swept against its guaranteed share w·Z (≤ its capacity) instead of its capacity. */
interface ShareScaleOutcome {
  readonly group: string;
  readonly cluster: string;
  readonly dnn: string;
  readonly capacityRps: number;
  readonly shareRps: number;
  readonly maxLoadFactor: number;
}

const mean = (xs: ReadonlyArray<number>): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const signedPct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

async function planCases(options: ReproduceOptions, solver: HighsSolver, library: ProfileLibrary): Promise<PlannedCase[]> {
  const cases: PlannedCase[] = [];
  for (const group of PAPER_GROUPS) {
    for (const cluster of PAPER_CLUSTERS) {
      for (const algorithm of ALGORITHMS) {
        const started = performance.now();
        const problem = resolveProblem(parseProblem('reproduce', { ...paperProblem(options.profiles, cluster, group.dnns, { weights: PAPER_WEIGHTS }), algorithm }), '/', library);
        const solved = await planProblem(problem, solver, { deadlineMs: started + options.planTimeLimitS * 1000, spareGpus: false });
        const outcome = withSpareGpus(problem, solved);
        cases.push({ group: group.id, cluster: cluster.name, algorithm, plan: planFromOutcome(problem, outcome), solvedPlan: planFromOutcome(problem, solved), spareInstances: outcome.spareInstances, planSeconds: (performance.now() - started) / 1000 });
        options.onProgress(`planned ${group.id} ${cluster.name} ${LABEL[algorithm]}: Z = ${outcome.allocation.objective.toFixed(1)} (${outcome.status})`);
      }
    }
  }
  return cases;
}

function clusterGpus(plan: Plan): Record<string, number> {
  return Object.fromEntries(plan.cluster.gpus.map((g) => [g.type, g.count]));
}

/** `seedIndex` picks the arrivals: sweeps of two variants of one plan get the same arrivals (paired runs). */
function taskFor(id: number, dnn: ServingDnn, referenceXputRps: number, plan: Plan, options: ReproduceOptions, scheduler: SweepTask['scheduler'], seedIndex = id): SweepTask {
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

function progressReporter(options: ReproduceOptions, total: number, label: string): (result: SweepTaskResult, done: number) => void {
  const started = performance.now();
  return (_result, done) => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    options.onProgress(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label} sweeps, ${((performance.now() - started) / 1000).toFixed(0)} s`);
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
  try {
    cases = await planCases(options, solver, library);
    if (options.fig10) {
      const started = performance.now();
      const models = readFileSync(path.join(options.profiles, 'model_list.txt'), 'utf8').split('\n').filter(Boolean);
      const cluster = PAPER_CLUSTERS.find((c) => c.name === 'L4-T4')!;
      for (const model of models) {
        const problem = resolveProblem(parseProblem('reproduce', paperProblem(options.profiles, cluster, [model], { marginFraction: 0.1, maxPartitions: 3 })), '/', library);
        // As solved: the ablation compares schedulers on the paper's kind of plan, idle GPUs left idle.
        const outcome = await planProblem(problem, solver, { deadlineMs: performance.now() + options.planTimeLimitS * 1000, spareGpus: false });
        fig10Plans.push({ model, plan: planFromOutcome(problem, outcome) });
        options.onProgress(`planned Fig. 10 ${model}: ${outcome.allocation.objective.toFixed(1)} req/s (${outcome.status})`);
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
      const ppipe = cases.find((c) => c.group === planned.group && c.cluster === planned.cluster && c.algorithm === 'ppipe')!;
      const plan = solved ? planned.solvedPlan : planned.plan;
      fromPlanDocument(plan).dnns.forEach((dnn, d) => {
        seedOf.set(`${planned.group}/${planned.cluster}/${planned.algorithm}/${dnn.name}`, seedIndex);
        tasks.push(taskFor(tasks.length, dnn, Math.floor(ppipe.plan.dnns[d]!.throughputRps), plan, options, 'reservation', seedIndex++));
        taskKeys.push({ group: planned.group, cluster: planned.cluster, algorithm: planned.algorithm, dnn: dnn.name, solved });
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
      tasks.push(taskFor(tasks.length, dnn, shareRps, planned.solvedPlan, options, 'reservation', seedOf.get(`${planned.group}/${planned.cluster}/ppipe/${dnn.name}`)));
      shareKeys.push({ group: planned.group, cluster: planned.cluster, dnn: dnn.name, capacityRps: planDnn.throughputRps, shareRps });
    });
  }
  const sweepStarted = performance.now();
  const results = await runSweepPool(tasks, { ...(options.workers ? { workers: options.workers } : {}), onResult: progressReporter(options, tasks.length, 'Fig. 6/8') });
  const sweepSeconds = (performance.now() - sweepStarted) / 1000;
  const allOutcomes = results.slice(0, taskKeys.length).map((r, i) => ({ ...taskKeys[i]!, maxLoadFactor: r.maxLoadFactor, clusterUtilization: r.clusterUtilization }));
  const outcomes: DnnOutcome[] = allOutcomes.filter((o) => !o.solved).map(({ solved: _, ...o }) => o);
  const solvedOutcomes: DnnOutcome[] = allOutcomes.filter((o) => o.solved).map(({ solved: _, ...o }) => o);
  const shareScale: ShareScaleOutcome[] = results.slice(taskKeys.length).map((r, i) => ({ ...shareKeys[i]!, maxLoadFactor: r.maxLoadFactor }));

  // Fig. 10: reservation vs reactive on the same three-partition plans.
  let fig10: Array<{ model: string; reservation: number; reactive: number }> = [];
  let fig10Seconds: number | undefined;
  if (options.fig10) {
    const started = performance.now();
    const fig10Tasks: SweepTask[] = [];
    fig10Plans.forEach(({ plan }, i) => {
      const dnn = fromPlanDocument(plan).dnns[0]!;
      const reference = Math.floor(plan.dnns[0]!.throughputRps);
      fig10Tasks.push(taskFor(2 * i, dnn, reference, plan, options, 'reservation'), taskFor(2 * i + 1, dnn, reference, plan, options, 'reactive'));
    });
    const fig10Results = await runSweepPool(fig10Tasks, { ...(options.workers ? { workers: options.workers } : {}), onResult: progressReporter(options, fig10Tasks.length, 'Fig. 10') });
    fig10 = fig10Plans.map(({ model }, i) => ({ model, reservation: fig10Results[2 * i]!.maxLoadFactor, reactive: fig10Results[2 * i + 1]!.maxLoadFactor }));
    fig10Seconds = (performance.now() - started) / 1000 + fig10PlanSeconds;
  }

  const reportFile = await writeReport(options, cases, outcomes, solvedOutcomes, shareScale, fig10, { planSeconds, sweepSeconds, fig10Seconds, fig10PlanSeconds });
  return { reportFile, planSeconds, sweepSeconds, fig10Seconds };
}

/**
 * Writes the planned objectives beside the artifact's: per cluster the mean Z ratios, per case the Z of the
 * two groups the reference lists. Returns the cases where our DART-r objective exceeds the artifact's.
 */
function plannedObjectives(lines: string[], cases: ReadonlyArray<PlannedCase>): Array<{ key: string; ours: number; artifact: number }> {
  const z = (group: string, cluster: string, algorithm: Algorithm): number => cases.find((c) => c.group === group && c.cluster === cluster && c.algorithm === algorithm)!.plan.objective;
  const groups = [...new Set(cases.map((c) => c.group))];
  lines.push('## Planned objectives against the artifact\'s', '');
  lines.push('Z is the max–min weighted throughput the planner reaches. Per cluster, the mean over the six groups of Z_PPipe / Z_other, ours (artifact):', '');
  lines.push('| cluster | Z_PPipe / Z_NP | Z_PPipe / Z_DART-r |', '| --- | --- | --- |');
  for (const cluster of PAPER_CLUSTERS) {
    const ratio = (other: Algorithm): number => mean(groups.map((g) => z(g, cluster.name, 'ppipe') / z(g, cluster.name, other)));
    const artifact = PAPER.plannedGain[cluster.name as keyof typeof PAPER.plannedGain];
    lines.push(`| ${cluster.id} ${cluster.name} | ${ratio('np').toFixed(3)} (${artifact.np.toFixed(3)}) | ${ratio('dart-r').toFixed(3)} (${artifact['dart-r'].toFixed(3)}) |`);
  }
  lines.push('', 'Per case, for the groups the reference lists, ours (artifact):', '', '| case | NP | DART-r | PPipe |', '| --- | --- | --- | --- |');
  const dartAbove: Array<{ key: string; ours: number; artifact: number }> = [];
  for (const [key, artifact] of Object.entries(ARTIFACT_OBJECTIVES)) {
    const [group, cluster] = key.split(' ') as [string, string];
    if (!groups.includes(group)) continue;
    const ours = (algorithm: Algorithm): number => z(group, cluster, algorithm);
    if (ours('dart-r') > artifact['dart-r'] * 1.001) dartAbove.push({ key, ours: ours('dart-r'), artifact: artifact['dart-r'] });
    lines.push(`| ${key} | ${ALGORITHMS.map((a) => `${ours(a).toFixed(1)} (${artifact[a].toFixed(1)})`).join(' | ')} |`);
  }
  lines.push('', 'Our PPipe Z can exceed the artifact\'s because our MILP lets several configurations share one GPU-type sequence, where the reference allows one.', '');
  return dartAbove;
}

/** Requests a DNN's plan can queue within its SLO: Σ over pipelines of (SLO − planned latency) × planned throughput. */
function slackRequests(dnn: Plan['dnns'][number]): number {
  return dnn.pipelines.reduce((k, pipeline) => {
    const latencyUs = pipeline.partitions.reduce((sum, part) => sum + part.inferUs + part.transferUs, pipeline.estBatchBuildUs + (pipeline.ingressUs ?? 0) + (pipeline.returnUs ?? 0));
    return k + ((dnn.sloUs - latencyUs) / 1e6) * pipeline.throughputRps;
  }, 0);
}

/** Fig. 6 and 8 metrics over one set of sweep outcomes. */
function summarize(cases: ReadonlyArray<PlannedCase>, outcomes: ReadonlyArray<DnnOutcome>) {
  const lf = (o: DnnOutcome): number => Math.max(o.maxLoadFactor, FLOOR_LOAD_FACTOR);
  const find = (group: string, cluster: string, algorithm: Algorithm, dnn: string): DnnOutcome => outcomes.find((o) => o.group === group && o.cluster === cluster && o.algorithm === algorithm && o.dnn === dnn)!;
  const gains = (cluster: string | undefined, other: Algorithm): number =>
    mean(outcomes.filter((o) => o.algorithm === 'ppipe' && (cluster === undefined || o.cluster === cluster)).map((o) => lf(o) / lf(find(o.group, o.cluster, other, o.dnn)) - 1));
  const meanLf = (algorithm: Algorithm, cluster?: string): number => mean(outcomes.filter((o) => o.algorithm === algorithm && (cluster === undefined || o.cluster === cluster)).map((o) => o.maxLoadFactor));
  // Fig. 8: per case, each DNN's busy share of all GPUs of a class (cluster-wide), summed over the group's DNNs.
  const utilization = (algorithm: Algorithm, high: boolean): number => {
    const perCase = cases.filter((c) => c.algorithm === algorithm).map((c) => {
      const types = c.plan.cluster.gpus.filter((g) => HIGH_CLASS.has(g.type) === high);
      const total = types.reduce((n, g) => n + g.count, 0);
      const busy = outcomes
        .filter((o) => o.group === c.group && o.cluster === c.cluster && o.algorithm === algorithm)
        .reduce((sum, o) => sum + types.reduce((s, g) => s + (o.clusterUtilization[g.type] ?? 0) * g.count, 0), 0);
      return total === 0 ? 0 : busy / total;
    });
    return mean(perCase);
  };
  return { find, gains, meanLf, utilization };
}

async function writeReport(
  options: ReproduceOptions,
  cases: ReadonlyArray<PlannedCase>,
  outcomes: ReadonlyArray<DnnOutcome>,
  solvedOutcomes: ReadonlyArray<DnnOutcome>,
  shareScale: ReadonlyArray<ShareScaleOutcome>,
  fig10: ReadonlyArray<{ model: string; reservation: number; reactive: number }>,
  timing: { planSeconds: number; sweepSeconds: number; fig10Seconds: number | undefined; fig10PlanSeconds: number },
): Promise<string> {
  const bursty = options.arrivals.kind !== 'poisson';
  const paperTrace = bursty ? 'bursty' : 'poisson';
  const paperLf = PAPER.meanLoadFactor[paperTrace];
  const ours = summarize(cases, outcomes);
  const solved = summarize(cases, solvedOutcomes);
  const spareOf = (algorithm: Algorithm): number => mean(cases.filter((c) => c.algorithm === algorithm).map((c) => c.spareInstances));

  const lines: string[] = [];
  lines.push(`# PPipe reproduction (${options.arrivalsLabel} arrivals)`, '');
  lines.push(`Plans: our planner (HiGHS), 6 groups × 4 clusters × NP, DART-r, PPipe, weights [0.30, 0.33, 0.37], 25 high + 75 low GPUs,`);
  lines.push(`40% margin. Sweeps: load factor 1.00 → 0.05 in steps of 0.05, ${options.durationS} simulated seconds per point, ${options.arrivalsLabel} arrivals, seed ${options.seed};`);
  lines.push('every DNN is loaded against the PPipe plan\'s planned throughput for it, so the three algorithms share one scale (reference §G).');
  lines.push('Every plan is swept twice: as the planner ships it, where the GPUs the solver leaves idle become headroom on the pools that limit a pipeline, and as solved, idle GPUs left idle as in the paper\'s plans. Both have the same planned throughputs.');
  if (bursty) lines.push('The MAF 2021 trace is not available here: "bursty" results use Gamma arrivals with the coefficient of variation above, not the trace.');
  lines.push('', `Time: planning ${timing.planSeconds.toFixed(1)} s, sweeps ${timing.sweepSeconds.toFixed(1)} s (Fig. 6 and 8, ${outcomes.length} sweeps per variant, plus ${shareScale.length} on the share scale below)${timing.fig10Seconds !== undefined ? `; Fig. 10 extra ${timing.fig10Seconds.toFixed(1)} s (planning ${timing.fig10PlanSeconds.toFixed(1)} s)` : ''}.`, '');

  lines.push('## Fig. 6: largest load factor with ≥ 99% attainment', '');
  lines.push('Mean over the 18 DNNs (6 groups × 3) of each cluster; gains are LF_PPipe / LF_other − 1 per DNN, averaged (a DNN that never reaches 99% counts as 0.05, the artifact\'s convention).', '');
  const fig6Table = (m: ReturnType<typeof summarize>): void => {
    lines.push('| cluster | NP | DART-r | PPipe | gain vs NP (paper) | gain vs DART-r (paper) |', '| --- | --- | --- | --- | --- | --- |');
    for (const cluster of PAPER_CLUSTERS) {
      const c = cluster.name as keyof typeof PAPER.gainVsNp.poisson;
      lines.push(`| ${cluster.id} ${cluster.name} | ${m.meanLf('np', cluster.name).toFixed(3)} | ${m.meanLf('dart-r', cluster.name).toFixed(3)} | ${m.meanLf('ppipe', cluster.name).toFixed(3)} | ${signedPct(m.gains(cluster.name, 'np'))} (${signedPct(PAPER.gainVsNp[paperTrace][c])}) | ${signedPct(m.gains(cluster.name, 'dart-r'))} (${signedPct(PAPER.gainVsDartR[paperTrace][c])}) |`);
    }
    lines.push(`| **all** | ${m.meanLf('np').toFixed(3)} (paper ${paperLf.np}) | ${m.meanLf('dart-r').toFixed(3)} (paper ${paperLf['dart-r']}) | ${m.meanLf('ppipe').toFixed(3)} (paper ${paperLf.ppipe}) | **${signedPct(m.gains(undefined, 'np'))}** (${signedPct(PAPER.gainVsNp[paperTrace].mean)}) | **${signedPct(m.gains(undefined, 'dart-r'))}** (${signedPct(PAPER.gainVsDartR[paperTrace].mean)}) |`, '');
  };
  lines.push(`With spare GPUs as headroom (the planner's default; on average ${spareOf('np').toFixed(1)} NP, ${spareOf('dart-r').toFixed(1)} DART-r and ${spareOf('ppipe').toFixed(1)} PPipe instances added per plan):`, '');
  fig6Table(ours);
  lines.push('As solved (idle GPUs left idle):', '');
  fig6Table(solved);

  const dartAboveArtifact = plannedObjectives(lines, cases);

  lines.push('## Fig. 8: GPU utilisation by class', '');
  lines.push('Busy time over all GPUs of the class in the cluster (unused GPUs count as idle), at each algorithm\'s largest passing load factor; mean over the 24 cases.', '');
  lines.push('| algorithm | high-class (L4, V100) | low-class (T4, P4) | low-class, as solved | paper, low-class |', '| --- | --- | --- | --- | --- |');
  for (const algorithm of ALGORITHMS) lines.push(`| ${LABEL[algorithm]} | ${pct(ours.utilization(algorithm, true))} | ${pct(ours.utilization(algorithm, false))} | ${pct(solved.utilization(algorithm, false))} | ${pct(PAPER.lowClassUtilization[algorithm])} |`);
  lines.push('');

  if (fig10.length > 0) {
    lines.push('## Fig. 10: reservation vs reactive (L4-T4, one DNN, 3 partitions, 10% margin, plans as solved)', '');
    lines.push('| DNN | reservation | reactive |', '| --- | --- | --- |');
    for (const row of fig10) lines.push(`| ${row.model} | ${row.reservation.toFixed(2)} | ${row.reactive.toFixed(2)} |`);
    lines.push(`| **mean** | **${mean(fig10.map((r) => r.reservation)).toFixed(3)}** (paper ${PAPER.fig10.reservation}) | **${mean(fig10.map((r) => r.reactive)).toFixed(3)}** (paper ${PAPER.fig10.reactive}) |`, '');
  }

  lines.push('## Why a DNN rarely reaches 1.0: the requests its SLO slack holds', '');
  lines.push('K = Σ over its pipelines of (SLO − planned latency) × planned throughput: how many requests can queue before the oldest misses its deadline. At load factor 1.0 a DNN is at 100% load on its planned pools, where Poisson arrivals cost about 1/(2K) of its requests (a reflected random walk), so 99% needs K ≳ 50 or capacity above the plan. PPipe plans as solved, and with spare GPUs:', '');
  lines.push('| K | DNNs | reach 1.0 as solved | reach 1.0 with spare GPUs | mean load factor as solved |', '| --- | --- | --- | --- | --- |');
  const ppipeCases = cases.filter((c) => c.algorithm === 'ppipe');
  const slackRows = ppipeCases.flatMap((c) => c.solvedPlan.dnns.map((dnn) => ({ group: c.group, cluster: c.cluster, dnn: dnn.name, k: slackRequests(dnn) })));
  const lfOf = (set: ReadonlyArray<DnnOutcome>, r: { group: string; cluster: string; dnn: string }): number => set.find((o) => o.algorithm === 'ppipe' && o.group === r.group && o.cluster === r.cluster && o.dnn === r.dnn)?.maxLoadFactor ?? 0;
  for (const [low, high] of [[0, 25], [25, 50], [50, Infinity]] as const) {
    const rows = slackRows.filter((r) => r.k >= low && r.k < high);
    if (rows.length === 0) continue;
    lines.push(`| ${high === Infinity ? `≥ ${low}` : `${low}–${high}`} | ${rows.length} | ${rows.filter((r) => lfOf(solvedOutcomes, r) >= 1).length} | ${rows.filter((r) => lfOf(outcomes, r) >= 1).length} | ${mean(rows.map((r) => lfOf(solvedOutcomes, r))).toFixed(3)} |`);
  }
  lines.push('');

  lines.push('## Where ours differs from the paper, and why', '');
  const withSpare = ours.meanLf('ppipe');
  const asSolved = solved.meanLf('ppipe');
  const lenient = mean(shareScale.map((o) => o.maxLoadFactor));
  const slack = shareScale.filter((o) => o.shareRps < Math.floor(o.capacityRps) * 0.995);
  const binding = shareScale.filter((o) => !slack.includes(o));
  const reachOne = (dnns: ReadonlyArray<ShareScaleOutcome>, set: ReadonlyArray<DnnOutcome>): number =>
    dnns.filter((d) => lfOf(set, d) >= 1).length;
  lines.push(
    `- **PPipe's load factor: ${withSpare.toFixed(3)} with spare GPUs, ${asSolved.toFixed(3)} as solved, vs ${paperLf.ppipe}.** At 1.0 a DNN reaches 99% only with K ≳ 50 or capacity above its plan (table above), and ${slackRows.filter((r) => r.k < 50).length} of our ${slackRows.length} PPipe DNNs have K < 50. Our planned throughput is the full capacity of the pools the solver chose. The artifact's plans keep the solver's throughput variable X, which for DNNs that do not bind the max–min objective sits below capacity (118 of its 774 reference pipelines, §E), and the solver's arbitrary instance counts leave spare capacity in pools (§7.5's P4 pool “over-provisioned”): its 1.0 is a lighter load for those DNNs. Swept against each DNN's guaranteed share w·Z (the lenient end of that convention; ${slack.length} of ${shareScale.length} DNNs have more capacity than their share), the plans as solved reach ${lenient.toFixed(3)}. Spare GPUs help where a pipeline's slowest pool is on the class with idle GPUs (mostly low-class); a DNN that binds the objective is mostly limited by the high class, which every plan uses to the last GPU: ${reachOne(binding, outcomes)} of the ${binding.length} binding DNNs reach 1.0 with spare GPUs (${reachOne(binding, solvedOutcomes)} as solved), ${reachOne(slack, outcomes)} of the other ${slack.length} (${reachOne(slack, solvedOutcomes)}).`,
    `- **Low-class utilisation: ${pct(ours.utilization('ppipe', false))} (as solved ${pct(solved.utilization('ppipe', false))}) vs ${pct(PAPER.lowClassUtilization.ppipe)}.** Utilisation is measured at each algorithm's largest passing load factor, so it follows the load factor above; NP (${pct(ours.utilization('np', false))} vs ${pct(PAPER.lowClassUtilization.np)}) and DART-r (${pct(ours.utilization('dart-r', false))} vs ${pct(PAPER.lowClassUtilization['dart-r'])}) match closely.`,
    `- **Gains: vs NP ${signedPct(ours.gains(undefined, 'np'))} (paper ${signedPct(PAPER.gainVsNp[paperTrace].mean)}), vs DART-r ${signedPct(ours.gains(undefined, 'dart-r'))} (paper ${signedPct(PAPER.gainVsDartR[paperTrace].mean)}).** NP's and DART-r's load factors are ${ours.meanLf('np').toFixed(3)} and ${ours.meanLf('dart-r').toFixed(3)} against the paper's ${paperLf.np} and ${paperLf['dart-r']}; the gains move with PPipe's stricter scale. NP uses every GPU that helps already (leftover whole GPUs go to the DNN furthest behind). Our DART-r shares “the unused GPUs” of the leanest NP optimum (the reference leaves that choice to the solver), which gives it the most GPUs to share.${dartAboveArtifact.length > 0 ? ` Where the reference lists DART-r's objective, ours is higher in ${dartAboveArtifact.map((c) => `${c.key} (${c.ours.toFixed(1)} vs ${c.artifact.toFixed(1)})`).join(' and ')}.` : ''}${['G1 L4-T4', 'G1 V100-T4'].every((key) => dartAboveArtifact.some((c) => c.key === key)) ? ' In G1 on the T4 clusters only efficientnet-b8 can use T4s under NP, so how many of the spare T4s it holds is the solver\'s arbitrary choice; the artifact\'s 1725.3 and 1536.5 are exactly what our DART-r gives when it holds 18–20 and 30–32 more T4s than it needs, which leaves fewer to share.' : ''}`,
    '',
  );

  lines.push('## Per DNN', '', 'With spare GPUs (as solved).', '', '| group | cluster | DNN | NP | DART-r | PPipe |', '| --- | --- | --- | --- | --- | --- |');
  for (const o of outcomes.filter((x) => x.algorithm === 'ppipe')) {
    const cell = (m: ReturnType<typeof summarize>, algorithm: Algorithm): string => m.find(o.group, o.cluster, algorithm, o.dnn).maxLoadFactor.toFixed(2);
    lines.push(`| ${o.group} | ${o.cluster} | ${o.dnn} | ${cell(ours, 'np')} (${cell(solved, 'np')}) | ${cell(ours, 'dart-r')} (${cell(solved, 'dart-r')}) | ${cell(ours, 'ppipe')} (${cell(solved, 'ppipe')}) |`);
  }
  lines.push('', 'Charts: `fig6-load-factor.svg`, `fig8-utilization.svg`' + (fig10.length > 0 ? ', `fig10-reservation-vs-reactive.svg`' : '') + '. Raw results: `results.json`.', '');

  const reportFile = path.join(options.outDir, 'report.md');
  writeFileSync(reportFile, `${lines.join('\n')}\n`);
  writeFileSync(path.join(options.outDir, 'results.json'), `${JSON.stringify({ arrivals: options.arrivalsLabel, durationS: options.durationS, timing, plans: cases.map((c) => ({ group: c.group, cluster: c.cluster, algorithm: c.algorithm, objective: c.plan.objective, status: c.plan.status, spareInstances: c.spareInstances, planSeconds: c.planSeconds })), outcomes, solvedOutcomes, shareScale, fig10 }, null, 1)}\n`);
  const fig6Rows = PAPER_CLUSTERS.flatMap((cluster) => ALGORITHMS.map((algorithm) => ({ x: cluster.name, series: LABEL[algorithm], y: ours.meanLf(algorithm, cluster.name) })));
  writeFileSync(path.join(options.outDir, 'fig6-load-factor.svg'), await renderSvg(groupedBars(`Max load factor at 99% attainment (${options.arrivalsLabel})`, fig6Rows, { x: 'cluster', y: 'mean max load factor', series: 'algorithm', yMax: 1 })));
  const fig8Rows = ALGORITHMS.flatMap((algorithm) => [true, false].map((high) => ({ x: LABEL[algorithm], series: high ? 'high-class' : 'low-class', y: ours.utilization(algorithm, high) })));
  writeFileSync(path.join(options.outDir, 'fig8-utilization.svg'), await renderSvg(groupedBars('GPU utilisation by class', fig8Rows, { x: 'algorithm', y: 'utilisation', series: 'GPU class', yMax: 1 })));
  if (fig10.length > 0) {
    const rows = fig10.flatMap((r) => [{ x: r.model.split(/[_-]/)[0]!, series: 'reservation', y: r.reservation }, { x: r.model.split(/[_-]/)[0]!, series: 'reactive', y: r.reactive }]);
    writeFileSync(path.join(options.outDir, 'fig10-reservation-vs-reactive.svg'), await renderSvg(groupedBars('Reservation vs reactive (L4-T4, 3 partitions, 10% margin)', rows, { x: 'DNN', y: 'max load factor', series: 'scheduler', yMax: 1 })));
  }
  return reportFile;
}
