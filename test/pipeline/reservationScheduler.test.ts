import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dispatch, ServingDnn } from '../../src/pipeline/index.ts';
import { buildServingTopology, ManualClock, ReservationScheduler } from '../../src/pipeline/index.ts';
import { simulate } from '../../src/sim/simulator.ts';
import { fixturePlan, overlaps, reservedIntervals } from '../helpers.ts';

// Two stages, planned bs 2, latencies linear in bs: stage 0 100 µs/sample, transfer 50 µs/sample, stage 1 50 µs/sample.
const TWO_STAGE: ServingDnn = {
  name: 'two-stage',
  sloUs: 1000,
  pipelines: [
    {
      batchSize: 2,
      partitions: [
        {
          firstBlock: 0,
          endBlock: 1,
          gpu: 'T4',
          mpsShare: 1,
          instances: 1,
          gpusPerServer: 1,
          inferUs: 200,
          transferUsPerSample: 50,
        },
        {
          firstBlock: 1,
          endBlock: 2,
          gpu: 'L4',
          mpsShare: 1,
          instances: 1,
          gpusPerServer: 1,
          inferUs: 100,
          transferUsPerSample: 0,
        },
      ],
    },
  ],
};

test('waits until the last moment, then sends a partial batch that meets its deadline (reference §F.2)', () => {
  const clock = new ManualClock(0);
  const scheduler = new ReservationScheduler(buildServingTopology(TWO_STAGE), clock);
  let d = scheduler.arrive(0, 0);
  assert.equal(d.dispatches.length, 0);
  // bs 1 takes 100 + 50 + 50 = 200 µs, so it can start as late as 1000 − 200.
  assert.equal(d.wakeAtUs, 800);
  clock.nowUs = 800;
  d = scheduler.wake();
  assert.equal(d.dispatches.length, 1);
  assert.deepEqual(d.dispatches[0]!.requestIds, [0]);
  assert.deepEqual(
    d.dispatches[0]!.hops.map((h) => [h.inferStartUs, h.inferEndUs, h.transferStartUs, h.transferEndUs]),
    [
      [800, 900, 800, 800],
      [950, 1000, 900, 950],
    ],
  );
  clock.nowUs = 850;
  scheduler.arrive(1, 850);
  d = scheduler.arrive(2, 850);
  // A full batch of 2 queues behind the first on stage 0: [900, 1100), transfer [1100, 1200), stage 1 [1200, 1300).
  assert.equal(d.dispatches.length, 1);
  const full = d.dispatches[0]!;
  assert.equal(full.batchSize, 2);
  assert.deepEqual(
    full.hops.map((h) => [h.inferStartUs, h.inferEndUs]),
    [
      [900, 1100],
      [1200, 1300],
    ],
  );
  assert.equal(d.wakeAtUs, undefined);
});

// One stage, planned bs 4, 100 µs per sample.
const ONE_STAGE_BS4: ServingDnn = {
  name: 'one-stage',
  sloUs: 1000,
  pipelines: [
    {
      batchSize: 4,
      partitions: [
        {
          firstBlock: 0,
          endBlock: 1,
          gpu: 'T4',
          mpsShare: 1,
          instances: 1,
          gpusPerServer: 1,
          inferUs: 400,
          transferUsPerSample: 0,
        },
      ],
    },
  ],
};

test("waitForBatch 'slot': a lone request on an idle pool goes at once, later ones wait for its slot only", () => {
  const clock = new ManualClock(0);
  const scheduler = new ReservationScheduler(buildServingTopology(ONE_STAGE_BS4), clock, { waitForBatch: 'slot' });
  let d = scheduler.arrive(0, 0);
  assert.deepEqual(
    d.dispatches.map((x) => [x.requestIds, x.hops[0]!.inferStartUs, x.hops[0]!.inferEndUs]),
    [[[0], 0, 100]],
  );
  assert.equal(d.wakeAtUs, undefined);
  clock.nowUs = 10;
  assert.equal(scheduler.arrive(1, 10).dispatches.length, 0);
  clock.nowUs = 20;
  d = scheduler.arrive(2, 20);
  // The pool is reserved until 100: the two wait for that slot, well before their last moment (1010 − 200 for bs 2).
  assert.deepEqual([d.dispatches.length, d.wakeAtUs], [0, 100]);
  clock.nowUs = 100;
  d = scheduler.wake();
  assert.deepEqual(
    d.dispatches.map((x) => [x.batchSize, x.requestIds, x.hops[0]!.inferStartUs, x.hops[0]!.inferEndUs]),
    [[2, [1, 2], 100, 300]],
  );
  // Four that queue behind that batch fill the planned batch and go at once, reserved after it.
  clock.nowUs = 150;
  for (const id of [3, 4, 5]) assert.equal(scheduler.arrive(id, 150).dispatches.length, 0);
  d = scheduler.arrive(6, 150);
  assert.deepEqual(
    d.dispatches.map((x) => [x.batchSize, x.requestIds, x.hops[0]!.inferStartUs]),
    [[4, [3, 4, 5, 6], 300]],
  );
});

test('drops a head that cannot make its deadline and keeps the rest (drop accounting)', () => {
  const clock = new ManualClock(5000);
  const scheduler = new ReservationScheduler(buildServingTopology(TWO_STAGE), clock);
  const d = scheduler.arrive(7, 4100); // deadline 5100 < now + 200
  assert.deepEqual(d.drops, [7]);
  assert.equal(scheduler.pending, 0);
  assert.equal(scheduler.stats.drops, 1);
});

test('feedback correction changes future reservations', () => {
  const clock = new ManualClock(0);
  const scheduler = new ReservationScheduler(buildServingTopology(TWO_STAGE), clock, { feedbackAlpha: 1 });
  scheduler.reportMeasured({ pipeline: 0, stage: 1, kind: 'infer', batchSize: 2, measuredUs: 150 });
  scheduler.arrive(0, 0);
  const d = scheduler.arrive(1, 0);
  const last = d.dispatches[0]!.hops[1]!;
  assert.equal(last.inferEndUs - last.inferStartUs, 150);
});

for (const [file, index] of [
  ['g2-L4-T4.plan.json', 0],
  ['g2-L4-T4.plan.json', 1],
  ['effnet-100gpu.plan.json', 0],
] as const) {
  test(`invariant: exact execution never misses a deadline, reservations never overlap (${file} dnn ${index})`, () => {
    const dnn = fixturePlan(file).dnns[index]!;
    const dispatches: Dispatch[] = [];
    let lateDispatches = 0;
    const executed = new Map<number, Array<[number, number]>>();
    const result = simulate(dnn, {
      rateRps: Math.floor((dnn.xputRps ?? 0) * 1.05),
      durationUs: 2_000_000,
      seed: 3,
      onDispatch: (dispatch, _now, arrivalOf) => {
        dispatches.push(dispatch);
        const finish = dispatch.hops[dispatch.hops.length - 1]!.inferEndUs;
        for (const id of dispatch.requestIds) if (finish > arrivalOf(id) + Math.round(dnn.sloUs)) lateDispatches++;
      },
      onExecute: (instance, s, e) => executed.set(instance, [...(executed.get(instance) ?? []), [s, e]]),
    });
    assert.equal(lateDispatches, 0);
    assert.equal(result.late, 0);
    assert.ok(result.served > 0);
    assert.equal(result.served + result.dropped + result.late, result.requests);
    const topology = buildServingTopology(dnn);
    const problems: string[] = [];
    for (const [key, list] of reservedIntervals(topology, dispatches)) problems.push(...overlaps(list, key));
    for (const [instance, list] of executed) problems.push(...overlaps(list, `worker ${instance}`));
    assert.deepEqual(problems, []);
  });
}

test('a smaller batch backfills a gap before a later reservation (interval lists, reference §I.2)', () => {
  // Stage 0: two instances, 100 µs/sample; stage 1: one instance, 10 µs/sample; no NIC time.
  const dnn: ServingDnn = {
    name: 'backfill',
    sloUs: 1000,
    pipelines: [
      {
        batchSize: 2,
        partitions: [
          {
            firstBlock: 0,
            endBlock: 1,
            gpu: 'T4',
            mpsShare: 1,
            instances: 2,
            gpusPerServer: 2,
            inferUs: 200,
            transferUsPerSample: 0,
          },
          {
            firstBlock: 1,
            endBlock: 2,
            gpu: 'L4',
            mpsShare: 1,
            instances: 1,
            gpusPerServer: 1,
            inferUs: 20,
            transferUsPerSample: 0,
          },
        ],
      },
    ],
  };
  const clock = new ManualClock(0);
  const scheduler = new ReservationScheduler(buildServingTopology(dnn), clock);
  scheduler.arrive(0, 0);
  const first = scheduler.arrive(1, 0).dispatches[0]!;
  assert.deepEqual(
    first.hops.map((h) => [h.inferStartUs, h.inferEndUs]),
    [
      [0, 200],
      [200, 220],
    ],
  );
  // A request that reaches the scheduler late (deadline 121) fits only as a batch of one, whose stage-1
  // slot [101, 111) lies in the free time before [200, 220); a busy-until table would put it at 220.
  clock.nowUs = 1;
  const d = scheduler.arrive(2, -879);
  assert.equal(d.dispatches.length, 1);
  assert.deepEqual(
    d.dispatches[0]!.hops.map((h) => [h.instance, h.inferStartUs, h.inferEndUs]),
    [
      [1, 1, 101],
      [2, 101, 111],
    ],
  );
  assert.equal(scheduler.stats.backfills, 1);
  assert.deepEqual(scheduler.reservations().gpus[2], [
    [101, 111],
    [200, 220],
  ]);
});

test('admission: the paper shrinks the batch for a late head, the artifact drops it (reference §F.2 vs §F.3)', () => {
  // Deadline 300: a batch of 2 needs 400 µs, a batch of 1 needs 200 µs.
  const shrink = new ReservationScheduler(buildServingTopology(TWO_STAGE), new ManualClock(0));
  const served = shrink.arrive(0, -700);
  assert.equal(served.dispatches[0]?.batchSize, 1);
  const artifact = new ReservationScheduler(buildServingTopology(TWO_STAGE), new ManualClock(0), {
    admission: 'artifact',
  });
  assert.deepEqual(artifact.arrive(0, -700).drops, [0]);
});
