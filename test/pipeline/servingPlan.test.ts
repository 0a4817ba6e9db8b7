import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildServingTopology,
  dnnThroughputRps,
  loadServingPlan,
  parseServingPlan,
  pipelineCapacityRps,
  servingPlanFromArtifact,
} from '../../src/pipeline/index.ts';
import { readPlanData } from '../../src/planner/index.ts';
import { FIXTURES, fixturePlan } from '../helpers.ts';

test('servingPlanFromArtifact normalizes the §E example (colorization on L4-T4)', () => {
  const plan = fixturePlan('g2-L4-T4.plan.json');
  assert.equal(plan.bandwidthGbps, 10);
  assert.equal(plan.dnns.length, 3);
  const dnn = plan.dnns[0]!;
  assert.equal(dnn.name, 'colorization-v2');
  assert.equal(dnn.sloUs, 71752.36);
  const [first, second] = dnn.pipelines[0]!.partitions;
  assert.deepEqual(
    { ...first },
    {
      firstBlock: 0,
      endBlock: 8,
      gpu: 'L4',
      mpsShare: 2,
      instances: 28,
      gpusPerServer: 4,
      inferUs: 24802,
      transferUsPerSample: 3355.44,
    },
  );
  assert.equal(second!.instances, 22);
  assert.equal(second!.transferUsPerSample, 0);
  assert.equal(dnnThroughputRps(dnn), 1043.081283569336);
  assert.equal(plan.dnns[1]!.pipelines[0]!.batchSize, 2);
});

test('a bandwidth override scales transfer times inversely', () => {
  const raw = JSON.parse(
    JSON.stringify([
      {
        sla: 1000,
        config: { dnn_name: 'x', bw_gbps: 10, transmit_time_us_arr: [100] },
        pipelines: [
          {
            partitions: [
              {
                layers: [0, 1],
                gpu: 'T4',
                mps: 0,
                bs: 1,
                num_gpu: 1,
                num_gpu_per_server: 1,
                lat_infer: 200,
                lat_trans: 100,
              },
              {
                layers: [1, 2],
                gpu: 'L4',
                mps: 1,
                bs: 1,
                num_gpu: 0.5,
                num_gpu_per_server: 1,
                lat_infer: 100,
                lat_trans: 0,
              },
            ],
          },
        ],
      },
    ]),
  ) as unknown;
  const plan = servingPlanFromArtifact(raw, { bandwidthGbps: 5 });
  assert.equal(plan.dnns[0]!.pipelines[0]!.partitions[0]!.transferUsPerSample, 200);
  assert.equal(plan.dnns[0]!.pipelines[0]!.partitions[1]!.instances, 1, 'num_gpu 0.5 at mps 1 is one instance');
  // No xput in the plan: capacity = min over partitions of instances × 1e6·bs / inferUs.
  assert.equal(pipelineCapacityRps(plan.dnns[0]!.pipelines[0]!), 5000);
  assert.equal(dnnThroughputRps(plan.dnns[0]!), 5000);
});

test('bad plans are rejected with the field named', () => {
  assert.throws(() => servingPlanFromArtifact({ not: 'an array' }), /expected the artifact's plan format/);
  assert.throws(
    () =>
      parseServingPlan('p.json', {
        bandwidthGbps: 10,
        dnns: [
          {
            name: 'x',
            sloUs: 10,
            pipelines: [
              {
                batchSize: 1,
                partitions: [
                  {
                    firstBlock: 0,
                    endBlock: 2,
                    gpu: 'L4',
                    mpsShare: 1,
                    instances: 1,
                    gpusPerServer: 1,
                    inferUs: 5,
                    transferUsPerSample: 1,
                  },
                  {
                    firstBlock: 3,
                    endBlock: 4,
                    gpu: 'L4',
                    mpsShare: 1,
                    instances: 1,
                    gpusPerServer: 1,
                    inferUs: 5,
                    transferUsPerSample: 0,
                  },
                ],
              },
            ],
          },
        ],
      }),
    /partitions\[0\].*start at block 2/,
  );
});

test('topology groups instances into servers as the artifact does (reference §F.3)', () => {
  const topology = buildServingTopology(fixturePlan('g2-L4-T4.plan.json').dnns[0]!);
  const [first, second] = topology.pipelines[0]!.stages;
  // 28 L4 vGPUs at v=2 share a NIC per 4 GPUs × 2 = 8 instances: 4 servers; 22 T4 instances, 2 GPUs per server: 11.
  const firstServers = new Set([...first!.instances].map((i) => topology.instanceServer[i]));
  const secondServers = new Set([...second!.instances].map((i) => topology.instanceServer[i]));
  assert.equal(firstServers.size, 4);
  assert.equal(secondServers.size, 11);
  assert.equal(topology.serverCount, 15);
  assert.equal(first!.transferUsPerSample, 3355);
  assert.deepEqual(first!.inferUsByBs, [24802]);
});

test('our plan format (ppipe-plan/1) loads to the same serving plan as the artifact original', () => {
  const file = path.join(FIXTURES, 'g2-L4-T4.plan.json');
  const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const ours = readPlanData(file, raw); // the planner's importer: artifact → ppipe-plan/1
  assert.equal(ours.format, 'ppipe-plan/1');
  assert.deepEqual(loadServingPlan(ours, 'ours'), loadServingPlan(raw, file));
  assert.throws(() => loadServingPlan({ format: 'ppipe-plan/9' }, 'x.json'), /format/);
});
