/** `ppipe reproduce`: the paper's figures from our planner and simulator (see reproduce.ts). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { reproduce } from '../sim/index.ts';
import type { CommandIo } from './io.ts';
import { MissingDataError, artifactProfiles } from './io.ts';
import { parseArrivals } from './sim.ts';

export const REPRODUCE_USAGE = `Usage: ppipe reproduce --out DIR [options]

Plans the 6 groups × 4 clusters × {NP, DART-r, PPipe} of the PPipe paper with our planner, sweeps every
DNN in the simulator on all cores, and writes DIR/report.md (Fig. 6, 8 and 10 beside the paper's numbers),
SVG charts and DIR/results.json. Progress on stderr.

Options:
  --out DIR              where the report goes (required)
  --arrivals A           poisson | gamma:CV (default poisson; "bursty" runs use gamma, the MAF 2021 trace is absent)
  --duration-s S         simulated seconds per load point (default 30)
  --profiles DIR         the PPipe artifact's data (default: PPIPE_ARTIFACT_DATA, else beside the repository)
  --plan-time-limit S    per-plan planner time limit (default 10)
  --artifact-plans DIR   also sweep the artifact's plans in DIR (e.g. its data/plans/maf19; reference §E) on
                         the same scale, beside ours: only the cases DIR holds are planned, each plan is
                         validated first (as ppipe check), and Fig. 6, 8 and the per-DNN table gain columns
  --no-fig10             skip Fig. 10 (reservation vs reactive on the 3-partition ablation plans)
  --workers N            sweep threads (default: one per core)
  --seed N               base seed (default 1)
  --edge                 run the edge-to-cloud scenarios instead: edge-only, cloud-only and planned per
                         scenario; writes DIR/edge-report.md, DIR/edge.json and SVG charts (--duration-s,
                         --plan-time-limit, --arrivals, --workers and --seed apply)
  --help                 this text`;

export async function runReproduceCommand(argv: string[], io: CommandIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string' },
        arrivals: { type: 'string', default: 'poisson' },
        'duration-s': { type: 'string', default: '30' },
        profiles: { type: 'string' },
        'plan-time-limit': { type: 'string', default: '10' },
        'no-fig10': { type: 'boolean', default: false },
        'artifact-plans': { type: 'string' },
        workers: { type: 'string' },
        seed: { type: 'string', default: '1' },
        edge: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    io.stderr(`ppipe reproduce: ${(error as Error).message}\n${REPRODUCE_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(`${REPRODUCE_USAGE}\n`);
    return 0;
  }
  if (!values.out) {
    io.stderr(`ppipe reproduce: --out DIR is required\n${REPRODUCE_USAGE}\n`);
    return 2;
  }
  const numbers = {
    durationS: Number(values['duration-s']),
    planTimeLimitS: Number(values['plan-time-limit']),
    seed: Number(values.seed),
    workers: values.workers === undefined ? undefined : Number(values.workers),
  };
  for (const [name, value] of Object.entries(numbers)) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      io.stderr(`ppipe reproduce: --${name} expects a non-negative number, got ${String(value)}\n`);
      return 2;
    }
  }
  try {
    const arrivals = parseArrivals(values.arrivals);
    if (arrivals.kind === 'trace') throw new Error('reproduce supports poisson and gamma:CV arrivals');
    const profiles = artifactProfiles(values.profiles);
    const started = performance.now();
    const artifactPlans = values['artifact-plans'];
    if (artifactPlans !== undefined && !existsSync(artifactPlans)) {
      throw new MissingDataError(
        `--artifact-plans: no folder ${path.resolve(artifactPlans)} (the artifact's data/plans/maf19)`,
      );
    }
    const onProgress = (line: string): void => io.stderr(`${line}\n`);
    // What the edge-to-cloud and the paper's reproductions share.
    const common = {
      profiles,
      outDir: path.resolve(values.out),
      arrivals,
      arrivalsLabel: values.arrivals,
      durationS: numbers.durationS,
      planTimeLimitS: numbers.planTimeLimitS,
      seed: numbers.seed,
      ...(numbers.workers ? { workers: numbers.workers } : {}),
      onProgress,
    };
    if (values.edge) {
      const { reproduceEdge } = await import('../sim/index.ts');
      const summary = await reproduceEdge(common);
      const seconds = (performance.now() - started) / 1000;
      io.stdout(`${JSON.stringify({ report: summary.reportFile, edgeJson: summary.edgeJson, seconds })}\n`);
      return 0;
    }
    const summary = await reproduce({
      ...common,
      fig10: !values['no-fig10'],
      ...(artifactPlans !== undefined ? { artifactPlans: path.resolve(artifactPlans) } : {}),
    });
    const { reportFile: report, planSeconds, sweepSeconds, fig10Seconds } = summary;
    const seconds = (performance.now() - started) / 1000;
    io.stdout(`${JSON.stringify({ report, planSeconds, sweepSeconds, fig10Seconds, seconds })}\n`);
    return 0;
  } catch (error) {
    io.stderr(`ppipe reproduce: ${(error as Error).message}\n`);
    return error instanceof MissingDataError ? 2 : 1;
  }
}
