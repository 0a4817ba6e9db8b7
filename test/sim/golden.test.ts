// Fixed-seed golden runs: the simulator's outputs (metrics, every dispatch with its requests and reserved
// hops, every executed inference) must stay bit-identical across performance work. The expected values
// were recorded from the code before the event-loop optimisations (commit b7b2f0f).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServingDnn } from '../../src/pipeline/index.ts';
import { dnnThroughputRps } from '../../src/pipeline/index.ts';
import type { SimOptions } from '../../src/sim/simulator.ts';
import { simulate } from '../../src/sim/simulator.ts';
import { fixturePlan } from '../helpers.ts';

/** FNV-1a over 32-bit words of a stream of numbers (integers and µs times, which are integers here). */
class Fingerprint {
  private h = 0x811c9dc5;
  add(x: number): void {
    // Doubles may exceed 32 bits: hash the low and high parts.
    const lo = (x % 4294967296) >>> 0;
    const hi = Math.floor(x / 4294967296) >>> 0;
    this.h = Math.imul(this.h ^ lo, 0x01000193) >>> 0;
    this.h = Math.imul(this.h ^ hi, 0x01000193) >>> 0;
  }
  get value(): string {
    return this.h.toString(16).padStart(8, '0');
  }
}

function golden(dnn: ServingDnn, options: SimOptions): Record<string, unknown> {
  const dispatches = new Fingerprint();
  const executions = new Fingerprint();
  let dispatched = 0;
  const r = simulate(dnn, {
    ...options,
    onDispatch: (d, nowUs, arrivalUs) => {
      dispatched++;
      dispatches.add(nowUs);
      dispatches.add(d.pipeline);
      dispatches.add(d.batchSize);
      for (const id of d.requestIds) {
        dispatches.add(id);
        dispatches.add(arrivalUs(id));
      }
      for (const h of d.hops) {
        dispatches.add(h.stage);
        dispatches.add(h.instance);
        dispatches.add(h.transferStartUs);
        dispatches.add(h.transferEndUs);
        dispatches.add(h.inferStartUs);
        dispatches.add(h.inferEndUs);
      }
    },
    onExecute: (instance, s, e) => {
      executions.add(instance);
      executions.add(s);
      executions.add(e);
    },
  });
  // The same run without observers must report the same metrics (observers take no other path).
  const plain = simulate(dnn, options);
  const { wallS: _w, eventsPerSecond: _e, schedulerUsPerDecision: _s, ...metrics } = r;
  const { wallS: _w2, eventsPerSecond: _e2, schedulerUsPerDecision: _s2, ...plainMetrics } = plain;
  assert.deepEqual(plainMetrics, metrics);
  return {
    requests: r.requests,
    served: r.served,
    dropped: r.dropped,
    late: r.late,
    attainment: r.attainment,
    latencyUs: r.latencyUs,
    utilization: r.utilization,
    batches: r.batches,
    backfills: r.backfills,
    probesPerBatch: r.probesPerBatch,
    events: r.events,
    dispatched,
    dispatches: dispatches.value,
    executions: executions.value,
  };
}

const effnet = fixturePlan('effnet-100gpu.plan.json').dnns[0]!;
const g2 = fixturePlan('g2-L4-T4.plan.json').dnns;

const CASES: Array<{ name: string; dnn: ServingDnn; options: SimOptions; expected: Record<string, unknown> }> = [
  {
    name: 'effnet-100gpu at its throughput (Poisson, the bench:sim headline plan)',
    dnn: effnet,
    options: { rateRps: Math.floor(dnnThroughputRps(effnet)), durationUs: 5_000_000, seed: 1 },
    expected: {
      requests: 9962,
      served: 9821,
      dropped: 141,
      late: 0,
      attainment: 0.9858462156193536,
      latencyUs: { p50: 145543, p99: 165464 },
      utilization: { L4: 1, T4: 0.9950482432841807 },
      batches: 9826,
      backfills: 0,
      probesPerBatch: 2.028699369020965,
      events: 37261,
      dispatched: 9826,
      dispatches: 'fdde0deb',
      executions: 'ee484c0f',
    },
  },
  {
    name: 'G2 colorization overloaded, NIC-bound (Poisson)',
    dnn: g2[0]!,
    options: { rateRps: 1400, durationUs: 2_000_000, seed: 2 },
    expected: {
      requests: 2848,
      served: 2139,
      dropped: 709,
      late: 0,
      attainment: 0.7510533707865169,
      latencyUs: { p50: 70477, p99: 71736 },
      utilization: { L4: 0.9496568986617854, T4: 0.5940446383562187 },
      batches: 2143,
      backfills: 0,
      probesPerBatch: 1.3308446103593095,
      events: 9281,
      dispatched: 2143,
      dispatches: '30a1cd36',
      executions: '6b35775b',
    },
  },
  {
    name: 'G2 googlenet, bursty Gamma arrivals, artifact admission',
    dnn: g2[1]!,
    options: {
      rateRps: 1100,
      durationUs: 2_000_000,
      seed: 9,
      arrivals: { kind: 'gamma', cv: 2 },
      admission: 'artifact',
    },
    expected: {
      requests: 2101,
      served: 1971,
      dropped: 130,
      late: 0,
      attainment: 0.9381247025226083,
      latencyUs: { p50: 13562, p99: 23240 },
      utilization: { L4: 0.8565594522598684 },
      batches: 988,
      backfills: 0,
      probesPerBatch: 3.146761133603239,
      events: 4088,
      dispatched: 988,
      dispatches: 'a494992a',
      executions: '06f4add9',
    },
  },
  {
    name: 'G2 repvgg at 1.1 × its throughput',
    dnn: g2[2]!,
    options: { rateRps: Math.floor(dnnThroughputRps(g2[2]!) * 1.1), durationUs: 2_000_000, seed: 5 },
    expected: {
      requests: 2900,
      served: 2766,
      dropped: 134,
      late: 0,
      attainment: 0.9537931034482758,
      latencyUs: { p50: 42984, p99: 47440 },
      utilization: { T4: 0.6067940179837694, L4: 0.992749103266755 },
      batches: 2770,
      backfills: 0,
      probesPerBatch: 1.048375451263538,
      events: 11214,
      dispatched: 2770,
      dispatches: '9cc8cb7c',
      executions: '72a43bbe',
    },
  },
  {
    name: 'G2 colorization, reactive baseline (FIFO workers and NICs)',
    dnn: g2[0]!,
    options: { rateRps: 1300, durationUs: 2_000_000, seed: 4, scheduler: 'reactive' },
    expected: {
      requests: 2614,
      served: 279,
      dropped: 2335,
      late: 0,
      attainment: 0.10673297628156082,
      latencyUs: { p50: 67115, p99: 71715 },
      utilization: { L4: 1, T4: 0.0775921253040533 },
      batches: 2572,
      backfills: 0,
      probesPerBatch: 1.9078538102643856,
      events: 7479,
      dispatched: 2572,
      dispatches: '5e178751',
      executions: '401c33cc',
    },
  },
];

for (const c of CASES) {
  test(`golden run: ${c.name}`, () => {
    assert.deepEqual(golden(c.dnn, c.options), c.expected);
  });
}
