/**
 * The data plane's pure core: the normalized serving plan, the serving topology, and the two schedulers
 * (reservation-based adaptive batching and the reactive baseline) that a driver feeds with events on a Clock.
 */
export type { Clock } from './clock.ts';
export { ManualClock, WallClock } from './clock.ts';
export { IntervalSet, earliestFreeBoth } from './intervalSet.ts';
export type { Decisions, Dispatch, Hop, Measurement, SchedulerStats, ServingScheduler } from './scheduler.ts';
export { ReservationScheduler } from './reservationScheduler.ts';
export type { ReservationOptions } from './reservationScheduler.ts';
export { ReactiveScheduler } from './reactiveScheduler.ts';
export type { ServingDnn, ServingPartition, ServingPipeline, ServingPlan, ArtifactConversionOptions } from './servingPlan.ts';
export { dnnThroughputRps, fromArtifactPlan, fromPlanDocument, loadServingPlan, parseServingPlan, pipelineCapacityRps, servingPlanSchema } from './servingPlan.ts';
export type { PipelineTopology, ServingTopology, StageTopology, TopologyOptions } from './servingTopology.ts';
export { buildTopology, transferUs } from './servingTopology.ts';
