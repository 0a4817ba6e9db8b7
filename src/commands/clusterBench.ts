/**
 * `ppipe cluster-bench`: the paper's HC1-S testbed (4 L4 + 12 P4, one GPU per server, 6 Gbit/s) emulated on
 * loopback by the cluster room's runEmulatedTestbed. This command parses argv, wires in the simulator's
 * prediction and prints exactly one JSON object on stdout (formatClusterBench); progress goes to stderr.
 * bench/cluster.ts runs this same command.
 *
 * The cluster room may not import the simulator, so the testbed takes a predictor hook; here it is the
 * discrete-event simulator's load-factor sweep (src/sim `sweep`, the same ReservationScheduler on a virtual
 * clock) of the very plan the emulated cluster served, with the profile's per-batch-size latencies and
 * Poisson arrivals.
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { runEmulatedTestbed } from '../cluster/index.ts';
import type { SimPredictor, TestbedResult } from '../cluster/index.ts';
import { fromPlanDocument } from '../pipeline/index.ts';
import { ProfileLibrary } from '../planner/index.ts';
import { sweep } from '../sim/index.ts';
import type { CommandIo } from './io.ts';
import { MissingDataError, artifactProfiles } from './io.ts';

const G1 = ['efficientnet-b8', 'encnet', 'rtmdet_x'];

export const CLUSTER_BENCH_USAGE = `Usage: ppipe cluster-bench [--quick] [--time-scale X] [--point-s S] [--dnns a,b] \
[--load-factors a,b] [--profiles DIR]

  --json          accepted; stdout is always exactly one JSON object
  --quick         one DNN, three short load points (1–2 minutes)
  --load-factors  grid of load factors, binary-searched for the largest with ≥ 99 % attainment
                  (default 0.05, 0.10, …, 1.00; quick 0.4,0.7,1)
  --warmup-s W    seconds of uncounted load at half the plan's throughput after each plan switch (default 2)
  --guard-ms G    wall-clock margin the scheduler keeps for framing, loopback and timer overshoot (default 5)
  --time-scale X  slow emulated latencies, links and SLOs down by X (default 1)
  --point-s S     seconds of Poisson load per point (default 4; quick 2.5)
  --profiles DIR  the PPipe artifact's data (default: PPIPE_ARTIFACT_DATA, else beside the repository)`;

/** Simulated seconds per load point of the prediction. */
const SIM_DURATION_US = 20_000_000;

export const simulatedMaxLoadFactor: SimPredictor = (plan, referenceRps, profiles) => {
  const dnn = fromPlanDocument(plan, 'cluster-bench plan').dnns[0];
  if (!dnn || !(referenceRps > 0)) return null;
  let profile;
  try {
    profile = new ProfileLibrary([profiles]).get(dnn.name);
  } catch {
    profile = undefined;
  }
  const result = sweep(dnn, {
    referenceXputRps: referenceRps,
    durationUs: SIM_DURATION_US,
    seed: 1,
    scheduler: 'reservation',
    ...(profile ? { profile } : {}),
  });
  return result.maxLoadFactor;
};

/** The one JSON line of `ppipe cluster-bench` and `npm run bench:cluster`. */
export function formatClusterBench(result: TestbedResult): string {
  return `${JSON.stringify({ bench: 'cluster', ...result })}\n`;
}

const OPTIONS = {
  quick: { type: 'boolean', default: false },
  /** Accepted for symmetry with the other benches: stdout is always one JSON object. */
  json: { type: 'boolean', default: false },
  'time-scale': { type: 'string', default: '1' },
  'point-s': { type: 'string' },
  dnns: { type: 'string' },
  'load-factors': { type: 'string' },
  'guard-ms': { type: 'string' },
  'warmup-s': { type: 'string' },
  profiles: { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS }>>['values'];

/** The testbed's settings from the options, or the usage mistake to report. */
function testbedSettings(values: Values):
  | { error: string; missingData?: true }
  | {
      dnns: string[];
      loadFactors: number[];
      timeScale: number;
      pointS: number;
      guardMs: number;
      warmupS: number;
      profiles: string;
    } {
  const quick = values.quick;
  const timeScale = Number(values['time-scale']);
  const pointS = Number(values['point-s'] ?? (quick ? 2.5 : 4));
  if (!(timeScale > 0) || !(pointS > 0)) return { error: '--time-scale and --point-s expect positive numbers' };
  const dnns = values.dnns ? values.dnns.split(',') : quick ? G1.slice(0, 1) : G1;
  const defaultGrid = quick ? [0.4, 0.7, 1.0] : Array.from({ length: 20 }, (_, i) => (i + 1) / 20);
  const loadFactors = (values['load-factors'] ? values['load-factors'].split(',').map(Number) : defaultGrid).sort(
    (a, b) => a - b,
  );
  const guardMs = Number(values['guard-ms'] ?? 5);
  const warmupS = Number(values['warmup-s'] ?? 2);
  if (loadFactors.some((lf) => !(lf > 0)) || !(guardMs >= 0) || !(warmupS >= 0)) {
    return { error: '--load-factors expects positive numbers, --guard-ms and --warmup-s non-negative ones' };
  }
  let profiles: string;
  try {
    profiles = artifactProfiles(values.profiles);
  } catch (error) {
    if (error instanceof MissingDataError) return { error: error.message, missingData: true };
    throw error;
  }
  return { dnns, loadFactors, timeScale, pointS, guardMs, warmupS, profiles };
}

export async function runClusterBench(argv: string[], io: CommandIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: OPTIONS });
  if (values.help) {
    io.stdout(`${CLUSTER_BENCH_USAGE}\n`);
    return 0;
  }
  const started = performance.now();
  const settings = testbedSettings(values);
  if ('error' in settings) {
    io.stderr(`ppipe cluster-bench: ${settings.error}\n${'missingData' in settings ? '' : `${CLUSTER_BENCH_USAGE}\n`}`);
    return 2;
  }
  const progress = (text: string): void =>
    io.stderr(`[cluster-bench ${((performance.now() - started) / 1000).toFixed(0)} s] ${text}\n`);
  try {
    const result = await runEmulatedTestbed({
      ...settings,
      simMaxLoadFactor: simulatedMaxLoadFactor,
      onProgress: progress,
      log: pino({ level: 'warn' }, pino.destination(2)),
    });
    io.stdout(formatClusterBench(result));
    return 0;
  } catch (error) {
    io.stderr(`ppipe cluster-bench: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
