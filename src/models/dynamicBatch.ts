/**
 * Gives a model exported at batch 1 a dynamic batch dimension, so that the data plane can run frames of
 * several cameras as one batch. Exporters bake the batch of 1 into constants: TFLite-derived models such as
 * BlazeFace pad channels by concatenating zeros of a constant shape [1, C, H, W] and reshape to [1, N, K].
 * The rewrite turns each such zero block into a `Pad` of the tensor it is concatenated to, puts 0 ("keep
 * the input's dimension") in place of the leading 1 of constant `Reshape` shapes, and makes the inputs' and
 * outputs' leading dimension symbolic. Value infos (shapes at batch 1) are dropped; the shape resolver probes
 * what it needs. Any node that could depend on the batch in another way is refused by name, so a rewritten
 * model either runs every sample as the original does or is not made.
 */
import { InputError } from '../planner/index.ts';
import { analyzeGraph } from './graphAnalysis.ts';
import { batchInfo } from './shapes.ts';
import { AttributeType, DataType, int64ToNumber } from './onnxSchema.ts';
import type { AttributeMessage, GraphMessage, ModelMessage, NodeMessage, TensorMessage } from './onnxSchema.ts';

/** The symbolic name given to the batch dimension. */
export const DYNAMIC_BATCH_PARAM = 'N';

/** Ops that compute each sample on its own, whatever their attributes (weights broadcast over the batch). */
const PER_SAMPLE_OPS = new Set([
  'Conv',
  'ConvTranspose',
  'Relu',
  'LeakyRelu',
  'PRelu',
  'Sigmoid',
  'Tanh',
  'Clip',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'MaxPool',
  'AveragePool',
  'BatchNormalization',
  'Identity',
]);

function attributeInt(node: NodeMessage, name: string): number | undefined {
  const found = (node.attribute ?? []).find((a: AttributeMessage) => a.name === name);
  return found?.i === undefined ? undefined : int64ToNumber(found.i);
}

function attributeInts(node: NodeMessage, name: string): number[] | undefined {
  const found = (node.attribute ?? []).find((a: AttributeMessage) => a.name === name);
  return found?.ints?.map((v) => int64ToNumber(v));
}

/** Values of a constant int64 tensor (stored as int64_data or raw little-endian bytes). */
function int64Values(tensor: TensorMessage): number[] {
  if (tensor.int64Data && tensor.int64Data.length > 0) return tensor.int64Data.map((v) => int64ToNumber(v));
  const raw = tensor.rawData ?? new Uint8Array();
  // A copy: protobufjs hands out Buffer views at any offset.
  return Array.from(new BigInt64Array(new Uint8Array(raw).buffer), (v) => Number(v));
}

function int64Tensor(name: string, values: number[]): TensorMessage {
  const data = BigInt64Array.from(values.map((v) => BigInt(v)));
  return { name, dims: [values.length], dataType: DataType.INT64, rawData: new Uint8Array(data.buffer) };
}

/** True when a ConstantOfShape fills with zeros (no `value`, or a zero scalar). */
function fillsWithZero(node: NodeMessage): boolean {
  const value = (node.attribute ?? []).find((a) => a.name === 'value')?.t;
  if (!value) return true;
  if (value.floatData && value.floatData.length > 0) return value.floatData.every((v) => v === 0);
  return (value.rawData ?? new Uint8Array()).every((byte) => byte === 0);
}

/**
 * A copy of `model` with a dynamic batch dimension. `file` names the model in errors. The model must have a
 * fixed batch of 1; a model whose batch is already dynamic is returned unchanged.
 */
export function makeBatchDynamic(model: ModelMessage, file: string): ModelMessage {
  const analysis = analyzeGraph(model, file);
  const batch = batchInfo(model, analysis);
  if (batch.dynamic) return model;
  if (batch.fixedBatch !== 1)
    throw new InputError(file, 'graph.input', `expected a batch of 1 to make dynamic, got ${batch.fixedBatch}`);
  const graph = model.graph!;
  const constants = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const producer = new Map<string, NodeMessage>();
  for (const node of graph.node ?? []) for (const output of node.output ?? []) producer.set(output, node);
  const refuse = (node: NodeMessage, why: string): never => {
    throw new InputError(file, `node ${node.name || node.opType}`, `cannot make the batch dynamic: ${why}`);
  };
  const constantShape = (node: NodeMessage, input: string): number[] => {
    const tensor = constants.get(input);
    if (!tensor || tensor.dataType !== DataType.INT64)
      return refuse(node, `${node.opType} shape ${input} is computed, expected a constant int64 shape`);
    return int64Values(tensor);
  };

  const added: TensorMessage[] = [];
  const zeroBlocks = new Set<NodeMessage>();
  const nodes: NodeMessage[] = [];
  for (const node of graph.node ?? []) {
    const op = node.opType ?? '';
    if (PER_SAMPLE_OPS.has(op)) nodes.push(node);
    else if (op === 'ConstantOfShape') {
      // Replaced by the Pad of the Concat it feeds (checked there); any other consumer is refused below.
      if (!fillsWithZero(node)) refuse(node, 'ConstantOfShape fills with a non-zero value');
      if (constantShape(node, node.input![0]!)[0] !== 1) refuse(node, 'ConstantOfShape has no leading batch of 1');
      zeroBlocks.add(node);
    } else if (op === 'Transpose') {
      if (attributeInts(node, 'perm')?.[0] !== 0) refuse(node, 'Transpose moves the batch axis');
      nodes.push(node);
    } else if (op === 'Reshape') {
      const shape = constantShape(node, node.input![1]!);
      if (shape[0] !== 1 || shape.slice(1).some((d) => d <= 0))
        refuse(node, `Reshape to [${shape.join(', ')}], expected [1, d1, …] with fixed dims`);
      const name = `${node.input![1]}__dynamic_batch`;
      added.push(int64Tensor(name, [0, ...shape.slice(1)]));
      nodes.push({ ...node, input: [node.input![0]!, name] });
    } else if (op === 'Concat') {
      const axis = attributeInt(node, 'axis') ?? 0;
      const inputs = node.input ?? [];
      const zeros = inputs.map((name) => producer.get(name)).map((p) => (p && zeroBlocks.has(p) ? p : undefined));
      if (axis === 0) refuse(node, 'Concat along the batch axis');
      if (!zeros.some((z) => z)) {
        nodes.push(node);
        continue;
      }
      if (inputs.length !== 2 || zeros.every((z) => z))
        refuse(node, 'Concat of zeros expected to pad exactly one tensor');
      const [data, block] = zeros[0] ? [inputs[1]!, zeros[0]] : [inputs[0]!, zeros[1]!];
      const blockShape = constantShape(block, block.input![0]!);
      const rank = blockShape.length;
      const at = axis < 0 ? axis + rank : axis;
      const pads = new Array<number>(2 * rank).fill(0);
      pads[zeros[0] ? at : rank + at] = blockShape[at]!;
      const padsName = `${node.output![0]}__pads`;
      added.push(int64Tensor(padsName, pads));
      nodes.push({
        name: `${node.name || node.output![0]}__pad`,
        opType: 'Pad',
        input: [data, padsName],
        output: node.output ?? [],
        attribute: [{ name: 'mode', type: AttributeType.STRING, s: new TextEncoder().encode('constant') }],
      });
    } else refuse(node, `${op} is not known to compute each sample independently`);
  }
  // Every zero block must have been folded into a Pad: no remaining node may read one.
  for (const node of nodes)
    for (const input of node.input ?? []) {
      const from = producer.get(input);
      if (from && zeroBlocks.has(from)) refuse(node, `${node.opType} reads the constant zeros of ${from.name}`);
    }
  const withDynamicBatch = (values: GraphMessage['input']): GraphMessage['input'] =>
    (values ?? []).map((value) => {
      const dims = value.type?.tensorType?.shape?.dim;
      if (constants.has(value.name ?? '') || !dims || dims.length === 0) return value;
      return {
        ...value,
        type: {
          ...value.type,
          tensorType: {
            ...value.type!.tensorType,
            shape: { dim: [{ dimParam: DYNAMIC_BATCH_PARAM }, ...dims.slice(1)] },
          },
        },
      };
    });
  // Shapes only the replaced nodes read would be unused initializers (onnxruntime warns about each).
  const read = new Set(nodes.flatMap((node) => node.input ?? []));
  return {
    ...model,
    graph: {
      ...graph,
      node: nodes,
      initializer: [...(graph.initializer ?? []), ...added].filter((t) => read.has(t.name ?? '')),
      input: withDynamicBatch(graph.input),
      output: withDynamicBatch(graph.output),
      valueInfo: [],
    },
  };
}
