import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulate } from '../../src/sim/simulator.ts';
import { fixturePlan, overlaps } from '../helpers.ts';

const stable = (r: ReturnType<typeof simulate>): unknown => {
  const { wallS: _w, eventsPerSecond: _e, schedulerUsPerDecision: _s, ...rest } = r;
  return rest;
};

test('the same seed gives identical metrics; another seed differs', () => {
  const dnn = fixturePlan('g2-L4-T4.plan.json').dnns[1]!;
  const options = { rateRps: 1100, durationUs: 2_000_000, arrivals: { kind: 'gamma', cv: 2 } as const };
  const a = simulate(dnn, { ...options, seed: 9 });
  const b = simulate(dnn, { ...options, seed: 9 });
  const c = simulate(dnn, { ...options, seed: 10 });
  assert.deepEqual(stable(a), stable(b));
  assert.notDeepEqual(stable(a), stable(c));
});

test('every request is served, late or dropped; none is lost (both schedulers)', () => {
  const dnn = fixturePlan('g2-L4-T4.plan.json').dnns[0]!;
  for (const scheduler of ['reservation', 'reactive'] as const) {
    const r = simulate(dnn, { rateRps: 1400, durationUs: 2_000_000, seed: 2, scheduler });
    assert.ok(r.dropped > 0, `${scheduler} overloaded drops`);
    assert.equal(r.served + r.late + r.dropped, r.requests);
    assert.ok(r.attainment > 0 && r.attainment <= 1);
  }
});

test('reactive baseline runs and is no better than reservation on a NIC-bound plan (§F.4, §H ablation)', () => {
  // Colorization's first stage is capped by its servers' uplinks (reference §E check of the numbers).
  const dnn = fixturePlan('g2-L4-T4.plan.json').dnns[0]!;
  const executed = new Map<number, Array<[number, number]>>();
  const options = { rateRps: Math.floor(dnn.xputRps! * 0.95), durationUs: 4_000_000, seed: 4 };
  const reservation = simulate(dnn, { ...options, scheduler: 'reservation' });
  const reactive = simulate(dnn, {
    ...options,
    scheduler: 'reactive',
    onExecute: (instance, s, e) => executed.set(instance, [...(executed.get(instance) ?? []), [s, e]]),
  });
  assert.ok(reactive.batches > 0);
  assert.ok(reservation.attainment >= 0.99, `reservation ${reservation.attainment}`);
  assert.ok(
    reactive.attainment < reservation.attainment,
    `reactive ${reactive.attainment} vs ${reservation.attainment}`,
  );
  const problems = [...executed].flatMap(([instance, list]) => overlaps(list, `worker ${instance}`));
  assert.deepEqual(problems, []);
});

test('utilization counts busy vGPU time per physical GPU; the cluster variant divides by the cluster count', () => {
  const dnn = fixturePlan('g2-L4-T4.plan.json').dnns[1]!; // 5 L4, one pool
  const r = simulate(dnn, { rateRps: 500, durationUs: 2_000_000, seed: 1, clusterGpus: { L4: 25, T4: 75 } });
  const l4 = r.utilization.L4!;
  assert.ok(l4 > 0.3 && l4 < 0.9, `L4 ${l4}`);
  assert.ok(Math.abs(r.clusterUtilization!.L4! - (l4 * 5) / 25) < 1e-9);
  assert.ok(r.probesPerBatch >= 1);
});

test('trace arrivals drive a simulation at the folded rate', () => {
  const dnn = fixturePlan('g2-L4-T4.plan.json').dnns[2]!;
  const arrivalsS = Array.from({ length: 2001 }, (_, i) => 100 + i * 0.01 + (i % 7) * 0.003); // ~100 req/s, uneven
  const r = simulate(dnn, {
    rateRps: 800,
    durationUs: 2_000_000,
    arrivals: { kind: 'trace', file: 'synthetic', arrivalsS },
  });
  assert.ok(Math.abs(r.requests / 2 - 800) / 800 < 0.05, `${r.requests} requests in 2 s`);
  assert.equal(r.served + r.late + r.dropped, r.requests);
});
