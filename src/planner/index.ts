// The planner room: profiles (artifact formats and ours), SLO defaults, pre-partitioning, the allocation
// MILP for PPipe, NP and DART-r on HiGHS, plan documents (ours and the artifact's) and the plan validator.
export { InputError } from './inputError.ts';
// Shared helpers of floor 0, re-exported for the rooms that reach config only through the planner (sim).
export { describeIssues, percentile, percentileOfSorted } from '../config/index.ts';
export type { PercentileRule } from '../config/index.ts';
export { tensorBytesPerSample } from './artifactProfiles.ts';
export type { TensorShape } from './artifactProfiles.ts';
export type { DeviceTimings, ModelProfile } from './modelProfile.ts';
export { cutTransferUs, maxProfiledBatch, partitionLatencyUs, profiledShares } from './modelProfile.ts';
export { ProfileLibrary } from './profileLibrary.ts';
export {
  PROFILE_FORMAT,
  blockRangeSchema,
  parseProfileFile,
  profileDeviceSchema,
  profileFileSchema,
  readProfileDocument,
  toProfileFile,
  writeProfileDocument,
  writeProfileFile,
} from './profileFormat.ts';
export type { BlockRange, ProfileFile } from './profileFormat.ts';
export { defaultSloUs, loadProblem, parseProblem, readDocument, resolveProblem } from './problem.ts';
export type { Algorithm, DnnTarget, GpuClass, ParsedProblem, ProblemDocument, ResolvedProblem } from './problem.ts';
export { HighsSolver, configureHighs } from './highsSolver.ts';
export type { HighsSettings } from './highsSolver.ts';
export { planProblem, withSpareGpus } from './planner.ts';
export type { PlanOutcome } from './planner.ts';
export { PLAN_FORMAT, parsePlan, planFromArtifact, planFromOutcome, planSchema, readPlanData } from './planDocument.ts';
export { toArtifactPlan, usedGpusByType } from './planDocument.ts';
export type { Plan, PlanDnn, PlanPartition, PlanPipeline } from './planDocument.ts';
export { validatePlan } from './validatePlan.ts';
export { renderPlanTable } from './planTable.ts';
export { ARTIFACT_OBJECTIVES, PAPER_CLUSTERS, PAPER_GROUPS, PAPER_WEIGHTS, paperProblem } from './paperSetup.ts';
export {
  PrepartitionInfeasibleError,
  prepartitionChain,
  loadArtifactPrepartitionInput,
  writePrepartitionCsvs,
} from './prepartition.ts';
export type { PrepartitionInput, PrepartitionResult } from './prepartition.ts';
export { EDGE_SCENARIOS, edgeProblem, edgeSiteName } from './edgeScenarios.ts';
export type { EdgeScenario } from './edgeScenarios.ts';
export { findLink, wanTransferUs } from './candidates.ts';
export { gpuEntryLabel, linkUsage, planObjective } from './planDocument.ts';
export { servedGroups } from './planner.ts';
export type { ServedGroup } from './planner.ts';
export { ALGORITHMS } from './problem.ts';
export {
  DEFAULT_PREPARTITION_BLOCKS,
  blockShares,
  formatPrepartitionCsvs,
  listNodeProfileModels,
  prepartitionTag,
} from './prepartition.ts';
export {
  ARTIFACT_DATA_SOURCE,
  DEFAULT_ARTIFACT_DATA,
  artifactDataDir,
  hasArtifactData,
  missingArtifactDataMessage,
} from './artifactData.ts';
