// One scheduler, two clocks (DESIGN.md): the same invariants hold when the scheduler runs on the wall clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Clock, Dispatch } from '../../src/pipeline/index.ts';
import { buildServingTopology, ManualClock, ReservationScheduler, WallClock } from '../../src/pipeline/index.ts';
import { fixturePlan, overlaps, reservedIntervals } from '../helpers.ts';

for (const [name, makeClock] of [
  ['virtual', () => new ManualClock(0)],
  ['wall', () => new WallClock()],
] as const) {
  test(`reservations meet deadlines and never overlap on the ${name} clock`, () => {
    const dnn = fixturePlan('effnet-100gpu.plan.json').dnns[0]!;
    const topology = buildServingTopology(dnn);
    const clock: Clock = makeClock();
    const scheduler = new ReservationScheduler(topology, clock);
    const dispatches: Dispatch[] = [];
    const arrivals = new Map<number, number>();
    let dropped = 0;
    for (let id = 0; id < 3000; id++) {
      if (clock instanceof ManualClock) clock.nowUs += 400;
      const arrivalUs = clock.now();
      arrivals.set(id, arrivalUs);
      const d = scheduler.arrive(id, arrivalUs);
      dispatches.push(...d.dispatches);
      dropped += d.drops.length;
    }
    let served = 0;
    for (const d of dispatches) {
      const finish = d.hops[d.hops.length - 1]!.inferEndUs;
      for (const id of d.requestIds) {
        served++;
        assert.ok(finish <= arrivals.get(id)! + topology.sloUs, `request ${id} planned to finish late`);
        assert.ok(d.hops[0]!.inferStartUs >= arrivals.get(id)!, 'no work before the request arrived');
      }
    }
    assert.equal(served + dropped + scheduler.pending, 3000);
    const problems = [...reservedIntervals(topology, dispatches)].flatMap(([key, list]) => overlaps(list, key));
    assert.deepEqual(problems, []);
  });
}
