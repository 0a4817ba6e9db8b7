/**
 * A small builder of ONNX graphs for converters: nodes with typed attributes, initializers from typed arrays,
 * the NHWC (TensorFlow's name) and NCHW (`name#nchw`) forms of a tensor with the transpose between them emitted
 * once and only when asked for, and a final pass that keeps only what the graph outputs need.
 */
import { AttributeType, DataType } from './onnxSchema.ts';
import type { AttributeMessage, GraphMessage, NodeMessage, TensorMessage, ValueInfo } from './onnxSchema.ts';

export type AttributeValue =
  { int: number } | { ints: number[] } | { float: number } | { floats: number[] } | { string: string };

export const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

export class OnnxGraphBuilder {
  private readonly nodes: NodeMessage[] = [];
  private readonly nodeNames = new Set<string>();
  private readonly initializers = new Map<string, TensorMessage>();
  /** TensorFlow tensor → the name of its NCHW form (`tensor#nchw`). */
  private readonly nchwForms = new Map<string, string>();
  /** Tensors produced in NCHW whose NHWC form no node has asked for yet. */
  private readonly onlyNchw = new Set<string>();

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

  /** Whether a tensor has an NCHW form (a mapping's NCHW result, or an NHWC tensor already transposed). */
  hasNchw(tensor: string): boolean {
    return this.nchwForms.has(tensor);
  }

  /** The NCHW form of a 4-D tensor, transposing its NHWC form the first time it is asked for. */
  nchw(tensor: string): string {
    let form = this.nchwForms.get(tensor);
    if (form === undefined) {
      form = `${tensor}#nchw`;
      this.node('Transpose', `${tensor}#to_nchw`, [tensor], [form], { perm: { ints: NHWC_TO_NCHW } });
      this.nchwForms.set(tensor, form);
    }
    return form;
  }

  /** The NHWC form of a tensor (TensorFlow's name), transposing its NCHW form the first time it is asked for. */
  nhwc(tensor: string): string {
    if (this.onlyNchw.delete(tensor)) {
      this.node('Transpose', `${tensor}#to_nhwc`, [this.nchwForms.get(tensor)!], [tensor], {
        perm: { ints: NCHW_TO_NHWC },
      });
    }
    return tensor;
  }

  /** Names the NCHW form of a mapping's 4-D result `tensor`, which the mapping's node then writes. */
  nchwResult(tensor: string): string {
    const form = `${tensor}#nchw`;
    this.nchwForms.set(tensor, form);
    this.onlyNchw.add(tensor);
    return form;
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
