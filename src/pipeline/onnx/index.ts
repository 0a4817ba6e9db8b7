/**
 * ONNX graph tools of the pipeline room: parse and write models (own protobufjs schema), cut analysis with
 * live tensor sets and shapes, pure partition builder, float16 link codec, onnxruntime execution and
 * profiling, the `ppipe split` / `ppipe profile` commands, and a generated model zoo for tests and benches.
 */
export { decodeOnnxModel, encodeOnnxModel, readOnnxModel, writeOnnxModel } from './onnxModel.ts';
export type { ModelMessage } from './onnxSchema.ts';
export { analyzeGraph, cutEntries } from './graphAnalysis.ts';
export type { CutEntry, GraphAnalysis } from './graphAnalysis.ts';
export { artifactDocuments, internalCutBytes, loadModel, modelReport } from './modelReport.ts';
export type { LoadedModel, ModelReport } from './modelReport.ts';
export { SplitError, splitModel, tensorSpec, validateCuts } from './splitModel.ts';
export type { PartitionPlan, SplitResult, TensorSpec } from './splitModel.ts';
export { float16ToFloat32, float32ToFloat16 } from './float16.ts';
export { compareOutputs, loadPipeline, runPipeline, throughFloat16Link } from './partitionRunner.ts';
export type { LinkDtype, PartitionPipeline } from './partitionRunner.ts';
export { SPLIT_USAGE, runSplitCommand } from './splitCommand.ts';
export type { SplitManifest } from './splitCommand.ts';
export { PROFILE_USAGE, parseDevice, runProfileCommand } from './profileCommand.ts';
export { measureProfile } from './modelProfiler.ts';
export type { MeasuredProfile, ProfileRequest } from './modelProfiler.ts';
export type { CommandIo } from './commandSupport.ts';
export { createPartitionExecutor } from './plainExecutor.ts';
export type { Device, PartitionExecutor, PlainData, PlainTensor, SessionSettings } from './plainExecutor.ts';
export { ZOO_NAMES, writeZooModel, zooModel } from './modelZoo.ts';
export type { ZooName, ZooOptions } from './modelZoo.ts';
export { seededRandom } from './ortSupport.ts';
