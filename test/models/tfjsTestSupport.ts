// Small TensorFlow.js graph models written by hand (GraphDef JSON + weight shards) for the converter tests, and
// naive NHWC reference implementations of the TF ops they use, written from TensorFlow's documented semantics; and
// the shipped CenterNet with the original's pre-processing of the test photographs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { resolveTool } from '../../src/ingest/index.ts';
import { float32ToFloat16 } from '../../src/models/float16.ts';
import { REPO_ROOT, testPhoto } from '../helpers.ts';

/** The shipped CenterNet (models/centernet/README.md). */
export const CENTERNET = path.join(REPO_ROOT, 'models/centernet/centernet.json');
/** CenterNet's input side: the original stretches every image to this square. */
export const CENTERNET_INPUT_PX = 512;

export type TestPhoto = Parameters<typeof testPhoto>[0];
export const TEST_PHOTOS: ReadonlyArray<TestPhoto> = ['astronaut.png', 'coffee.png', 'chelsea.png'];

/** The original's pre-processing: the photo stretched to 512×512 by the product's ffmpeg, raw 0–255 RGB, NHWC. */
export function photoTensor(name: TestPhoto): Float32Array {
  const side = CENTERNET_INPUT_PX;
  const rgb = execFileSync(
    resolveTool('ffmpeg', 'ffmpeg'),
    ['-v', 'error', '-i', testPhoto(name), '-vf', `scale=${side}:${side}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    { maxBuffer: 1 << 22 },
  );
  return Float32Array.from(rgb);
}

export type TfNode = { name: string; op: string; input?: string[]; attr?: Record<string, unknown> };
export type TfWeight = {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  values: number[];
  float16?: boolean;
};

export const attr = {
  ints: (...values: number[]) => ({ list: { i: values.map(String) } }),
  str: (text: string) => ({ s: Buffer.from(text).toString('base64') }),
  strs: (...texts: string[]) => ({ list: { s: texts.map((text) => Buffer.from(text).toString('base64')) } }),
  int: (value: number) => ({ i: String(value) }),
  bool: (value: boolean) => ({ b: value }),
  type: (type: string) => ({ type }),
  shape: (...dims: number[]) => ({ shape: { dim: dims.map((size) => ({ size: String(size) })) } }),
};

export function placeholder(name: string, dtype: string, ...dims: number[]): TfNode {
  return { name, op: 'Placeholder', attr: { dtype: attr.type(dtype), shape: attr.shape(...dims) } };
}

/**
 * Writes DIR/model.json and its weights split over two shards (the split falls inside a weight, as the TF.js
 * converter's 4 MB shards do). Const nodes are added for every weight.
 */
export function writeTfjsModel(dir: string, nodes: TfNode[], weights: TfWeight[], signatureOutputs?: string[]): string {
  mkdirSync(dir, { recursive: true });
  const chunks = weights.map((weight) =>
    weight.dtype === 'int32'
      ? new Uint8Array(Int32Array.from(weight.values).buffer)
      : weight.float16
        ? new Uint8Array(float32ToFloat16(Float32Array.from(weight.values)).buffer)
        : new Uint8Array(Float32Array.from(weight.values).buffer),
  );
  const bytes = Buffer.concat(chunks);
  const half = Math.floor(bytes.length / 2) + 1;
  writeFileSync(path.join(dir, 'group1-shard1of2.bin'), bytes.subarray(0, half));
  writeFileSync(path.join(dir, 'group1-shard2of2.bin'), bytes.subarray(half));
  const constNodes = weights.map((weight) => ({
    name: weight.name,
    op: 'Const',
    attr: { dtype: attr.type(weight.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT'), value: { tensor: {} } },
  }));
  const model = {
    format: 'graph-model',
    generatedBy: 'test',
    convertedBy: 'test',
    ...(signatureOutputs ? { signature: { outputs: Object.fromEntries(signatureOutputs.map((o) => [o, {}])) } } : {}),
    modelTopology: { node: [...constNodes, ...nodes], library: {}, versions: {} },
    weightsManifest: [
      {
        paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'],
        weights: weights.map((weight) => ({
          name: weight.name,
          shape: weight.shape,
          dtype: weight.dtype,
          ...(weight.float16 ? { quantization: { dtype: 'float16', original_dtype: 'float32' } } : {}),
        })),
      },
    ],
  };
  const file = path.join(dir, 'model.json');
  writeFileSync(file, JSON.stringify(model));
  return file;
}

// ---- NHWC reference ops --------------------------------------------------------------------------------------------

/** A dense tensor: row-major values and dims. */
export type Tensor = { dims: number[]; data: number[] };

const at = (t: Tensor, ...index: number[]) => t.data[index.reduce((flat, i, axis) => flat * t.dims[axis]! + i, 0)]!;

export type TfPadding = 'SAME' | 'VALID' | [number, number, number, number];

/** Output size and leading pad of one spatial axis under TF's padding rules. */
function axisWindow(size: number, kernel: number, stride: number, dilation: number, padding: TfPadding, axis: 0 | 1) {
  const effective = (kernel - 1) * dilation + 1;
  if (padding === 'VALID') return { out: Math.floor((size - effective) / stride) + 1, before: 0 };
  if (padding === 'SAME') {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + effective - size, 0);
    return { out, before: Math.floor(total / 2) };
  }
  const [before, after] = axis === 0 ? [padding[0], padding[1]] : [padding[2], padding[3]];
  return { out: Math.floor((size + before + after - effective) / stride) + 1, before };
}

/**
 * Conv2D (filter [KH, KW, C, O]) or, with `depthwise`, DepthwiseConv2dNative (filter [KH, KW, C, M], output
 * channel c·M + m); `padding` EXPLICIT as [top, bottom, left, right].
 */
export function conv2d(
  x: Tensor,
  filter: Tensor,
  options: { stride?: number; dilation?: number; padding: TfPadding; depthwise?: boolean; bias?: number[] },
): Tensor {
  const [n, h, w, c] = x.dims as [number, number, number, number];
  const [kh, kw, fc, fo] = filter.dims as [number, number, number, number];
  const stride = options.stride ?? 1;
  const dilation = options.dilation ?? 1;
  const rows = axisWindow(h, kh, stride, dilation, options.padding, 0);
  const cols = axisWindow(w, kw, stride, dilation, options.padding, 1);
  const channels = options.depthwise ? c * fo : fo;
  const data: number[] = [];
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < rows.out; oy++)
      for (let ox = 0; ox < cols.out; ox++)
        for (let o = 0; o < channels; o++) {
          let sum = options.bias?.[o] ?? 0;
          for (let ky = 0; ky < kh; ky++)
            for (let kx = 0; kx < kw; kx++) {
              const y = oy * stride - rows.before + ky * dilation;
              const xx = ox * stride - cols.before + kx * dilation;
              if (y < 0 || y >= h || xx < 0 || xx >= w) continue;
              if (options.depthwise) {
                const channel = Math.floor(o / fo);
                sum += at(x, b, y, xx, channel) * at(filter, ky, kx, channel, o % fo);
              } else {
                for (let i = 0; i < fc; i++) sum += at(x, b, y, xx, i) * at(filter, ky, kx, i, o);
              }
            }
          data.push(sum);
        }
  return { dims: [n, rows.out, cols.out, channels], data };
}

export function maxPool(x: Tensor, kernel: number, stride: number, padding: 'SAME' | 'VALID'): Tensor {
  const [n, h, w, c] = x.dims as [number, number, number, number];
  const rows = axisWindow(h, kernel, stride, 1, padding, 0);
  const cols = axisWindow(w, kernel, stride, 1, padding, 1);
  const data: number[] = [];
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < rows.out; oy++)
      for (let ox = 0; ox < cols.out; ox++)
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          for (let ky = 0; ky < kernel; ky++)
            for (let kx = 0; kx < kernel; kx++) {
              const y = oy * stride - rows.before + ky;
              const xx = ox * stride - cols.before + kx;
              if (y >= 0 && y < h && xx >= 0 && xx < w) best = Math.max(best, at(x, b, y, xx, ch));
            }
          data.push(best);
        }
  return { dims: [n, rows.out, cols.out, c], data };
}

/** tf.image.resize_bilinear with its align_corners / half_pixel_centers flags. */
export function resizeBilinear(
  x: Tensor,
  outH: number,
  outW: number,
  mode: 'asymmetric' | 'align_corners' | 'half_pixel',
): Tensor {
  const [n, h, w, c] = x.dims as [number, number, number, number];
  const source = (out: number, inSize: number, outSize: number) => {
    if (mode === 'align_corners') return outSize > 1 ? (out * (inSize - 1)) / (outSize - 1) : 0;
    if (mode === 'half_pixel') return Math.max((out + 0.5) * (inSize / outSize) - 0.5, 0);
    return out * (inSize / outSize);
  };
  const data: number[] = [];
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < outH; oy++)
      for (let ox = 0; ox < outW; ox++)
        for (let ch = 0; ch < c; ch++) {
          const sy = source(oy, h, outH);
          const sx = source(ox, w, outW);
          const [y0, x0] = [Math.floor(sy), Math.floor(sx)];
          const [y1, x1] = [Math.min(y0 + 1, h - 1), Math.min(x0 + 1, w - 1)];
          const [dy, dx] = [sy - y0, sx - x0];
          const top = at(x, b, y0, x0, ch) * (1 - dx) + at(x, b, y0, x1, ch) * dx;
          const bottom = at(x, b, y1, x0, ch) * (1 - dx) + at(x, b, y1, x1, ch) * dx;
          data.push(top * (1 - dy) + bottom * dy);
        }
  return { dims: [n, outH, outW, c], data };
}

/** Elementwise op with numpy broadcasting. */
export function broadcast(a: Tensor, b: Tensor, op: (x: number, y: number) => number): Tensor {
  const rank = Math.max(a.dims.length, b.dims.length);
  const pad = (dims: number[]) => [...new Array<number>(rank - dims.length).fill(1), ...dims];
  const [da, db] = [pad(a.dims), pad(b.dims)];
  const dims = da.map((d, i) => Math.max(d, db[i]!));
  const data: number[] = [];
  const index = new Array<number>(rank).fill(0);
  const total = dims.reduce((p, d) => p * d, 1);
  for (let flat = 0; flat < total; flat++) {
    const pick = (t: Tensor, d: number[]) =>
      t.data[index.reduce((f, i, axis) => f * d[axis]! + (d[axis] === 1 ? 0 : i), 0)]!;
    data.push(op(pick(a, da), pick(b, db)));
    for (let axis = rank - 1; axis >= 0; axis--) {
      if (++index[axis]! < dims[axis]!) break;
      index[axis] = 0;
    }
  }
  return { dims, data };
}

export const map = (t: Tensor, f: (v: number) => number): Tensor => ({ dims: t.dims, data: t.data.map(f) });

/** Mean over the given (non-negative) axes, keeping them as size 1 or dropping them. */
export function mean(x: Tensor, axes: number[], keep: boolean): Tensor {
  const outDims = x.dims.map((d, axis) => (axes.includes(axis) ? 1 : d));
  const sums = new Array<number>(outDims.reduce((p, d) => p * d, 1)).fill(0);
  const index = new Array<number>(x.dims.length).fill(0);
  for (const value of x.data) {
    sums[index.reduce((f, i, axis) => f * outDims[axis]! + (axes.includes(axis) ? 0 : i), 0)]! += value;
    for (let axis = x.dims.length - 1; axis >= 0; axis--) {
      if (++index[axis]! < x.dims[axis]!) break;
      index[axis] = 0;
    }
  }
  const count = axes.reduce((p, axis) => p * x.dims[axis]!, 1);
  return {
    dims: keep ? outDims : x.dims.filter((_, axis) => !axes.includes(axis)),
    data: sums.map((s) => s / count),
  };
}

/** Concatenation on the last axis. */
export function concatLast(parts: Tensor[]): Tensor {
  const rows = parts[0]!.data.length / parts[0]!.dims.at(-1)!;
  const data: number[] = [];
  for (let r = 0; r < rows; r++)
    for (const part of parts) {
      const width = part.dims.at(-1)!;
      data.push(...part.data.slice(r * width, (r + 1) * width));
    }
  return { dims: [...parts[0]!.dims.slice(0, -1), parts.reduce((s, p) => s + p.dims.at(-1)!, 0)], data };
}

export const floorDiv = (a: number, b: number) => Math.floor(a / b);
export const floorMod = (a: number, b: number) => a - Math.floor(a / b) * b;

/** A deterministic tensor of values in [−1, 1) with `digits` binary fraction bits (exact in float16). */
export function seeded(dims: number[], seed: number, digits = 5): Tensor {
  let state = seed >>> 0;
  const total = dims.reduce((p, d) => p * d, 1);
  const data = Array.from({ length: total }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.floor((state / 2 ** 32) * 2 ** (digits + 1) - 2 ** digits) / 2 ** digits;
  });
  return { dims, data };
}
