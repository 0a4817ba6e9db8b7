/**
 * The seam between the frontend and the batching scheduler. The frontend hands every request to a
 * `Dispatcher` and gets back batches with a per-hop path (which worker instance runs each partition, and
 * when it is planned to start) and the requests it gave up on. The pipeline room's reservation scheduler
 * plugs in here through `ReservationDispatcher` (reservationDispatcher.ts). Times in paths and planned
 * latencies are in the plan's µs (the frontend scales them by its time scale); `nowUs` and wake-ups are in
 * the frontend's time base.
 */

export interface PoolInstance {
  readonly nodeId: string;
  readonly instance: number;
  readonly endpoint: string;
}

export interface PlacedPartition {
  /** Pool key `<dnn>/<pipeline>/<partition>`. */
  readonly key: string;
  /** Planned latency at the pipeline's batch size, µs. */
  readonly inferUs: number;
  /** Planned transfer of one batch to the next partition, µs (0 on the last). */
  readonly transferUs: number;
  readonly instances: ReadonlyArray<PoolInstance>;
  /** Block range [first, end) of the partition, its device class and MPS share 1/v (for per-bs latencies). */
  readonly blocks?: readonly [number, number];
  readonly gpu?: string;
  readonly mpsShare?: number;
}

export interface PlacedPipeline {
  readonly pipeline: number;
  readonly batchSize: number;
  readonly throughputRps: number;
  readonly partitions: ReadonlyArray<PlacedPartition>;
}

export interface PlacedDnn {
  readonly name: string;
  readonly sloUs: number;
  readonly pipelines: ReadonlyArray<PlacedPipeline>;
}

export interface PlacedPlan {
  readonly planId: string;
  readonly dnns: ReadonlyArray<PlacedDnn>;
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
  /**
   * A new plan became serving (or none: undefined). Queued requests stay queued; those that the new plan
   * can take at once come back as batches to send (and those it cannot serve in time as drops).
   */
  setPlacedPlan(placedPlan: PlacedPlan | undefined, nowUs: number): DispatchDecision;
  onRequest(request: PendingRequest, nowUs: number): DispatchDecision;
  /** Called at (or after) `nextWakeUs()`. */
  onTick(nowUs: number): DispatchDecision;
  nextWakeUs(): number | undefined;
  onFeedback(feedback: HopFeedback): void;
  /** A worker node died: stop planning on it (until the next placed plan). */
  onNodeDown?(nodeId: string, nowUs: number): DispatchDecision;
  /**
   * The frontend's tensor link to a node stalled (`stalled: true`: its peer stopped answering pings) or
   * answers again (`false`): route around the node while it is stalled, across placed plans.
   */
  onNodeStalled?(nodeId: string, stalled: boolean, nowUs: number): DispatchDecision;
}
