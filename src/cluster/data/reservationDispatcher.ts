/**
 * The paper's scheduler on the wall clock: an adapter that runs the pipeline room's `ReservationScheduler`
 * (the same code the simulator drives on a virtual clock) behind the frontend's `Dispatcher` seam. One
 * scheduler per DNN of the placed plan. The adapter
 *  - builds the scheduler's `ServingTopology` from the placed plan, with one NIC per worker node (the
 *    instances a node hosts share its links, as they do on the wire),
 *  - maps every dispatch (global instance ids, reserved times) onto worker instances and endpoints,
 *  - turns the scheduler's wake-up times into the frontend's time base (the frontend owns the timers),
 *  - feeds measured inference times back (`reportMeasured`), and
 *  - on a dead node rebuilds the schedulers without it, carrying their queued requests over and keeping the
 *    survivors' in-flight reservations (same node, pool and instance), and
 *  - optionally keeps a guard: the scheduler plans against SLO − guard, leaving room for what the plan
 *    does not model (framing, loopback, timers); the frontend still judges lateness by the real SLO.
 *
 * Time: the scheduler plans in the plan's µs. An emulated cluster slowed down by `timeScale` runs
 * everything (latencies, links, SLOs) `timeScale` times slower, so the scheduler's clock is the wall clock
 * divided by `timeScale`; every time it hands out (hop starts, planned latency) is in plan µs, as the
 * `Dispatcher` contract expects.
 */
import type { ModelProfile } from '../../planner/index.ts';
import type { Clock, Decisions, ServingDnn, ServingScheduler, ServingTopology } from '../../pipeline/index.ts';
import { buildServingTopology, ReservationScheduler, WallClock } from '../../pipeline/index.ts';
import type { ReservationOptions } from '../../pipeline/index.ts';
import type {
  DispatchDecision,
  DispatchedBatch,
  Dispatcher,
  HopFeedback,
  PathHop,
  PendingRequest,
  PlacedDnn,
  PlacedPlan,
  PoolInstance,
} from './dispatcher.ts';

export interface ReservationDispatcherOptions {
  /** The scheduler's clock before scaling (default: the wall clock). Tests pass a ManualClock. */
  readonly clock?: Clock;
  /** Emulated clusters slowed down by X: the scheduler's clock runs X times slower than `clock`. */
  readonly timeScale?: number;
  /** Per-batch-size latencies of a DNN (the profile the plan was made from); else linear from the plan. */
  readonly profileOf?: (dnn: string) => ModelProfile | undefined;
  readonly reservation?: ReservationOptions;
  /**
   * Wall-clock µs the scheduler keeps in hand for what the plan does not model: framing, loopback or
   * network latency, timer overshoot. It plans against SLO − guard (default 0: the SLO as planned).
   */
  readonly guardUs?: number;
}

interface DnnState {
  readonly name: string;
  readonly scheduler: ServingScheduler;
  readonly topology: ServingTopology;
  /** Scheduler pipeline index → the placed plan's pipeline number. */
  readonly pipelineNumbers: number[];
  /** Global instance id → worker instance. */
  readonly instances: PoolInstance[];
  /** Pool key → [scheduler pipeline, stage]. */
  readonly pools: Map<string, [number, number]>;
  /** Pool keys by [scheduler pipeline][stage]. */
  readonly keys: string[][];
  /** Next wake-up in scheduler µs. */
  wakeAtUs: number | undefined;
}

const NO_DNN = Symbol('no serving pipeline');

/**
 * Copies the reservations of `before` that are still live into the fresh scheduler of `after`: each worker
 * instance (node, pool key, instance number) keeps its reserved inference slots, each node its NIC slots.
 * Without them a rebuilt scheduler would send new batches onto lanes still busy with earlier ones.
 */
function keepInFlight(before: DnnState, after: DnnState): void {
  const fresh = after.scheduler;
  if (!(before.scheduler instanceof ReservationScheduler) || !(fresh instanceof ReservationScheduler)) return;
  const live = before.scheduler.reservations();
  const identity = (state: DnnState, g: number): string => {
    const instance = state.instances[g]!;
    const key = state.keys[state.topology.instancePipeline[g]!]![state.topology.instanceStage[g]!];
    return `${instance.nodeId}|${key}|${instance.instance}`;
  };
  const gpuSlots = new Map<string, Array<[number, number]>>();
  live.gpus.forEach((slots, g) => {
    if (slots.length > 0) gpuSlots.set(identity(before, g), slots);
  });
  const nodeOfServer = (state: DnnState): Map<number, string> =>
    new Map(state.instances.map((instance, g) => [state.topology.instanceServer[g]!, instance.nodeId]));
  const oldNodes = nodeOfServer(before);
  const newServers = new Map([...nodeOfServer(after)].map(([server, nodeId]) => [nodeId, server]));
  after.instances.forEach((_, g) => {
    for (const [start, end] of gpuSlots.get(identity(after, g)) ?? []) fresh.hold('gpu', g, start, end);
  });
  for (const direction of ['uplink', 'downlink'] as const) {
    live[`${direction}s`].forEach((slots, server) => {
      const target = newServers.get(oldNodes.get(server) ?? '');
      if (target === undefined) return;
      for (const [start, end] of slots) fresh.hold(direction, target, start, end);
    });
  }
}

export class ReservationDispatcher implements Dispatcher {
  readonly name = 'reservation';
  private readonly clock: Clock;
  private readonly timeScale: number;
  /**
   * A wake-up runs at the time it was set for when the timer fired at most this late (scheduler µs): the
   * guard keeps that much of the real deadline in hand, so a lone request woken at the last moment its
   * batch fits is dispatched instead of dropped for a millisecond of timer overshoot.
   */
  private readonly lateWakeToleranceUs: number;
  private pinnedUs: number | undefined;
  private dnns = new Map<string, DnnState>();
  /** Requests the schedulers hold (queued, not yet dispatched or dropped), by scheduler id. */
  private readonly queued = new Map<number, PendingRequest>();
  /** Requests of a DNN with no serving pipeline: kept until their deadline passes. */
  private readonly orphans: PendingRequest[] = [];
  private readonly deadNodes = new Set<string>();
  /** Nodes whose tensor link stalled: skipped until it answers again (kept across placed plans). */
  private readonly stalledNodes = new Set<string>();
  private placedPlan: PlacedPlan | undefined;
  private nextId = 0;
  /** Frontend time − scheduler time × timeScale, fixed at the latest call. */
  private offsetUs = 0;
  readonly stats = { batches: 0, drops: 0, feedback: 0, rebuilds: 0 };

  constructor(private readonly options: ReservationDispatcherOptions = {}) {
    const base = options.clock ?? new WallClock();
    this.timeScale = options.timeScale ?? 1;
    const scale = this.timeScale;
    const scaled: Clock = scale === 1 ? base : { now: () => Math.floor(base.now() / scale) };
    this.clock = { now: () => this.pinnedUs ?? scaled.now() };
    this.lateWakeToleranceUs = (options.guardUs ?? 0) / scale;
  }

  /** The scheduler of a DNN (tests, stats). */
  scheduler(dnn: string): ServingScheduler | undefined {
    return this.dnns.get(dnn)?.scheduler;
  }

  setPlacedPlan(placedPlan: PlacedPlan | undefined, nowUs: number): DispatchDecision {
    this.placedPlan = placedPlan;
    // A new plan is placed on the nodes that are up: forget the dead ones.
    this.deadNodes.clear();
    // Requests carried into the new schedulers may be dispatched (or dropped) right away: the frontend
    // must send them, else they would wait forever.
    return this.rebuild(nowUs);
  }

  /** A node died: schedule around it from now on (the controller re-plans later). */
  onNodeDown(nodeId: string, nowUs: number): DispatchDecision {
    if (this.deadNodes.has(nodeId)) return { batches: [], dropped: [] };
    this.deadNodes.add(nodeId);
    return this.rebuild(nowUs);
  }

  /** A node's tensor link stalled or recovered: schedule around it while it is stalled. */
  onNodeStalled(nodeId: string, stalled: boolean, nowUs: number): DispatchDecision {
    if (this.stalledNodes.has(nodeId) === stalled) return { batches: [], dropped: [] };
    if (stalled) this.stalledNodes.add(nodeId);
    else this.stalledNodes.delete(nodeId);
    return this.rebuild(nowUs);
  }

  onRequest(request: PendingRequest, nowUs: number): DispatchDecision {
    const schedNow = this.sync(nowUs);
    const out: DispatchDecision = { batches: [], dropped: [] };
    const state = this.dnns.get(request.dnn);
    if (!state) {
      this.orphans.push(request);
      this.expireOrphans(nowUs, out);
      return out;
    }
    const id = this.nextId++;
    this.queued.set(id, request);
    // Arrival in the scheduler's time base (a re-dispatched request keeps its original arrival).
    const arrivalUs = Math.min(schedNow, schedNow - Math.round((nowUs - request.arrivalUs) / this.timeScale));
    this.collect(state, state.scheduler.arrive(id, arrivalUs), out);
    return out;
  }

  onTick(nowUs: number): DispatchDecision {
    const schedNow = this.sync(nowUs);
    const out: DispatchDecision = { batches: [], dropped: [] };
    for (const state of this.dnns.values()) {
      if (state.wakeAtUs === undefined || state.wakeAtUs > schedNow) continue;
      this.pinnedUs = schedNow - state.wakeAtUs <= this.lateWakeToleranceUs ? state.wakeAtUs : undefined;
      try {
        this.collect(state, state.scheduler.wake(), out);
      } finally {
        this.pinnedUs = undefined;
      }
    }
    this.expireOrphans(nowUs, out);
    return out;
  }

  nextWakeUs(): number | undefined {
    let wake: number | undefined;
    for (const state of this.dnns.values()) {
      if (state.wakeAtUs !== undefined) wake = wake === undefined ? state.wakeAtUs : Math.min(wake, state.wakeAtUs);
    }
    let at = wake === undefined ? undefined : this.offsetUs + wake * this.timeScale;
    for (const orphan of this.orphans) at = at === undefined ? orphan.deadlineUs : Math.min(at, orphan.deadlineUs);
    return at;
  }

  onFeedback(feedback: HopFeedback): void {
    for (const state of this.dnns.values()) {
      const pool = state.pools.get(feedback.key);
      if (!pool || feedback.inferUs <= 0) continue;
      const [pipeline, stage] = pool;
      const maxBs = state.topology.pipelines[pipeline]!.batchSize;
      if (feedback.batchSize < 1 || feedback.batchSize > maxBs) return;
      // Only inference: the workers' send time includes waiting for their NIC, not the transfer alone.
      state.scheduler.reportMeasured({
        pipeline,
        stage,
        kind: 'infer',
        batchSize: feedback.batchSize,
        measuredUs: feedback.inferUs / this.timeScale,
      });
      this.stats.feedback++;
      return;
    }
  }

  /** Reads the scheduler's clock and records the offset to the frontend's time base. */
  private sync(nowUs: number): number {
    const schedNow = this.clock.now();
    this.offsetUs = nowUs - schedNow * this.timeScale;
    return schedNow;
  }

  private collect(state: DnnState, decisions: Decisions, out: DispatchDecision): void {
    const schedNow = this.clock.now();
    for (const id of decisions.drops) {
      const request = this.queued.get(id);
      this.queued.delete(id);
      this.stats.drops++;
      if (request)
        (out.dropped as Array<{ request: PendingRequest; reason: string }>).push({
          request,
          reason: 'cannot meet its deadline (reservation scheduler)',
        });
    }
    for (const dispatch of decisions.dispatches) {
      const requests: PendingRequest[] = [];
      for (const id of dispatch.requestIds) {
        const request = this.queued.get(id);
        this.queued.delete(id);
        if (request) requests.push(request);
      }
      const keys = state.keys[dispatch.pipeline]!;
      const path = dispatch.hops.map((hop): PathHop => {
        const instance = state.instances[hop.instance]!;
        return {
          nodeId: instance.nodeId,
          key: keys[hop.stage]!,
          instance: instance.instance,
          endpoint: instance.endpoint,
          plannedStartUs: Math.max(0, hop.inferStartUs - schedNow),
        };
      });
      const last = dispatch.hops[dispatch.hops.length - 1]!;
      this.stats.batches++;
      if (requests.length === 0) continue;
      (out.batches as DispatchedBatch[]).push({
        dnn: state.name,
        pipeline: state.pipelineNumbers[dispatch.pipeline]!,
        requests,
        path,
        plannedLatencyUs: Math.max(0, last.inferEndUs - schedNow),
      });
    }
    state.wakeAtUs = decisions.wakeAtUs;
  }

  private expireOrphans(nowUs: number, out: DispatchDecision): void {
    for (let i = this.orphans.length - 1; i >= 0; i--) {
      const request = this.orphans[i]!;
      if (this.dnns.has(request.dnn)) continue;
      if (request.deadlineUs <= nowUs) {
        this.orphans.splice(i, 1);
        (out.dropped as Array<{ request: PendingRequest; reason: string }>).push({
          request,
          reason: 'no serving pipeline',
        });
      }
    }
  }

  /**
   * New schedulers for the current placed plan minus dead nodes. Reservations of batches already sent are
   * not carried over (they run on their own); queued requests are re-queued in arrival order.
   */
  private rebuild(nowUs: number): DispatchDecision {
    this.stats.rebuilds++;
    const carried = [...this.queued.values(), ...this.orphans].sort((a, b) => a.arrivalUs - b.arrivalUs);
    this.queued.clear();
    this.orphans.length = 0;
    const previous = this.dnns;
    this.dnns = new Map();
    for (const dnn of this.placedPlan?.dnns ?? []) {
      const state = this.build(dnn);
      if (state === NO_DNN) continue;
      const before = previous.get(dnn.name);
      if (before) keepInFlight(before, state);
      this.dnns.set(dnn.name, state);
    }
    const out: DispatchDecision = { batches: [], dropped: [] };
    for (const request of carried) {
      const decision = this.onRequest(request, nowUs);
      (out.batches as DispatchedBatch[]).push(...decision.batches);
      (out.dropped as Array<{ request: PendingRequest; reason: string }>).push(...decision.dropped);
    }
    this.sync(nowUs);
    return out;
  }

  private build(dnn: PlacedDnn): DnnState | typeof NO_DNN {
    const pipelines = dnn.pipelines
      .map((p) => ({
        p,
        partitions: p.partitions.map((q) => ({
          q,
          instances: q.instances.filter((i) => !this.deadNodes.has(i.nodeId) && !this.stalledNodes.has(i.nodeId)),
        })),
      }))
      .filter(({ partitions }) => partitions.every((x) => x.instances.length > 0));
    if (pipelines.length === 0) return NO_DNN;
    let block = 0;
    const guardUs = (this.options.guardUs ?? 0) / this.timeScale;
    const serving: ServingDnn = {
      name: dnn.name,
      sloUs: Math.max(1, dnn.sloUs - guardUs),
      pipelines: pipelines.map(({ p, partitions }) => ({
        batchSize: p.batchSize,
        xputRps: p.throughputRps,
        partitions: partitions.map(({ q, instances }, s) => {
          const blocks = q.blocks ?? [block, block + 1];
          block = blocks[1];
          return {
            firstBlock: blocks[0],
            endBlock: blocks[1],
            gpu: q.gpu ?? q.key,
            mpsShare: q.mpsShare ?? 1,
            instances: instances.length,
            gpusPerServer: 1,
            inferUs: q.inferUs,
            transferUsPerSample: s === partitions.length - 1 ? 0 : q.transferUs / p.batchSize,
          };
        }),
      })),
    };
    const profile = this.options.profileOf?.(dnn.name);
    const canProfile =
      profile !== undefined &&
      pipelines.every(({ partitions }) =>
        partitions.every(({ q }) => q.blocks !== undefined && q.gpu !== undefined && q.mpsShare !== undefined),
      );
    const built = buildServingTopology(serving, canProfile ? { profile } : {});
    // One NIC per worker node: replace the artifact's server grouping with the real placement.
    const nodeIndex = new Map<string, number>();
    const instances: PoolInstance[] = [];
    const pools = new Map<string, [number, number]>();
    pipelines.forEach(({ partitions }, p) =>
      partitions.forEach(({ q, instances: placed }, s) => {
        pools.set(q.key, [p, s]);
        for (const instance of placed) instances.push(instance);
      }),
    );
    const instanceServer = Int32Array.from(instances, (i) => {
      let n = nodeIndex.get(i.nodeId);
      if (n === undefined) {
        n = nodeIndex.size;
        nodeIndex.set(i.nodeId, n);
      }
      return n;
    });
    const topology: ServingTopology = { ...built, instanceServer, serverCount: nodeIndex.size };
    const scheduler = new ReservationScheduler(topology, this.clock, this.options.reservation ?? {});
    const keys = pipelines.map(({ partitions }) => partitions.map(({ q }) => q.key));
    return {
      name: dnn.name,
      scheduler,
      topology,
      pipelineNumbers: pipelines.map(({ p }) => p.pipeline),
      instances,
      pools,
      keys,
      wakeAtUs: undefined,
    };
  }
}
