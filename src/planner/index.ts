// The planner room: profiles (artifact formats and ours), SLO defaults, pre-partitioning, the allocation
// MILP for PPipe, NP and DART-r on HiGHS, plan documents (ours and the artifact's) and the plan validator.
export { InputError } from './inputError.ts';
export { tensorBytesPerSample } from './artifactProfiles.ts';
export type { TensorShape } from './artifactProfiles.ts';
export type { DeviceTimings, ModelProfile } from './modelProfile.ts';
export { cutTransferUs, maxProfiledBatch, partitionLatencyUs, profiledShares } from './modelProfile.ts';
export { ProfileLibrary } from './profileLibrary.ts';
export { PROFILE_FORMAT, parseProfileFile, profileFileSchema, toProfileFile, writeProfileFile } from './profileFormat.ts';
export type { ProfileFile } from './profileFormat.ts';
export { defaultSloUs, loadProblem, parseProblem, readDocument, resolveProblem } from './problem.ts';
export type { Algorithm, DnnTarget, GpuClass, ParsedProblem, ProblemDocument, ResolvedProblem } from './problem.ts';
export { HighsSolver } from './highsSolver.ts';
export { planProblem } from './planner.ts';
export type { PlanOutcome } from './planner.ts';
export { fromArtifactPlan, parsePlan, planFromOutcome, planSchema, readPlanData, toArtifactPlan, usedGpusByType } from './planDocument.ts';
export type { Plan, PlanDnn, PlanPartition, PlanPipeline } from './planDocument.ts';
export { validatePlan } from './validatePlan.ts';
export { renderPlanTable } from './planTable.ts';
export { CHECK_USAGE, PLAN_USAGE, runCheckCommand, runPlanCommand } from './planCommand.ts';
export type { CommandIo } from './planCommand.ts';
export { PAPER_CLUSTERS, PAPER_GROUPS, PAPER_WEIGHTS, paperProblem } from './paperSetup.ts';
export { PrepartitionInfeasibleError, prepartitionChain, loadArtifactPrepartitionInput, writePrepartitionCsvs } from './prepartition.ts';
export type { PrepartitionInput, PrepartitionResult } from './prepartition.ts';
export { runPrepartitionCommand } from './prepartitionCommand.ts';
