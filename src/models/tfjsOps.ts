/**
 * TensorFlow op → ONNX opset 17 mappings for TF.js graph models. The ops that ONNX defines on NCHW (convolutions,
 * pooling, resize) produce NCHW tensors, and the ops whose values do not depend on the layout (elementwise ops, Mean,
 * Concat) stay in NCHW when an input already is, with their axes and constants permuted; the others read the NHWC
 * form, and the graph's outputs are NHWC. So the converted graph itself is NCHW from the input's transpose to the
 * outputs', instead of leaving onnxruntime's transpose optimiser to move transposes, which it does differently in a
 * whole graph than in a partition of it, making a ReduceMean sum in a different order (and round differently) in
 * each. Each mapping also derives its outputs' dtype and, where a later op needs it, static shape in NHWC (−1 for
 * an unknown dimension, the batch first).
 */
import { NHWC_TO_NCHW } from './onnxGraphBuilder.ts';
import type { OnnxGraphBuilder } from './onnxGraphBuilder.ts';
import type { AttributeValue } from './onnxGraphBuilder.ts';
import type { TfjsNode, TfjsWeight } from './tfjsGraphModel.ts';

/** A model that uses an op, attribute or layout we do not map: `ppipe convert` exits 1 with this message. */
export class ConversionError extends Error {
  override name = 'ConversionError';
}

export type TfDtype = 'DT_FLOAT' | 'DT_INT32' | 'DT_BOOL';

export interface TensorInfo {
  dtype: TfDtype;
  /** NHWC dims, −1 where unknown; undefined when not even the rank is known. */
  shape: number[] | undefined;
}

/** What a mapping sees of the conversion in progress. */
export interface OpContext {
  readonly node: TfjsNode;
  readonly graph: OnnxGraphBuilder;
  /** TensorFlow names of the node's data inputs (control inputs dropped): the NHWC forms, see graph.nchw. */
  readonly inputs: string[];
  info(tensor: string): TensorInfo;
  /** Whether input `index` is a Const node (its value then available through `constant`). */
  isConstant(index: number): boolean;
  /** The value of input `index`, which must be a Const node. */
  constant(index: number): TfjsWeight;
  /** Records an output's dtype and shape; output k of the node is named `node` (k = 0) or `node:k`. */
  define(output: number, info: TensorInfo): string;
}

export type OpMapping = (context: OpContext) => void;

export const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

export function onnxElemType(dtype: TfDtype): number {
  return { DT_FLOAT: 1, DT_INT32: 6, DT_BOOL: 9 }[dtype];
}

// ---- attributes (protobuf JSON: int64 as strings, strings base64) -------------------------------------------------

function fail(node: TfjsNode, what: string): never {
  throw new ConversionError(`unsupported ${what} at node ${node.name}`);
}

function attrString(node: TfjsNode, key: string): string | undefined {
  const value = node.attr?.[key]?.s;
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

function attrInts(node: TfjsNode, key: string): number[] | undefined {
  return node.attr?.[key]?.list?.i?.map(Number);
}

function attrInt(node: TfjsNode, key: string): number {
  return Number(node.attr?.[key]?.i ?? 0);
}

function attrBool(node: TfjsNode, key: string): boolean {
  return node.attr?.[key]?.b ?? false;
}

export function attrDtype(node: TfjsNode, key: string): TfDtype {
  const type = node.attr?.[key]?.type;
  if (type === 'DT_FLOAT' || type === 'DT_INT32' || type === 'DT_BOOL') return type;
  return fail(node, `dtype ${type ?? '(none)'} in attribute ${key}`);
}

// ---- shapes --------------------------------------------------------------------------------------------------------

function broadcastShape(a: number[] | undefined, b: number[] | undefined): number[] | undefined {
  if (!a || !b) return undefined;
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, axis) => {
    const x = a[axis - rank + a.length] ?? 1;
    const y = b[axis - rank + b.length] ?? 1;
    if (x === 1) return y;
    if (y === 1 || x !== -1) return x;
    return y;
  });
}

type Padding = { kind: 'SAME' | 'VALID' } | { kind: 'EXPLICIT'; pads: [number, number, number, number] };

function spatialOutput(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  before: number,
  after: number,
): number {
  if (size < 0) return -1;
  return Math.floor((size + before + after - (kernel - 1) * dilation - 1) / stride) + 1;
}

// ---- mappings ------------------------------------------------------------------------------------------------------

/** Where each NHWC axis sits in NCHW. */
const NCHW_AXIS = [0, 2, 3, 1];

function isAllOnes(shape: number[]): boolean {
  return shape.every((dim) => dim === 1);
}

/**
 * A constant of rank ≤ 4 that broadcasts against NHWC tensors, permuted to broadcast the same against NCHW ones
 * (e.g. a per-channel [C] becomes [1, C, 1, 1]).
 */
function nchwConstant(graph: OnnxGraphBuilder, tensor: string, weight: TfjsWeight): string {
  const padded = [...new Array<number>(4 - weight.shape.length).fill(1), ...weight.shape];
  const dims = NHWC_TO_NCHW.map((axis) => padded[axis]!);
  const data = permute(weight.data, padded, NHWC_TO_NCHW);
  return data instanceof Float32Array
    ? graph.float32(`${tensor}#nchw`, dims, data)
    : graph.int32(`${tensor}#nchw`, dims, data);
}

/**
 * The NCHW forms of an elementwise op's operands when its result is 4-D and one operand already is NCHW, or
 * undefined to compute it in NHWC. Scalars and all-ones shapes broadcast alike in both layouts; other constants of
 * rank ≤ 4 are permuted; a lower-rank computed operand keeps the op in NHWC.
 */
function nchwOperands(context: OpContext, indices: number[], result: TensorInfo): string[] | undefined {
  const { graph, inputs, info } = context;
  if (result.shape?.length !== 4 || !indices.some((index) => graph.hasNchw(inputs[index]!))) return undefined;
  const form = (index: number): 'nchw' | 'as is' | 'permuted constant' | undefined => {
    const tensor = inputs[index]!;
    const shape = info(tensor).shape;
    if (graph.hasNchw(tensor) || (shape?.length === 4 && !context.isConstant(index))) return 'nchw';
    if (shape === undefined || shape.length > 4) return undefined;
    if (isAllOnes(shape)) return 'as is';
    return context.isConstant(index) ? 'permuted constant' : undefined;
  };
  const forms = indices.map(form);
  if (forms.includes(undefined)) return undefined;
  return indices.map((index, position) => {
    const tensor = inputs[index]!;
    if (forms[position] === 'nchw') return graph.nchw(tensor);
    if (forms[position] === 'as is') return tensor;
    return nchwConstant(graph, tensor, context.constant(index));
  });
}

/** An op whose every output value depends on the operands' values at that position only: NCHW if it can be. */
function elementwise(
  context: OpContext,
  onnxOp: string,
  operands: number[],
  parameters: string[],
  result: TensorInfo,
  attributes?: Record<string, AttributeValue>,
): void {
  const { node, graph, inputs, define } = context;
  const nchw = nchwOperands(context, operands, result);
  const output = define(0, result);
  if (nchw) graph.node(onnxOp, node.name, [...nchw, ...parameters], [graph.nchwResult(output)], attributes);
  else {
    const nhwc = operands.map((index) => graph.nhwc(inputs[index]!));
    graph.node(onnxOp, node.name, [...nhwc, ...parameters], [output], attributes);
  }
}

function unary(onnxOp: string): OpMapping {
  return (context) => elementwise(context, onnxOp, [0], [], context.info(context.inputs[0]!));
}

function binary(onnxOp: string): OpMapping {
  return (context) => {
    const [a, b] = [context.info(context.inputs[0]!), context.info(context.inputs[1]!)];
    const dtype = onnxOp === 'Equal' ? 'DT_BOOL' : a.dtype;
    elementwise(context, onnxOp, [0, 1], [], { dtype, shape: broadcastShape(a.shape, b.shape) });
  };
}

function relu6Bounds(graph: OnnxGraphBuilder): string[] {
  return [
    graph.float32('#relu6/min', [], new Float32Array([0])),
    graph.float32('#relu6/max', [], new Float32Array([6])),
  ];
}

function relu6(context: OpContext): void {
  elementwise(context, 'Clip', [0], relu6Bounds(context.graph), context.info(context.inputs[0]!));
}

/** TF FloorDiv: floor(a / b). For integers, (a − floormod(a, b)) / b is exact, so truncating Div gives the floor. */
function floorDiv({ node, graph, inputs, info, define }: OpContext): void {
  const [a, b] = [graph.nhwc(inputs[0]!), graph.nhwc(inputs[1]!)];
  const out = define(0, { dtype: info(a).dtype, shape: broadcastShape(info(a).shape, info(b).shape) });
  if (info(a).dtype === 'DT_INT32') {
    graph.node('Mod', `${node.name}#mod`, [a, b], [`${out}#mod`], { fmod: { int: 0 } });
    graph.node('Sub', `${node.name}#sub`, [a, `${out}#mod`], [`${out}#exact`]);
    graph.node('Div', node.name, [`${out}#exact`, b], [out]);
  } else {
    graph.node('Div', `${node.name}#div`, [a, b], [`${out}#div`]);
    graph.node('Floor', node.name, [`${out}#div`], [out]);
  }
}

/** TF FloorMod: the remainder with the divisor's sign. ONNX Mod does that for integers only (fmod = 0). */
function floorMod({ node, graph, inputs, info, define }: OpContext): void {
  const [a, b] = [graph.nhwc(inputs[0]!), graph.nhwc(inputs[1]!)];
  const out = define(0, { dtype: info(a).dtype, shape: broadcastShape(info(a).shape, info(b).shape) });
  if (info(a).dtype === 'DT_INT32') {
    graph.node('Mod', node.name, [a, b], [out], { fmod: { int: 0 } });
  } else {
    graph.node('Div', `${node.name}#div`, [a, b], [`${out}#div`]);
    graph.node('Floor', `${node.name}#floor`, [`${out}#div`], [`${out}#floor`]);
    graph.node('Mul', `${node.name}#mul`, [`${out}#floor`, b], [`${out}#multiple`]);
    graph.node('Sub', node.name, [a, `${out}#multiple`], [out]);
  }
}

function window(node: TfjsNode, key: string): [number, number] {
  const values = attrInts(node, key) ?? [1, 1, 1, 1];
  if (values.length !== 4 || values[0] !== 1 || values[3] !== 1) fail(node, `${key} ${values.join(',')}`);
  return [values[1]!, values[2]!];
}

function padding(node: TfjsNode): Padding {
  const kind = attrString(node, 'padding');
  if (kind === 'SAME' || kind === 'VALID') return { kind };
  if (kind === 'EXPLICIT') {
    const pads = attrInts(node, 'explicit_paddings') ?? [];
    if (pads.length !== 8) fail(node, `explicit_paddings ${pads.join(',')}`);
    return { kind, pads: [pads[2]!, pads[4]!, pads[3]!, pads[5]!] };
  }
  return fail(node, `padding ${kind ?? '(none)'}`);
}

/** Spatial attributes of an NCHW Conv/MaxPool and the NHWC output's height and width. */
function spatial(
  node: TfjsNode,
  input: number[] | undefined,
  kernel: [number, number],
  stride: [number, number],
  dilation: [number, number],
): { attributes: Record<string, { ints: number[] } | { string: string }>; height: number; width: number } {
  const layout = attrString(node, 'data_format') ?? 'NHWC';
  if (layout !== 'NHWC') fail(node, `data_format ${layout}`);
  const pad = padding(node);
  const [h, w] = [input?.[1] ?? -1, input?.[2] ?? -1];
  const attributes: Record<string, { ints: number[] } | { string: string }> = {
    kernel_shape: { ints: kernel },
    strides: { ints: stride },
  };
  // TF's SAME puts the odd pixel of padding after, as ONNX's SAME_UPPER does.
  if (pad.kind === 'SAME') attributes['auto_pad'] = { string: 'SAME_UPPER' };
  else if (pad.kind === 'EXPLICIT') attributes['pads'] = { ints: pad.pads };
  const same = (size: number, s: number) => (size < 0 ? -1 : Math.ceil(size / s));
  const [top, left, bottom, right] = pad.kind === 'EXPLICIT' ? pad.pads : [0, 0, 0, 0];
  return {
    attributes,
    height: pad.kind === 'SAME' ? same(h, stride[0]) : spatialOutput(h, kernel[0], stride[0], dilation[0], top, bottom),
    width: pad.kind === 'SAME' ? same(w, stride[1]) : spatialOutput(w, kernel[1], stride[1], dilation[1], left, right),
  };
}

/** Transposes a constant's data (row-major) by `perm`. */
function permute<Data extends Float32Array | Int32Array>(data: Data, shape: number[], perm: number[]): Data {
  const outShape = perm.map((axis) => shape[axis]!);
  const inStrides = shape.map((_, axis) => shape.slice(axis + 1).reduce((p, d) => p * d, 1));
  const out = data.slice() as Data;
  const index = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < out.length; flat++) {
    let source = 0;
    for (let axis = 0; axis < perm.length; axis++) source += index[axis]! * inStrides[perm[axis]!]!;
    out[flat] = data[source]!;
    for (let axis = outShape.length - 1; axis >= 0; axis--) {
      if (++index[axis]! < outShape[axis]!) break;
      index[axis] = 0;
    }
  }
  return out;
}

/**
 * Conv2D, _FusedConv2D (BiasAdd, then optionally Relu or Relu6), DepthwiseConv2dNative and its fused form.
 * The HWIO filter becomes an OIHW initializer; a depthwise [H, W, C, M] filter becomes [C·M, 1, H, W] with C groups.
 */
function convolution(depthwise: boolean): OpMapping {
  return (context) => {
    const { node, graph, inputs, info, define } = context;
    const filter = context.constant(1);
    if (filter.dtype !== 'float32' || filter.shape.length !== 4) fail(node, 'filter (expected a 4-D float32 constant)');
    const [kh, kw, channelsIn, channelsOut] = filter.shape as [number, number, number, number];
    const weights = depthwise
      ? graph.float32(
          `${inputs[1]}#depthwise`,
          [channelsIn * channelsOut, 1, kh, kw],
          permute(filter.data, filter.shape, [2, 3, 0, 1]),
        )
      : graph.float32(
          `${inputs[1]}#oihw`,
          [channelsOut, channelsIn, kh, kw],
          permute(filter.data, filter.shape, [3, 2, 0, 1]),
        );
    const dilation = window(node, 'dilations');
    const x = info(inputs[0]!).shape;
    const { attributes, height, width } = spatial(node, x, [kh, kw], window(node, 'strides'), dilation);
    const fused = node.attr?.['fused_ops']?.list?.s?.map((s) => Buffer.from(s, 'base64').toString('utf8')) ?? [];
    if (fused.length > 0 && (fused[0] !== 'BiasAdd' || attrInt(node, 'num_args') !== 1 || fused.length > 2))
      fail(node, `fused_ops ${fused.join(',')}`);
    const activation = fused[1];
    if (activation !== undefined && activation !== 'Relu' && activation !== 'Relu6')
      fail(node, `fused activation ${activation}`);
    const output = define(0, {
      dtype: 'DT_FLOAT',
      shape: [x?.[0] ?? -1, height, width, depthwise ? channelsIn * channelsOut : channelsOut],
    });
    const result = graph.nchwResult(output);
    const conv = activation === undefined ? result : `${output}#conv`;
    graph.node(
      'Conv',
      node.name,
      [graph.nchw(inputs[0]!), weights, ...(fused.length > 0 ? [inputs[2]!] : [])],
      [conv],
      {
        ...attributes,
        dilations: { ints: dilation },
        group: { int: depthwise ? channelsIn : 1 },
      },
    );
    if (activation === 'Relu') graph.node('Relu', `${node.name}#relu`, [conv], [result]);
    else if (activation === 'Relu6') graph.node('Clip', `${node.name}#relu6`, [conv, ...relu6Bounds(graph)], [result]);
  };
}

function maxPool({ node, graph, inputs, info, define }: OpContext): void {
  const x = info(inputs[0]!).shape;
  const { attributes, height, width } = spatial(node, x, window(node, 'ksize'), window(node, 'strides'), [1, 1]);
  const output = define(0, { dtype: 'DT_FLOAT', shape: [x?.[0] ?? -1, height, width, x?.[3] ?? -1] });
  graph.node('MaxPool', node.name, [graph.nchw(inputs[0]!)], [graph.nchwResult(output)], attributes);
}

/**
 * ResizeBilinear to a constant size. The batch is dynamic, so ONNX's `sizes` (all four dims) cannot be used:
 * the size becomes scales, which needs the input's static height and width.
 */
function resizeBilinear(context: OpContext): void {
  const { node, graph, inputs, info, define } = context;
  const size = context.constant(1);
  const x = info(inputs[0]!).shape;
  const [h, w] = [x?.[1] ?? -1, x?.[2] ?? -1];
  if (h < 1 || w < 1) fail(node, 'ResizeBilinear of an input whose height and width are not static');
  const [outH, outW] = [size.data[0]!, size.data[1]!];
  const scales = new Float32Array([1, 1, resizeScale(h, outH), resizeScale(w, outW)]);
  const mode = attrBool(node, 'align_corners')
    ? 'align_corners'
    : attrBool(node, 'half_pixel_centers')
      ? 'half_pixel'
      : 'asymmetric';
  const output = define(0, { dtype: 'DT_FLOAT', shape: [x?.[0] ?? -1, outH, outW, x?.[3] ?? -1] });
  const scalesName = graph.float32(`${output}#scales`, [4], scales);
  graph.node('Resize', node.name, [graph.nchw(inputs[0]!), '', scalesName], [graph.nchwResult(output)], {
    mode: { string: 'linear' },
    coordinate_transformation_mode: { string: mode },
  });
}

/**
 * out / in as a float32 scale. onnxruntime sizes the output as ⌊in · scale⌋ in float32, which a ratio such as 5/3
 * rounded down misses by one: step such a scale up by one ulp at a time (a relative change of ~1e-7).
 */
function resizeScale(input: number, output: number): number {
  const bits = new Uint32Array(new Float32Array([output / input]).buffer);
  const scale = () => new Float32Array(bits.buffer)[0]!;
  while (Math.floor(Math.fround(input * scale())) < output) bits[0]!++;
  return scale();
}

function axisList(context: OpContext, index: number): number[] {
  const value = context.constant(index);
  if (value.dtype !== 'int32') fail(context.node, `non-int32 axes input ${context.inputs[index]}`);
  return [...value.data];
}

function mean(context: OpContext): void {
  const { node, graph, inputs, info, define } = context;
  const x = info(inputs[0]!);
  const keep = attrBool(node, 'keep_dims');
  const rank = x.shape?.length;
  const axes = axisList(context, 1).map((axis) => (axis < 0 && rank !== undefined ? axis + rank : axis));
  const shape =
    x.shape && axes.every((axis) => axis >= 0)
      ? x.shape.flatMap((dim, axis) => (axes.includes(axis) ? (keep ? [1] : []) : [dim]))
      : undefined;
  const output = define(0, { dtype: x.dtype, shape });
  // Without keep_dims, NCHW gives the same tensor only if the kept axes come in the same order (e.g. [N, C]).
  const kept = [0, 1, 2, 3].filter((axis) => !axes.includes(axis)).map((axis) => NCHW_AXIS[axis]!);
  const inNchw =
    graph.hasNchw(inputs[0]!) &&
    axes.every((axis) => axis >= 0 && axis < 4) &&
    (keep || kept.every((axis, index) => index === 0 || kept[index - 1]! < axis));
  if (inNchw) {
    graph.node('ReduceMean', node.name, [graph.nchw(inputs[0]!)], [keep ? graph.nchwResult(output) : output], {
      axes: { ints: axes.map((axis) => NCHW_AXIS[axis]!) },
      keepdims: { int: keep ? 1 : 0 },
    });
    return;
  }
  graph.node('ReduceMean', node.name, [graph.nhwc(inputs[0]!)], [output], {
    axes: { ints: axes },
    keepdims: { int: keep ? 1 : 0 },
  });
}

function concat(context: OpContext): void {
  const { node, graph, inputs, info, define } = context;
  const parts = inputs.slice(0, -1);
  const [axisValue] = axisList(context, inputs.length - 1);
  const shapes = parts.map((part) => info(part).shape);
  const first = shapes[0];
  const axis = axisValue! < 0 && first ? axisValue! + first.length : axisValue!;
  const shape =
    first && shapes.every((s) => s?.length === first.length)
      ? first.map((dim, index) =>
          index === axis
            ? shapes.some((s) => s![index]! < 0)
              ? -1
              : shapes.reduce((sum, s) => sum + s![index]!, 0)
            : dim,
        )
      : undefined;
  const output = define(0, { dtype: info(parts[0]!).dtype, shape });
  const inNchw = axis >= 0 && shapes.every((s) => s?.length === 4) && parts.some((part) => graph.hasNchw(part));
  if (inNchw) {
    graph.node(
      'Concat',
      node.name,
      parts.map((part) => graph.nchw(part)),
      [graph.nchwResult(output)],
      {
        axis: { int: NCHW_AXIS[axis]! },
      },
    );
    return;
  }
  graph.node(
    'Concat',
    node.name,
    parts.map((part) => graph.nhwc(part)),
    [output],
    { axis: { int: axisValue! } },
  );
}

function reshape(context: OpContext): void {
  const { node, graph, inputs, info, define } = context;
  const target = axisList(context, 1);
  const shapeName = graph.int64(`${inputs[1]}#int64`, target);
  // TF reads 0 as an empty dimension, ONNX as "copy the input's" unless allowzero is set.
  const attributes = target.includes(0) ? { allowzero: { int: 1 } } : undefined;
  graph.node(
    'Reshape',
    node.name,
    [graph.nhwc(inputs[0]!), shapeName],
    [define(0, { dtype: info(inputs[0]!).dtype, shape: undefined })],
    attributes,
  );
}

function expandDims(context: OpContext): void {
  const { node, graph, inputs, info, define } = context;
  const axes = graph.int64(`${inputs[1]}#int64`, axisList(context, 1));
  graph.node(
    'Unsqueeze',
    node.name,
    [graph.nhwc(inputs[0]!), axes],
    [define(0, { dtype: info(inputs[0]!).dtype, shape: undefined })],
  );
}

/** StridedSlice with begin, end and shrink-axis masks (no ellipsis, no new axes) as Slice, then Squeeze. */
function stridedSlice(context: OpContext): void {
  const { node, graph, inputs, info, define } = context;
  for (const mask of ['ellipsis_mask', 'new_axis_mask'])
    if (attrInt(node, mask) !== 0) fail(node, `StridedSlice ${mask}`);
  const [begin, end, strides] = [axisList(context, 1), axisList(context, 2), axisList(context, 3)];
  const [beginMask, endMask, shrinkMask] = ['begin_mask', 'end_mask', 'shrink_axis_mask'].map((key) =>
    attrInt(node, key),
  );
  const starts: bigint[] = [];
  const ends: bigint[] = [];
  const squeeze: number[] = [];
  begin.forEach((first, axis) => {
    const step = strides[axis]!;
    const bit = 1 << axis;
    if (shrinkMask! & bit) {
      starts.push(BigInt(first));
      ends.push(first === -1 ? INT64_MAX : BigInt(first + 1));
      squeeze.push(axis);
      strides[axis] = 1;
      return;
    }
    starts.push(beginMask! & bit ? (step > 0 ? 0n : INT64_MAX) : BigInt(first));
    ends.push(endMask! & bit ? (step > 0 ? INT64_MAX : INT64_MIN) : BigInt(end[axis]!));
  });
  const sliceInputs = [
    graph.nhwc(inputs[0]!),
    graph.int64(`${node.name}#starts`, starts),
    graph.int64(`${node.name}#ends`, ends),
    graph.int64(
      `${node.name}#axes`,
      begin.map((_, axis) => axis),
    ),
    graph.int64(`${node.name}#steps`, strides),
  ];
  const output = define(0, { dtype: info(inputs[0]!).dtype, shape: undefined });
  if (squeeze.length === 0) {
    graph.node('Slice', node.name, sliceInputs, [output]);
    return;
  }
  graph.node('Slice', `${node.name}#slice`, sliceInputs, [`${output}#slice`]);
  graph.node('Squeeze', node.name, [`${output}#slice`, graph.int64(`${node.name}#squeeze`, squeeze)], [output]);
}

function cast(context: OpContext): void {
  const dtype = attrDtype(context.node, 'DstT');
  elementwise(
    context,
    'Cast',
    [0],
    [],
    { dtype, shape: context.info(context.inputs[0]!).shape },
    {
      to: { int: onnxElemType(dtype) },
    },
  );
}

/** TopKV2 on the last axis; ONNX's int64 indices are cast back to TF's int32. */
function topK(context: OpContext): void {
  const { node, graph, inputs, info, define } = context;
  const [k] = axisList(context, 1);
  const values = define(0, { dtype: info(inputs[0]!).dtype, shape: undefined });
  const indices = define(1, { dtype: 'DT_INT32', shape: undefined });
  graph.node(
    'TopK',
    node.name,
    [graph.nhwc(inputs[0]!), graph.int64(`${inputs[1]}#int64`, [k!])],
    [values, `${indices}#int64`],
    {
      axis: { int: -1 },
      largest: { int: 1 },
      sorted: { int: node.attr?.['sorted']?.b === false ? 0 : 1 },
    },
  );
  graph.node('Cast', `${node.name}#indices`, [`${indices}#int64`], [indices], {
    to: { int: onnxElemType('DT_INT32') },
  });
}

function gather(context: OpContext): void {
  const { node, graph, inputs, info, define } = context;
  if (attrInt(node, 'batch_dims') !== 0) fail(node, `GatherV2 batch_dims ${attrInt(node, 'batch_dims')}`);
  const [axis] = axisList(context, 2);
  graph.node(
    'Gather',
    node.name,
    [graph.nhwc(inputs[0]!), graph.nhwc(inputs[1]!)],
    [define(0, { dtype: info(inputs[0]!).dtype, shape: undefined })],
    {
      axis: { int: axis! },
    },
  );
}

/** Every op the converter maps (Placeholder and Const are the graph's inputs and initializers). */
export const OP_MAPPINGS: Record<string, OpMapping> = {
  Conv2D: convolution(false),
  _FusedConv2D: convolution(false),
  DepthwiseConv2dNative: convolution(true),
  FusedDepthwiseConv2dNative: convolution(true),
  MaxPool: maxPool,
  ResizeBilinear: resizeBilinear,
  Relu: unary('Relu'),
  Relu6: relu6,
  Sigmoid: unary('Sigmoid'),
  Identity: unary('Identity'),
  Add: binary('Add'),
  Sub: binary('Sub'),
  Mul: binary('Mul'),
  Equal: binary('Equal'),
  FloorDiv: floorDiv,
  FloorMod: floorMod,
  Mean: mean,
  ConcatV2: concat,
  Reshape: reshape,
  ExpandDims: expandDims,
  StridedSlice: stridedSlice,
  Cast: cast,
  TopKV2: topK,
  GatherV2: gather,
};
