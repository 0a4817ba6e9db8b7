/**
 * The simulator's engine: an event loop on a virtual clock that feeds arrivals to a scheduler and carries
 * out its decisions. Workers run reserved batches exactly at their reserved times, or FIFO per instance
 * with FIFO transfers per server uplink under the reactive baseline. The engine only records what happens
 * (per request, per instance, per WAN link, per scheduler call); simSummary.ts turns that into metrics.
 */
import type { Decisions, Dispatch, Hop, ManualClock, ServingScheduler, ServingTopology } from '../pipeline/index.ts';
import type { ArrivalProcess } from './arrivals.ts';
import { EventQueue } from './eventQueue.ts';

export interface EngineSetup {
  readonly topology: ServingTopology;
  readonly scheduler: ServingScheduler;
  /** The clock the scheduler reads; the engine moves it to each event's time. */
  readonly clock: ManualClock;
  readonly arrivals: ArrivalProcess;
  /** Arrivals stop at this time; the events they cause run to the end. */
  readonly durationUs: number;
  /** Observers for tests: every dispatch, and every executed inference [start, end) per instance. */
  readonly onDispatch?: (dispatch: Dispatch, nowUs: number, arrivalUs: (requestId: number) => number) => void;
  readonly onExecute?: (instance: number, startUs: number, endUs: number) => void;
}

/** What a run recorded. */
export interface EngineRecord {
  readonly requests: RequestLog;
  /** Inference time per instance (µs). */
  readonly busyUs: Float64Array;
  /** Reserved transfer time per WAN link (µs). */
  readonly linkBusyUs: Float64Array;
  /** Wall time of each scheduler call (µs). */
  readonly decisionUs: SampleLog;
  readonly events: number;
  readonly wallS: number;
}

// A request's status. 0: pending (never served nor dropped; a lost request fails the run).
export const DONE = 1;
export const DROPPED = 2;

/** Per request, by id (ids are given in arrival order): arrival time, status and completion time. */
export class RequestLog {
  arrivalUs = new Float64Array(1 << 16);
  status = new Int8Array(1 << 16);
  completionUs = new Float64Array(1 << 16);
  count = 0;

  /** Records an arrival at nowUs; returns the request's id. */
  add(nowUs: number): number {
    const id = this.count++;
    if (id === this.status.length) {
      const a = new Float64Array(this.arrivalUs.length * 2);
      a.set(this.arrivalUs);
      this.arrivalUs = a;
      const s = new Int8Array(this.status.length * 2);
      s.set(this.status);
      this.status = s;
      const c = new Float64Array(this.completionUs.length * 2);
      c.set(this.completionUs);
      this.completionUs = c;
    }
    this.arrivalUs[id] = nowUs;
    return id;
  }
}

/** A growable list of numbers in a typed array: the first `count` of `samples`. */
export class SampleLog {
  samples = new Float64Array(1 << 16);
  count = 0;

  add(x: number): void {
    if (this.count === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.count++] = x;
  }
}

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

/**
 * Batches in flight, by slot: a slot is freed when the batch's last stage ends and reused by the next
 * dispatch, so the table stays as small as the number of batches in flight (no ever-growing array).
 */
class BatchTable {
  readonly batches: Dispatch[] = [];
  private freeSlots = new Int32Array(64);
  private freeCount = 0;

  add(dispatch: Dispatch): number {
    if (this.freeCount > 0) {
      const slot = this.freeSlots[--this.freeCount]!;
      this.batches[slot] = dispatch;
      return slot;
    }
    this.batches.push(dispatch);
    return this.batches.length - 1;
  }

  free(slot: number): void {
    if (this.freeCount === this.freeSlots.length) {
      const grown = new Int32Array(this.freeSlots.length * 2);
      grown.set(this.freeSlots);
      this.freeSlots = grown;
    }
    this.freeSlots[this.freeCount++] = slot;
  }
}

// Event kinds. The next arrival is not in the agenda but waits beside it (see SimEngine.step).
const ARRIVAL = 0;
const WAKE = 1;
const INFER_DONE = 2;
const TRANSFER_DONE = 3;

/** Runs the simulation to its end and returns what it recorded. */
export function runEngine(setup: EngineSetup): EngineRecord {
  return new SimEngine(setup).run();
}

class SimEngine {
  private readonly topology: ServingTopology;
  private readonly scheduler: ServingScheduler;
  private readonly clock: ManualClock;
  private readonly arrivals: ArrivalProcess;
  private readonly durationUs: number;
  private readonly onDispatch: EngineSetup['onDispatch'];
  private readonly onExecute: EngineSetup['onExecute'];
  private readonly events = new EventQueue();
  private readonly fifo: boolean;
  private readonly hasLinks: boolean;
  private readonly returnUsOf: Float64Array;
  private readonly lastStageOf: Int32Array;

  private readonly requests = new RequestLog();
  private readonly batches = new BatchTable();
  private readonly decisionUs = new SampleLog();
  private readonly arrivalOf = (id: number): number => this.requests.arrivalUs[id]!;
  // Per instance / server / WAN link.
  private readonly busyUs: Float64Array;
  private readonly linkBusyUs: Float64Array;
  private readonly workerQueues: IntFifo[];
  private readonly workerBusy: Uint8Array;
  private readonly nicQueues: IntFifo[];
  private readonly nicBusy: Uint8Array;

  private pendingWakeUs = -1;
  private wakeToken = 0;
  private eventCount = 0;
  // The next arrival waits outside the heap (one pending at a time), ordered by (time, seq) like the rest.
  private nextArrivalUs = 0;
  private nextArrivalSeq = 0;

  constructor(setup: EngineSetup) {
    const topology = setup.topology;
    this.topology = topology;
    this.scheduler = setup.scheduler;
    this.clock = setup.clock;
    this.arrivals = setup.arrivals;
    this.durationUs = setup.durationUs;
    this.onDispatch = setup.onDispatch;
    this.onExecute = setup.onExecute;
    this.fifo = setup.scheduler.execution === 'fifo';
    this.hasLinks = topology.links.length > 0;
    this.returnUsOf = Float64Array.from(topology.pipelines, (pipeline) => pipeline.returnUs);
    this.lastStageOf = Int32Array.from(topology.pipelines, (pipeline) => pipeline.stages.length - 1);
    this.busyUs = new Float64Array(topology.instanceCount);
    this.linkBusyUs = new Float64Array(topology.links.length);
    this.workerQueues = this.fifo ? Array.from({ length: topology.instanceCount }, () => new IntFifo()) : [];
    this.workerBusy = new Uint8Array(topology.instanceCount);
    this.nicQueues = this.fifo ? Array.from({ length: topology.serverCount }, () => new IntFifo()) : [];
    this.nicBusy = new Uint8Array(topology.serverCount);
  }

  run(): EngineRecord {
    const wallStart = performance.now();
    this.nextArrivalUs = 0;
    this.nextArrivalSeq = this.events.reserveSeq();
    while (this.step());
    const wallS = (performance.now() - wallStart) / 1000;
    return {
      requests: this.requests,
      busyUs: this.busyUs,
      linkBusyUs: this.linkBusyUs,
      decisionUs: this.decisionUs,
      events: this.eventCount,
      wallS,
    };
  }

  /**
   * Takes the next event (the pending arrival or the agenda's first) and handles it; false when none is
   * left. One call per event rather than one long loop body: V8 optimizes the handler like any hot
   * function and reuses that code on the next run, instead of relying on on-stack replacement of a loop
   * that is entered once per run.
   */
  private step(): boolean {
    const events = this.events;
    let kind: number;
    let nowUs: number;
    const topUs = events.topTimeUs();
    const arrivalUs = this.nextArrivalUs;
    if (arrivalUs < topUs || (arrivalUs === topUs && arrivalUs !== Infinity && this.nextArrivalSeq < events.topSeq())) {
      kind = ARRIVAL;
      nowUs = arrivalUs;
    } else if (events.pop()) {
      kind = events.kind;
      nowUs = events.timeUs;
    } else return false;
    this.eventCount++;
    this.clock.nowUs = nowUs;
    switch (kind) {
      case ARRIVAL:
        this.arrive(nowUs);
        break;
      case WAKE:
        this.wake(events.arg0, nowUs);
        break;
      case INFER_DONE:
        this.inferenceDone(events.arg0, events.arg1, nowUs);
        break;
      case TRANSFER_DONE:
        this.transferDone(events.arg0, events.arg1, nowUs);
        break;
      default:
        throw new Error(`unknown event kind ${kind}`);
    }
    return true;
  }

  /** A request arrives: log it, draw the next arrival and ask the scheduler. */
  private arrive(nowUs: number): void {
    const id = this.requests.add(nowUs);
    const next = nowUs + this.arrivals.nextGapUs();
    if (next < this.durationUs) {
      this.nextArrivalUs = next;
      this.nextArrivalSeq = this.events.reserveSeq();
    } else this.nextArrivalUs = Infinity;
    const t0 = performance.now();
    this.record(t0, this.scheduler.arrive(id, nowUs), nowUs);
  }

  /** The scheduler's wake-up, unless a later decision replaced or cancelled it. */
  private wake(token: number, nowUs: number): void {
    if (token !== this.wakeToken) return;
    this.pendingWakeUs = -1;
    const t0 = performance.now();
    this.record(t0, this.scheduler.wake(), nowUs);
  }

  /** A batch's inference at a stage ends: free the worker (FIFO), move the batch on, or complete it. */
  private inferenceDone(batchId: number, stage: number, nowUs: number): void {
    const batch = this.batches.batches[batchId]!;
    const lastStage = this.lastStageOf[batch.pipeline]!;
    if (this.fifo) {
      const instance = batch.hops[batch.hops.length - 1]!.instance;
      this.workerBusy[instance] = 0;
      const queue = this.workerQueues[instance]!;
      if (queue.length > 0) this.startInference(queue.shift(), nowUs);
      if (stage < lastStage) {
        const server = this.topology.instanceServer[instance]!;
        if (this.nicBusy[server]) this.nicQueues[server]!.push(batchId);
        else this.startTransfer(batchId, nowUs);
        return;
      }
    }
    if (stage === lastStage) {
      const ids = batch.requestIds;
      const { status, completionUs } = this.requests;
      // Results reach the camera site after the return delay (0 in a data centre).
      const doneUs = nowUs + this.returnUsOf[batch.pipeline]!;
      for (let i = 0; i < ids.length; i++) {
        status[ids[i]!] = DONE;
        completionUs[ids[i]!] = doneUs;
      }
      // The last stage's inference is the batch's last event: its slot is free again.
      this.batches.free(batchId);
    } else if (!this.fifo) this.pushHopEvent(batchId, batch.hops[stage + 1]!, true);
  }

  /** A batch's transfer into a stage ends: chain a reserved hop, or hand a FIFO batch back to the scheduler. */
  private transferDone(batchId: number, stage: number, nowUs: number): void {
    const batch = this.batches.batches[batchId]!;
    if (!this.fifo) {
      // A reserved transfer needs no action; the event marks the hop's end and chains the inference.
      this.pushHopEvent(batchId, batch.hops[stage]!, false);
      return;
    }
    const from = batch.hops[batch.hops.length - 1]!;
    const server = this.topology.instanceServer[from.instance]!;
    this.nicBusy[server] = 0;
    const queue = this.nicQueues[server]!;
    if (queue.length > 0) this.startTransfer(queue.shift(), nowUs);
    const ids = batch.requestIds;
    const arrivalUs = this.requests.arrivalUs;
    const times = ids.map((id) => arrivalUs[id]!);
    const t0 = performance.now();
    this.record(t0, this.scheduler.stageArrival(batch.pipeline, stage, ids, times), nowUs);
  }

  /** Records the time of the scheduler call that started at t0 (ms), then applies its decisions. */
  private record(t0: number, decisions: Decisions, nowUs: number): void {
    const t1 = performance.now();
    this.decisionUs.add((t1 - t0) * 1000);
    this.apply(decisions, nowUs);
  }

  private apply(decisions: Decisions, nowUs: number): void {
    const drops = decisions.drops;
    const status = this.requests.status;
    for (let i = 0; i < drops.length; i++) status[drops[i]!] = DROPPED;
    const dispatches = decisions.dispatches;
    for (let i = 0; i < dispatches.length; i++) {
      const dispatch = dispatches[i]!;
      const batchId = this.batches.add(dispatch);
      this.onDispatch?.(dispatch, nowUs, this.arrivalOf);
      if (this.fifo) this.enqueue(batchId, dispatch, nowUs);
      else this.reserve(batchId, dispatch);
    }
    this.setWake(decisions.wakeAtUs, nowUs);
  }

  /** A FIFO batch starts on its first instance now, or waits behind the batches already there. */
  private enqueue(batchId: number, dispatch: Dispatch, nowUs: number): void {
    const instance = dispatch.hops[0]!.instance;
    if (this.workerBusy[instance]) this.workerQueues[instance]!.push(batchId);
    else this.startInference(batchId, nowUs);
  }

  /** A reserved batch: its busy time is known at dispatch; its events follow one hop boundary at a time. */
  private reserve(batchId: number, dispatch: Dispatch): void {
    const hops = dispatch.hops;
    for (let h = 0; h < hops.length; h++) {
      const hop = hops[h]!;
      this.busyUs[hop.instance]! += hop.inferEndUs - hop.inferStartUs;
      this.onExecute?.(hop.instance, hop.inferStartUs, hop.inferEndUs);
      if (this.hasLinks && hop.transferEndUs > hop.transferStartUs) {
        const pipeline = this.topology.pipelines[dispatch.pipeline]!;
        const link = hop.stage === 0 ? pipeline.ingressLink : pipeline.stages[hop.stage - 1]!.outLink;
        if (link >= 0) this.linkBusyUs[link]! += hop.transferEndUs - hop.transferStartUs;
      }
    }
    // A reserved batch keeps one event in the agenda, its next hop boundary; each event pushes the one
    // after it. Same events at the same times, but a heap about a third the size (the agenda's cost).
    // Their order among equal times may differ; they only record completions, so no output changes.
    this.pushHopEvent(batchId, hops[0]!, true);
  }

  /** Keeps one wake-up in the agenda at the scheduler's latest request; a token voids the replaced ones. */
  private setWake(wake: number | undefined, nowUs: number): void {
    if (wake === undefined) {
      if (this.pendingWakeUs >= 0) {
        this.wakeToken++;
        this.pendingWakeUs = -1;
      }
    } else if (wake !== this.pendingWakeUs) {
      this.wakeToken++;
      this.pendingWakeUs = wake;
      this.events.push(Math.max(wake, nowUs), WAKE, this.wakeToken);
    }
  }

  private startInference(batchId: number, nowUs: number): void {
    const batch = this.batches.batches[batchId]!;
    const hop = batch.hops[batch.hops.length - 1]!;
    const stage = this.topology.pipelines[batch.pipeline]!.stages[hop.stage]!;
    const endUs = nowUs + stage.inferUsByBs[batch.batchSize - 1]!;
    this.workerBusy[hop.instance] = 1;
    this.busyUs[hop.instance]! += endUs - nowUs;
    this.onExecute?.(hop.instance, nowUs, endUs);
    this.events.push(endUs, INFER_DONE, batchId, hop.stage);
  }

  private startTransfer(batchId: number, nowUs: number): void {
    const batch = this.batches.batches[batchId]!;
    const hop = batch.hops[batch.hops.length - 1]!;
    const stage = this.topology.pipelines[batch.pipeline]!.stages[hop.stage]!;
    this.nicBusy[this.topology.instanceServer[hop.instance]!] = 1;
    this.events.push(nowUs + batch.batchSize * stage.transferUsPerSample, TRANSFER_DONE, batchId, hop.stage + 1);
  }

  /** The next event of a reserved batch at a hop: its inbound transfer's end (if it has one), else its inference's. */
  private pushHopEvent(batchId: number, hop: Hop, withTransfer: boolean): void {
    if (withTransfer && hop.transferEndUs > hop.transferStartUs) {
      this.events.push(hop.transferEndUs, TRANSFER_DONE, batchId, hop.stage);
    } else this.events.push(hop.inferEndUs, INFER_DONE, batchId, hop.stage);
  }
}
