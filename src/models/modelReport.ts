/**
 * Loads a model for partitioning (parse, analyse, shapes) and summarises it: node count, parameters,
 * input/output shapes, per-cut sizes, and whether the batch dimension is dynamic.
 */
import { tensorBytesPerSample } from '../planner/index.ts';
import type { TensorShape } from '../planner/index.ts';
import { analyzeGraph, cutEntries } from './graphAnalysis.ts';
import type { CutEntry, GraphAnalysis } from './graphAnalysis.ts';
import { decodeOnnxModel, readOnnxModel, tensorElements } from './onnxModel.ts';
import type { ModelMessage } from './onnxSchema.ts';
import { resolveShapes } from './shapes.ts';
import type { ShapeInfo } from './shapes.ts';

export interface LoadedModel {
  readonly file: string;
  readonly model: ModelMessage;
  readonly analysis: GraphAnalysis;
  readonly shapeInfo: ShapeInfo;
  readonly warnings: string[];
}

export async function loadModel(file: string, bytes?: Uint8Array): Promise<LoadedModel> {
  const model = bytes ? decodeOnnxModel(bytes, file) : readOnnxModel(file);
  const analysis = analyzeGraph(model, file);
  const shapeInfo = await resolveShapes(model, analysis);
  const warnings = [...analysis.warnings];
  if (!shapeInfo.batch.dynamic) {
    // Rewriting a fixed batch is unsafe in general (Reshape targets and similar constants bake it in).
    warnings.push(
      `the batch dimension is fixed at ${shapeInfo.batch.fixedBatch ?? 1}; the model is served and profiled at ` +
        `batch ${shapeInfo.batch.fixedBatch ?? 1} only (export it with a dynamic batch dimension to batch ` +
        `requests)`,
    );
  }
  return { file, model, analysis, shapeInfo, warnings };
}

/** Bytes per sample of a set of tensors, float32 counted as 2 bytes (reference §B.4). */
export function tensorsBytes(names: ReadonlyArray<string>, shapes: ReadonlyMap<string, TensorShape>): number {
  return names.reduce((sum, name) => {
    const shape = shapes.get(name);
    if (!shape) throw new Error(`no shape for tensor ${name}`);
    return sum + tensorBytesPerSample(shape.dtype, shape.shape);
  }, 0);
}

/** The L−1 internal cut sizes (cut j after node j), as pre-partitioning consumes them (reference §B.3). */
export function internalCutBytes(loaded: LoadedModel): number[] {
  return loaded.analysis.liveAfter.slice(0, -1).map((cut) => tensorsBytes(cut, loaded.shapeInfo.shapes));
}

export interface ModelReport {
  file: string;
  nodeCount: number;
  constantNodeCount: number;
  parameters: number;
  inputs: ({ name: string } & TensorShape)[];
  outputs: ({ name: string } & TensorShape)[];
  batchDynamic: boolean;
  fixedBatch: number | undefined;
  inputBytesPerSample: number;
  cutBytes: number[];
  maxCutTensors: number;
  probedShapes: number;
  warnings: string[];
}

export function modelReport(loaded: LoadedModel): ModelReport {
  const { analysis, shapeInfo } = loaded;
  const describe = (name: string) => ({ name, ...shapeInfo.shapes.get(name)! });
  return {
    file: loaded.file,
    nodeCount: analysis.nodes.length,
    constantNodeCount: new Set(analysis.constants.values()).size,
    parameters: (loaded.model.graph!.initializer ?? []).reduce((sum, tensor) => sum + tensorElements(tensor), 0),
    inputs: analysis.inputs.map(describe),
    outputs: analysis.outputs.map(describe),
    batchDynamic: shapeInfo.batch.dynamic,
    fixedBatch: shapeInfo.batch.fixedBatch,
    inputBytesPerSample: tensorsBytes(analysis.inputs, shapeInfo.shapes),
    cutBytes: internalCutBytes(loaded),
    maxCutTensors: Math.max(0, ...analysis.liveAfter.map((cut) => cut.length)),
    probedShapes: shapeInfo.probed.length,
    warnings: loaded.warnings,
  };
}

/** The artifact's cuts and shapes documents (reference §B.3, §B.4) for this model. */
export function artifactDocuments(loaded: LoadedModel): { cuts: CutEntry[]; shapes: Record<string, TensorShape> } {
  return { cuts: cutEntries(loaded.analysis), shapes: Object.fromEntries(loaded.shapeInfo.shapes) };
}
