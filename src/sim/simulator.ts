/**
 * Discrete-event simulation of one DNN on its own pipelines (reference §G), driving the same scheduler
 * the appliance runs, on a virtual clock. Time is integer µs; a seed fixes every random draw. Workers run
 * reserved batches exactly at their reserved times, or FIFO per instance with FIFO transfers per server
 * uplink under the reactive baseline. `simulate` sets a run up, lets the engine (simEngine.ts) run it and
 * summarises what the engine recorded (simSummary.ts).
 */
import type { Dispatch, ReservationOptions, ServingDnn, ServingScheduler, ServingTopology } from '../pipeline/index.ts';
import { buildServingTopology, ManualClock, ReactiveScheduler, ReservationScheduler } from '../pipeline/index.ts';
import type { ModelProfile } from '../planner/index.ts';
import { percentileOfSorted } from '../planner/index.ts';
import type { ArrivalSpec } from './arrivals.ts';
import { arrivalProcess } from './arrivals.ts';
import { Prng } from './prng.ts';
import type { EngineRecord } from './simEngine.ts';
import { runEngine } from './simEngine.ts';
import { gpuUtilization, requestOutcomes, wanUsage } from './simSummary.ts';

export type SchedulerKind = 'reservation' | 'reactive';

export interface SimOptions {
  readonly rateRps: number;
  readonly durationUs?: number;
  readonly seed?: number;
  readonly arrivals?: ArrivalSpec;
  readonly scheduler?: SchedulerKind;
  /** Admission rule of the reservation scheduler (see ReservationOptions.admission). */
  readonly admission?: 'shrink' | 'artifact';
  readonly profile?: ModelProfile;
  /** Arrivals before this are warm-up and not counted (the artifact's 1000 µs). */
  readonly warmupUs?: number;
  /** GPUs of each type in the whole cluster, for the Fig. 8 utilization that counts unused GPUs as idle. */
  readonly clusterGpus?: Readonly<Record<string, number>>;
  /** Observers for tests: every dispatch, and every executed inference [start, end) per instance. */
  readonly onDispatch?: (dispatch: Dispatch, nowUs: number, arrivalUs: (requestId: number) => number) => void;
  readonly onExecute?: (instance: number, startUs: number, endUs: number) => void;
}

export interface Percentiles {
  median: number;
  p99: number;
  mean: number;
}

export interface SimResult {
  dnn: string;
  scheduler: SchedulerKind;
  rateRps: number;
  durationS: number;
  seed: number;
  requests: number;
  served: number;
  dropped: number;
  late: number;
  attainment: number;
  latencyUs: { p50: number; p99: number };
  /** Busy share per GPU type over the instances in the plan (reference §G). */
  utilization: Record<string, number>;
  /** Same, divided by the cluster's GPUs of the type (Fig. 8), when clusterGpus is given. */
  clusterUtilization?: Record<string, number>;
  /** Edge-to-cloud: per WAN link direction, the reserved busy share and the traffic it carried (Mbit/s). */
  wan?: Array<{ from: string; to: string; busyShare: number; mbps: number }>;
  batches: number;
  /** Reservations placed into a gap before an existing one (interval lists at work). */
  backfills: number;
  probesPerBatch: number;
  schedulerUsPerDecision: Percentiles;
  events: number;
  eventsPerSecond: number;
  wallS: number;
  warnings: string[];
}

export function createScheduler(
  kind: SchedulerKind,
  topology: ServingTopology,
  clock: ManualClock,
  options: ReservationOptions = {},
): ServingScheduler {
  if (
    kind === 'reactive' &&
    (topology.links.length > 0 || topology.pipelines.some((p) => p.ingressDelayUs > 0 || p.returnUs > 0))
  ) {
    throw new Error(
      `${topology.dnn}: the reactive baseline does not model WAN links, decoding or result return; ` +
        'use the reservation scheduler',
    );
  }
  return kind === 'reservation'
    ? new ReservationScheduler(topology, clock, options)
    : new ReactiveScheduler(topology, clock);
}

export function percentiles(samples: Float64Array | number[], count = samples.length): Percentiles {
  if (count === 0) return { median: 0, p99: 0, mean: 0 };
  // A typed array copies itself with slice (Float64Array.from walks an iterator, element by element).
  const sorted = (
    samples instanceof Float64Array ? samples.slice(0, count) : Float64Array.from(samples.slice(0, count))
  ).sort();
  let sum = 0;
  for (let i = 0; i < count; i++) sum += sorted[i]!;
  const at = (q: number): number => percentileOfSorted(sorted, q, 'nearest-rank')!;
  return { median: at(0.5), p99: at(0.99), mean: sum / count };
}

export function simulate(dnn: ServingDnn, options: SimOptions): SimResult {
  const durationUs = options.durationUs ?? 30_000_000;
  const seed = options.seed ?? 1;
  const kind = options.scheduler ?? 'reservation';
  const topology = buildServingTopology(dnn, options.profile ? { profile: options.profile } : {});
  const clock = new ManualClock(0);
  const scheduler = createScheduler(kind, topology, clock, options.admission ? { admission: options.admission } : {});
  const arrivals = arrivalProcess(options.arrivals ?? { kind: 'poisson' }, options.rateRps, new Prng(seed));
  const record = runEngine({
    topology,
    scheduler,
    clock,
    arrivals,
    durationUs,
    onDispatch: options.onDispatch,
    onExecute: options.onExecute,
  });
  return summarize(record, { topology, scheduler, kind, durationUs, seed }, options);
}

/** A run as set up: what the summary reports beside the engine's record. */
interface SimRun {
  readonly topology: ServingTopology;
  readonly scheduler: ServingScheduler;
  readonly kind: SchedulerKind;
  readonly durationUs: number;
  readonly seed: number;
}

/** The run's metrics over arrivals in [warm-up, duration), from what the engine recorded. */
function summarize(record: EngineRecord, run: SimRun, options: SimOptions): SimResult {
  const { topology, scheduler } = run;
  const outcomes = requestOutcomes(record.requests, options.warmupUs ?? 1000, topology.sloUs);
  const latency = percentiles(outcomes.latenciesUs);
  const spanUs = outcomes.spanUs;
  const { utilization, clusterUtilization } = gpuUtilization(topology, record.busyUs, spanUs, options.clusterGpus);
  const stats = scheduler.stats;
  return {
    dnn: topology.dnn,
    scheduler: run.kind,
    rateRps: options.rateRps,
    durationS: run.durationUs / 1e6,
    seed: run.seed,
    requests: outcomes.requests,
    served: outcomes.served,
    dropped: outcomes.dropped,
    late: outcomes.late,
    attainment: outcomes.requests === 0 ? 1 : outcomes.served / outcomes.requests,
    latencyUs: { p50: latency.median, p99: latency.p99 },
    utilization,
    ...(options.clusterGpus ? { clusterUtilization } : {}),
    ...(topology.links.length > 0 ? { wan: wanUsage(topology, record.linkBusyUs, spanUs) } : {}),
    batches: stats.batches,
    backfills: stats.backfills,
    probesPerBatch: stats.batches === 0 ? 0 : stats.probes / stats.batches,
    schedulerUsPerDecision: percentiles(record.decisionUs.samples, record.decisionUs.count),
    events: record.events,
    eventsPerSecond: record.wallS > 0 ? record.events / record.wallS : 0,
    wallS: record.wallS,
    warnings: [...topology.warnings],
  };
}
