// The cluster as the UI draws it: a plan message as pipelines of pools (blocks inclusive, SLO in ms, sites kept),
// a message without a plan as one without models, and each node with one run per partition instance it holds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Assignment, PartitionAssignment, PlanMessage } from '../../src/cluster/index.ts';
import { nodeViewOf, nodeViews, planViewOf } from '../../src/server/index.ts';
import type { NodeState, PlanView } from '../../src/server/index.ts';

const partition = {
  mpsShare: 2,
  gpusPerServer: 1,
  inferUs: 4000,
} as const;

const message: PlanMessage = {
  planId: 'plan-1',
  createdAt: 1_700_000_000_000,
  reason: 'node w2 joined',
  nodes: ['w1', 'w2'],
  plan: {
    format: 'ppipe-plan/1',
    algorithm: 'ppipe',
    maxPartitions: 2,
    objective: 30,
    status: 'optimal',
    mipGap: 0,
    cluster: { bandwidthGbps: 10, batchBuildFactor: 1, gpus: [] },
    dnns: [
      {
        name: 'faces',
        weight: 1,
        sloUs: 150_000,
        marginUs: 0,
        estXput: null,
        blockCount: 6,
        transferUsPerSample: [10, 10, 10, 10, 10],
        throughputRps: 30,
        pipelines: [
          {
            throughputRps: 30,
            batchSize: 4,
            estBatchBuildUs: 1000,
            source: 'edge-1',
            partitions: [
              {
                ...partition,
                blocks: [0, 2],
                gpu: 'P4',
                instances: 3,
                gpus: 1.5,
                transferUs: 700,
                throughputRps: 31,
                site: 'edge-1',
              },
              {
                ...partition,
                blocks: [2, 6],
                gpu: 'T4',
                instances: 1,
                gpus: 0.5,
                transferUs: 0,
                throughputRps: 40,
                site: 'cloud',
              },
            ],
          },
        ],
      },
    ],
  },
};

describe('planViewOf', () => {
  it('gives every model its pipelines of pools, blocks counted inclusively', () => {
    const expected: PlanView = {
      planId: 'plan-1',
      createdAt: 1_700_000_000_000,
      reason: 'node w2 joined',
      nodes: ['w1', 'w2'],
      algorithm: 'ppipe',
      objective: 30,
      dnns: [
        {
          name: 'faces',
          sloMs: 150,
          blockCount: 6,
          throughputRps: 30,
          pipelines: [
            {
              throughputRps: 30,
              batchSize: 4,
              source: 'edge-1',
              pools: [
                {
                  blocks: [0, 1],
                  gpuType: 'P4',
                  instances: 3,
                  mpsShare: 2,
                  gpus: 1.5,
                  batchSize: 4,
                  throughputRps: 31,
                  inferUs: 4000,
                  transferUs: 700,
                  site: 'edge-1',
                },
                {
                  blocks: [2, 5],
                  gpuType: 'T4',
                  instances: 1,
                  mpsShare: 2,
                  gpus: 0.5,
                  batchSize: 4,
                  throughputRps: 40,
                  inferUs: 4000,
                  transferUs: 0,
                  site: 'cloud',
                },
              ],
            },
          ],
        },
      ],
    };
    assert.deepEqual(planViewOf(message), expected);
  });

  it('a message without a plan (no node up) has no models, algorithm or objective', () => {
    const view = planViewOf({ ...message, nodes: [], plan: null, reason: 'node w1 left' });
    assert.deepEqual(
      { ...view },
      {
        planId: 'plan-1',
        createdAt: 1_700_000_000_000,
        reason: 'node w1 left',
        nodes: [],
        algorithm: null,
        objective: null,
        dnns: [],
      },
    );
  });
});

function assigned(blocks: [number, number], instances: number[], batchSize = 4): PartitionAssignment {
  return {
    key: `faces/0/${blocks[0]}`,
    dnn: 'faces',
    pipeline: 0,
    partition: blocks[0] === 0 ? 0 : 1,
    partitionCount: 2,
    blocks,
    deviceClass: 'P4',
    mpsShare: 2,
    instances,
    batchSize,
    inferUs: 4000,
    model: null,
    inputs: [],
    link: [],
    linkBytesPerSample: 0,
    profiles: null,
    profileModel: 'faces',
  };
}

describe('nodeViewOf and nodeViews', () => {
  const announced = { deviceClass: 'P4', site: 'edge-1', dataEndpoint: 'ws://10.0.0.2:7000' };
  const w1: NodeState = { announcement: announced, up: true, ready: true, planId: 'plan-1', lastSeenMs: 9_000 };
  const assignment: Assignment = {
    planId: 'plan-1',
    nodeId: 'w1',
    linkDtype: 'float16',
    bandwidthGbps: null,
    partitions: [assigned([0, 2], [0, 2]), assigned([2, 6], [1])],
  };
  // The controller's clock reads 10 000 ms when the epoch reads 1.7e12: w1 was heard 1 s ago.
  const clock = { epochMs: 1_700_000_000_000, monotonicMs: 10_000 };

  it('shows one run per partition instance, the last heartbeat on the epoch clock', () => {
    assert.deepEqual(nodeViewOf('w1', w1, assignment, clock), {
      id: 'w1',
      up: true,
      ready: true,
      deviceClass: 'P4',
      site: 'edge-1',
      endpoint: 'ws://10.0.0.2:7000',
      planId: 'plan-1',
      lastSeenMs: 1_699_999_999_000,
      runs: [
        { dnn: 'faces', blocks: [0, 1], batchSize: 4, mpsShare: 2 },
        { dnn: 'faces', blocks: [0, 1], batchSize: 4, mpsShare: 2 },
        { dnn: 'faces', blocks: [2, 5], batchSize: 4, mpsShare: 2 },
      ],
    });
  });

  it('lists every node by id; one not yet announced or without work runs nothing', () => {
    const w0: NodeState = { announcement: undefined, up: false, ready: false, planId: null, lastSeenMs: 10_000 };
    const cluster = {
      nodes: new Map([
        ['w1', w1],
        ['w0', w0],
      ]),
      assignmentOf: (id: string) => (id === 'w1' ? assignment : undefined),
    };
    const views = nodeViews(cluster, clock);
    assert.deepEqual(
      views.map((v) => [v.id, v.deviceClass, v.runs.length, v.lastSeenMs]),
      [
        ['w0', null, 0, 1_700_000_000_000],
        ['w1', 'P4', 3, 1_699_999_999_000],
      ],
    );
  });
});
