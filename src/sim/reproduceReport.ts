/**
 * The reproduction's report (`ppipe reproduce`): report.md, one function per section, beside the paper's
 * numbers; results.json with the raw outcomes; and the SVG charts of Fig. 6, 8 and 10.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Algorithm, Plan } from '../planner/index.ts';
import { ARTIFACT_OBJECTIVES, PAPER_CLUSTERS } from '../planner/index.ts';
import { groupedBars, renderSvg } from './charts.ts';
import { prose, row, tableHead } from './prose.ts';
import type { ReproduceOptions } from './reproduce.ts';

/** The algorithms compared, in the report's column order, and their names in it. */
export const ALGORITHMS: ReadonlyArray<Algorithm> = ['np', 'dart-r', 'ppipe'];
export const LABEL: Record<Algorithm, string> = { np: 'NP', 'dart-r': 'DART-r', ppipe: 'PPipe' };
const HIGH_CLASS = new Set(['L4', 'V100']);
/** The artifact's plots take the smallest load factor when none reaches 99% (reference §G). */
const FLOOR_LOAD_FACTOR = 0.05;

/** The paper's numbers (reference §H), for the report's side-by-side columns. */
const PAPER = {
  meanLoadFactor: {
    poisson: { np: 0.668, 'dart-r': 0.749, ppipe: 0.965 },
    bursty: { np: 0.611, 'dart-r': 0.694, ppipe: 0.903 },
  },
  gainVsNp: {
    poisson: { mean: 0.48, 'L4-P4': 0.649, 'L4-T4': 0.348, 'V100-P4': 0.467, 'V100-T4': 0.455 },
    bursty: { mean: 0.751, 'L4-P4': 1.616, 'L4-T4': 0.341, 'V100-P4': 0.504, 'V100-T4': 0.541 },
  },
  gainVsDartR: {
    poisson: { mean: 0.322, 'L4-P4': 0.472, 'L4-T4': 0.173, 'V100-P4': 0.348, 'V100-T4': 0.293 },
    bursty: { mean: 0.358, 'L4-P4': 0.504, 'L4-T4': 0.181, 'V100-P4': 0.402, 'V100-T4': 0.345 },
  },
  lowClassUtilization: { np: 0.081, 'dart-r': 0.295, ppipe: 0.736 },
  fig10: { reservation: 0.92, reactive: 0.71 },
  /**
   * The artifact's planned objectives (maf19 weights): per cluster, the mean over the six groups of
   * Z_PPipe / Z_other.
   */
  plannedGain: {
    'L4-P4': { np: 1.676, 'dart-r': 1.578 },
    'L4-T4': { np: 1.398, 'dart-r': 1.261 },
    'V100-P4': { np: 1.432, 'dart-r': 1.394 },
    'V100-T4': { np: 1.468, 'dart-r': 1.342 },
  },
} as const;

export interface PlannedCase {
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

export interface DnnOutcome {
  readonly group: string;
  readonly cluster: string;
  readonly algorithm: Algorithm;
  readonly dnn: string;
  readonly maxLoadFactor: number;
  readonly clusterUtilization: Record<string, number>;
}

/** A PPipe DNN swept against its guaranteed share w·Z (≤ its capacity) instead of its capacity. */
export interface ShareScaleOutcome {
  readonly group: string;
  readonly cluster: string;
  readonly dnn: string;
  readonly capacityRps: number;
  readonly shareRps: number;
  readonly maxLoadFactor: number;
}

export interface Fig10Row {
  readonly model: string;
  readonly reservation: number;
  readonly reactive: number;
}

/** An artifact plan left out of the sweep, and why. */
export interface RejectedPlan {
  readonly file: string;
  readonly group?: string;
  readonly cluster?: string;
  readonly algorithm?: Algorithm;
  readonly reason: string;
}

/** The artifact's own plans (`--artifact-plans`), swept on our simulator beside ours. */
export interface ArtifactComparison {
  readonly dir: string;
  /** The accepted plans, as cases (plan = solvedPlan, no spare GPUs). */
  readonly cases: ReadonlyArray<PlannedCase>;
  readonly rejected: ReadonlyArray<RejectedPlan>;
  readonly outcomes: ReadonlyArray<DnnOutcome>;
}

export interface ReportTiming {
  readonly planSeconds: number;
  readonly sweepSeconds: number;
  readonly fig10Seconds: number | undefined;
  readonly fig10PlanSeconds: number;
}

/** Everything the report shows. */
export interface ReportInput {
  readonly options: Pick<ReproduceOptions, 'outDir' | 'arrivals' | 'arrivalsLabel' | 'durationS' | 'seed'>;
  readonly cases: ReadonlyArray<PlannedCase>;
  /** Per DNN, the plans with spare GPUs (the planner's default). */
  readonly outcomes: ReadonlyArray<DnnOutcome>;
  /** Per DNN, the plans as solved. */
  readonly solvedOutcomes: ReadonlyArray<DnnOutcome>;
  readonly shareScale: ReadonlyArray<ShareScaleOutcome>;
  /** Empty without the Fig. 10 ablation. */
  readonly fig10: ReadonlyArray<Fig10Row>;
  readonly timing: ReportTiming;
  /** With `--artifact-plans` only. */
  readonly artifact?: ArtifactComparison;
}

const mean = (xs: ReadonlyArray<number>): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const signedPct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

/** Writes report.md, results.json and the charts into the output folder; returns report.md's path. */
export async function writeReport(input: ReportInput): Promise<string> {
  const { options, cases, outcomes, solvedOutcomes, shareScale, fig10, timing } = input;
  const reportFile = path.join(options.outDir, 'report.md');
  writeFileSync(reportFile, reportMarkdown(input));
  const plans = cases.map((c) => ({
    group: c.group,
    cluster: c.cluster,
    algorithm: c.algorithm,
    objective: c.plan.objective,
    status: c.plan.status,
    spareInstances: c.spareInstances,
    planSeconds: c.planSeconds,
  }));
  const results = {
    arrivals: options.arrivalsLabel,
    durationS: options.durationS,
    timing,
    plans,
    outcomes,
    solvedOutcomes,
    shareScale,
    fig10,
    ...(input.artifact ? artifactResults(input, input.artifact) : {}),
  };
  writeFileSync(path.join(options.outDir, 'results.json'), `${JSON.stringify(results, null, 1)}\n`);
  await writeCharts(input, summarize(cases, outcomes));
  return reportFile;
}

async function writeCharts(input: ReportInput, ours: Metrics): Promise<void> {
  const { options, fig10 } = input;
  const fig6Rows = PAPER_CLUSTERS.flatMap((cluster) =>
    ALGORITHMS.map((algorithm) => ({
      x: cluster.name,
      series: LABEL[algorithm],
      y: ours.meanLf(algorithm, cluster.name),
    })),
  );
  const fig6Axes = { x: 'cluster', y: 'mean max load factor', series: 'algorithm', yMax: 1 };
  const fig6Title = `Max load factor at 99% attainment (${options.arrivalsLabel})`;
  const fig6 = groupedBars(fig6Title, fig6Rows, fig6Axes);
  writeFileSync(path.join(options.outDir, 'fig6-load-factor.svg'), await renderSvg(fig6));
  const fig8Rows = ALGORITHMS.flatMap((algorithm) =>
    [true, false].map((high) => ({
      x: LABEL[algorithm],
      series: high ? 'high-class' : 'low-class',
      y: ours.utilization(algorithm, high),
    })),
  );
  const fig8Axes = { x: 'algorithm', y: 'utilisation', series: 'GPU class', yMax: 1 };
  const fig8 = groupedBars('GPU utilisation by class', fig8Rows, fig8Axes);
  writeFileSync(path.join(options.outDir, 'fig8-utilization.svg'), await renderSvg(fig8));
  if (fig10.length > 0) {
    const rows = fig10.flatMap((r) => [
      { x: r.model.split(/[_-]/)[0]!, series: 'reservation', y: r.reservation },
      { x: r.model.split(/[_-]/)[0]!, series: 'reactive', y: r.reactive },
    ]);
    const axes = { x: 'DNN', y: 'max load factor', series: 'scheduler', yMax: 1 };
    const chart = groupedBars('Reservation vs reactive (L4-T4, 3 partitions, 10% margin)', rows, axes);
    writeFileSync(path.join(options.outDir, 'fig10-reservation-vs-reactive.svg'), await renderSvg(chart));
  }
}

/** What the sections share: the input, the paper's numbers for the arrivals, and the metrics of both variants. */
interface ReportContext extends ReportInput {
  readonly bursty: boolean;
  readonly paperTrace: 'poisson' | 'bursty';
  readonly paperLf: (typeof PAPER.meanLoadFactor)[keyof typeof PAPER.meanLoadFactor];
  /** With spare GPUs. */
  readonly ours: Metrics;
  /** As solved. */
  readonly solved: Metrics;
  /** Per PPipe DNN as solved, the requests its SLO slack holds. */
  readonly slackRows: ReadonlyArray<{ group: string; cluster: string; dnn: string; k: number }>;
  /** Where our DART-r objective exceeds the artifact's. */
  readonly dartAboveArtifact: ReadonlyArray<{ key: string; ours: number; artifact: number }>;
}

/** The report's Markdown, section by section. */
export function reportMarkdown(input: ReportInput): string {
  const bursty = input.options.arrivals.kind !== 'poisson';
  const paperTrace = bursty ? 'bursty' : 'poisson';
  const ppipeCases = input.cases.filter((c) => c.algorithm === 'ppipe');
  const context: ReportContext = {
    ...input,
    bursty,
    paperTrace,
    paperLf: PAPER.meanLoadFactor[paperTrace],
    ours: summarize(input.cases, input.outcomes),
    solved: summarize(input.cases, input.solvedOutcomes),
    slackRows: ppipeCases.flatMap((c) =>
      c.solvedPlan.dnns.map((dnn) => ({ group: c.group, cluster: c.cluster, dnn: dnn.name, k: slackRequests(dnn) })),
    ),
    dartAboveArtifact: artifactObjectives(input.cases)
      .filter((c) => c.ours['dart-r'] > c.artifact['dart-r'] * 1.001)
      .map((c) => ({ key: c.key, ours: c.ours['dart-r'], artifact: c.artifact['dart-r'] })),
  };
  const lines = [
    ...headerSection(context),
    ...(input.artifact ? artifactSections(context, input.artifact) : []),
    ...fig6Section(context),
    ...plannedObjectivesSection(context),
    ...fig8Section(context),
    ...fig10Section(context),
    ...slackSection(context),
    ...differencesSection(context),
    ...perDnnSection(context),
  ];
  return `${lines.join('\n')}\n`;
}

function headerSection({ options, timing, outcomes, shareScale, bursty }: ReportContext): string[] {
  const fig10Time =
    timing.fig10Seconds !== undefined
      ? `; Fig. 10 extra ${timing.fig10Seconds.toFixed(1)} s (planning ${timing.fig10PlanSeconds.toFixed(1)} s)`
      : '';
  return [
    `# PPipe reproduction (${options.arrivalsLabel} arrivals)`,
    '',
    prose`Plans: our planner (HiGHS), 6 groups × 4 clusters × NP, DART-r, PPipe, weights [0.30, 0.33, 0.37],
      25 high + 75 low GPUs,`,
    prose`40% margin. Sweeps: load factor 1.00 → 0.05 in steps of 0.05, ${options.durationS} simulated seconds
      per point, ${options.arrivalsLabel} arrivals, seed ${options.seed};`,
    prose`every DNN is loaded against the PPipe plan's planned throughput for it, so the three algorithms share
      one scale (reference §G).`,
    prose`Every plan is swept twice: as the planner ships it, where the GPUs the solver leaves idle become
      headroom on the pools that limit a pipeline, and as solved, idle GPUs left idle as in the paper's plans.
      Both have the same planned throughputs.`,
    ...(bursty
      ? [
          prose`The MAF 2021 trace is not available here: "bursty" results use Gamma arrivals with the
            coefficient of variation above, not the trace.`,
        ]
      : []),
    '',
    prose`Time: planning ${timing.planSeconds.toFixed(1)} s, sweeps ${timing.sweepSeconds.toFixed(1)} s
      (Fig. 6 and 8, ${outcomes.length} sweeps per variant, plus ${shareScale.length} on the share scale
      below)${fig10Time}.`,
    '',
  ];
}

function fig6Section({ cases, ours, solved, paperTrace, paperLf }: ReportContext): string[] {
  const spareOf = (algorithm: Algorithm): number =>
    mean(cases.filter((c) => c.algorithm === algorithm).map((c) => c.spareInstances));
  const table = (m: Metrics): string[] => [
    ...tableHead('cluster', 'NP', 'DART-r', 'PPipe', 'gain vs NP (paper)', 'gain vs DART-r (paper)'),
    // All four clusters unless --artifact-plans names fewer cases.
    ...PAPER_CLUSTERS.filter((cluster) => cases.some((c) => c.cluster === cluster.name)).map((cluster) => {
      const c = cluster.name as keyof typeof PAPER.gainVsNp.poisson;
      return row(
        `${cluster.id} ${cluster.name}`,
        ...ALGORITHMS.map((a) => m.meanLf(a, cluster.name).toFixed(3)),
        `${signedPct(m.gains(cluster.name, 'np'))} (${signedPct(PAPER.gainVsNp[paperTrace][c])})`,
        `${signedPct(m.gains(cluster.name, 'dart-r'))} (${signedPct(PAPER.gainVsDartR[paperTrace][c])})`,
      );
    }),
    row(
      '**all**',
      ...ALGORITHMS.map((a) => `${m.meanLf(a).toFixed(3)} (paper ${paperLf[a]})`),
      `**${signedPct(m.gains(undefined, 'np'))}** (${signedPct(PAPER.gainVsNp[paperTrace].mean)})`,
      `**${signedPct(m.gains(undefined, 'dart-r'))}** (${signedPct(PAPER.gainVsDartR[paperTrace].mean)})`,
    ),
    '',
  ];
  return [
    '## Fig. 6: largest load factor with ≥ 99% attainment',
    '',
    prose`Mean over the 18 DNNs (6 groups × 3) of each cluster; gains are LF_PPipe / LF_other − 1 per DNN,
      averaged (a DNN that never reaches 99% counts as 0.05, the artifact's convention).`,
    '',
    prose`With spare GPUs as headroom (the planner's default; on average ${spareOf('np').toFixed(1)} NP,
      ${spareOf('dart-r').toFixed(1)} DART-r and ${spareOf('ppipe').toFixed(1)} PPipe instances added per plan):`,
    '',
    ...table(ours),
    'As solved (idle GPUs left idle):',
    '',
    ...table(solved),
  ];
}

type Objectives = Readonly<Record<Algorithm, number>>;

/** For the groups planned, the cases whose objectives the reference lists: ours and the artifact's. */
function artifactObjectives(
  cases: ReadonlyArray<PlannedCase>,
): Array<{ key: string; ours: Objectives; artifact: Objectives }> {
  const planned = new Set(cases.map((c) => `${c.group} ${c.cluster}`));
  return Object.entries(ARTIFACT_OBJECTIVES).flatMap(([key, artifact]) => {
    const [group, cluster] = key.split(' ') as [string, string];
    if (!planned.has(key)) return [];
    const z = (algorithm: Algorithm): number => objective(cases, group, cluster, algorithm);
    return [{ key, ours: { np: z('np'), 'dart-r': z('dart-r'), ppipe: z('ppipe') }, artifact }];
  });
}

function objective(cases: ReadonlyArray<PlannedCase>, group: string, cluster: string, algorithm: Algorithm): number {
  return cases.find((c) => c.group === group && c.cluster === cluster && c.algorithm === algorithm)!.plan.objective;
}

/** The planned objectives beside the artifact's: per cluster the mean Z ratios, per case the Z the reference lists. */
function plannedObjectivesSection({ cases }: ReportContext): string[] {
  const groups = [...new Set(cases.map((c) => c.group))];
  // All four clusters unless --artifact-plans names fewer cases.
  const clusterRows = PAPER_CLUSTERS.filter((cluster) => cases.some((c) => c.cluster === cluster.name)).map(
    (cluster) => {
      const ratio = (other: Algorithm): number =>
        mean(
          groups
            .filter((g) => cases.some((c) => c.group === g && c.cluster === cluster.name))
            .map((g) => objective(cases, g, cluster.name, 'ppipe') / objective(cases, g, cluster.name, other)),
        );
      const artifact = PAPER.plannedGain[cluster.name as keyof typeof PAPER.plannedGain];
      return row(
        `${cluster.id} ${cluster.name}`,
        `${ratio('np').toFixed(3)} (${artifact.np.toFixed(3)})`,
        `${ratio('dart-r').toFixed(3)} (${artifact['dart-r'].toFixed(3)})`,
      );
    },
  );
  const caseRows = artifactObjectives(cases).map(({ key, ours, artifact }) =>
    row(key, ...ALGORITHMS.map((a) => `${ours[a].toFixed(1)} (${artifact[a].toFixed(1)})`)),
  );
  return [
    "## Planned objectives against the artifact's",
    '',
    prose`Z is the max–min weighted throughput the planner reaches. Per cluster, the mean over the six groups
      of Z_PPipe / Z_other, ours (artifact):`,
    '',
    ...tableHead('cluster', 'Z_PPipe / Z_NP', 'Z_PPipe / Z_DART-r'),
    ...clusterRows,
    '',
    'Per case, for the groups the reference lists, ours (artifact):',
    '',
    ...tableHead('case', 'NP', 'DART-r', 'PPipe'),
    ...caseRows,
    '',
    prose`Our PPipe Z can exceed the artifact's because our MILP lets several configurations share one GPU-type
      sequence, where the reference allows one.`,
    '',
  ];
}

function fig8Section({ ours, solved }: ReportContext): string[] {
  return [
    '## Fig. 8: GPU utilisation by class',
    '',
    prose`Busy time over all GPUs of the class in the cluster (unused GPUs count as idle), at each algorithm's
      largest passing load factor; mean over the 24 cases.`,
    '',
    ...tableHead(
      'algorithm',
      'high-class (L4, V100)',
      'low-class (T4, P4)',
      'low-class, as solved',
      'paper, low-class',
    ),
    ...ALGORITHMS.map((algorithm) =>
      row(
        LABEL[algorithm],
        pct(ours.utilization(algorithm, true)),
        pct(ours.utilization(algorithm, false)),
        pct(solved.utilization(algorithm, false)),
        pct(PAPER.lowClassUtilization[algorithm]),
      ),
    ),
    '',
  ];
}

function fig10Section({ fig10 }: ReportContext): string[] {
  if (fig10.length === 0) return [];
  const reservation = mean(fig10.map((r) => r.reservation)).toFixed(3);
  const reactive = mean(fig10.map((r) => r.reactive)).toFixed(3);
  return [
    '## Fig. 10: reservation vs reactive (L4-T4, one DNN, 3 partitions, 10% margin, plans as solved)',
    '',
    ...tableHead('DNN', 'reservation', 'reactive'),
    ...fig10.map((r) => row(r.model, r.reservation.toFixed(2), r.reactive.toFixed(2))),
    row(
      '**mean**',
      `**${reservation}** (paper ${PAPER.fig10.reservation})`,
      `**${reactive}** (paper ${PAPER.fig10.reactive})`,
    ),
    '',
  ];
}

/** A PPipe DNN's largest passing load factor among the outcomes of one variant (0 if absent). */
function ppipeLf(set: ReadonlyArray<DnnOutcome>, r: { group: string; cluster: string; dnn: string }): number {
  return (
    set.find((o) => o.algorithm === 'ppipe' && o.group === r.group && o.cluster === r.cluster && o.dnn === r.dnn)
      ?.maxLoadFactor ?? 0
  );
}

function slackSection({ slackRows, outcomes, solvedOutcomes }: ReportContext): string[] {
  const rows: string[] = [];
  for (const [low, high] of [
    [0, 25],
    [25, 50],
    [50, Infinity],
  ] as const) {
    const inRange = slackRows.filter((r) => r.k >= low && r.k < high);
    if (inRange.length === 0) continue;
    rows.push(
      row(
        high === Infinity ? `≥ ${low}` : `${low}–${high}`,
        inRange.length,
        inRange.filter((r) => ppipeLf(solvedOutcomes, r) >= 1).length,
        inRange.filter((r) => ppipeLf(outcomes, r) >= 1).length,
        mean(inRange.map((r) => ppipeLf(solvedOutcomes, r))).toFixed(3),
      ),
    );
  }
  return [
    '## Why a DNN rarely reaches 1.0: the requests its SLO slack holds',
    '',
    prose`K = Σ over its pipelines of (SLO − planned latency) × planned throughput: how many requests can queue
      before the oldest misses its deadline. At load factor 1.0 a DNN is at 100% load on its planned pools,
      where Poisson arrivals cost about 1/(2K) of its requests (a reflected random walk), so 99% needs K ≳ 50
      or capacity above the plan. PPipe plans as solved, and with spare GPUs:`,
    '',
    ...tableHead('K', 'DNNs', 'reach 1.0 as solved', 'reach 1.0 with spare GPUs', 'mean load factor as solved'),
    ...rows,
    '',
  ];
}

function differencesSection(context: ReportContext): string[] {
  return [
    '## Where ours differs from the paper, and why',
    '',
    loadFactorDifference(context),
    utilizationDifference(context),
    gainsDifference(context),
    '',
  ];
}

function loadFactorDifference(context: ReportContext): string {
  const { ours, solved, paperLf, slackRows, shareScale, outcomes, solvedOutcomes } = context;
  const slack = shareScale.filter((o) => o.shareRps < Math.floor(o.capacityRps) * 0.995);
  const binding = shareScale.filter((o) => !slack.includes(o));
  const reachOne = (dnns: ReadonlyArray<ShareScaleOutcome>, set: ReadonlyArray<DnnOutcome>): number =>
    dnns.filter((d) => ppipeLf(set, d) >= 1).length;
  return prose`- **PPipe's load factor: ${ours.meanLf('ppipe').toFixed(3)} with spare GPUs,
    ${solved.meanLf('ppipe').toFixed(3)} as solved, vs ${paperLf.ppipe}.** At 1.0 a DNN reaches 99% only with
    K ≳ 50 or capacity above its plan (table above), and ${slackRows.filter((r) => r.k < 50).length} of our
    ${slackRows.length} PPipe DNNs have K < 50. Our planned throughput is the full capacity of the pools the
    solver chose. The artifact's plans keep the solver's throughput variable X, which for DNNs that do not bind
    the max–min objective sits below capacity (118 of its 774 reference pipelines, §E), and the solver's
    arbitrary instance counts leave spare capacity in pools (§7.5's P4 pool “over-provisioned”): its 1.0 is a
    lighter load for those DNNs. Swept against each DNN's guaranteed share w·Z (the lenient end of that
    convention; ${slack.length} of ${shareScale.length} DNNs have more capacity than their share), the plans
    as solved reach ${mean(shareScale.map((o) => o.maxLoadFactor)).toFixed(3)}. Spare GPUs help where a
    pipeline's slowest pool is on the class with idle GPUs (mostly low-class); a DNN that binds the objective
    is mostly limited by the high class, which every plan uses to the last GPU: ${reachOne(binding, outcomes)}
    of the ${binding.length} binding DNNs reach 1.0 with spare GPUs (${reachOne(binding, solvedOutcomes)} as
    solved), ${reachOne(slack, outcomes)} of the other ${slack.length} (${reachOne(slack, solvedOutcomes)}).`;
}

function utilizationDifference({ ours, solved }: ReportContext): string {
  const paper = PAPER.lowClassUtilization;
  return prose`- **Low-class utilisation: ${pct(ours.utilization('ppipe', false))} (as solved
    ${pct(solved.utilization('ppipe', false))}) vs ${pct(paper.ppipe)}.** Utilisation is measured at each
    algorithm's largest passing load factor, so it follows the load factor above; NP
    (${pct(ours.utilization('np', false))} vs ${pct(paper.np)}) and DART-r
    (${pct(ours.utilization('dart-r', false))} vs ${pct(paper['dart-r'])}) match closely.`;
}

function gainsDifference({ ours, paperTrace, paperLf, dartAboveArtifact }: ReportContext): string {
  const above =
    dartAboveArtifact.length > 0
      ? prose` Where the reference lists DART-r's objective, ours is higher in
          ${dartAboveArtifact.map((c) => `${c.key} (${c.ours.toFixed(1)} vs ${c.artifact.toFixed(1)})`).join(' and ')}.`
      : '';
  const g1Explained = ['G1 L4-T4', 'G1 V100-T4'].every((key) => dartAboveArtifact.some((c) => c.key === key));
  const g1 = g1Explained
    ? prose` In G1 on the T4 clusters only efficientnet-b8 can use T4s under NP, so how many of the spare T4s
        it holds is the solver's arbitrary choice; the artifact's 1725.3 and 1536.5 are exactly what our
        DART-r gives when it holds 18–20 and 30–32 more T4s than it needs, which leaves fewer to share.`
    : '';
  return prose`- **Gains: vs NP ${signedPct(ours.gains(undefined, 'np'))} (paper
    ${signedPct(PAPER.gainVsNp[paperTrace].mean)}), vs DART-r ${signedPct(ours.gains(undefined, 'dart-r'))}
    (paper ${signedPct(PAPER.gainVsDartR[paperTrace].mean)}).** NP's and DART-r's load factors are
    ${ours.meanLf('np').toFixed(3)} and ${ours.meanLf('dart-r').toFixed(3)} against the paper's
    ${paperLf.np} and ${paperLf['dart-r']}; the gains move with PPipe's stricter scale. NP uses every GPU that
    helps already (leftover whole GPUs go to the DNN furthest behind). Our DART-r shares “the unused GPUs” of
    the leanest NP optimum (the reference leaves that choice to the solver), which gives it the most GPUs to
    share.${above}${g1}`;
}

function perDnnSection({ outcomes, ours, solved, fig10 }: ReportContext): string[] {
  const rows = outcomes
    .filter((o) => o.algorithm === 'ppipe')
    .map((o) => {
      const cell = (algorithm: Algorithm): string => {
        const lf = (m: Metrics): string => m.find(o.group, o.cluster, algorithm, o.dnn).maxLoadFactor.toFixed(2);
        return `${lf(ours)} (${lf(solved)})`;
      };
      return row(o.group, o.cluster, o.dnn, ...ALGORITHMS.map(cell));
    });
  const fig10Chart = fig10.length > 0 ? ', `fig10-reservation-vs-reactive.svg`' : '';
  return [
    '## Per DNN',
    '',
    'With spare GPUs (as solved).',
    '',
    ...tableHead('group', 'cluster', 'DNN', 'NP', 'DART-r', 'PPipe'),
    ...rows,
    '',
    `Charts: \`fig6-load-factor.svg\`, \`fig8-utilization.svg\`${fig10Chart}. Raw results: \`results.json\`.`,
    '',
  ];
}

/** Requests a DNN's plan can queue within its SLO: Σ over pipelines of (SLO − planned latency) × planned throughput. */
function slackRequests(dnn: Plan['dnns'][number]): number {
  return dnn.pipelines.reduce((k, pipeline) => {
    const overheadUs = pipeline.estBatchBuildUs + (pipeline.ingressUs ?? 0) + (pipeline.returnUs ?? 0);
    const latencyUs = pipeline.partitions.reduce((sum, part) => sum + part.inferUs + part.transferUs, overheadUs);
    return k + ((dnn.sloUs - latencyUs) / 1e6) * pipeline.throughputRps;
  }, 0);
}

type Metrics = ReturnType<typeof summarize>;

/** Fig. 6 and 8 metrics over one set of sweep outcomes. */
function summarize(cases: ReadonlyArray<PlannedCase>, outcomes: ReadonlyArray<DnnOutcome>) {
  const lf = (o: DnnOutcome): number => Math.max(o.maxLoadFactor, FLOOR_LOAD_FACTOR);
  const find = (group: string, cluster: string, algorithm: Algorithm, dnn: string): DnnOutcome =>
    outcomes.find((o) => o.group === group && o.cluster === cluster && o.algorithm === algorithm && o.dnn === dnn)!;
  const gains = (cluster: string | undefined, other: Algorithm): number =>
    mean(
      outcomes
        .filter((o) => o.algorithm === 'ppipe' && (cluster === undefined || o.cluster === cluster))
        .map((o) => lf(o) / lf(find(o.group, o.cluster, other, o.dnn)) - 1),
    );
  const meanLf = (algorithm: Algorithm, cluster?: string): number =>
    mean(
      outcomes
        .filter((o) => o.algorithm === algorithm && (cluster === undefined || o.cluster === cluster))
        .map((o) => o.maxLoadFactor),
    );
  // Fig. 8: per case, each DNN's busy share of all GPUs of a class (cluster-wide), summed over the group's DNNs.
  const utilization = (algorithm: Algorithm, high: boolean): number => {
    const perCase = cases
      .filter((c) => c.algorithm === algorithm)
      .map((c) => {
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

type ByAlgorithm = Record<Algorithm, number>;

/** Mean largest load factor, the artifact's convention: a DNN that never reaches 99% counts as 0.05. */
function flooredMeanLf(outcomes: ReadonlyArray<DnnOutcome>, algorithm: Algorithm, cluster?: string): number {
  return mean(
    outcomes
      .filter((o) => o.algorithm === algorithm && (cluster === undefined || o.cluster === cluster))
      .map((o) => Math.max(o.maxLoadFactor, FLOOR_LOAD_FACTOR)),
  );
}

const byAlgorithm = (outcomes: ReadonlyArray<DnnOutcome>): ByAlgorithm => ({
  np: flooredMeanLf(outcomes, 'np'),
  'dart-r': flooredMeanLf(outcomes, 'dart-r'),
  ppipe: flooredMeanLf(outcomes, 'ppipe'),
});

/** Mean over PPipe DNNs of LF_PPipe / LF_other − 1 (floored at 0.05), over DNNs swept under both. */
function flooredGain(outcomes: ReadonlyArray<DnnOutcome>, other: Algorithm, cluster?: string): number {
  const lf = (o: DnnOutcome): number => Math.max(o.maxLoadFactor, FLOOR_LOAD_FACTOR);
  return mean(
    outcomes
      .filter((o) => o.algorithm === 'ppipe' && (cluster === undefined || o.cluster === cluster))
      .flatMap((o) => {
        const x = outcomes.find(
          (p) => p.algorithm === other && p.group === o.group && p.cluster === o.cluster && p.dnn === o.dnn,
        );
        return x ? [lf(o) / lf(x) - 1] : [];
      }),
  );
}

/** results.json's `artifactPlans` and `ourPlans` (the Fig. 6 "all" row of each). */
function artifactResults(input: ReportInput, artifact: ArtifactComparison): Record<string, unknown> {
  return {
    artifactPlans: {
      dir: artifact.dir,
      meanLoadFactor: byAlgorithm(artifact.outcomes),
      rejected: artifact.rejected,
      plans: artifact.cases.map((c) => ({
        group: c.group,
        cluster: c.cluster,
        algorithm: c.algorithm,
        objective: c.plan.objective,
      })),
      outcomes: artifact.outcomes,
    },
    ourPlans: {
      meanLoadFactor: byAlgorithm(input.outcomes),
      asSolvedMeanLoadFactor: byAlgorithm(input.solvedOutcomes),
    },
  };
}

/** With `--artifact-plans`: Fig. 6, Fig. 8 and the per-DNN table, the paper's, on its plans and on ours. */
function artifactSections(context: ReportContext, artifact: ArtifactComparison): string[] {
  const { options, outcomes, solvedOutcomes, paperTrace, paperLf, bursty } = context;
  const files = artifact.cases.length + artifact.rejected.length;
  const cv = options.arrivals.kind === 'gamma' ? ` with CV ${options.arrivals.cv}` : '';
  const clusters = PAPER_CLUSTERS.filter((c) => outcomes.some((o) => o.cluster === c.name));
  const lf = (set: ReadonlyArray<DnnOutcome>, a: Algorithm, cluster?: string): string =>
    flooredMeanLf(set, a, cluster).toFixed(3);
  const ourLf = (a: Algorithm, cluster?: string): string =>
    `${lf(outcomes, a, cluster)} (${lf(solvedOutcomes, a, cluster)})`;
  const gain = (set: ReadonlyArray<DnnOutcome>, other: Algorithm, cluster?: string): string =>
    signedPct(flooredGain(set, other, cluster));
  const ourGain = (other: Algorithm, cluster?: string): string =>
    `${gain(outcomes, other, cluster)} (${gain(solvedOutcomes, other, cluster)})`;
  const paperGain = (other: 'np' | 'dart-r', cluster?: string): string => {
    const table = other === 'np' ? PAPER.gainVsNp[paperTrace] : PAPER.gainVsDartR[paperTrace];
    return signedPct(cluster === undefined ? table.mean : table[cluster as keyof typeof table]);
  };
  const fig6Row = (label: string, cluster?: string): string =>
    row(
      label,
      ...ALGORITHMS.flatMap((a) => [
        cluster === undefined ? paperLf[a].toFixed(3) : '—',
        lf(artifact.outcomes, a, cluster),
        ourLf(a, cluster),
      ]),
      ...(['np', 'dart-r'] as const).flatMap((other) => [
        paperGain(other, cluster),
        gain(artifact.outcomes, other, cluster),
        ourGain(other, cluster),
      ]),
    );
  const three = (name: string): string[] => [`${name} paper`, `${name} artifact`, `${name} ours`];
  const theirs = summarize(artifact.cases, artifact.outcomes);
  const { ours, solved } = context;
  const fig8Row = (a: Algorithm): string =>
    row(
      LABEL[a],
      '—',
      pct(theirs.utilization(a, true)),
      `${pct(ours.utilization(a, true))} (${pct(solved.utilization(a, true))})`,
      pct(PAPER.lowClassUtilization[a]),
      pct(theirs.utilization(a, false)),
      `${pct(ours.utilization(a, false))} (${pct(solved.utilization(a, false))})`,
    );
  const maxLf = (set: ReadonlyArray<DnnOutcome>, o: DnnOutcome, a: Algorithm): string => {
    const hit = set.find((x) => x.group === o.group && x.cluster === o.cluster && x.algorithm === a && x.dnn === o.dnn);
    return hit ? hit.maxLoadFactor.toFixed(2) : 'rejected';
  };
  const dnnRows = outcomes
    .filter((o) => o.algorithm === 'ppipe')
    .map((o) =>
      row(
        o.group,
        o.cluster,
        o.dnn,
        ...ALGORITHMS.flatMap((a) => [
          '—',
          maxLf(artifact.outcomes, o, a),
          `${maxLf(outcomes, o, a)} (${maxLf(solvedOutcomes, o, a)})`,
        ]),
      ),
    );
  const rejected =
    artifact.rejected.length === 0
      ? ['The validator accepted every plan.', '']
      : [
          `Rejected by the plan validator or unreadable (left out of every mean below):`,
          '',
          ...artifact.rejected.map((r) => `- \`${r.file}\`: ${r.reason}`),
          '',
        ];
  return [
    "## On the paper's own plans",
    '',
    prose`The artifact's Gurobi plans from \`${artifact.dir}\` (${artifact.cases.length} of ${files} files swept),
      read as \`ppipe check\` reads them and validated against their case's problem, built as our plans' are.
      Every DNN, under all three algorithms, is loaded against the throughput X of the artifact's PPipe plan
      for it (reference §G), with the seeds and sweep settings of our plans. Three columns per algorithm: the
      paper's figure ("—" where it publishes none), our simulator on the artifact's plans, and our simulator
      on our plans with spare GPUs (as solved). A DNN that never reaches 99% counts as 0.05 in every mean.`,
    '',
    ...(bursty
      ? [
          prose`Arrivals: ${options.arrivalsLabel}, Gamma inter-arrivals${cv} (Poisson has CV 1), the CV chosen
            with --arrivals. The paper's bursty Fig. 6 used the MAF 2021 trace, which is not reachable here (the
            artifact keeps only its Git-LFS pointer, reference §G), so its burstiness cannot be measured: Gamma
            arrivals of a chosen CV stand in for it. The paper columns of Fig. 6 are its Bursty numbers; Fig. 8's
            paper column is its Poisson figure (the paper gives no bursty one).`,
          '',
        ]
      : []),
    ...rejected,
    '### Fig. 6, three ways: largest load factor with ≥ 99% attainment',
    '',
    ...tableHead(
      'cluster',
      ...ALGORITHMS.flatMap((a) => three(LABEL[a])),
      ...three('gain vs NP'),
      ...three('gain vs DART-r'),
    ),
    ...clusters.map((c) => fig6Row(`${c.id} ${c.name}`, c.name)),
    fig6Row('**all**'),
    '',
    '### Fig. 8, three ways: GPU utilisation by class',
    '',
    prose`Mean over the cases swept; the paper gives no high-class figure (it is "high for all three").`,
    '',
    ...tableHead('algorithm', ...three('high-class'), ...three('low-class')),
    ...ALGORITHMS.map(fig8Row),
    '',
    '### Per DNN, three ways',
    '',
    prose`The paper publishes no per-DNN load factors for Fig. 6 ("—"); "rejected": the artifact's plan was
      left out.`,
    '',
    ...tableHead('group', 'cluster', 'DNN', ...ALGORITHMS.flatMap((a) => three(LABEL[a]))),
    ...dnnRows,
    '',
  ];
}
