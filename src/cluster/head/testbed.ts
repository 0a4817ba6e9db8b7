/**
 * The paper's HC1-S testbed (4 L4 + 12 P4, one GPU per server, 6 Gbit/s) as an emulated cluster on
 * loopback: a ClusterHead (embedded broker, frontend, controller) in this process and one emulated worker
 * process per server. Each DNN is planned alone with PPipe and with NP and swept with Poisson load; the
 * maximum load factor at ≥ 99 % attainment is relative to the PPipe plan's throughput. No argv and no
 * printing: `ppipe cluster-bench` (and bench/cluster.ts through it) parses, runs this and prints the result.
 */
import type { Logger } from '../../config/index.ts';
import { percentileOfSorted } from '../../config/index.ts';
import { seededRandom } from '../../models/index.ts';
import type { Algorithm, Plan } from '../../planner/index.ts';
import { ProfileLibrary } from '../../planner/index.ts';
import type { Controller } from '../control/controller.ts';
import type { PlacedPlan } from '../data/dispatcher.ts';
import type { Frontend, RequestOutcome } from '../data/frontend.ts';
import { ReservationDispatcher } from '../data/reservationDispatcher.ts';
import { ClusterHead } from './clusterHead.ts';

/** The cluster the testbed emulates, as reported. */
export const TESTBED_CLUSTER =
  'HC1-S: 4 L4 + 12 P4, 1 GPU per server, 6 Gbit/s (emulated workers, separate processes, loopback)';

/**
 * SIMULATOR HOOK: the cluster room may not import the simulator (src/sim), so the top floor
 * (src/commands/clusterBench.ts) passes a predictor: the simulator's max load factor at ≥ 99 % attainment
 * for a plan, relative to `referenceRps` (the PPipe plan's throughput); null means "not simulated".
 */
export type SimPredictor = (plan: Plan, referenceRps: number, profiles: string) => number | null;

export interface TestbedOptions {
  /** DNNs planned and swept one after the other, each alone on the cluster. */
  readonly dnns: ReadonlyArray<string>;
  /** Ascending grid of load factors, binary-searched for the largest with ≥ 99 % attainment. */
  readonly loadFactors: ReadonlyArray<number>;
  /** Slows emulated latencies, links and SLOs down by this factor. */
  readonly timeScale: number;
  /** Seconds of Poisson load per point. */
  readonly pointS: number;
  /** Wall-clock margin the scheduler keeps for framing, loopback and timer overshoot. */
  readonly guardMs: number;
  /** Seconds of uncounted load at half the plan's throughput after each plan switch. */
  readonly warmupS: number;
  /** Folder of the profiles. */
  readonly profiles: string;
  readonly simMaxLoadFactor?: SimPredictor;
  readonly onProgress?: (text: string) => void;
  readonly log: Logger;
}

export interface TestbedPoint {
  loadFactor: number;
  rateRps: number;
  requests: number;
  attainment: number;
  late: number;
  dropped: number;
  p99LatencyMs: number | null;
  linkGbps: number;
}

/** One DNN under one algorithm's plan. */
export interface TestbedRun {
  planThroughputRps: number;
  relativePlanThroughput: number;
  maxLoadFactor: number;
  simMaxLoadFactor: number | null;
  pipelines: number;
  points: TestbedPoint[];
}

export interface TestbedResult {
  cluster: string;
  dispatcher: string;
  timeScale: number;
  pointS: number;
  loadFactors: number[];
  guardMs: number;
  warmupS: number;
  /** Means over the DNNs. */
  ppipe: { maxLoadFactor: number; simMaxLoadFactor: number | null };
  np: { maxLoadFactor: number; simMaxLoadFactor: number | null };
  frontendUsPerBatch: ReturnType<Frontend['usPerBatch']>;
  dispatcherStats: ReservationDispatcher['stats'];
  linkGbpsMax: number;
  dnns: Record<string, Partial<Record<'ppipe' | 'np', TestbedRun>>>;
  wallS: number;
}

const ALGORITHMS = ['ppipe', 'np'] as const satisfies ReadonlyArray<Algorithm>;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** The servers of HC1-S: an emulated worker process each. */
function emulatedServers(): Array<{ id: string; cls: string; mps: number }> {
  return [
    ...Array.from({ length: 4 }, (_, i) => ({ id: `l4-${i}`, cls: 'L4', mps: 4 })),
    ...Array.from({ length: 12 }, (_, i) => ({ id: `p4-${i}`, cls: 'P4', mps: 1 })),
  ];
}

/** Submits Poisson arrivals at `rateRps` for `seconds` of wall time; returns every request's outcome. */
async function poissonLoad(
  frontend: Frontend,
  dnn: string,
  rateRps: number,
  seconds: number,
  random: () => number,
): Promise<Array<Promise<RequestOutcome>>> {
  const outcomes: Array<Promise<RequestOutcome>> = [];
  const t0 = performance.now();
  let next = t0;
  while (next < t0 + seconds * 1000) {
    const wait = next - performance.now();
    if (wait > 1) await sleep(wait);
    outcomes.push(frontend.submit(dnn));
    next += (-Math.log(1 - random()) / rateRps) * 1000;
  }
  return outcomes;
}

/** The running testbed: its head, what the workers report, and the placed plan the frontend serves. */
class Testbed {
  readonly servers = emulatedServers();
  readonly dispatcher: ReservationDispatcher;
  readonly head: ClusterHead;
  readonly linkBytes = new Map<string, number>();
  placedPlan: PlacedPlan | undefined;
  private seed = 1;

  constructor(
    private readonly options: TestbedOptions,
    library: ProfileLibrary,
  ) {
    const { timeScale, guardMs, profiles } = options;
    this.dispatcher = new ReservationDispatcher({
      timeScale,
      guardUs: guardMs * 1000,
      profileOf: (dnn) => {
        try {
          return library.get(dnn);
        } catch {
          return undefined;
        }
      },
    });
    this.head = new ClusterHead(
      {
        prefix: 'ppipe-bench',
        clientId: 'bench-controller',
        token: `bench-${process.pid}`,
        timeScale,
        dispatcher: this.dispatcher,
        controller: {
          profiles,
          models: [{ name: options.dnns[0]! }],
          algorithm: 'ppipe',
          bandwidthGbps: 6,
          paceLinks: true,
          linkDtype: 'float16',
          debounceMs: 500,
        },
        workers: this.servers.map((server) => ({
          id: server.id,
          args: [
            '--device-class',
            server.cls,
            '--mps-levels',
            String(server.mps),
            '--emulate',
            '--time-scale',
            String(timeScale),
          ],
        })),
        echoWorkerStderr: true,
        events: { onPlacedPlan: (t) => void (this.placedPlan = t) },
      },
      options.log,
    );
  }

  private get controller(): Controller {
    return this.head.controller;
  }

  private progress(text: string): void {
    this.options.onProgress?.(text);
  }

  async start(): Promise<void> {
    this.progress(`starting ${this.servers.length} emulated worker processes (4 L4 + 12 P4)`);
    await this.head.start();
    await this.head.bus.subscribe('nodeStats', (stats) => void this.linkBytes.set(stats.id, stats.linkBytesSent));
    await this.waitServing('the workers to join and load the first plan', 120_000);
    this.progress('all workers up');
  }

  async waitServing(what: string, timeoutMs: number): Promise<PlacedPlan> {
    const ctl = this.controller;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const { placedPlan } = this;
      const current = ctl.current;
      if (
        placedPlan &&
        current &&
        placedPlan.planId === current.planId &&
        current.nodes.length === this.servers.length
      ) {
        return placedPlan;
      }
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  }

  /** Plans `dnn` alone with `algorithm`, warms up, searches the load factor grid and asks the simulator. */
  async run(dnn: string, algorithm: 'ppipe' | 'np', ppipeRps: number | undefined): Promise<TestbedRun> {
    const { timeScale, warmupS } = this.options;
    this.placedPlan = undefined;
    await this.controller.reconfigure({ models: [{ name: dnn }], algorithm });
    const serving = await this.waitServing(`${algorithm} plan of ${dnn}`, 60_000);
    const plan = this.controller.current!.plan!;
    const planRps = plan.dnns[0]!.throughputRps;
    const referenceRps = ppipeRps ?? planRps;
    const name = serving.dnns[0]!.name;
    // Warm up before measuring (not counted): Poisson load at half the plan's throughput for
    // --warmup-s, so that every link between instances is connected and the scheduler's feedback
    // correction has seen every pool.
    const warmupRandom = seededRandom(1_000_000 + this.seed);
    await Promise.all(await poissonLoad(this.head.frontend, name, (0.5 * planRps) / timeScale, warmupS, warmupRandom));
    const { maxLoadFactor, points } = await this.searchMaxLoadFactor(dnn, algorithm, name, referenceRps);
    const simStarted = performance.now();
    const predict = this.options.simMaxLoadFactor;
    const sim = predict ? predict(plan, referenceRps, this.options.profiles) : null;
    const simS = ((performance.now() - simStarted) / 1000).toFixed(1);
    this.progress(`${dnn} ${algorithm}: real ${maxLoadFactor}, simulated ${sim ?? 'n/a'} (simulation ${simS} s)`);
    return {
      planThroughputRps: planRps,
      relativePlanThroughput: planRps / referenceRps,
      maxLoadFactor,
      simMaxLoadFactor: sim,
      pipelines: plan.dnns[0]!.pipelines.length,
      points,
    };
  }

  /** Binary search over the ascending grid (attainment falls with load): ~log2(points) runs. */
  private async searchMaxLoadFactor(
    dnn: string,
    algorithm: string,
    name: string,
    referenceRps: number,
  ): Promise<{ maxLoadFactor: number; points: TestbedPoint[] }> {
    const { loadFactors } = this.options;
    const points: TestbedPoint[] = [];
    let maxLoadFactor = 0;
    let lo = -1;
    let hi = loadFactors.length;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      const loadFactor = loadFactors[mid]!;
      const point = await this.measurePoint(name, loadFactor, referenceRps);
      points.push(point);
      const attainment = (point.attainment * 100).toFixed(1);
      this.progress(`${dnn} ${algorithm} lf ${loadFactor}: ${point.requests} requests, attainment ${attainment} %`);
      if (point.attainment >= 0.99) {
        maxLoadFactor = loadFactor;
        lo = mid;
      } else hi = mid;
    }
    points.sort((a, b) => a.loadFactor - b.loadFactor);
    return { maxLoadFactor, points };
  }

  /** Poisson load at `loadFactor` × the reference throughput for --point-s, and what came of it. */
  private async measurePoint(name: string, loadFactor: number, referenceRps: number): Promise<TestbedPoint> {
    const { timeScale, pointS } = this.options;
    const rateRps = (loadFactor * referenceRps) / timeScale;
    const bytesBefore = [...this.linkBytes.values()].reduce((a, b) => a + b, 0);
    const t0 = performance.now();
    const random = seededRandom(this.seed++);
    const settled = await Promise.all(await poissonLoad(this.head.frontend, name, rateRps, pointS, random));
    await sleep(1100); // one more stats round from the workers
    const elapsedS = (performance.now() - t0) / 1000;
    const bytesAfter = [...this.linkBytes.values()].reduce((a, b) => a + b, 0);
    const ok = settled.filter((o) => o.status === 'ok').length;
    const latencies = settled
      .filter((o) => o.status !== 'dropped')
      .map((o) => o.latencyUs)
      .sort((a, b) => a - b);
    const p99 = percentileOfSorted(latencies, 0.99, 'floor');
    return {
      loadFactor,
      rateRps: rateRps * timeScale,
      requests: settled.length,
      attainment: ok / Math.max(1, settled.length),
      late: settled.filter((o) => o.status === 'late').length,
      dropped: settled.filter((o) => o.status === 'dropped').length,
      p99LatencyMs: latencies.length ? p99! / 1000 / timeScale : null,
      linkGbps: (Math.max(0, bytesAfter - bytesBefore) * 8 * timeScale) / elapsedS / 1e9,
    };
  }
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const meanOrNull = (xs: Array<number | null>): number | null =>
  xs.every((x) => x !== null) && xs.length > 0 ? mean(xs as number[]) : null;

/**
 * Starts the emulated testbed, runs every DNN under PPipe and NP, stops the testbed and returns the
 * measurements. Rejects when the workers do not join or a plan is not served in time.
 */
export async function runEmulatedTestbed(options: TestbedOptions): Promise<TestbedResult> {
  const started = performance.now();
  const testbed = new Testbed(options, new ProfileLibrary([options.profiles]));
  try {
    await testbed.start();
    const perDnn: TestbedResult['dnns'] = {};
    const runs: Record<(typeof ALGORITHMS)[number], TestbedRun[]> = { ppipe: [], np: [] };
    for (const dnn of options.dnns) {
      const ppipe = await testbed.run(dnn, 'ppipe', undefined);
      const np = await testbed.run(dnn, 'np', ppipe.planThroughputRps);
      runs.ppipe.push(ppipe);
      runs.np.push(np);
      perDnn[dnn] = { ppipe, np };
    }
    const summary = (algorithm: (typeof ALGORITHMS)[number]): TestbedResult['ppipe'] => ({
      maxLoadFactor: mean(runs[algorithm].map((r) => r.maxLoadFactor)),
      simMaxLoadFactor: meanOrNull(runs[algorithm].map((r) => r.simMaxLoadFactor)),
    });
    const allPoints = Object.values(perDnn).flatMap((d) => ALGORITHMS.flatMap((a) => d[a]?.points ?? []));
    return {
      cluster: TESTBED_CLUSTER,
      dispatcher: testbed.dispatcher.name,
      timeScale: options.timeScale,
      pointS: options.pointS,
      loadFactors: [...options.loadFactors],
      guardMs: options.guardMs,
      warmupS: options.warmupS,
      ppipe: summary('ppipe'),
      np: summary('np'),
      frontendUsPerBatch: testbed.head.frontend.usPerBatch(),
      dispatcherStats: testbed.dispatcher.stats,
      linkGbpsMax: Math.max(0, ...allPoints.map((p) => p.linkGbps)),
      dnns: perDnn,
      wallS: (performance.now() - started) / 1000,
    };
  } finally {
    await testbed.head.stop();
  }
}
