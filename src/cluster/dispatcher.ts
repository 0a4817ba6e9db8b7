/**
 * The seam between the frontend and the batching scheduler. The frontend hands every request to a
 * `Dispatcher` and gets back batches with a per-hop path (which worker instance runs each partition, and
 * when it is planned to start) and the requests it gave up on. The reservation scheduler of the pipeline
 * room plugs in here; until it lands, `PlaceholderRoundRobinDispatcher` (round-robin per pool, the plan's
 * fixed batch size, no reservations) keeps the runtime whole. It is NOT the paper's scheduler.
 */

export interface PoolInstance {
  readonly nodeId: string;
  readonly instance: number;
  readonly endpoint: string;
}

export interface PartitionTopology {
  /** Pool key `<dnn>/<pipeline>/<partition>`. */
  readonly key: string;
  /** Planned latency at the pipeline's batch size, µs. */
  readonly inferUs: number;
  /** Planned transfer of one batch to the next partition, µs (0 on the last). */
  readonly transferUs: number;
  readonly instances: ReadonlyArray<PoolInstance>;
}

export interface PipelineTopology {
  readonly pipeline: number;
  readonly batchSize: number;
  readonly throughputRps: number;
  readonly partitions: ReadonlyArray<PartitionTopology>;
}

export interface DnnTopology {
  readonly name: string;
  readonly sloUs: number;
  readonly pipelines: ReadonlyArray<PipelineTopology>;
}

export interface Topology {
  readonly planId: string;
  readonly dnns: ReadonlyArray<DnnTopology>;
}

export interface PendingRequest {
  readonly id: string;
  readonly dnn: string;
  readonly arrivalUs: number;
  readonly deadlineUs: number;
}

export interface PathHop {
  readonly nodeId: string;
  readonly key: string;
  readonly instance: number;
  readonly endpoint: string;
  /** Planned start of the hop, µs after dispatch. */
  readonly plannedStartUs: number;
}

export interface DispatchedBatch {
  readonly dnn: string;
  readonly pipeline: number;
  readonly requests: ReadonlyArray<PendingRequest>;
  readonly path: ReadonlyArray<PathHop>;
  /** Planned completion, µs after dispatch. */
  readonly plannedLatencyUs: number;
}

export interface DispatchDecision {
  readonly batches: ReadonlyArray<DispatchedBatch>;
  readonly dropped: ReadonlyArray<{ request: PendingRequest; reason: string }>;
}

/** Measured use of a resource, reported back by the workers (the paper's feedback correction). */
export interface HopFeedback {
  readonly key: string;
  readonly nodeId: string;
  readonly instance: number;
  readonly batchSize: number;
  readonly inferUs: number;
  readonly queueUs: number;
  readonly sendUs: number;
}

export interface Dispatcher {
  readonly name: string;
  /** A new plan became serving (or none: undefined). Queued requests stay queued. */
  setTopology(topology: Topology | undefined, nowUs: number): void;
  onRequest(request: PendingRequest, nowUs: number): DispatchDecision;
  /** Called at (or after) `nextWakeUs()`. */
  onTick(nowUs: number): DispatchDecision;
  nextWakeUs(): number | undefined;
  onFeedback(feedback: HopFeedback): void;
}

const EMPTY: DispatchDecision = { batches: [], dropped: [] };

interface PipelineState {
  readonly topology: PipelineTopology;
  readonly cursors: number[];
  /** Smooth weighted round-robin credit. */
  credit: number;
  readonly plannedLatencyUs: number;
}

/**
 * PLACEHOLDER until the reservation scheduler lands: per DNN, pipelines are chosen by smooth weighted
 * round-robin on planned throughput, instances round-robin within each pool, batches of the plan's fixed
 * size; a partial batch leaves at the last moment its oldest request can still finish on plan; a request
 * that cannot meet its deadline on plan is dropped. No resource reservations, so NIC and GPU contention
 * are not foreseen.
 */
export class PlaceholderRoundRobinDispatcher implements Dispatcher {
  readonly name = 'placeholder-round-robin';
  private readonly queues = new Map<string, PendingRequest[]>();
  private pipelines = new Map<string, PipelineState[]>();
  private wakeUs: number | undefined;

  setTopology(topology: Topology | undefined, nowUs: number): void {
    this.pipelines = new Map();
    for (const dnn of topology?.dnns ?? []) {
      const states = dnn.pipelines
        .filter((p) => p.partitions.every((partition) => partition.instances.length > 0))
        .map((p) => ({ topology: p, cursors: p.partitions.map(() => 0), credit: 0, plannedLatencyUs: p.partitions.reduce((sum, q) => sum + q.inferUs + q.transferUs, 0) }));
      this.pipelines.set(dnn.name, states);
    }
    this.refreshWake(nowUs);
  }

  onRequest(request: PendingRequest, nowUs: number): DispatchDecision {
    const queue = this.queues.get(request.dnn) ?? [];
    queue.push(request);
    this.queues.set(request.dnn, queue);
    return this.drain(nowUs);
  }

  onTick(nowUs: number): DispatchDecision {
    return this.drain(nowUs);
  }

  nextWakeUs(): number | undefined {
    return this.wakeUs;
  }

  onFeedback(_feedback: HopFeedback): void {
    // The placeholder plans with the profiled latencies only; the reservation scheduler corrects its tables.
  }

  private pick(states: PipelineState[]): PipelineState {
    const total = states.reduce((sum, s) => sum + Math.max(s.topology.throughputRps, 1e-9), 0);
    let best = states[0]!;
    for (const state of states) {
      state.credit += Math.max(state.topology.throughputRps, 1e-9);
      if (state.credit > best.credit) best = state;
    }
    best.credit -= total;
    return best;
  }

  private drain(nowUs: number): DispatchDecision {
    if (this.queues.size === 0) return EMPTY;
    const batches: DispatchedBatch[] = [];
    const dropped: Array<{ request: PendingRequest; reason: string }> = [];
    for (const [dnn, queue] of this.queues) {
      const states = this.pipelines.get(dnn) ?? [];
      if (states.length === 0) {
        // No serving pipeline: requests wait until their deadline passes.
        while (queue.length > 0 && queue[0]!.deadlineUs <= nowUs) dropped.push({ request: queue.shift()!, reason: 'no serving pipeline' });
        continue;
      }
      while (queue.length > 0) {
        const fastest = Math.min(...states.map((s) => s.plannedLatencyUs));
        while (queue.length > 0 && nowUs + fastest > queue[0]!.deadlineUs) dropped.push({ request: queue.shift()!, reason: 'cannot meet its deadline on plan' });
        if (queue.length === 0) break;
        const state = this.peek(states);
        const bs = state.topology.batchSize;
        const lastMomentUs = queue[0]!.deadlineUs - state.plannedLatencyUs;
        if (queue.length < bs && nowUs < lastMomentUs) break;
        this.pick(states);
        const requests = queue.splice(0, bs);
        let startUs = 0;
        const path = state.topology.partitions.map((partition, p): PathHop => {
          const instance = partition.instances[state.cursors[p]! % partition.instances.length]!;
          state.cursors[p] = (state.cursors[p]! + 1) % partition.instances.length;
          const hop = { nodeId: instance.nodeId, key: partition.key, instance: instance.instance, endpoint: instance.endpoint, plannedStartUs: startUs };
          startUs += partition.inferUs + partition.transferUs;
          return hop;
        });
        batches.push({ dnn, pipeline: state.topology.pipeline, requests, path, plannedLatencyUs: state.plannedLatencyUs });
      }
    }
    this.refreshWake(nowUs);
    return { batches, dropped };
  }

  /** The pipeline the next `pick` would choose, without moving the credits. */
  private peek(states: PipelineState[]): PipelineState {
    let best = states[0]!;
    let bestCredit = -Infinity;
    for (const state of states) {
      const credit = state.credit + Math.max(state.topology.throughputRps, 1e-9);
      if (credit > bestCredit) {
        best = state;
        bestCredit = credit;
      }
    }
    return best;
  }

  private refreshWake(nowUs: number): void {
    let wake: number | undefined;
    for (const [dnn, queue] of this.queues) {
      const head = queue[0];
      if (!head) continue;
      const states = this.pipelines.get(dnn) ?? [];
      const at = states.length === 0 ? head.deadlineUs : head.deadlineUs - this.peek(states).plannedLatencyUs;
      wake = wake === undefined ? at : Math.min(wake, at);
    }
    this.wakeUs = wake === undefined ? undefined : Math.max(wake, nowUs);
  }
}
