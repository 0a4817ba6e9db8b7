// Spare GPUs as headroom (spareGpus.ts): hand-made allocations with known answers, and a real PPipe plan
// whose solver leaves low-class GPUs idle.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Allocation } from '../../src/planner/allocation.ts';
import type { Candidate } from '../../src/planner/candidates.ts';
import {
  HighsSolver,
  PAPER_CLUSTERS,
  PAPER_GROUPS,
  PAPER_WEIGHTS,
  paperProblem,
  parseProblem,
  planFromOutcome,
  planProblem,
  resolveProblem,
  usedGpusByType,
  validatePlan,
  withSpareGpus,
} from '../../src/planner/index.ts';
import { addSpareInstances } from '../../src/planner/spareGpus.ts';
import { FIXTURE_PROFILES } from '../artifactData.ts';
import { libraryOf } from './helpers.ts';

/**
 * A two-stage pipeline: stage 0 on GPU type 0 at MPS share 1/2 (10 req/s each), stage 1 whole type-1 GPUs (20 req/s
 * each).
 */
const twoStage: Candidate = {
  batch: 1,
  latencyUs: 1,
  batchBuildUs: 0,
  stages: [
    { first: 0, end: 1, gpu: 0, share: 2, inferUs: 1, transferUs: 0, rateRps: 10 },
    { first: 1, end: 2, gpu: 1, share: 1, inferUs: 1, transferUs: 0, rateRps: 20 },
  ],
};

function allocation(instances: number[], throughputRps: number): Allocation {
  return {
    dnns: [{ pipelines: [{ candidate: twoStage, instances, throughputRps }], throughputRps }],
    objective: throughputRps,
  };
}

describe('spare GPUs as headroom', () => {
  it('grows the pool that limits the pipeline, from an idle GPU, and stops at the headroom cap', () => {
    // 3 half-GPU instances (30 req/s) feed 1 whole GPU (20 req/s): planned 20. Type 1 has one idle GPU.
    const spare = addSpareInstances(allocation([3, 1], 20), [0], [2, 2]);
    // Stage 1 grows to 40 req/s; stage 0 (30 req/s) now limits at headroom 1.5, the default cap.
    assert.deepEqual(spare.allocation.dnns[0]!.pipelines[0]!.instances, [3, 2]);
    assert.equal(spare.addedInstances, 1);
    assert.deepEqual(spare.idleGpus, [0, 0]);
    assert.equal(
      spare.allocation.dnns[0]!.pipelines[0]!.throughputRps,
      20,
      "the planned throughput stays the solver's",
    );
    assert.equal(spare.allocation.objective, 20);
  });

  it("fills the unused half of an MPS pool's last GPU without taking another GPU", () => {
    const spare = addSpareInstances(allocation([3, 1], 20), [0], [2, 2], { maxHeadroom: 2 });
    // After stage 1 takes the idle type-1 GPU, stage 0 takes the free half of its second GPU: 40 and 40 req/s.
    assert.deepEqual(spare.allocation.dnns[0]!.pipelines[0]!.instances, [4, 2]);
    assert.deepEqual(spare.idleGpus, [0, 0]);
  });

  it('leaves a plan alone when no GPU is idle and no pool has room', () => {
    const spare = addSpareInstances(allocation([4, 1], 20), [0], [2, 1]);
    assert.equal(spare.addedInstances, 0);
    assert.deepEqual(spare.allocation.dnns[0]!.pipelines[0]!.instances, [4, 1]);
  });

  it('serves the pipeline with the least headroom first', () => {
    // Two DNNs on whole type-0 GPUs; DNN 1 is planned at its full capacity, DNN 0 has 25% headroom already.
    const whole = (rateRps: number): Candidate => ({
      batch: 1,
      latencyUs: 1,
      batchBuildUs: 0,
      stages: [{ first: 0, end: 1, gpu: 0, share: 1, inferUs: 1, transferUs: 0, rateRps }],
    });
    const start: Allocation = {
      dnns: [
        { pipelines: [{ candidate: whole(10), instances: [5], throughputRps: 40 }], throughputRps: 40 },
        { pipelines: [{ candidate: whole(10), instances: [4], throughputRps: 40 }], throughputRps: 40 },
      ],
      objective: 40,
    };
    const spare = addSpareInstances(start, [0, 1], [10]);
    // One idle GPU: it goes to DNN 1 (headroom 1.0 < 1.25).
    assert.deepEqual(
      spare.allocation.dnns.map((d) => d.pipelines[0]!.instances),
      [[5], [5]],
    );
  });

  describe('on a real plan', () => {
    const solver = new HighsSolver();
    after(() => solver.stop());

    it('G2 on V100-P4: idle P4s become headroom, the plan stays valid and promises the same throughputs', async () => {
      const cluster = PAPER_CLUSTERS.find((c) => c.name === 'V100-P4')!;
      const g2 = PAPER_GROUPS.find((g) => g.id === 'G2')!.dnns;
      const document = paperProblem(FIXTURE_PROFILES, cluster, g2, { weights: PAPER_WEIGHTS });
      const problem = resolveProblem(parseProblem('test', document), '/', libraryOf(FIXTURE_PROFILES));
      const solved = await planProblem(problem, solver, { deadlineMs: performance.now() + 60_000, spareGpus: false });
      const solvedPlan = planFromOutcome(problem, solved);
      const withSpare = withSpareGpus(problem, solved);
      const plan = planFromOutcome(problem, withSpare);
      assert.ok(withSpare.spareInstances > 0, 'the solver leaves P4s idle in this case');
      assert.deepEqual(validatePlan(plan, problem), []);
      assert.deepEqual(
        plan.dnns.map((d) => d.pipelines.map((p) => p.throughputRps)),
        solvedPlan.dnns.map((d) => d.pipelines.map((p) => p.throughputRps)),
      );
      assert.equal(plan.objective, solvedPlan.objective);
      for (const [type, used] of usedGpusByType(plan.dnns))
        assert.ok(used <= problem.gpus.find((g) => g.type === type)!.count, `${type}: ${used} used`);
      // Headroom only grows, and somewhere it grew: a slowest partition now serves more than its pipeline's plan.
      const slowest = (p: { partitions: ReadonlyArray<{ throughputRps: number }> }): number =>
        Math.min(...p.partitions.map((s) => s.throughputRps));
      plan.dnns.forEach((dnn, d) =>
        dnn.pipelines.forEach((p, l) => assert.ok(slowest(p) >= slowest(solvedPlan.dnns[d]!.pipelines[l]!) - 1e-9)),
      );
      assert.ok(plan.dnns.some((dnn) => dnn.pipelines.some((p) => slowest(p) > p.throughputRps * 1.01)));
    });
  });
});
