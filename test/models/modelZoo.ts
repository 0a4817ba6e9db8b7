/**
 * A generated model zoo for tests and benchmarks: ResNet-50-like, MobileNet-like and YOLO-like networks
 * built as ONNX ModelProtos in memory, with float32 weights from a seeded PRNG and a dynamic batch
 * dimension. Nothing binary is committed; `writeZooModel` generates a file on demand.
 */
import { writeFileSync } from 'node:fs';
import { AttributeType, DataType } from '../../src/models/onnxSchema.ts';
import type { AttributeMessage, ModelMessage, NodeMessage, TensorMessage } from '../../src/models/onnxSchema.ts';
import { encodeOnnxModel } from '../../src/models/onnxModel.ts';
import { seededRandom } from '../../src/models/ortSupport.ts';

export type ZooName = 'resnet50' | 'mobilenet' | 'yolo';

export interface ZooOptions {
  /** Square input size in pixels (defaults: 224, 224, 416). */
  inputSize?: number;
  /** Divides every channel count (1 = full width), to make small test variants. */
  widthDivisor?: number;
  seed?: number;
}

type Attr = number | number[] | string;

function attribute(name: string, value: Attr): AttributeMessage {
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  return Number.isInteger(value)
    ? { name, type: AttributeType.INT, i: value }
    : { name, type: AttributeType.FLOAT, f: value };
}

/** Appends nodes and weights; names follow the PyTorch exporter's `/scope/Op` style. */
class GraphBuilder {
  readonly nodes: NodeMessage[] = [];
  readonly initializers: TensorMessage[] = [];
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  weight(name: string, dims: number[], bound: number): string {
    const count = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = (this.random() * 2 - 1) * bound;
    this.initializers.push({ name, dims, dataType: DataType.FLOAT, rawData: new Uint8Array(data.buffer) });
    return name;
  }

  constantInts(name: string, values: number[]): string {
    const data = new BigInt64Array(values.map((value) => BigInt(value)));
    this.initializers.push({
      name,
      dims: [values.length],
      dataType: DataType.INT64,
      rawData: new Uint8Array(data.buffer),
    });
    return name;
  }

  floats(name: string, values: number[]): string {
    this.initializers.push({
      name,
      dims: [values.length],
      dataType: DataType.FLOAT,
      rawData: new Uint8Array(new Float32Array(values).buffer),
    });
    return name;
  }

  /** A Constant node (exercises the "no-const" handling of the partitioner). */
  constantNode(name: string, values: number[]): string {
    const data = new BigInt64Array(values.map((value) => BigInt(value)));
    const output = `${name}_output_0`;
    this.nodes.push({
      name,
      opType: 'Constant',
      output: [output],
      attribute: [
        {
          name: 'value',
          type: AttributeType.TENSOR,
          t: { dims: [values.length], dataType: DataType.INT64, rawData: new Uint8Array(data.buffer) },
        },
      ],
    });
    return output;
  }

  op(name: string, opType: string, inputs: string[], attrs: Record<string, Attr> = {}): string {
    const output = `${name}_output_0`;
    this.nodes.push({
      name,
      opType,
      input: inputs,
      output: [output],
      attribute: Object.entries(attrs).map(([key, value]) => attribute(key, value)),
    });
    return output;
  }

  conv(scope: string, x: string, cin: number, cout: number, kernel: number, stride = 1, group = 1, gain = 1): string {
    // He-uniform bound keeps activations in range through deep stacks; `gain` damps residual branches.
    const fanIn = (cin / group) * kernel * kernel;
    const w = this.weight(`${scope}.weight`, [cout, cin / group, kernel, kernel], gain * Math.sqrt(6 / fanIn));
    const b = this.weight(`${scope}.bias`, [cout], 0.05);
    const pad = Math.floor(kernel / 2);
    return this.op(`${scope}/Conv`, 'Conv', [x, w, b], {
      kernel_shape: [kernel, kernel],
      strides: [stride, stride],
      pads: [pad, pad, pad, pad],
      group,
      dilations: [1, 1],
    });
  }

  relu(scope: string, x: string): string {
    return this.op(`${scope}/Relu`, 'Relu', [x]);
  }
}

function finish(
  builder: GraphBuilder,
  name: string,
  inputSize: number,
  outputs: { name: string; dims: (number | string)[] }[],
): ModelMessage {
  const valueInfo = (tensor: string, dims: (number | string)[]) => ({
    name: tensor,
    type: {
      tensorType: {
        elemType: DataType.FLOAT,
        shape: { dim: dims.map((dim) => (typeof dim === 'string' ? { dimParam: dim } : { dimValue: dim })) },
      },
    },
  });
  return {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'ppipe modelZoo',
    producerVersion: '1',
    graph: {
      name,
      node: builder.nodes,
      initializer: builder.initializers,
      input: [valueInfo('input', ['N', 3, inputSize, inputSize])],
      output: outputs.map((output) => valueInfo(output.name, output.dims)),
    },
  };
}

function resnet50(options: ZooOptions): ModelMessage {
  const size = options.inputSize ?? 224;
  const div = options.widthDivisor ?? 1;
  const g = new GraphBuilder(options.seed ?? 50);
  let x = g.relu('/stem', g.conv('/stem/conv', 'input', 3, 64 / div, 7, 2));
  x = g.op('/stem/maxpool/MaxPool', 'MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  let channels = 64 / div;
  const stages: [number, number][] = [
    [3, 64],
    [4, 128],
    [6, 256],
    [3, 512],
  ];
  stages.forEach(([depth, width], stage) => {
    const mid = width / div;
    const out = mid * 4;
    for (let block = 0; block < depth; block++) {
      const scope = `/layer${stage + 1}/${block}`;
      const stride = block === 0 && stage > 0 ? 2 : 1;
      let y = g.relu(`${scope}/relu1`, g.conv(`${scope}/conv1`, x, channels, mid, 1));
      y = g.relu(`${scope}/relu2`, g.conv(`${scope}/conv2`, y, mid, mid, 3, stride));
      y = g.conv(`${scope}/conv3`, y, mid, out, 1, 1, 1, 0.2);
      const skip = block === 0 ? g.conv(`${scope}/downsample`, x, channels, out, 1, stride) : x;
      x = g.relu(`${scope}/relu3`, g.op(`${scope}/Add`, 'Add', [y, skip]));
      channels = out;
    }
  });
  x = g.op('/avgpool/GlobalAveragePool', 'GlobalAveragePool', [x]);
  x = g.op('/Flatten', 'Flatten', [x], { axis: 1 });
  const w = g.weight('fc.weight', [1000, channels], Math.sqrt(6 / channels));
  const b = g.weight('fc.bias', [1000], 0.05);
  const logits = g.op('/fc/Gemm', 'Gemm', [x, w, b], { transB: 1 });
  return finish(g, 'resnet50_like', size, [{ name: logits, dims: ['N', 1000] }]);
}

function mobilenet(options: ZooOptions): ModelMessage {
  const size = options.inputSize ?? 224;
  const div = options.widthDivisor ?? 1;
  const g = new GraphBuilder(options.seed ?? 2);
  const lo = g.floats('relu6.min', [0]);
  const hi = g.floats('relu6.max', [6]);
  // Clip's bounds are scalars in opset 13: reshape the one-element weights by declaring them 0-d.
  for (const tensor of g.initializers) tensor.dims = [];
  const relu6 = (scope: string, x: string) => g.op(`${scope}/Clip`, 'Clip', [x, lo, hi]);
  let channels = 32 / div;
  let x = relu6('/features/0', g.conv('/features/0/conv', 'input', 3, channels, 3, 2));
  // MobileNetV2 inverted residual settings: expansion t, channels c, repeats n, stride s.
  const settings: [number, number, number, number][] = [
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 3, 2],
    [6, 64, 4, 2],
    [6, 96, 3, 1],
    [6, 160, 3, 2],
    [6, 320, 1, 1],
  ];
  let index = 1;
  for (const [t, c, n, s] of settings) {
    const out = Math.max(8, c / div);
    for (let repeat = 0; repeat < n; repeat++, index++) {
      const scope = `/features/${index}`;
      const stride = repeat === 0 ? s : 1;
      const hidden = channels * t;
      let y = x;
      if (t !== 1) y = relu6(`${scope}/expand`, g.conv(`${scope}/expand/conv`, y, channels, hidden, 1));
      y = relu6(`${scope}/dw`, g.conv(`${scope}/dw/conv`, y, hidden, hidden, 3, stride, hidden));
      y = g.conv(`${scope}/project/conv`, y, hidden, out, 1, 1, 1, 0.5);
      x = stride === 1 && channels === out ? g.op(`${scope}/Add`, 'Add', [x, y]) : y;
      channels = out;
    }
  }
  const last = 1280 / div;
  x = relu6('/features/last', g.conv('/features/last/conv', x, channels, last, 1));
  x = g.op('/GlobalAveragePool', 'GlobalAveragePool', [x]);
  x = g.op('/Flatten', 'Flatten', [x], { axis: 1 });
  const w = g.weight('classifier.weight', [1000, last], Math.sqrt(6 / last));
  const b = g.weight('classifier.bias', [1000], 0.05);
  return finish(g, 'mobilenet_like', size, [
    { name: g.op('/classifier/Gemm', 'Gemm', [x, w, b], { transB: 1 }), dims: ['N', 1000] },
  ]);
}

function yolo(options: ZooOptions): ModelMessage {
  const size = options.inputSize ?? 416;
  const div = options.widthDivisor ?? 1;
  const g = new GraphBuilder(options.seed ?? 5);
  const silu = (scope: string, x: string) => g.op(`${scope}/Mul`, 'Mul', [x, g.op(`${scope}/Sigmoid`, 'Sigmoid', [x])]);
  const cbs = (scope: string, x: string, cin: number, cout: number, k: number, s = 1) =>
    silu(`${scope}/act`, g.conv(`${scope}/conv`, x, cin, cout, k, s));
  // CSP-like stage: split into two 1×1 branches, a bottleneck chain on one, Concat, fuse.
  const csp = (scope: string, x: string, c: number, n: number): string => {
    const half = c / 2;
    let a = cbs(`${scope}/cv1`, x, c, half, 1);
    const b = cbs(`${scope}/cv2`, x, c, half, 1);
    for (let i = 0; i < n; i++) {
      const y = cbs(`${scope}/m.${i}/cv2`, cbs(`${scope}/m.${i}/cv1`, a, half, half, 1), half, half, 3);
      a = g.op(`${scope}/m.${i}/Add`, 'Add', [a, y]);
    }
    return cbs(`${scope}/cv3`, g.op(`${scope}/Concat`, 'Concat', [a, b], { axis: 1 }), c, c, 1);
  };
  const widths = [32, 64, 128, 256, 512].map((w) => w / div);
  let x = cbs('/model.0', 'input', 3, widths[0]!, 3, 2);
  const features: string[] = [];
  for (let stage = 1; stage < widths.length; stage++) {
    x = cbs(`/model.${stage}/down`, x, widths[stage - 1]!, widths[stage]!, 3, 2);
    x = csp(`/model.${stage}/csp`, x, widths[stage]!, stage === 1 ? 1 : 2);
    if (stage >= 2) features.push(x);
  }
  // FPN top-down path: upsample with Resize and Concat with the lateral feature.
  const scales = g.floats('upsample.scales', [1, 1, 2, 2]);
  let top = features[2]!;
  const heads: string[] = [top];
  for (let level = 1; level >= 0; level--) {
    const lateral = features[level]!;
    const c = widths[level + 2]!;
    const reduced = cbs(`/neck.${level}/reduce`, top, widths[level + 3]!, c, 1);
    const up = g.op(`/neck.${level}/Resize`, 'Resize', [reduced, '', scales], { mode: 'nearest' });
    top = csp(
      `/neck.${level}/csp`,
      cbs(`/neck.${level}/fuse`, g.op(`/neck.${level}/Concat`, 'Concat', [up, lateral], { axis: 1 }), 2 * c, c, 1),
      c,
      1,
    );
    heads.unshift(top);
  }
  // Detection heads: 3 anchors × (4 box + 1 objectness + 80 classes) per cell, flattened and concatenated.
  const shape = g.constantNode('/head/shape', [0, 255, -1]);
  const flattened = heads.map((feature, level) => {
    const c = widths[level + 2]!;
    const out = g.conv(`/head.${level}/conv`, cbs(`/head.${level}/stem`, feature, c, c, 3), c, 255, 1);
    const reshaped = g.op(`/head.${level}/Reshape`, 'Reshape', [out, shape]);
    return g.op(`/head.${level}/Transpose`, 'Transpose', [reshaped], { perm: [0, 2, 1] });
  });
  const cells = [8, 16, 32].reduce((sum, stride) => sum + (size / stride) ** 2, 0);
  const detections = g.op('/head/Sigmoid', 'Sigmoid', [g.op('/head/Concat', 'Concat', flattened, { axis: 1 })]);
  return finish(g, 'yolo_like', size, [{ name: detections, dims: ['N', cells, 255] }]);
}

export function zooModel(name: ZooName, options: ZooOptions = {}): ModelMessage {
  switch (name) {
    case 'resnet50':
      return resnet50(options);
    case 'mobilenet':
      return mobilenet(options);
    case 'yolo':
      return yolo(options);
  }
}

export const ZOO_NAMES: ReadonlyArray<ZooName> = ['resnet50', 'mobilenet', 'yolo'];

/** Generates a zoo model into `file` and returns its bytes. */
export function writeZooModel(file: string, name: ZooName, options: ZooOptions = {}): Uint8Array {
  const bytes = encodeOnnxModel(zooModel(name, options));
  writeFileSync(file, bytes);
  return bytes;
}
