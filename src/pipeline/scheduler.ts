/**
 * The driver-facing contract shared by the reservation scheduler and the reactive baseline: events in
 * (arrivals, wake-ups, batches reaching a later pool), decisions out (dispatches, drops, a wake-up time).
 * Schedulers do no I/O and set no timers; the driver owns time through the `Clock`.
 */
import type { ServingTopology } from './servingTopology.ts';

/** One stage of a dispatched batch. Transfer fields describe the hop into this stage (empty on stage 0). */
export interface Hop {
  readonly stage: number;
  readonly instance: number;
  readonly transferStartUs: number;
  readonly transferEndUs: number;
  readonly inferStartUs: number;
  readonly inferEndUs: number;
}

export interface Dispatch {
  readonly pipeline: number;
  readonly batchSize: number;
  readonly requestIds: number[];
  /**
   * Reservation: every stage, at reserved times the driver must keep. Reactive: one hop, the stage the
   * batch enters now, with estimated times; the driver queues it FIFO on the instance.
   */
  readonly hops: Hop[];
}

/** Decisions of one call. The object is reused by the scheduler: read it before the next call. */
export interface Decisions {
  readonly dispatches: Dispatch[];
  readonly drops: number[];
  /** When to call `wake()` next; undefined cancels any pending wake-up. */
  wakeAtUs: number | undefined;
}

export interface Measurement {
  readonly pipeline: number;
  readonly stage: number;
  /** `infer` on the stage's instance, or `transfer` of the stage's input (from the previous stage). */
  readonly kind: 'infer' | 'transfer';
  readonly batchSize: number;
  readonly measuredUs: number;
}

export interface SchedulerStats {
  /** Calls that ran the decision loop. */
  decisions: number;
  /** probe() calls (reservation) or worker evaluations (reactive). */
  probes: number;
  batches: number;
  drops: number;
  /** Inference reservations placed in a gap before an existing one (reservation only). */
  backfills: number;
}

export interface ServingScheduler {
  readonly kind: 'reservation' | 'reactive';
  /** `reserved`: the driver runs each hop exactly at its times; `fifo`: per-instance and per-NIC FIFO. */
  readonly execution: 'reserved' | 'fifo';
  readonly topology: ServingTopology;
  readonly stats: SchedulerStats;
  arrive(requestId: number, arrivalUs: number): Decisions;
  wake(): Decisions;
  /** A batch finished its transfer out of `stage − 1` and waits for the pool of `stage` (reactive only). */
  stageArrival(
    pipeline: number,
    stage: number,
    requestIds: ReadonlyArray<number>,
    arrivalsUs: ReadonlyArray<number>,
  ): Decisions;
  /** Actual durations reported by workers and NICs, to correct future estimates. */
  reportMeasured(measurement: Measurement): void;
}

export function emptyDecisions(): Decisions {
  return { dispatches: [], drops: [], wakeAtUs: undefined };
}

export function clearDecisions(decisions: Decisions): Decisions {
  // pop() rather than `length = 0`: truncating to zero frees the backing store, so the next push (every
  // decision) would allocate a new one; popping keeps a small capacity for reuse.
  const dispatches = decisions.dispatches;
  while (dispatches.length > 0) dispatches.pop();
  const drops = decisions.drops;
  while (drops.length > 0) drops.pop();
  decisions.wakeAtUs = undefined;
  return decisions;
}
