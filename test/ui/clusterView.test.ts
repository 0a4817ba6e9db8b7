import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeView, PlanView } from '../../src/server/api.ts';
import { layoutPlan, mergeNode, nodeRunsText, nodeStatusText } from '../../app/ui/src/components/clusterView.ts';
import { msText, percentText, relativeTime } from '../../app/ui/src/components/format.ts';

function node(id: string, fields: Partial<NodeView> = {}): NodeView {
  return {
    id,
    up: true,
    ready: true,
    deviceClass: 'T4',
    site: null,
    endpoint: null,
    planId: null,
    lastSeenMs: 0,
    runs: [],
    ...fields,
  };
}

describe('nodes in words', () => {
  it('says down, loading or ready', () => {
    assert.equal(nodeStatusText({ up: false, ready: true }), 'down');
    assert.equal(nodeStatusText({ up: true, ready: false }), 'up, loading its assignment');
    assert.equal(nodeStatusText({ up: true, ready: true }), 'up, ready');
  });

  it('lists what a node runs, identical instances counted once', () => {
    const runs: NodeView['runs'] = [
      { dnn: 'face', blocks: [0, 3], batchSize: 4, mpsShare: 2 },
      { dnn: 'face', blocks: [0, 3], batchSize: 4, mpsShare: 2 },
      { dnn: 'yolo', blocks: [5, 5], batchSize: 1, mpsShare: 1 },
    ];
    assert.deepEqual(nodeRunsText(runs), ['face blocks 0–3, batch 4, MPS 1/2 ×2', 'yolo block 5, batch 1']);
  });

  it('upserts a node from a node message, sorted by id', () => {
    const merged = mergeNode([node('b'), node('c', { up: true })], node('c', { up: false }));
    assert.deepEqual(
      merged.map((n) => [n.id, n.up]),
      [
        ['b', true],
        ['c', false],
      ],
    );
    assert.deepEqual(
      mergeNode(merged, node('a')).map((n) => n.id),
      ['a', 'b', 'c'],
    );
  });
});

describe('layoutPlan', () => {
  const plan: PlanView = {
    planId: 'p1',
    createdAt: 0,
    reason: 'node joined',
    nodes: ['edge-1', 'cloud-1'],
    algorithm: 'ppipe',
    objective: 1,
    dnns: [
      {
        name: 'face',
        sloMs: 100,
        blockCount: 10,
        throughputRps: 250,
        pipelines: [
          {
            throughputRps: 250,
            batchSize: 4,
            pools: [
              {
                blocks: [0, 3],
                gpuType: 'T4',
                instances: 2,
                mpsShare: 2,
                gpus: 1,
                batchSize: 4,
                throughputRps: 250,
                inferUs: 3200,
                transferUs: 400,
                site: 'edge',
              },
              {
                blocks: [4, 9],
                gpuType: 'A100',
                instances: 1,
                mpsShare: 1,
                gpus: 1,
                batchSize: 4,
                throughputRps: 260.4,
                inferUs: 12_000,
                transferUs: 0,
                site: 'cloud',
              },
            ],
          },
        ],
      },
    ],
  };

  it('draws each pipeline as its pools in order with blocks, GPUs, MPS, batch, throughput and site', () => {
    const [model] = layoutPlan(plan);
    assert.equal(model!.summary, 'SLO 100 ms, 10 blocks, 250 req/s in 1 pipeline');
    const pools = model!.pipelines[0]!.pools;
    assert.deepEqual(
      pools.map((p) => [p.blocks, p.gpuType, p.instances, p.mps, p.batch, p.throughput, p.site]),
      [
        ['blocks 0–3', 'T4', '2 instances of 1/2 GPU = 1 GPU', 'MPS 1/2', 'batch 4', '250 req/s', 'edge'],
        ['blocks 4–9', 'A100', '1 instance of a whole GPU = 1 GPU', 'no MPS sharing', 'batch 4', '260 req/s', 'cloud'],
      ],
    );
    assert.equal(pools[0]!.timing, 'infer 3.2 ms, transfer 0.4 ms');
  });

  it('gives each pool its share of the model blocks for the coverage bar', () => {
    const pools = layoutPlan(plan)[0]!.pipelines[0]!.pools;
    assert.deepEqual(
      pools.map((p) => [p.coverageStartPct, p.coverageWidthPct]),
      [
        [0, 40],
        [40, 60],
      ],
    );
  });
});

describe('format', () => {
  it('writes relative times, shares and durations', () => {
    assert.deepEqual(
      [0, 1500, 12_000, 5 * 60_000, 3 * 3_600_000, 50 * 3_600_000].map((ago) =>
        relativeTime(100_000_000, 100_000_000 - ago),
      ),
      ['just now', 'just now', '12 s ago', '5 min ago', '3 h ago', '2 d ago'],
    );
    assert.equal(relativeTime(0, 5000), 'just now');
    assert.deepEqual([percentText(null), percentText(0.975), percentText(0.99996)], ['—', '97.5%', '100%']);
    assert.deepEqual([msText(undefined), msText(3.25), msText(41.6)], ['—', '3.3 ms', '42 ms']);
  });
});
