/**
 * `ppipe cluster-bench`: the paper's HC1-S testbed (4 L4 + 12 P4, one GPU per server, 6 Gbit/s) as an
 * emulated cluster on loopback — a ClusterHead (embedded broker, frontend, controller) in this process, one
 * `ppipe worker --emulate` process per server. Each DNN of G1 is planned alone with PPipe and with NP and
 * swept with Poisson load; the maximum load factor at ≥ 99 % attainment is relative to the PPipe plan's
 * throughput. Prints exactly one JSON object on stdout; progress goes to stderr.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { CommandIo } from './io.ts';
import { REPO_ROOT, percentileOfSorted } from '../config/index.ts';
import { seededRandom } from '../models/index.ts';
import type { Algorithm, Plan } from '../planner/index.ts';
import { ProfileLibrary } from '../planner/index.ts';
import { ClusterHead } from '../cluster/index.ts';
import type { Topology } from '../cluster/index.ts';
import { ReservationDispatcher } from '../cluster/index.ts';
import type { Frontend, RequestOutcome } from '../cluster/index.ts';

const G1 = ['efficientnet-b8', 'encnet', 'rtmdet_x'];

export const CLUSTER_BENCH_USAGE = `Usage: ppipe cluster-bench [--quick] [--time-scale X] [--point-s S] [--dnns a,b] [--load-factors a,b] [--profiles DIR]

  --json          accepted; stdout is always exactly one JSON object
  --quick         one DNN, three short load points (1–2 minutes)
  --load-factors  grid of load factors, binary-searched for the largest with ≥ 99 % attainment
                  (default 0.05, 0.10, …, 1.00; quick 0.4,0.7,1)
  --warmup-s W    seconds of uncounted load at half the plan's throughput after each plan switch (default 2)
  --guard-ms G    wall-clock margin the scheduler keeps for framing, loopback and timer overshoot (default 5)
  --time-scale X  slow emulated latencies, links and SLOs down by X (default 1)
  --point-s S     seconds of Poisson load per point (default 4; quick 2.5)
  --profiles DIR  profiles (default ../shared/ppipe-data from the repository root)`;

/**
 * SIMULATOR HOOK: the cluster room may not import the simulator (src/sim), so the top floor
 * (src/clusterBench.ts) passes a predictor: the simulator's max load factor at ≥ 99 % attainment for a
 * plan, relative to `referenceRps` (the PPipe plan's throughput); null means "not simulated".
 */
export type SimPredictor = (plan: Plan, referenceRps: number, profiles: string) => number | null;

export interface ClusterBenchHooks {
  readonly simMaxLoadFactor?: SimPredictor;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Submits Poisson arrivals at `rateRps` for `seconds` of wall time; returns every request's outcome. */
async function poissonLoad(frontend: Frontend, dnn: string, rateRps: number, seconds: number, random: () => number): Promise<Array<Promise<RequestOutcome>>> {
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

interface PointResult {
  loadFactor: number;
  rateRps: number;
  requests: number;
  attainment: number;
  late: number;
  dropped: number;
  p99LatencyMs: number | null;
  linkGbps: number;
}

export async function runClusterBenchCommand(argv: string[], io: CommandIo, hooks: ClusterBenchHooks = {}): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
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
    },
  });
  if (values.help) {
    io.stdout(`${CLUSTER_BENCH_USAGE}\n`);
    return 0;
  }
  const started = performance.now();
  const quick = values.quick;
  const timeScale = Number(values['time-scale']);
  const pointS = Number(values['point-s'] ?? (quick ? 2.5 : 4));
  if (!(timeScale > 0) || !(pointS > 0)) {
    io.stderr(`ppipe cluster-bench: --time-scale and --point-s expect positive numbers\n${CLUSTER_BENCH_USAGE}\n`);
    return 2;
  }
  const dnns = values.dnns ? values.dnns.split(',') : quick ? G1.slice(0, 1) : G1;
  const loadFactors = (values['load-factors'] ? values['load-factors'].split(',').map(Number) : quick ? [0.4, 0.7, 1.0] : Array.from({ length: 20 }, (_, i) => (i + 1) / 20)).sort((a, b) => a - b);
  const guardMs = Number(values['guard-ms'] ?? 5);
  const warmupS = Number(values['warmup-s'] ?? 2);
  if (loadFactors.some((lf) => !(lf > 0)) || !(guardMs >= 0) || !(warmupS >= 0)) {
    io.stderr(`ppipe cluster-bench: --load-factors expects positive numbers, --guard-ms and --warmup-s non-negative ones\n${CLUSTER_BENCH_USAGE}\n`);
    return 2;
  }
  const profiles = path.resolve(REPO_ROOT, values.profiles ?? '../shared/ppipe-data');
  const token = `bench-${process.pid}`;
  const log = pino({ level: 'warn' }, pino.destination(2));
  const progress = (text: string): void => io.stderr(`[cluster-bench ${((performance.now() - started) / 1000).toFixed(0)} s] ${text}\n`);

  const library = new ProfileLibrary([profiles]);
  const dispatcher = new ReservationDispatcher({ timeScale, guardUs: guardMs * 1000, profileOf: (dnn) => {
    try {
      return library.get(dnn);
    } catch {
      return undefined;
    }
  } });
  let topology: Topology | undefined;
  const linkBytes = new Map<string, number>();
  const servers = [...Array.from({ length: 4 }, (_, i) => ({ id: `l4-${i}`, cls: 'L4', mps: 4 })), ...Array.from({ length: 12 }, (_, i) => ({ id: `p4-${i}`, cls: 'P4', mps: 1 }))];
  const head = new ClusterHead(
    {
      prefix: 'ppipe-bench',
      clientId: 'bench-controller',
      token,
      timeScale,
      dispatcher,
      controller: { profiles, models: [{ name: dnns[0]! }], algorithm: 'ppipe', bandwidthGbps: 6, paceLinks: true, linkDtype: 'float16', debounceMs: 500 },
      workers: servers.map((server) => ({ id: server.id, args: ['--device-class', server.cls, '--mps-levels', String(server.mps), '--emulate', '--time-scale', String(timeScale)] })),
      echoWorkerStderr: true,
      events: { onTopology: (t) => void (topology = t) },
    },
    log,
  );
  try {
    progress(`starting ${servers.length} emulated worker processes (4 L4 + 12 P4)`);
    await head.start();
    await head.bus.subscribe('nodeStats', (stats) => void linkBytes.set(stats.id, stats.linkBytesSent));
    const frontend = head.frontend;
    const ctl = head.controller;
    const waitServing = async (what: string, timeoutMs: number): Promise<Topology> => {
      const deadline = performance.now() + timeoutMs;
      while (!(topology && ctl.current && topology.planId === ctl.current.planId && ctl.current.nodes.length === servers.length)) {
        if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(50);
      }
      return topology;
    };
    await waitServing('the workers to join and load the first plan', 120_000);
    progress('all workers up');

    const perDnn: Record<string, Record<string, unknown>> = {};
    const summary: Record<Algorithm | string, { lf: number[]; sim: Array<number | null> }> = { ppipe: { lf: [], sim: [] }, np: { lf: [], sim: [] } };
    let seed = 1;
    for (const dnn of dnns) {
      let ppipeRps = 0;
      for (const algorithm of ['ppipe', 'np'] as const) {
        topology = undefined;
        await ctl.reconfigure({ models: [{ name: dnn }], algorithm });
        const serving = await waitServing(`${algorithm} plan of ${dnn}`, 60_000);
        const plan = ctl.current!.plan!;
        const planRps = plan.dnns[0]!.throughputRps;
        if (algorithm === 'ppipe') ppipeRps = planRps;
        const name = serving.dnns[0]!.name;
        // Warm up before measuring (not counted): Poisson load at half the plan's throughput for
        // --warmup-s, so that every link between instances is connected and the scheduler's feedback
        // correction has seen every pool.
        await Promise.all(await poissonLoad(frontend, name, (0.5 * planRps) / timeScale, warmupS, seededRandom(1_000_000 + seed)));
        const points: PointResult[] = [];
        let maxLoadFactor = 0;
        // Binary search over the ascending grid (attainment falls with load): ~log2(points) runs.
        let lo = -1;
        let hi = loadFactors.length;
        while (hi - lo > 1) {
          const mid = (lo + hi) >> 1;
          const loadFactor = loadFactors[mid]!;
          const rateRps = (loadFactor * ppipeRps) / timeScale;
          const bytesBefore = [...linkBytes.values()].reduce((a, b) => a + b, 0);
          const t0 = performance.now();
          const settled = await Promise.all(await poissonLoad(frontend, name, rateRps, pointS, seededRandom(seed++)));
          await sleep(1100); // one more stats round from the workers
          const elapsedS = (performance.now() - t0) / 1000;
          const bytesAfter = [...linkBytes.values()].reduce((a, b) => a + b, 0);
          const ok = settled.filter((o) => o.status === 'ok').length;
          const latencies = settled.filter((o) => o.status !== 'dropped').map((o) => o.latencyUs).sort((a, b) => a - b);
          const point: PointResult = {
            loadFactor,
            rateRps: rateRps * timeScale,
            requests: settled.length,
            attainment: ok / Math.max(1, settled.length),
            late: settled.filter((o) => o.status === 'late').length,
            dropped: settled.filter((o) => o.status === 'dropped').length,
            p99LatencyMs: latencies.length ? percentileOfSorted(latencies, 0.99, 'floor')! / 1000 / timeScale : null,
            linkGbps: (Math.max(0, bytesAfter - bytesBefore) * 8 * timeScale) / elapsedS / 1e9,
          };
          points.push(point);
          progress(`${dnn} ${algorithm} lf ${loadFactor}: ${settled.length} requests, attainment ${(point.attainment * 100).toFixed(1)} %`);
          if (point.attainment >= 0.99) {
            maxLoadFactor = loadFactor;
            lo = mid;
          } else hi = mid;
        }
        points.sort((a, b) => a.loadFactor - b.loadFactor);
        const simStarted = performance.now();
        const sim = hooks.simMaxLoadFactor ? hooks.simMaxLoadFactor(plan, ppipeRps, profiles) : null;
        progress(`${dnn} ${algorithm}: real ${maxLoadFactor}, simulated ${sim ?? 'n/a'} (simulation ${((performance.now() - simStarted) / 1000).toFixed(1)} s)`);
        summary[algorithm]!.lf.push(maxLoadFactor);
        summary[algorithm]!.sim.push(sim);
        perDnn[dnn] = {
          ...(perDnn[dnn] ?? {}),
          [algorithm]: { planThroughputRps: planRps, relativePlanThroughput: planRps / ppipeRps, maxLoadFactor, simMaxLoadFactor: sim, pipelines: plan.dnns[0]!.pipelines.length, points },
        };
      }
    }
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const meanOrNull = (xs: Array<number | null>): number | null => (xs.every((x) => x !== null) && xs.length > 0 ? mean(xs as number[]) : null);
    const allPoints = Object.values(perDnn).flatMap((d) => Object.values(d).flatMap((a) => (a as { points: PointResult[] }).points));
    io.stdout(
      `${JSON.stringify({
        bench: 'cluster',
        cluster: 'HC1-S: 4 L4 + 12 P4, 1 GPU per server, 6 Gbit/s (emulated workers, separate processes, loopback)',
        dispatcher: dispatcher.name,
        timeScale,
        pointS,
        loadFactors,
        guardMs,
        warmupS,
        ppipe: { maxLoadFactor: mean(summary.ppipe!.lf), simMaxLoadFactor: meanOrNull(summary.ppipe!.sim) },
        np: { maxLoadFactor: mean(summary.np!.lf), simMaxLoadFactor: meanOrNull(summary.np!.sim) },
        frontendUsPerBatch: frontend.usPerBatch(),
        dispatcherStats: dispatcher.stats,
        linkGbpsMax: Math.max(0, ...allPoints.map((p) => p.linkGbps)),
        dnns: perDnn,
        wallS: (performance.now() - started) / 1000,
      })}\n`,
    );
    return 0;
  } catch (error) {
    io.stderr(`ppipe cluster-bench: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await head.stop();
  }
}
