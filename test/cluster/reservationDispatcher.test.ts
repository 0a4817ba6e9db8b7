// The frontend's adapter around the pipeline's ReservationScheduler, on a fake clock: dispatch paths map
// to worker instances and endpoints, wake-ups are handed to the frontend in its own time base, measured
// latencies reach the scheduler, and a dead node is planned around.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ReservationDispatcher } from '../../src/cluster/index.ts';
import type { DispatchDecision, PendingRequest, PlacedPlan } from '../../src/cluster/index.ts';
import { ManualClock } from '../../src/pipeline/index.ts';

const node = (id: string, instance: number): { nodeId: string; instance: number; endpoint: string } => ({
  nodeId: id,
  instance,
  endpoint: `ws://${id}:1/`,
});

/** One DNN, one pipeline of two partitions: stage 0 on two instances of node a, stage 1 on nodes b and c. */
function placedPlan(): PlacedPlan {
  return {
    planId: 'p1',
    dnns: [
      {
        name: 'net',
        sloUs: 100_000,
        pipelines: [
          {
            pipeline: 0,
            batchSize: 4,
            throughputRps: 400,
            partitions: [
              { key: 'net/0/0', inferUs: 8_000, transferUs: 4_000, instances: [node('a', 0), node('a', 1)] },
              { key: 'net/0/1', inferUs: 8_000, transferUs: 0, instances: [node('b', 0), node('c', 0)] },
            ],
          },
        ],
      },
    ],
  };
}

const request = (id: number, atUs: number, sloUs = 100_000): PendingRequest => ({
  id: `r${id}`,
  dnn: 'net',
  arrivalUs: atUs,
  deadlineUs: atUs + sloUs,
});

it('maps dispatch paths onto worker instances and schedules the wake-up of a partial batch', () => {
  const clock = new ManualClock(1_000);
  const dispatcher = new ReservationDispatcher({ clock });
  // The frontend's time base differs from the scheduler's clock by an arbitrary offset.
  const offset = 5_000_000;
  dispatcher.setPlacedPlan(placedPlan(), clock.nowUs + offset);

  // A lone request waits for its batch to fill: no dispatch, a wake-up before its deadline.
  let decision = dispatcher.onRequest(request(0, clock.nowUs + offset), clock.nowUs + offset);
  assert.equal(decision.batches.length, 0);
  const wake = dispatcher.nextWakeUs();
  assert.ok(wake !== undefined, 'a wake-up is scheduled');
  // The last moment a batch of 1 still makes it: deadline − (2 ms + 1 ms transfer + 2 ms), linear in bs.
  assert.equal(wake, clock.nowUs + offset + 100_000 - 5_000);

  // Three more arrivals fill the batch of 4: one dispatch over both stages.
  const batches: DispatchDecision['batches'][number][] = [];
  for (let i = 1; i <= 3; i++) {
    clock.nowUs += 100;
    decision = dispatcher.onRequest(request(i, clock.nowUs + offset), clock.nowUs + offset);
    batches.push(...decision.batches);
  }
  assert.equal(batches.length, 1);
  const batch = batches[0]!;
  assert.deepEqual(
    batch.requests.map((r) => r.id),
    ['r0', 'r1', 'r2', 'r3'],
  );
  assert.equal(batch.path.length, 2);
  assert.equal(batch.path[0]!.key, 'net/0/0');
  assert.equal(batch.path[0]!.nodeId, 'a');
  assert.equal(batch.path[0]!.endpoint, 'ws://a:1/');
  assert.equal(batch.path[1]!.key, 'net/0/1');
  assert.ok(['b', 'c'].includes(batch.path[1]!.nodeId));
  assert.equal(batch.path[0]!.plannedStartUs, 0);
  assert.equal(batch.path[1]!.plannedStartUs, 8_000 + 4_000, 'stage 1 starts after stage 0 and the transfer');
  assert.equal(batch.plannedLatencyUs, 20_000);
  assert.equal(dispatcher.nextWakeUs(), undefined, 'nothing queued, no wake-up');

  // The next batch goes to the other, idle instances (a#1 and the other stage-1 node).
  const second: DispatchDecision['batches'][number][] = [];
  for (let i = 4; i < 8; i++)
    second.push(...dispatcher.onRequest(request(i, clock.nowUs + offset), clock.nowUs + offset).batches);
  assert.equal(second.length, 1);
  assert.equal(second[0]!.path[0]!.instance, 1);
  assert.notEqual(second[0]!.path[1]!.nodeId, batch.path[1]!.nodeId);
});

it('fires the wake-up in the frontend time base and sends the partial batch on tick', () => {
  const clock = new ManualClock(0);
  const dispatcher = new ReservationDispatcher({ clock, timeScale: 2 });
  const offset = 777;
  const frontendNow = (): number => clock.nowUs + offset;
  dispatcher.setPlacedPlan(placedPlan(), frontendNow());
  // SLO in the frontend's (scaled) time base is 2 × 100 ms.
  dispatcher.onRequest(request(0, frontendNow(), 200_000), frontendNow());
  const wake = dispatcher.nextWakeUs()!;
  assert.ok(wake > frontendNow());
  // Before the wake-up: nothing. At the wake-up: the partial batch of 1 leaves.
  clock.nowUs = wake - offset - 10_000;
  assert.equal(dispatcher.onTick(frontendNow()).batches.length, 0);
  clock.nowUs = wake - offset;
  const decision = dispatcher.onTick(frontendNow());
  assert.equal(decision.batches.length, 1);
  assert.equal(decision.batches[0]!.requests.length, 1);
  // It finishes on plan (in plan µs) by the deadline: waited (wake − arrival)/2 plus the path.
  const waitedPlanUs = (wake - offset) / 2;
  assert.ok(waitedPlanUs + decision.batches[0]!.plannedLatencyUs <= 100_000 + 1);
});

it('feeds measured inference back and plans around a dead node', () => {
  const clock = new ManualClock(0);
  const dispatcher = new ReservationDispatcher({ clock });
  dispatcher.setPlacedPlan(placedPlan(), 0);
  dispatcher.onFeedback({
    key: 'net/0/1',
    nodeId: 'b',
    instance: 0,
    batchSize: 4,
    inferUs: 16_000,
    queueUs: 0,
    sendUs: 0,
  });
  assert.equal(dispatcher.stats.feedback, 1);
  const down = dispatcher.onNodeDown('b', 0);
  assert.equal(down.batches.length, 0);
  const batches: DispatchDecision['batches'][number][] = [];
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 4; i++)
      batches.push(...dispatcher.onRequest(request(round * 4 + i, clock.nowUs), clock.nowUs).batches);
    clock.nowUs += 30_000;
  }
  assert.equal(batches.length, 3);
  for (const batch of batches) assert.equal(batch.path[1]!.nodeId, 'c', 'the dead node b gets no work');
  // A pool left empty drops the pipeline: requests wait for a new plan and are dropped at their deadline.
  dispatcher.onNodeDown('c', clock.nowUs);
  const at = clock.nowUs;
  assert.equal(dispatcher.onRequest(request(99, at), at).batches.length, 0);
  assert.equal(dispatcher.nextWakeUs(), at + 100_000);
  const expired = dispatcher.onTick(at + 100_000);
  assert.deepEqual(
    expired.dropped.map((d) => d.request.id),
    ['r99'],
  );
});

it("a scheduler rebuilt around a dead node keeps the survivors' in-flight reservations", () => {
  const clock = new ManualClock(0);
  const dispatcher = new ReservationDispatcher({ clock });
  dispatcher.setPlacedPlan(placedPlan(), 0);
  // Two full batches at once: stage 0 on a#0 and a#1 for [0, 8 ms), stage 1 on b and c for [12, 20 ms).
  const first: DispatchDecision['batches'][number][] = [];
  for (let i = 0; i < 8; i++) first.push(...dispatcher.onRequest(request(i, 0), 0).batches);
  assert.equal(first.length, 2);
  assert.deepEqual(first.map((b) => b.path[0]!.instance).sort(), [0, 1]);
  const onC = first.find((b) => b.path[1]!.nodeId === 'c')!;
  clock.nowUs = 1_000;
  dispatcher.onNodeDown('b', 1_000);
  // The next batch cannot start before a's lanes are free (8 ms), nor on c before its batch ends.
  const next: DispatchDecision['batches'][number][] = [];
  for (let i = 8; i < 12; i++) next.push(...dispatcher.onRequest(request(i, 1_000), 1_000).batches);
  assert.equal(next.length, 1);
  const path = next[0]!.path;
  assert.ok(
    path[0]!.plannedStartUs >= 8_000 - 1_000,
    `stage 0 starts ${path[0]!.plannedStartUs} µs from now, while a's lanes are busy for 7 ms more`,
  );
  assert.equal(path[1]!.nodeId, 'c');
  assert.ok(
    path[1]!.plannedStartUs >= onC.path[1]!.plannedStartUs + 8_000 - 1_000,
    'stage 1 on c after the batch it already has',
  );
});

it('plans against SLO − guard (the guard in wall µs, scaled by the time scale)', () => {
  const clock = new ManualClock(0);
  const dispatcher = new ReservationDispatcher({ clock, timeScale: 2, guardUs: 10_000 });
  dispatcher.setPlacedPlan(placedPlan(), 0);
  dispatcher.onRequest(request(0, 0, 200_000), 0);
  // Plan µs: deadline 100 ms − guard 5 ms − path of a batch of 1 (5 ms) = 90 ms, i.e. 180 ms on the wall.
  assert.equal(dispatcher.nextWakeUs(), 180_000);
});

it('hands back the requests a new plan dispatches at once (frames that arrived before any plan)', () => {
  const clock = new ManualClock(0);
  const dispatcher = new ReservationDispatcher({ clock });
  // No plan yet: four requests wait as orphans, enough for a full batch of 4.
  for (let i = 0; i < 4; i++) assert.equal(dispatcher.onRequest(request(i, 0), 0).batches.length, 0);
  clock.nowUs = 1_000;
  const decision = dispatcher.setPlacedPlan(placedPlan(), 1_000);
  assert.deepEqual(
    decision.batches.flatMap((b) => b.requests.map((r) => r.id)),
    ['r0', 'r1', 'r2', 'r3'],
    'the frontend gets the batch to send',
  );
});

it('a wake-up late by less than the guard still dispatches the lone request; later than that, it drops', () => {
  for (const [lateUs, dispatched] of [
    [2_000, true],
    [8_000, false],
  ] as const) {
    const clock = new ManualClock(1_000);
    const dispatcher = new ReservationDispatcher({ clock, guardUs: 5_000 });
    dispatcher.setPlacedPlan(placedPlan(), clock.nowUs);
    dispatcher.onRequest(request(0, clock.nowUs), clock.nowUs);
    clock.nowUs = dispatcher.nextWakeUs()! + lateUs; // the timer overshoots
    const decision = dispatcher.onTick(clock.nowUs);
    assert.equal(decision.batches.length, dispatched ? 1 : 0, `late by ${lateUs} µs`);
    assert.equal(decision.dropped.length, dispatched ? 0 : 1, `late by ${lateUs} µs`);
  }
});
