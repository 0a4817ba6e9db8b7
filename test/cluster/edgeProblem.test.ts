// The controller's planning problem from the nodes that are up: per device class in a data centre, per
// (device class, announced site) with an edge network, so that plans place stages where the WAN allows.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { clusterProblem } from '../../src/cluster/index.ts';
import type { Announcement } from '../../src/cluster/control/messages.ts';
import {
  HighsSolver,
  parseProblem,
  planFromOutcome,
  planProblem,
  resolveProblem,
  validatePlan,
} from '../../src/planner/index.ts';
import { FIXTURE_PROFILES } from '../artifactData.ts';

function node(id: string, deviceClass: string, site: string, gpus: number): Announcement {
  return {
    id,
    role: 'worker',
    deviceClass,
    gpus,
    mpsLevels: deviceClass === 'P4' ? 1 : 4,
    site,
    dataEndpoint: `ws://127.0.0.1:1/${id}`,
    emulated: true,
    timeScale: 1,
    versions: { protocol: 1, ppipe: '0.1.0', node: 'v20' },
    startedAt: 0,
  };
}

const nodes = [
  node('edge-a', 'T4', 'shop-1', 1),
  node('edge-b', 'T4', 'shop-2', 1),
  node('cloud-1', 'L4', 'cloud', 4),
  node('cloud-2', 'L4', 'cloud', 4),
];
const base = {
  profiles: FIXTURE_PROFILES,
  algorithm: 'ppipe' as const,
  bandwidthGbps: 10,
  models: [{ name: 'repvgg-b3' }],
};

describe('clusterProblem', () => {
  const solver = new HighsSolver();
  after(() => solver.stop());

  it('without an edge network, pools GPUs per device class across sites', () => {
    const problem = clusterProblem(nodes, base);
    assert.deepEqual(
      problem.gpus.map((g) => [g.type, g.count, g.site]),
      [
        ['T4', 2, undefined],
        ['L4', 8, undefined],
      ],
    );
    assert.equal(problem.sites, undefined);
  });

  it('with an edge network, keeps GPUs at their sites and plans routes over the WAN within its links', async () => {
    const edge = {
      sites: ['shop-1', 'shop-2'].map((name) => ({
        name,
        decodeUsPerFrame: 3000,
        cameras: [{ count: 4, dnn: 'repvgg-b3', fps: 15, bitrateMbps: 4 }],
      })),
      links: ['shop-1', 'shop-2'].map((from) => ({ from, to: 'cloud', bandwidthGbps: 0.1, rttUs: 10_000 })),
    };
    const document = clusterProblem(nodes, { ...base, edge });
    assert.deepEqual(
      document.gpus.map((g) => [g.type, g.count, g.site]),
      [
        ['T4', 1, 'shop-1'],
        ['T4', 1, 'shop-2'],
        ['L4', 8, 'cloud'],
      ],
    );
    assert.deepEqual(
      document.sites!.map((s) => s.name),
      ['shop-1', 'shop-2', 'cloud'],
      'the cloud joins the sites without cameras',
    );
    const problem = resolveProblem(parseProblem('cluster', { ...document, sloMultiplier: 10 }), '/');
    const plan = planFromOutcome(
      problem,
      await planProblem(problem, solver, { deadlineMs: performance.now() + 20_000 }),
    );
    assert.deepEqual(validatePlan(plan, problem), []);
    assert.ok(plan.objective > 0);
    const sources = new Set(plan.dnns[0]!.pipelines.map((p) => p.source));
    assert.deepEqual([...sources].sort(), ['shop-1', 'shop-2']);
  });

  it('plans the edge alone while no node is up at the far end of a link (a WAN partition)', async () => {
    const edge = {
      sites: [
        {
          name: 'shop-1',
          decodeUsPerFrame: 3000,
          cameras: [{ count: 4, dnn: 'repvgg-b3', fps: 15, bitrateMbps: 3 }],
        },
      ],
      links: [{ from: 'shop-1', to: 'cloud', bandwidthGbps: 0.2, rttUs: 10_000 }],
    };
    const document = clusterProblem([node('edge-a', 'T4', 'shop-1', 1)], { ...base, edge });
    assert.deepEqual(
      document.sites!.map((s) => [s.name, (s.cameras ?? []).length]),
      [
        ['shop-1', 1],
        ['cloud', 0],
      ],
      'the cloud stays a site of the network, without GPUs',
    );
    const problem = resolveProblem(parseProblem('cluster', { ...document, sloMultiplier: 10 }), '/');
    const plan = planFromOutcome(
      problem,
      await planProblem(problem, solver, { deadlineMs: performance.now() + 20_000 }),
    );
    assert.deepEqual(validatePlan(plan, problem), []);
    assert.ok(plan.objective > 0, 'the edge serves what its T4 can');
    const sites = plan.dnns[0]!.pipelines.flatMap((p) => p.partitions.map((part) => part.site));
    assert.deepEqual([...new Set(sites)], ['shop-1']);
  });
});
