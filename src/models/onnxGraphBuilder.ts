/**
 * A small builder of ONNX graphs for converters: nodes with typed attributes, initializers from typed arrays,
 * NHWC ↔ NCHW transposes that are emitted once per tensor, and a final pass that keeps only what the graph
 * outputs need.
 */
import { AttributeType, DataType } from './onnxSchema.ts';
import type { AttributeMessage, GraphMessage, NodeMessage, TensorMessage, ValueInfo } from './onnxSchema.ts';

export type AttributeValue =
  { int: number } | { ints: number[] } | { float: number } | { floats: number[] } | { string: string };

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

export class OnnxGraphBuilder {
  private readonly nodes: NodeMessage[] = [];
  private readonly nodeNames = new Set<string>();
  private readonly initializers = new Map<string, TensorMessage>();
  /** The NCHW twin of an NHWC tensor, so a chain of convolutions transposes once, not twice per layer. */
  private readonly nchwTwin = new Map<string, string>();

  node(
    opType: string,
    name: string,
    inputs: string[],
    outputs: string[],
    attributes: Record<string, AttributeValue> = {},
  ): void {
    let unique = name;
    for (let suffix = 1; this.nodeNames.has(unique); suffix++) unique = `${name}#${suffix}`;
    this.nodeNames.add(unique);
    this.nodes.push({
      name: unique,
      opType,
      input: inputs,
      output: outputs,
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
  }

  hasInitializer(name: string): boolean {
    return this.initializers.has(name);
  }

  float32(name: string, dims: number[], data: Float32Array): string {
    return this.initializer(name, dims, DataType.FLOAT, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }

  int32(name: string, dims: number[], data: Int32Array): string {
    return this.initializer(name, dims, DataType.INT32, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }

  /** int64 tensors (shapes, axes, slice bounds); bigint values reach ±2^63 − 1 for "to the end". */
  int64(name: string, values: ReadonlyArray<number | bigint>, dims: number[] = [values.length]): string {
    const data = BigInt64Array.from(values.map((value) => BigInt(value)));
    return this.initializer(name, dims, DataType.INT64, new Uint8Array(data.buffer));
  }

  private initializer(name: string, dims: number[], dataType: number, rawData: Uint8Array): string {
    if (!this.initializers.has(name)) this.initializers.set(name, { name, dims, dataType, rawData });
    return name;
  }

  /** The NCHW form of an NHWC tensor. */
  nchw(tensor: string): string {
    let twin = this.nchwTwin.get(tensor);
    if (twin === undefined) {
      twin = `${tensor}#nchw`;
      this.node('Transpose', `${tensor}#to_nchw`, [tensor], [twin], { perm: { ints: NHWC_TO_NCHW } });
      this.nchwTwin.set(tensor, twin);
    }
    return twin;
  }

  /** Names the NHWC form of an NCHW result `output`, remembering the pair for later convolutions. */
  nhwcFrom(nchwTensor: string, output: string): void {
    this.node('Transpose', `${output}#to_nhwc`, [nchwTensor], [output], { perm: { ints: NCHW_TO_NHWC } });
    this.nchwTwin.set(output, nchwTensor);
  }

  /** The graph, keeping only the nodes, initializers and inputs that the outputs depend on. */
  build(name: string, inputs: ValueInfo[], outputs: ValueInfo[]): GraphMessage {
    const needed = new Set(outputs.map((value) => value.name ?? ''));
    const kept: NodeMessage[] = [];
    for (let index = this.nodes.length - 1; index >= 0; index--) {
      const node = this.nodes[index]!;
      if (!(node.output ?? []).some((output) => needed.has(output))) continue;
      kept.push(node);
      for (const input of node.input ?? []) if (input !== '') needed.add(input);
    }
    return {
      name,
      node: kept.reverse(),
      initializer: [...this.initializers.values()].filter((tensor) => needed.has(tensor.name ?? '')),
      input: inputs.filter((value) => needed.has(value.name ?? '')),
      output: outputs,
    };
  }
}

function attribute(name: string, value: AttributeValue): AttributeMessage {
  if ('int' in value) return { name, type: AttributeType.INT, i: value.int };
  if ('ints' in value) return { name, type: AttributeType.INTS, ints: value.ints };
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: value.floats };
  return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value.string) };
}
