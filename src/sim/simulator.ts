/**
 * Discrete-event simulation of one DNN on its own pipelines (reference §G), driving the same scheduler
 * the appliance runs, on a virtual clock. Time is integer µs; a seed fixes every random draw. Workers run
 * reserved batches exactly at their reserved times, or FIFO per instance with FIFO transfers per server
 * uplink under the reactive baseline.
 */
import type { Decisions, Dispatch, Hop, ReservationOptions, ServingDnn, ServingScheduler, ServingTopology } from '../pipeline/index.ts';
import { buildServingTopology, ManualClock, ReactiveScheduler, ReservationScheduler } from '../pipeline/index.ts';
import type { ModelProfile } from '../planner/index.ts';
import { percentileOfSorted } from '../planner/index.ts';
import type { ArrivalSpec } from './arrivals.ts';
import { arrivalProcess } from './arrivals.ts';
import { EventQueue } from './eventQueue.ts';
import { Prng } from './prng.ts';

export type SchedulerKind = 'reservation' | 'reactive';

export interface SimOptions {
  readonly rateRps: number;
  readonly durationUs?: number;
  readonly seed?: number;
  readonly arrivals?: ArrivalSpec;
  readonly scheduler?: SchedulerKind;
  /** Admission rule of the reservation scheduler (see ReservationOptions.admission). */
  readonly admission?: 'shrink' | 'artifact';
  readonly profile?: ModelProfile;
  /** Arrivals before this are warm-up and not counted (the artifact's 1000 µs). */
  readonly warmupUs?: number;
  /** GPUs of each type in the whole cluster, for the Fig. 8 utilization that counts unused GPUs as idle. */
  readonly clusterGpus?: Readonly<Record<string, number>>;
  /** Observers for tests: every dispatch, and every executed inference [start, end) per instance. */
  readonly onDispatch?: (dispatch: Dispatch, nowUs: number, arrivalUs: (requestId: number) => number) => void;
  readonly onExecute?: (instance: number, startUs: number, endUs: number) => void;
}

export interface Percentiles {
  median: number;
  p99: number;
  mean: number;
}

export interface SimResult {
  dnn: string;
  scheduler: SchedulerKind;
  rateRps: number;
  durationS: number;
  seed: number;
  requests: number;
  served: number;
  dropped: number;
  late: number;
  attainment: number;
  latencyUs: { p50: number; p99: number };
  /** Busy share per GPU type over the instances in the plan (reference §G). */
  utilization: Record<string, number>;
  /** Same, divided by the cluster's GPUs of the type (Fig. 8), when clusterGpus is given. */
  clusterUtilization?: Record<string, number>;
  /** Edge-to-cloud: per WAN link direction, the reserved busy share and the traffic it carried (Mbit/s). */
  wan?: Array<{ from: string; to: string; busyShare: number; mbps: number }>;
  batches: number;
  /** Reservations placed into a gap before an existing one (interval lists at work). */
  backfills: number;
  probesPerBatch: number;
  schedulerUsPerDecision: Percentiles;
  events: number;
  eventsPerSecond: number;
  wallS: number;
  warnings: string[];
}

const ARRIVAL = 0;
const WAKE = 1;
const INFER_DONE = 2;
const TRANSFER_DONE = 3;

// Status 0: pending (never served nor dropped; a lost request fails the run).
const DONE = 1;
const DROPPED = 2;

/** Growable FIFO of integers (batch ids) for worker and NIC queues under the reactive baseline. */
class IntFifo {
  private items: number[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(x: number): void {
    this.items.push(x);
  }
  shift(): number {
    const x = this.items[this.head++]!;
    if (this.head > 256 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }
}

export function createScheduler(kind: SchedulerKind, topology: ServingTopology, clock: ManualClock, options: ReservationOptions = {}): ServingScheduler {
  if (kind === 'reactive' && (topology.links.length > 0 || topology.pipelines.some((p) => p.ingressDelayUs > 0 || p.returnUs > 0))) {
    throw new Error(`${topology.dnn}: the reactive baseline does not model WAN links, decoding or result return; use the reservation scheduler`);
  }
  return kind === 'reservation' ? new ReservationScheduler(topology, clock, options) : new ReactiveScheduler(topology, clock);
}

export function percentiles(samples: Float64Array | number[], count = samples.length): Percentiles {
  if (count === 0) return { median: 0, p99: 0, mean: 0 };
  // A typed array copies itself with slice (Float64Array.from walks an iterator, element by element).
  const sorted = (samples instanceof Float64Array ? samples.slice(0, count) : Float64Array.from(samples.slice(0, count))).sort();
  let sum = 0;
  for (let i = 0; i < count; i++) sum += sorted[i]!;
  const at = (q: number): number => percentileOfSorted(sorted, q, 'nearest-rank')!;
  return { median: at(0.5), p99: at(0.99), mean: sum / count };
}

export function simulate(dnn: ServingDnn, options: SimOptions): SimResult {
  const durationUs = options.durationUs ?? 30_000_000;
  const seed = options.seed ?? 1;
  const warmupUs = options.warmupUs ?? 1000;
  const kind = options.scheduler ?? 'reservation';
  const topology = buildServingTopology(dnn, options.profile ? { profile: options.profile } : {});
  const clock = new ManualClock(0);
  const scheduler = createScheduler(kind, topology, clock, options.admission ? { admission: options.admission } : {});
  const prng = new Prng(seed);
  const arrivals = arrivalProcess(options.arrivals ?? { kind: 'poisson' }, options.rateRps, prng);
  const events = new EventQueue();
  const sloUs = topology.sloUs;
  const fifo = scheduler.execution === 'fifo';

  // Per request.
  let arrivalUs = new Float64Array(1 << 16);
  let status = new Int8Array(1 << 16);
  let completionUs = new Float64Array(1 << 16);
  let requestCount = 0;
  // Per batch in flight, by slot: a slot is freed when the batch's last stage ends and reused by the next
  // dispatch, so the table stays as small as the number of batches in flight (no ever-growing array).
  const batches: Dispatch[] = [];
  let freeSlots = new Int32Array(64);
  let freeCount = 0;
  const onDispatch = options.onDispatch;
  const onExecute = options.onExecute;
  // Per instance / server.
  const busyUs = new Float64Array(topology.instanceCount);
  const linkBusyUs = new Float64Array(topology.links.length);
  const returnUsOf = Float64Array.from(topology.pipelines, (pipeline) => pipeline.returnUs);
  const hasLinks = topology.links.length > 0;
  const workerQueues = fifo ? Array.from({ length: topology.instanceCount }, () => new IntFifo()) : [];
  const workerBusy = new Uint8Array(topology.instanceCount);
  const nicQueues = fifo ? Array.from({ length: topology.serverCount }, () => new IntFifo()) : [];
  const nicBusy = new Uint8Array(topology.serverCount);

  let decisionSamples = new Float64Array(1 << 16);
  let decisionCount = 0;
  let pendingWakeUs = -1;
  let wakeToken = 0;
  let eventCount = 0;

  const arrivalOf = (id: number): number => arrivalUs[id]!;
  const allocSlot = (dispatch: Dispatch): number => {
    if (freeCount > 0) {
      const slot = freeSlots[--freeCount]!;
      batches[slot] = dispatch;
      return slot;
    }
    batches.push(dispatch);
    return batches.length - 1;
  };
  const freeSlot = (slot: number): void => {
    if (freeCount === freeSlots.length) {
      const grown = new Int32Array(freeSlots.length * 2);
      grown.set(freeSlots);
      freeSlots = grown;
    }
    freeSlots[freeCount++] = slot;
  };
  const lastStageOf = Int32Array.from(topology.pipelines, (pipeline) => pipeline.stages.length - 1);
  const lastStage = (batch: Dispatch): number => lastStageOf[batch.pipeline]!;

  const startInference = (batchId: number, nowUs: number): void => {
    const batch = batches[batchId]!;
    const hop = batch.hops[batch.hops.length - 1]!;
    const stage = topology.pipelines[batch.pipeline]!.stages[hop.stage]!;
    const endUs = nowUs + stage.inferUsByBs[batch.batchSize - 1]!;
    workerBusy[hop.instance] = 1;
    busyUs[hop.instance]! += endUs - nowUs;
    onExecute?.(hop.instance, nowUs, endUs);
    events.push(endUs, INFER_DONE, batchId, hop.stage);
  };

  const startTransfer = (batchId: number, nowUs: number): void => {
    const batch = batches[batchId]!;
    const hop = batch.hops[batch.hops.length - 1]!;
    const stage = topology.pipelines[batch.pipeline]!.stages[hop.stage]!;
    nicBusy[topology.instanceServer[hop.instance]!] = 1;
    events.push(nowUs + batch.batchSize * stage.transferUsPerSample, TRANSFER_DONE, batchId, hop.stage + 1);
  };

  /** The next event of a reserved batch at a hop: its inbound transfer's end (when it has one), else its inference's end. */
  const pushHopEvent = (batchId: number, hop: Hop, withTransfer: boolean): void => {
    if (withTransfer && hop.transferEndUs > hop.transferStartUs) events.push(hop.transferEndUs, TRANSFER_DONE, batchId, hop.stage);
    else events.push(hop.inferEndUs, INFER_DONE, batchId, hop.stage);
  };

  const apply = (decisions: Decisions, nowUs: number): void => {
    const drops = decisions.drops;
    for (let i = 0; i < drops.length; i++) status[drops[i]!] = DROPPED;
    const dispatches = decisions.dispatches;
    for (let i = 0; i < dispatches.length; i++) {
      const dispatch = dispatches[i]!;
      const batchId = allocSlot(dispatch);
      onDispatch?.(dispatch, nowUs, arrivalOf);
      if (fifo) {
        const instance = dispatch.hops[0]!.instance;
        if (workerBusy[instance]) workerQueues[instance]!.push(batchId);
        else startInference(batchId, nowUs);
      } else {
        const hops = dispatch.hops;
        for (let h = 0; h < hops.length; h++) {
          const hop = hops[h]!;
          busyUs[hop.instance]! += hop.inferEndUs - hop.inferStartUs;
          onExecute?.(hop.instance, hop.inferStartUs, hop.inferEndUs);
          if (hasLinks && hop.transferEndUs > hop.transferStartUs) {
            const pipeline = topology.pipelines[dispatch.pipeline]!;
            const link = hop.stage === 0 ? pipeline.ingressLink : pipeline.stages[hop.stage - 1]!.outLink;
            if (link >= 0) linkBusyUs[link]! += hop.transferEndUs - hop.transferStartUs;
          }
        }
        // A reserved batch keeps one event in the agenda, its next hop boundary; each event pushes the one
        // after it. Same events at the same times, but a heap about a third the size (the agenda's cost).
        // Their order among equal times may differ; they only record completions, so no output changes.
        pushHopEvent(batchId, hops[0]!, true);
      }
    }
    const wake = decisions.wakeAtUs;
    if (wake === undefined) {
      if (pendingWakeUs >= 0) {
        wakeToken++;
        pendingWakeUs = -1;
      }
    } else if (wake !== pendingWakeUs) {
      wakeToken++;
      pendingWakeUs = wake;
      events.push(Math.max(wake, nowUs), WAKE, wakeToken);
    }
  };

  /** Records the time of the scheduler call that started at t0 (ms), then applies its decisions. */
  const record = (t0: number, decisions: Decisions, nowUs: number): void => {
    const t1 = performance.now();
    if (decisionCount === decisionSamples.length) {
      const grown = new Float64Array(decisionSamples.length * 2);
      grown.set(decisionSamples);
      decisionSamples = grown;
    }
    decisionSamples[decisionCount++] = (t1 - t0) * 1000;
    apply(decisions, nowUs);
  };

  const wallStart = performance.now();
  // The next arrival waits outside the heap (one pending at a time), ordered by (time, seq) like the rest.
  let nextArrivalUs = 0;
  let nextArrivalSeq = events.reserveSeq();
  // One call per event rather than one long loop body: V8 optimizes the handler like any hot function and
  // reuses that code on the next simulate call, instead of relying on on-stack replacement of a loop that is
  // entered once per run.
  const step = (): boolean => {
    let kind: number;
    let nowUs: number;
    const topUs = events.topTimeUs();
    if (nextArrivalUs < topUs || (nextArrivalUs === topUs && nextArrivalUs !== Infinity && nextArrivalSeq < events.topSeq())) {
      kind = ARRIVAL;
      nowUs = nextArrivalUs;
    } else if (events.pop()) {
      kind = events.kind;
      nowUs = events.timeUs;
    } else return false;
    eventCount++;
    clock.nowUs = nowUs;
    switch (kind) {
      case ARRIVAL: {
        const id = requestCount++;
        if (id === status.length) {
          const a = new Float64Array(arrivalUs.length * 2);
          a.set(arrivalUs);
          arrivalUs = a;
          const s = new Int8Array(status.length * 2);
          s.set(status);
          status = s;
          const c = new Float64Array(completionUs.length * 2);
          c.set(completionUs);
          completionUs = c;
        }
        arrivalUs[id] = nowUs;
        const next = nowUs + arrivals.nextGapUs();
        if (next < durationUs) {
          nextArrivalUs = next;
          nextArrivalSeq = events.reserveSeq();
        } else nextArrivalUs = Infinity;
        const t0 = performance.now();
        record(t0, scheduler.arrive(id, nowUs), nowUs);
        break;
      }
      case WAKE: {
        if (events.arg0 !== wakeToken) break;
        pendingWakeUs = -1;
        const t0 = performance.now();
        record(t0, scheduler.wake(), nowUs);
        break;
      }
      case INFER_DONE: {
        const batch = batches[events.arg0]!;
        const stage = events.arg1;
        if (fifo) {
          const instance = batch.hops[batch.hops.length - 1]!.instance;
          workerBusy[instance] = 0;
          if (workerQueues[instance]!.length > 0) startInference(workerQueues[instance]!.shift(), nowUs);
          if (stage < lastStage(batch)) {
            const server = topology.instanceServer[instance]!;
            if (nicBusy[server]) nicQueues[server]!.push(events.arg0);
            else startTransfer(events.arg0, nowUs);
            break;
          }
        }
        if (stage === lastStage(batch)) {
          const ids = batch.requestIds;
          // Results reach the camera site after the return delay (0 in a data centre).
          const doneUs = nowUs + returnUsOf[batch.pipeline]!;
          for (let i = 0; i < ids.length; i++) {
            status[ids[i]!] = DONE;
            completionUs[ids[i]!] = doneUs;
          }
          // The last stage's inference is the batch's last event: its slot is free again.
          freeSlot(events.arg0);
        } else if (!fifo) pushHopEvent(events.arg0, batch.hops[stage + 1]!, true);
        break;
      }
      case TRANSFER_DONE: {
        if (!fifo) {
          // A reserved transfer needs no action; the event marks the hop's end and chains the inference.
          pushHopEvent(events.arg0, batches[events.arg0]!.hops[events.arg1]!, false);
          break;
        }
        const batchId = events.arg0;
        const batch = batches[batchId]!;
        const from = batch.hops[batch.hops.length - 1]!;
        const server = topology.instanceServer[from.instance]!;
        nicBusy[server] = 0;
        if (nicQueues[server]!.length > 0) startTransfer(nicQueues[server]!.shift(), nowUs);
        const ids = batch.requestIds;
        const times = ids.map((id) => arrivalUs[id]!);
        const t0 = performance.now();
        record(t0, scheduler.stageArrival(batch.pipeline, events.arg1, ids, times), nowUs);
        break;
      }
      default:
        throw new Error(`unknown event kind ${kind}`);
    }
    return true;
  };
  while (step());
  const wallS = (performance.now() - wallStart) / 1000;

  // Metrics over arrivals in [warm-up, duration).
  let requests = 0;
  let served = 0;
  let dropped = 0;
  let late = 0;
  let lost = 0;
  const latencies: number[] = [];
  let firstArrival = Infinity;
  let lastArrival = -Infinity;
  for (let id = 0; id < requestCount; id++) {
    const a = arrivalUs[id]!;
    firstArrival = Math.min(firstArrival, a);
    lastArrival = Math.max(lastArrival, a);
    if (a < warmupUs) continue;
    requests++;
    const st = status[id];
    if (st === DROPPED) dropped++;
    else if (st === DONE) {
      const latency = completionUs[id]! - a;
      latencies.push(latency);
      if (latency > sloUs) late++;
      else served++;
    } else lost++;
  }
  if (lost > 0) throw new Error(`${lost} requests were neither served nor dropped`);
  arrivalUs = new Float64Array(0);
  const latency = percentiles(latencies);
  const wallUs = Math.max(1, lastArrival - firstArrival);
  const busyByType = new Map<string, number>();
  const capacityByType = new Map<string, number>();
  for (let i = 0; i < topology.instanceCount; i++) {
    const gpu = topology.instanceGpu[i]!;
    const share = topology.instanceShare[i]!;
    busyByType.set(gpu, (busyByType.get(gpu) ?? 0) + busyUs[i]! / share);
    capacityByType.set(gpu, (capacityByType.get(gpu) ?? 0) + 1 / share);
  }
  const utilization: Record<string, number> = {};
  const clusterUtilization: Record<string, number> = {};
  for (const [gpu, busy] of busyByType) {
    utilization[gpu] = Math.min(1, busy / capacityByType.get(gpu)! / wallUs);
    const clusterCount = options.clusterGpus?.[gpu];
    if (clusterCount) clusterUtilization[gpu] = Math.min(1, busy / clusterCount / wallUs);
  }
  const stats = scheduler.stats;
  return {
    dnn: topology.dnn,
    scheduler: kind,
    rateRps: options.rateRps,
    durationS: durationUs / 1e6,
    seed,
    requests,
    served,
    dropped,
    late,
    attainment: requests === 0 ? 1 : served / requests,
    latencyUs: { p50: latency.median, p99: latency.p99 },
    utilization,
    ...(options.clusterGpus ? { clusterUtilization } : {}),
    ...(hasLinks
      ? { wan: topology.links.map((link, i) => ({ from: link.from, to: link.to, busyShare: Math.min(1, linkBusyUs[i]! / wallUs), mbps: (linkBusyUs[i]! * link.bandwidthGbps * 1e3) / wallUs })) }
      : {}),
    batches: stats.batches,
    backfills: stats.backfills,
    probesPerBatch: stats.batches === 0 ? 0 : stats.probes / stats.batches,
    schedulerUsPerDecision: percentiles(decisionSamples, decisionCount),
    events: eventCount,
    eventsPerSecond: wallS > 0 ? eventCount / wallS : 0,
    wallS,
    warnings: [...topology.warnings],
  };
}
