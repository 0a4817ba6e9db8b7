// NP's allocation without a MILP (wholeGpuAllocation.ts) against HiGHS proving optimality with zero gap,
// on the real candidates of the G1 and G2 cases of §H and on hand-made edge cases.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { buildAllocationLp, readAllocation } from '../../src/planner/allocation.ts';
import type { AllocationInput } from '../../src/planner/allocation.ts';
import type { Candidate } from '../../src/planner/candidates.ts';
import { enumerateCandidates } from '../../src/planner/candidates.ts';
import {
  HighsSolver,
  PAPER_CLUSTERS,
  PAPER_GROUPS,
  PAPER_WEIGHTS,
  paperProblem,
  parseProblem,
  resolveProblem,
} from '../../src/planner/index.ts';
import { solveWholeGpuMaxMin } from '../../src/planner/wholeGpuAllocation.ts';
import { libraryOf, needsProfilesOf, profilesFor } from './helpers.ts';

function npInput(group: string, clusterName: string): AllocationInput {
  const cluster = PAPER_CLUSTERS.find((c) => c.name === clusterName)!;
  const dnns = PAPER_GROUPS.find((g) => g.id === group)!.dnns;
  const profiles = profilesFor(dnns);
  const document = paperProblem(profiles, cluster, dnns, { weights: PAPER_WEIGHTS });
  const problem = resolveProblem(parseProblem('test', document), '/', libraryOf(profiles));
  return {
    gpuCounts: problem.gpus.map((g) => g.count),
    dnns: problem.dnns.map((dnn) => ({
      weight: dnn.weight,
      candidates: enumerateCandidates({ ...dnn, estXput: 500 }, problem.gpus, {
        maxPartitions: 1,
        mpsLevels: [1, 1],
        bandwidthGbps: problem.bandwidthGbps,
        batchBuildFactor: problem.batchBuildFactor,
      }),
    })),
  };
}

function wholeGpuCandidate(gpu: number, rateRps: number): Candidate {
  return {
    batch: 1,
    latencyUs: 1,
    batchBuildUs: 0,
    stages: [{ first: 0, end: 1, gpu, share: 1, inferUs: 1, transferUs: 0, rateRps }],
  };
}

describe('whole-GPU max–min allocation (NP without a MILP)', () => {
  const solver = new HighsSolver();
  after(() => solver.stop());

  for (const group of ['G1', 'G2']) {
    for (const cluster of PAPER_CLUSTERS.map((c) => c.name)) {
      const models = PAPER_GROUPS.find((g) => g.id === group)!.dnns;
      it(
        `${group} ${cluster}: the same optimum as HiGHS with zero gap, every usable GPU used`,
        needsProfilesOf(models),
        async () => {
          const input = npInput(group, cluster);
          const direct = solveWholeGpuMaxMin(input);
          assert.ok(direct, 'NP inputs are whole-GPU, single-partition models');
          const reply = await solver.solve({ lp: buildAllocationLp(input), timeLimitS: 30, mipRelGap: 0 });
          assert.equal(reply.status, 'optimal');
          assert.ok(
            Math.abs(direct.objective - readAllocation(input, reply.values).objective) <= 1e-9 * direct.objective,
            `${direct.objective} vs ${readAllocation(input, reply.values).objective}`,
          );
          const used = [0, 1].map((k) =>
            direct.dnns
              .flatMap((d) => d.pipelines)
              .filter((p) => p.candidate.stages[0]!.gpu === k)
              .reduce((n, p) => n + p.instances[0]!, 0),
          );
          const usable = [0, 1].map((k) => input.dnns.some((d) => d.candidates.some((c) => c.stages[0]!.gpu === k)));
          assert.deepEqual(
            used,
            input.gpuCounts.map((count, k) => (usable[k] ? count : 0)),
          );
        },
      );
    }
  }

  it('gives leftovers to the DNN furthest behind, and scores 0 when a DNN has no candidate', () => {
    const input: AllocationInput = {
      gpuCounts: [3, 2],
      dnns: [
        { weight: 1, candidates: [wholeGpuCandidate(0, 10), wholeGpuCandidate(1, 4)] },
        { weight: 2, candidates: [wholeGpuCandidate(1, 10)] },
      ],
    };
    const allocation = solveWholeGpuMaxMin(input)!;
    // DNN 1 can only use type 1: both type-1 GPUs (20 req/s, Z = 10); DNN 0 takes the three type-0 GPUs (30).
    assert.equal(allocation.objective, 10);
    assert.deepEqual(
      allocation.dnns.map((d) => d.throughputRps),
      [30, 20],
    );
    const starved = solveWholeGpuMaxMin({ ...input, dnns: [...input.dnns, { weight: 1, candidates: [] }] })!;
    assert.equal(starved.objective, 0);
  });

  it('leaves MPS shares, partitions, links and caps to the MILP', () => {
    const shared: AllocationInput = {
      gpuCounts: [2],
      dnns: [
        {
          weight: 1,
          candidates: [{ ...wholeGpuCandidate(0, 5), stages: [{ ...wholeGpuCandidate(0, 5).stages[0]!, share: 2 }] }],
        },
      ],
    };
    assert.equal(solveWholeGpuMaxMin(shared), undefined);
    assert.equal(
      solveWholeGpuMaxMin({
        gpuCounts: [2],
        dnns: [{ weight: 1, candidates: [wholeGpuCandidate(0, 5)], gpuLimits: [1] }],
      }),
      undefined,
    );
    assert.equal(
      solveWholeGpuMaxMin({ gpuCounts: [1, 1, 1], dnns: [{ weight: 1, candidates: [wholeGpuCandidate(0, 5)] }] }),
      undefined,
    );
  });
});
