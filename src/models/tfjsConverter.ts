/**
 * TensorFlow.js graph model → ONNX (opset 17). Walks the GraphDef back from the requested outputs (the
 * signature's by default), so a cut at named tensors emits only what they need, and maps each node with
 * tfjsOps.ts. Tensor names stay TensorFlow's (`node` for output 0, `node:k` for output k; `#nchw` appended to the
 * NCHW form of a 4-D tensor); inputs and outputs are NHWC, as in TensorFlow; the input's batch dimension becomes
 * the symbolic `batch`.
 */
import path from 'node:path';
import { InputError } from '../planner/index.ts';
import { OnnxGraphBuilder } from './onnxGraphBuilder.ts';
import type { ModelMessage, ValueInfo } from './onnxSchema.ts';
import type { TfjsGraphModel, TfjsNode } from './tfjsGraphModel.ts';
import { ConversionError, OP_MAPPINGS, attrDtype, onnxElemType } from './tfjsOps.ts';
import type { OpContext, TensorInfo } from './tfjsOps.ts';

export const ONNX_OPSET = 17;
const BATCH_PARAM = 'batch';

export interface ConvertOptions {
  /** Tensors to cut the graph at; the signature's outputs (or the unconsumed nodes) when absent. */
  outputs?: string[];
}

/** `node:0` and `node` name the same tensor; control inputs (`^node`) carry no data. */
function canonicalTensor(reference: string): string {
  return reference.endsWith(':0') ? reference.slice(0, -2) : reference;
}

function producerOf(tensor: string): string {
  const match = /^(.*):(\d+)$/.exec(tensor);
  return match ? match[1]! : tensor;
}

function dataInputs(node: TfjsNode): string[] {
  return (node.input ?? []).filter((input) => !input.startsWith('^')).map(canonicalTensor);
}

/** The requested tensors that no node of the model produces. */
export function missingTensors(model: TfjsGraphModel, tensors: ReadonlyArray<string>): string[] {
  const names = new Set(model.nodes.map((node) => node.name));
  return tensors.filter((tensor) => !names.has(producerOf(canonicalTensor(tensor))));
}

function defaultOutputs(model: TfjsGraphModel): string[] {
  if (model.signatureOutputs?.length) return model.signatureOutputs;
  const consumed = new Set(model.nodes.flatMap((node) => dataInputs(node).map(producerOf)));
  return model.nodes
    .filter((node) => !consumed.has(node.name) && node.op !== 'Const' && node.op !== 'Placeholder')
    .map((node) => node.name);
}

/** The nodes the outputs depend on, each after its inputs. */
function topologicalOrder(model: TfjsGraphModel, outputs: string[]): TfjsNode[] {
  const byName = new Map(model.nodes.map((node) => [node.name, node]));
  const order: TfjsNode[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, reader: string | undefined): void => {
    const node = byName.get(name);
    if (!node) {
      throw new InputError(
        model.file,
        reader ? `node ${reader}` : undefined,
        `expected a node named ${name} in modelTopology.node`,
      );
    }
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new ConversionError(`unsupported cycle through node ${name}`);
    state.set(name, 'visiting');
    for (const input of dataInputs(node)) visit(producerOf(input), name);
    state.set(name, 'done');
    order.push(node);
  };
  for (const output of outputs) visit(producerOf(output), undefined);
  return order;
}

function valueInfo(name: string, info: TensorInfo): ValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnxElemType(info.dtype),
        ...(info.shape
          ? {
              shape: {
                dim: info.shape.map((dim, axis) =>
                  dim >= 0 ? { dimValue: dim } : axis === 0 ? { dimParam: BATCH_PARAM } : {},
                ),
              },
            }
          : {}),
      },
    },
  };
}

export function convertTfjsGraphModel(model: TfjsGraphModel, options: ConvertOptions = {}): ModelMessage {
  const outputs = (options.outputs ?? defaultOutputs(model)).map(canonicalTensor);
  const graph = new OnnxGraphBuilder();
  const infos = new Map<string, TensorInfo>();
  const inputs: ValueInfo[] = [];
  const constants = new Set<string>();

  for (const node of topologicalOrder(model, outputs)) {
    if (node.op === 'Placeholder') {
      const dims = node.attr?.['shape']?.shape?.dim?.map((dim) => Number(dim.size));
      const info: TensorInfo = {
        dtype: attrDtype(node, 'dtype'),
        shape: dims?.map((dim, axis) => (axis === 0 ? -1 : dim)),
      };
      infos.set(node.name, info);
      inputs.push(valueInfo(node.name, info));
      continue;
    }
    if (node.op === 'Const') {
      const weight = model.weights.get(node.name);
      if (!weight) throw new InputError(model.file, `node ${node.name}`, 'expected its value in weightsManifest');
      if (weight.dtype === 'float32') graph.float32(node.name, weight.shape, weight.data);
      else graph.int32(node.name, weight.shape, weight.data);
      infos.set(node.name, { dtype: weight.dtype === 'float32' ? 'DT_FLOAT' : 'DT_INT32', shape: weight.shape });
      constants.add(node.name);
      continue;
    }
    const mapping = OP_MAPPINGS[node.op];
    if (!mapping) throw new ConversionError(`unsupported op ${node.op} at node ${node.name}`);
    const nodeInputs = dataInputs(node);
    const context: OpContext = {
      node,
      graph,
      inputs: nodeInputs,
      isConstant: (index) => constants.has(nodeInputs[index] ?? ''),
      info: (tensor) => {
        const info = infos.get(tensor);
        if (!info) throw new InputError(model.file, `node ${node.name}`, `expected an input tensor ${tensor}`);
        return info;
      },
      constant: (index) => {
        const tensor = nodeInputs[index];
        if (tensor === undefined)
          throw new InputError(model.file, `node ${node.name}`, `expected at least ${index + 1} inputs`);
        if (!constants.has(tensor))
          throw new ConversionError(`unsupported non-constant input ${index} (${tensor}) at node ${node.name}`);
        return model.weights.get(tensor)!;
      },
      define: (output, info) => {
        const name = output === 0 ? node.name : `${node.name}:${output}`;
        infos.set(name, info);
        return name;
      },
    };
    mapping(context);
  }

  const outputInfos = outputs.map((name) => {
    const info = infos.get(name);
    if (!info) throw new InputError(model.file, undefined, `expected a tensor ${name}: its node has no such output`);
    graph.nhwc(name);
    return valueInfo(name, info);
  });
  return {
    irVersion: 8,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'ppipe convert',
    producerVersion: '1',
    graph: graph.build(path.basename(model.file, '.json'), inputs, outputInfos),
    metadataProps: [{ key: 'ppipe.converted_from', value: `TensorFlow.js graph model ${path.basename(model.file)}` }],
  };
}
