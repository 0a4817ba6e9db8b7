// The pipeline room: the data plane that runs a plan — the reservation scheduler and the reactive baseline
// (pure, on a Clock), serving plans and their resources, interval sets and request queues.

// --- the data plane's pure core (issue 3): serving plans and topology, the reservation scheduler and the
// reactive baseline, driven by events on a Clock ---
export type { Clock } from './clock.ts';
export { ManualClock, WallClock } from './clock.ts';
export { IntervalSet, earliestFreeBoth } from './intervalSet.ts';
export type { Decisions, Dispatch, Hop, Measurement, SchedulerStats, ServingScheduler } from './scheduler.ts';
export { ReservationScheduler } from './reservationScheduler.ts';
export type { ReservationOptions } from './reservationScheduler.ts';
export { ReactiveScheduler } from './reactiveScheduler.ts';
export type {
  ServingDnn,
  ServingLink,
  ServingPartition,
  ServingPipeline,
  ServingPlan,
  ArtifactConversionOptions,
} from './servingPlan.ts';
export {
  dnnThroughputRps,
  findServingLink,
  fromPlanDocument,
  loadServingPlan,
  parseServingPlan,
  pipelineCapacityRps,
  servingGroups,
  servingPlanFromArtifact,
  servingPlanSchema,
} from './servingPlan.ts';
export type { PipelineTopology, ServingTopology, ServingTopologyOptions, StageTopology } from './servingTopology.ts';
export { buildServingTopology, transferUs } from './servingTopology.ts';
