/**
 * `ppipe sim`: simulate one DNN of a plan at a rate or load factor (the option parsing `ppipe sweep` shares).
 * Contract: with --json, stdout holds exactly one JSON object; progress and notes go to stderr. Exit codes:
 * 0 done, 1 bad input, 2 bad usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ServingDnn } from '../pipeline/index.ts';
import { dnnThroughputRps, loadServingPlan } from '../pipeline/index.ts';
import type { ModelProfile } from '../planner/index.ts';
import { InputError, ProfileLibrary, readDocument } from '../planner/index.ts';
import type { ArrivalSpec } from '../sim/index.ts';
import { parseTraceCsv } from '../sim/index.ts';
import type { SchedulerKind, SimOptions, SimResult } from '../sim/index.ts';
import { simulate } from '../sim/index.ts';
import type { CommandIo } from './io.ts';
import { MissingDataError, UsageError, artifactProfiles } from './io.ts';

/** The options `ppipe sweep` shares with `ppipe sim`. */
export const COMMON_OPTIONS = `  --dnn I                index of the DNN in the plan \
(each DNN runs alone on its own pipelines)
  --profiles DIR         profiles for batch sizes other than the planned one (default: PPIPE_ARTIFACT_DATA,
                         else the PPipe artifact's data beside the repository)
  --arrivals A           poisson | gamma:CV | trace:FILE (MAF 2021 CSV, folded to the rate) (default poisson)
  --duration-s S         simulated seconds (default 30)
  --seed N               random seed (default 1)
  --scheduler S          reservation | reactive (default reservation)
  --admission A          shrink (paper: a late head goes out in a smaller batch) | artifact (a new head
                         that misses the planned batch is dropped) (default shrink)
  --bandwidth-gbps B     serve at another bandwidth than the plan's
  --cluster-gpus LIST    e.g. L4=25,T4=75: also report utilization over the whole cluster (Fig. 8)
  --json                 print one JSON object
  --help                 this text`;

export const SIM_USAGE = `Usage: ppipe sim PLAN --dnn I (--rate RPS | --load-factor LF) [options]

Simulates one DNN of PLAN (the artifact's plan array, our ppipe-plan/1, or a normalized serving plan) with
the appliance's scheduler on a virtual clock, and reports SLO attainment, drops, latency, utilization and
scheduler cost. --load-factor is relative to the plan's own throughput for that DNN.

Options:
  --rate RPS             request rate
  --load-factor LF       rate = ⌊LF × the plan's throughput for the DNN⌋
${COMMON_OPTIONS}`;

const OPTIONS = {
  dnn: { type: 'string' },
  rate: { type: 'string' },
  'load-factor': { type: 'string' },
  'reference-xput': { type: 'string' },
  'all-points': { type: 'boolean', default: false },
  profiles: { type: 'string' },
  arrivals: { type: 'string', default: 'poisson' },
  'duration-s': { type: 'string', default: '30' },
  seed: { type: 'string', default: '1' },
  scheduler: { type: 'string', default: 'reservation' },
  admission: { type: 'string', default: 'shrink' },
  'bandwidth-gbps': { type: 'string' },
  'cluster-gpus': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

export type Values = ReturnType<
  typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof OPTIONS }>
>['values'];

export function positiveNumber(values: Values, name: keyof Values, integer = false): number | undefined {
  const raw = values[name];
  if (raw === undefined || typeof raw === 'boolean') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name} expects a positive ${integer ? 'integer' : 'number'}, got "${raw}"`);
  }
  return value;
}

export function parseArrivals(text: string): ArrivalSpec {
  if (text === 'poisson') return { kind: 'poisson' };
  if (text.startsWith('gamma:')) {
    const cv = Number(text.slice('gamma:'.length));
    if (!Number.isFinite(cv) || cv <= 0)
      throw new UsageError(`--arrivals gamma:CV expects a positive CV, got "${text}"`);
    return { kind: 'gamma', cv };
  }
  if (text.startsWith('trace:')) {
    const file = text.slice('trace:'.length);
    let csv: string;
    try {
      csv = readFileSync(file, 'utf8');
    } catch (error) {
      throw new InputError(file, undefined, `cannot be read: ${(error as Error).message}`);
    }
    return { kind: 'trace', file, arrivalsS: parseTraceCsv(file, csv) };
  }
  throw new UsageError(`--arrivals expects poisson, gamma:CV or trace:FILE, got "${text}"`);
}

function parseClusterGpus(text: string | undefined): Record<string, number> | undefined {
  if (text === undefined) return undefined;
  const out: Record<string, number> = {};
  for (const item of text.split(',')) {
    const [type, count] = item.split('=');
    const n = Number(count);
    if (!type || !Number.isInteger(n) || n <= 0)
      throw new UsageError(`--cluster-gpus expects TYPE=COUNT pairs such as L4=25,T4=75, got "${text}"`);
    out[type] = n;
  }
  return out;
}

interface Prepared {
  dnn: ServingDnn;
  simOptions: Omit<SimOptions, 'rateRps'>;
  planXputRps: number;
}

export function prepare(values: Values, positionals: string[]): Prepared {
  if (positionals.length !== 1) throw new UsageError('expected one PLAN file');
  const dnnIndex = values.dnn === undefined ? undefined : Number(values.dnn);
  if (dnnIndex === undefined || !Number.isInteger(dnnIndex) || dnnIndex < 0)
    throw new UsageError('--dnn expects the index of a DNN in the plan (0, 1, …)');
  const scheduler = values.scheduler as SchedulerKind;
  if (scheduler !== 'reservation' && scheduler !== 'reactive')
    throw new UsageError(`--scheduler expects reservation or reactive, got "${values.scheduler}"`);
  const admission = values.admission;
  if (admission !== 'shrink' && admission !== 'artifact')
    throw new UsageError(`--admission expects shrink or artifact, got "${admission}"`);
  const durationS = positiveNumber(values, 'duration-s')!;
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0)
    throw new UsageError(`--seed expects a non-negative integer, got "${values.seed}"`);
  const bandwidthGbps = positiveNumber(values, 'bandwidth-gbps');
  const clusterGpus = parseClusterGpus(values['cluster-gpus']);
  const arrivals = parseArrivals(values.arrivals!);

  const file = positionals[0]!;
  const plan = loadServingPlan(readDocument(file), file, bandwidthGbps === undefined ? {} : { bandwidthGbps });
  const dnn = plan.dnns[dnnIndex];
  if (!dnn)
    throw new InputError(file, `dnn ${dnnIndex}`, `expected an index below ${plan.dnns.length} (the plan's DNNs)`);
  const profilesDir = artifactProfiles(values.profiles);
  let profile: ModelProfile;
  try {
    profile = new ProfileLibrary([profilesDir]).get(dnn.name);
  } catch (error) {
    throw new InputError(
      profilesDir,
      dnn.name,
      `expected profiles for the plan's model (latencies at other batch sizes): ${(error as Error).message}`,
    );
  }
  const simOptions: Omit<SimOptions, 'rateRps'> = {
    durationUs: Math.round(durationS * 1e6),
    seed,
    arrivals,
    scheduler,
    admission,
    profile,
    ...(clusterGpus ? { clusterGpus } : {}),
  };
  return { dnn, simOptions, planXputRps: dnnThroughputRps(dnn) };
}

function summary(r: SimResult): string {
  const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
  const util = Object.entries(r.utilization)
    .map(([gpu, u]) => `${gpu} ${pct(u)}`)
    .join(', ');
  return [
    `${r.dnn} at ${r.rateRps} req/s for ${r.durationS} s (${r.scheduler}, seed ${r.seed})`,
    `  attainment ${pct(r.attainment)}: ${r.requests} requests, ${r.served} on time, ${r.late} late, ${r.dropped} ` +
      `dropped`,
    `  latency p50 ${(r.latencyUs.p50 / 1000).toFixed(2)} ms, p99 ${(r.latencyUs.p99 / 1000).toFixed(2)} ms`,
    `  utilization ${util}`,
    `  ${r.batches} batches, ${r.probesPerBatch.toFixed(2)} probes/batch, scheduler ` +
      `${r.schedulerUsPerDecision.median.toFixed(2)} µs/decision (p99 ${r.schedulerUsPerDecision.p99.toFixed(2)})`,
    `  ${r.events} events at ${(r.eventsPerSecond / 1e6).toFixed(2)} M events/s`,
  ].join('\n');
}

/** Parses the options of `ppipe sim` or `ppipe sweep`, runs `body` and maps its failures to exit codes. */
export function runWithSimOptions(
  name: 'sim' | 'sweep',
  usage: string,
  argv: string[],
  io: CommandIo,
  body: (values: Values, positionals: string[]) => void,
): number {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS, strict: true });
  } catch (error) {
    io.stderr(`ppipe ${name}: ${(error as Error).message}\n${usage}\n`);
    return 2;
  }
  if (parsed.values.help) {
    io.stdout(`${usage}\n`);
    return 0;
  }
  try {
    body(parsed.values, parsed.positionals);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`ppipe ${name}: ${error.message}\n${usage}\n`);
      return 2;
    }
    if (error instanceof MissingDataError) {
      io.stderr(`ppipe ${name}: ${error.message}\n`);
      return 2;
    }
    io.stderr(`ppipe ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

export function runSimCommand(argv: string[], io: CommandIo): number {
  return runWithSimOptions('sim', SIM_USAGE, argv, io, (values, positionals) => {
    const rate = positiveNumber(values, 'rate');
    const loadFactor = positiveNumber(values, 'load-factor');
    if ((rate === undefined) === (loadFactor === undefined))
      throw new UsageError('give exactly one of --rate and --load-factor');
    if (values['reference-xput'] !== undefined || values['all-points'])
      throw new UsageError('--reference-xput and --all-points belong to ppipe sweep');
    const { dnn, simOptions, planXputRps } = prepare(values, positionals);
    const rateRps = rate ?? Math.floor(loadFactor! * planXputRps);
    if (rateRps <= 0) throw new UsageError(`the rate comes to ${rateRps} req/s; nothing to simulate`);
    io.stderr(`simulating ${dnn.name} at ${rateRps} req/s for ${(simOptions.durationUs ?? 0) / 1e6} s\n`);
    const result = simulate(dnn, { ...simOptions, rateRps });
    for (const warning of result.warnings) io.stderr(`warning: ${warning}\n`);
    const out = { ...result, ...(loadFactor !== undefined ? { loadFactor } : {}), planXputRps };
    io.stdout(values.json ? `${JSON.stringify(out)}\n` : `${summary(result)}\n`);
  });
}
