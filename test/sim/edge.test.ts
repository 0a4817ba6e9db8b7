// Edge-to-cloud simulation: WAN link directions are reserved like NICs, WAN hops with exact timings never
// finish late, a small planned edge scenario serves its frames, and `reproduce --edge` writes edge.json.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { Dispatch, ServingDnn } from '../../src/pipeline/index.ts';
import {
  buildServingTopology,
  fromPlanDocument,
  ManualClock,
  parseServingPlan,
  ReservationScheduler,
  servingGroups,
} from '../../src/pipeline/index.ts';
import {
  EDGE_SCENARIOS,
  HighsSolver,
  edgeProblem,
  parseProblem,
  planFromOutcome,
  planProblem,
  resolveProblem,
} from '../../src/planner/index.ts';
import { edgeGroups, reproduceEdge } from '../../src/sim/edgeReproduce.ts';
import { simulateEdgeScale } from '../../src/sim/edgeSweep.ts';
import { simulate } from '../../src/sim/simulator.ts';
import { FIXTURE_PROFILES } from '../artifactData.ts';
import { libraryOf } from '../planner/helpers.ts';

/**
 * Two pipelines of one camera site over one 10 Mbit/s link (10 ms RTT): a split (stage 0 at the edge,
 * 50 kbit cut → 5 ms per frame on the link) and video ingress (100 kbit per frame → 10 ms), both to the cloud.
 */
function wanDnn(): ServingDnn {
  return parseServingPlan('test', {
    bandwidthGbps: 10,
    dnns: [
      {
        name: 'toy',
        sloUs: 200_000,
        links: [{ from: 'edge-1', to: 'cloud', bandwidthGbps: 0.01, rttUs: 10_000 }],
        pipelines: [
          {
            batchSize: 2,
            source: 'edge-1',
            ingress: 'local',
            decodeUs: 3000,
            returnUs: 10_000,
            partitions: [
              {
                firstBlock: 0,
                endBlock: 2,
                gpu: 'T4',
                mpsShare: 1,
                instances: 1,
                gpusPerServer: 1,
                inferUs: 8000,
                transferUsPerSample: 40,
                site: 'edge-1',
                cutBitsPerSample: 50_000,
              },
              {
                firstBlock: 2,
                endBlock: 4,
                gpu: 'L4',
                mpsShare: 1,
                instances: 2,
                gpusPerServer: 1,
                inferUs: 6000,
                transferUsPerSample: 0,
                site: 'cloud',
              },
            ],
          },
          {
            batchSize: 2,
            source: 'edge-1',
            ingress: 'video',
            ingressBitsPerSample: 100_000,
            decodeUs: 3000,
            returnUs: 10_000,
            partitions: [
              {
                firstBlock: 0,
                endBlock: 4,
                gpu: 'L4',
                mpsShare: 1,
                instances: 2,
                gpusPerServer: 1,
                inferUs: 9000,
                transferUsPerSample: 0,
                site: 'cloud',
              },
            ],
          },
        ],
      },
    ],
  }).dnns[0]!;
}

const linkOf = (dnn: ServingDnn, d: Dispatch, stage: number): number => {
  const pipeline = buildServingTopology(dnn).pipelines[d.pipeline]!;
  return stage === 0 ? pipeline.ingressLink : pipeline.stages[stage - 1]!.outLink;
};

test('a WAN link direction is a reserved resource: hops crossing it never overlap, and the RTT follows each', () => {
  const dnn = wanDnn();
  const topology = buildServingTopology(dnn);
  assert.equal(topology.links.length, 1, 'both pipelines share the edge-1 → cloud direction');
  assert.equal(topology.pipelines[0]!.stages[0]!.transferUsPerSample, 5000);
  assert.equal(topology.pipelines[1]!.ingressUsPerSample, 10_000);
  const clock = new ManualClock(0);
  const scheduler = new ReservationScheduler(topology, clock);
  const onLink: Array<[number, number]> = [];
  for (let i = 0; i < 24; i++) {
    clock.nowUs = i * 2000;
    const decisions = scheduler.arrive(i, clock.nowUs);
    for (const d of decisions.dispatches) {
      for (const hop of d.hops) {
        if (linkOf(dnn, d, hop.stage) < 0) continue;
        assert.ok(hop.transferEndUs > hop.transferStartUs);
        assert.ok(hop.inferStartUs >= hop.transferEndUs + 10_000, 'the RTT is a pure delay after the link');
        onLink.push([hop.transferStartUs, hop.transferEndUs]);
      }
    }
  }
  assert.ok(onLink.length >= 4, `hops on the link: ${onLink.length}`);
  onLink.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < onLink.length; i++)
    assert.ok(onLink[i]![0] >= onLink[i - 1]![1], `overlap on the link: ${JSON.stringify(onLink.slice(i - 1, i + 1))}`);
  const reserved = scheduler.reservations().links[0]!;
  for (let i = 1; i < reserved.length; i++) assert.ok(reserved[i]![0] >= reserved[i - 1]![1]);
});

test('with exact timings no dispatch over WAN hops finishes late, results included', () => {
  const dnn = wanDnn();
  const sloUs = dnn.sloUs;
  let checked = 0;
  const r = simulate(dnn, {
    rateRps: 150,
    durationUs: 3_000_000,
    seed: 3,
    onDispatch: (d, _now, arrivalUs) => {
      const done = d.hops[d.hops.length - 1]!.inferEndUs + 10_000;
      for (const id of d.requestIds) {
        assert.ok(done <= arrivalUs(id) + sloUs, `request ${id} done at ${done}, deadline ${arrivalUs(id) + sloUs}`);
        checked++;
      }
    },
  });
  assert.ok(checked > 100);
  assert.equal(r.late, 0);
  assert.ok(r.served > 0 && r.wan !== undefined && r.wan[0]!.mbps > 0);
  assert.throws(
    () => simulate(dnn, { rateRps: 10, durationUs: 100_000, scheduler: 'reactive' }),
    /reactive baseline does not model WAN/,
  );
});

const solver = new HighsSolver();
after(() => solver.stop());

test('a small planned edge scenario serves ≥ 99% of its frames at a moderate scale', async () => {
  const scenario = EDGE_SCENARIOS.find((s) => s.id === 'tf_efficientdet_d1-T4-100M')!;
  const doc = edgeProblem(FIXTURE_PROFILES, scenario, 'any');
  const keep = new Set(['edge-1', 'edge-2', 'cloud']);
  const small = {
    ...doc,
    sites: doc.sites!.filter((s) => keep.has(s.name)),
    links: doc.links!.filter((l) => keep.has(l.from)),
    gpus: doc.gpus
      .filter((g) => keep.has(g.site!))
      .map((g) => (g.site === 'cloud' ? { ...g, count: 2, gpusPerServer: 2 } : g)),
  };
  const problem = resolveProblem(parseProblem('small', small), '/', libraryOf(FIXTURE_PROFILES));
  const plan = planFromOutcome(problem, await planProblem(problem, solver, { deadlineMs: performance.now() + 8000 }));
  assert.ok(plan.objective > 0);
  const serving = fromPlanDocument(plan, 'small', problem);
  assert.ok(serving.dnns[0]!.pipelines.every((p) => p.source !== undefined));
  const groups = edgeGroups(serving, problem);
  assert.equal(groups.length, 2);
  assert.equal(servingGroups(serving.dnns[0]!).length, 2);
  const run = simulateEdgeScale(
    {
      groups,
      profiles: [FIXTURE_PROFILES],
      arrivals: { kind: 'poisson' },
      durationUs: 5_000_000,
      seed: 1,
      clusterGpus: { T4: 2, L4: 2 },
    },
    plan.objective * 0.5,
  );
  assert.ok(run.attainment >= 0.99, `attainment ${run.attainment}`);
});

test('reproduce --edge writes edge.json with one object per scenario and strategy', async () => {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'edge-'));
  try {
    const scenario = 'repvgg-b3-T4-1000M';
    const summary = await reproduceEdge({
      profiles: FIXTURE_PROFILES,
      outDir,
      arrivals: { kind: 'poisson' },
      durationS: 1,
      seed: 1,
      planTimeLimitS: 30, // the answer, not the speed: under load HiGHS may need more than a few seconds
      workers: 1,
      scenarios: [scenario],
      onProgress: () => {},
    });
    const rows = JSON.parse(readFileSync(summary.edgeJson, 'utf8')) as Array<Record<string, unknown>>;
    assert.deepEqual(rows.map((r) => r.strategy).sort(), ['cloud-only', 'edge-only', 'planned']);
    for (const row of rows) {
      assert.equal(row.scenario, scenario);
      assert.equal(typeof row.framesPerSecond, 'number');
      assert.equal(typeof row.wanMbps, 'number');
      assert.equal(typeof row.planSeconds, 'number');
      // The sweep's answer is one of its steps, planned × 1.00, 0.95, …, 0.05, with ≥ 99% attainment there:
      // a plan that the simulator cannot serve even at 5% of its promise is a failure, not a zero.
      const served = row.framesPerSecond as number;
      const planned = row.plannedFramesPerSecond as number;
      assert.ok(planned > 0, `${String(row.strategy)}: planned ${planned} frames/s`);
      const step = (served / planned) * 20;
      assert.ok(step >= 1 && step <= 20 + 1e-9, `${String(row.strategy)}: ${served} of ${planned} frames/s`);
      assert.ok(Math.abs(step - Math.round(step)) < 1e-6, `${String(row.strategy)}: ${served} is no sweep step`);
      assert.ok((row.attainment as number) >= 0.99, `${String(row.strategy)}: attainment ${String(row.attainment)}`);
    }
    assert.equal(rows.find((r) => r.strategy === 'edge-only')!.wanMbps, 0);
    const report = readFileSync(summary.reportFile, 'utf8');
    assert.match(report, /Frames\/s served at ≥ 99% attainment/);
    assert.match(report, new RegExp(`\\| ${scenario} \\|`));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
