/**
 * The models room, the model toolkit: parse and write ONNX models (own protobufjs schema), cut analysis with
 * live tensor sets and shapes, the pure partition builder, the float16 link codec, onnxruntime execution and
 * profiling on this machine, and the TensorFlow.js graph model → ONNX converter.
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
export { writeDerivedModelFile } from './derivedModelFile.ts';
export { compareOutputs, loadPipeline, runPipeline, throughFloat16Link } from './partitionRunner.ts';
export type { LinkDtype, PartitionPipeline } from './partitionRunner.ts';
export { measureProfile } from './modelProfiler.ts';
export { DYNAMIC_BATCH_PARAM, makeBatchDynamic } from './dynamicBatch.ts';
export { profileModelToFolder } from './profileWriter.ts';
export type { WrittenProfile } from './profileWriter.ts';
export type { MeasuredProfile, ProfileRequest } from './modelProfiler.ts';
export { createPartitionExecutor } from './partitionExecutor.ts';
export type { Device, PartitionExecutor, PlainData, PlainTensor, SessionSettings } from './partitionExecutor.ts';
export { seededRandom } from './ortSupport.ts';
export { DeviceUnavailableError, assertCudaAvailable } from './ortSupport.ts';
export { readTfjsGraphModel } from './tfjsGraphModel.ts';
export type { TfjsGraphModel } from './tfjsGraphModel.ts';
export { ONNX_OPSET, convertTfjsGraphModel, missingTensors } from './tfjsConverter.ts';
export type { ConvertOptions } from './tfjsConverter.ts';
export { ConversionError } from './tfjsOps.ts';
