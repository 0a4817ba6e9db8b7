// Edge-to-cloud planning (sites, WAN links, camera locality): link capacity holds, a site without WAN
// serves only locally, placements restrict routes, plans validate, and the planner never loses to the
// better of edge-only and cloud-only.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Plan, ProblemDocument, ResolvedProblem } from '../../src/planner/index.ts';
import {
  EDGE_SCENARIOS,
  HighsSolver,
  edgeProblem,
  parseProblem,
  planFromOutcome,
  planProblem,
  resolveProblem,
  validatePlan,
} from '../../src/planner/index.ts';
import { FIXTURE_PROFILES } from '../artifactData.ts';
import { libraryOf } from './helpers.ts';

const solver = new HighsSolver();
after(() => solver.stop());

/** Plans a problem; `proved` asks for a proof of optimality (the comparisons between placements need it). */
async function plan(doc: ProblemDocument, proved = true): Promise<{ plan: Plan; problem: ResolvedProblem }> {
  const problem = resolveProblem(parseProblem('edge', doc), '/', libraryOf(FIXTURE_PROFILES));
  const outcome = await planProblem(problem, solver, { deadlineMs: performance.now() + (proved ? 30_000 : 8_000) });
  if (proved) assert.equal(outcome.status, 'optimal');
  return { plan: planFromOutcome(problem, outcome), problem };
}

describe('edge-to-cloud planning', () => {
  it('the planner serves at least what edge-only and cloud-only serve, within every link, and validates', async () => {
    const scenario = EDGE_SCENARIOS.find(
      (s) => s.model === 'tf_efficientdet_d1' && s.edgeGpu === 'T4' && s.wanMbps === 100,
    )!;
    const results = new Map<string, Plan>();
    for (const placement of ['edge-only', 'cloud-only', 'any'] as const) {
      const { plan: p, problem } = await plan(edgeProblem(FIXTURE_PROFILES, scenario, placement));
      assert.deepEqual(validatePlan(p, problem), [], placement);
      for (const link of p.links!)
        assert.ok(
          link.usedBitsPerSecond <= link.capacityBitsPerSecond * (1 + 1e-9),
          `${placement}: ${link.from}>${link.to}`,
        );
      results.set(placement, p);
    }
    const best = Math.max(results.get('edge-only')!.objective, results.get('cloud-only')!.objective);
    assert.ok(results.get('any')!.objective >= best * (1 - 1e-6), `planned ${results.get('any')!.objective} < ${best}`);
    assert.ok(
      results.get('edge-only')!.links!.every((l) => l.usedBitsPerSecond === 0),
      'edge-only uses no WAN',
    );
    for (const dnn of results.get('cloud-only')!.dnns)
      for (const p of dnn.pipelines)
        assert.ok(p.ingress === 'video' && p.partitions.every((part) => part.site === 'cloud'));
  });

  it('a narrow link caps the WAN traffic exactly at its bandwidth', async () => {
    const doc = edgeProblem(
      FIXTURE_PROFILES,
      EDGE_SCENARIOS.find((s) => s.model === 'repvgg-b3' && s.wanMbps === 100)!,
      'cloud-only',
    );
    // 20 Mbit/s: less than the 8 cameras' 32, and still fast enough for one frame within repvgg's SLO.
    const narrow = { ...doc, links: doc.links!.map((l) => ({ ...l, bandwidthGbps: 0.02 })) };
    // Binding links make this model slow to prove optimal; any plan the solver returns must respect them.
    const { plan: p, problem } = await plan(narrow, false);
    assert.deepEqual(validatePlan(p, problem), []);
    for (const link of p.links!.filter((l) => l.to === 'cloud')) {
      assert.ok(link.usedBitsPerSecond <= 20e6 * (1 + 1e-9));
      assert.ok(link.usedBitsPerSecond > 0);
    }
    const wide = await plan(doc, false);
    assert.ok(
      p.objective < wide.plan.objective,
      `the narrow link must bind: ${p.objective} vs ${wide.plan.objective} at 100 Mbit/s`,
    );
  });

  it('a site with no WAN link serves only its own frames, on its own GPUs', async () => {
    const doc = edgeProblem(FIXTURE_PROFILES, EDGE_SCENARIOS[0]!, 'any');
    const isolated = { ...doc, links: doc.links!.filter((l) => l.from !== 'edge-1') };
    const { plan: p, problem } = await plan(isolated);
    assert.deepEqual(validatePlan(p, problem), []);
    for (const dnn of p.dnns) {
      for (const pipeline of dnn.pipelines) {
        if (pipeline.source === 'edge-1')
          assert.ok(pipeline.ingress === 'local' && pipeline.partitions.every((part) => part.site === 'edge-1'));
        else
          assert.ok(
            pipeline.partitions.every((part) => part.site !== 'edge-1'),
            'no other site reaches edge-1',
          );
      }
    }
    assert.ok(p.demands!.find((d) => d.site === 'edge-1')!.servedRps > 0);
  });

  it('the validator catches a plan that overfills a link or uses a missing link', async () => {
    const { plan: p, problem } = await plan(edgeProblem(FIXTURE_PROFILES, EDGE_SCENARIOS[0]!, 'cloud-only'));
    const starved = {
      ...problem,
      edge: { ...problem.edge!, links: problem.edge!.links.map((l) => ({ ...l, bandwidthGbps: 1e-6 })) },
    };
    assert.ok(validatePlan(p, starved).some((e) => /^WAN edge-\d>cloud: the plan sends/.test(e)));
    const cut = {
      ...problem,
      edge: { ...problem.edge!, links: problem.edge!.links.filter((l) => l.from !== 'edge-2') },
    };
    assert.ok(validatePlan(p, cut).some((e) => /frames of .* at edge-2 cannot reach cloud/.test(e)));
  });

  it('rejects malformed topologies with the field named', () => {
    const doc = edgeProblem(FIXTURE_PROFILES, EDGE_SCENARIOS[0]!, 'any');
    assert.throws(
      () => parseProblem('p.yaml', { ...doc, links: [{ from: 'edge-1', to: 'nowhere', bandwidthGbps: 1 }] }),
      /p\.yaml: links\[0\]\.to: expected one of the sites/,
    );
    assert.throws(
      () => parseProblem('p.yaml', { ...doc, gpus: [{ type: 'T4', count: 1 }] }),
      /gpus\[0\]\.site: expected one of the sites/,
    );
    assert.throws(
      () =>
        parseProblem('p.yaml', {
          ...doc,
          sites: [{ name: 'a', cameras: [{ count: 1, dnn: 'other', fps: 1, bitrateMbps: 1 }] }],
        }),
      /sites\[0\]\.cameras\[0\]\.dnn: expected one of the dnns/,
    );
  });
});
