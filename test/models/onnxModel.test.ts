// Protobuf round trip, malformed inputs, and the cut analysis on a hand-built graph (reference §B.3, §B.4).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { InputError } from '../../src/planner/inputError.ts';
import { analyzeGraph, cutEntries } from '../../src/models/graphAnalysis.ts';
import { loadModel, modelReport } from '../../src/models/modelReport.ts';
import { zooModel } from './modelZoo.ts';
import { decodeOnnxModel, encodeOnnxModel, readOnnxModel } from '../../src/models/onnxModel.ts';
import { onnxModelType } from '../../src/models/onnxSchema.ts';
import { BLAZEFACE_FRONT, diamondModel, ifModel } from './onnxTestSupport.ts';

const plain = (model: object) =>
  onnxModelType().toObject(onnxModelType().fromObject(model), { longs: Number, bytes: Array, defaults: false });

test('BlazeFace survives decode → encode → decode unchanged, and our own encoding is byte-stable', () => {
  const bytes = readFileSync(BLAZEFACE_FRONT);
  const model = decodeOnnxModel(bytes, BLAZEFACE_FRONT);
  const again = decodeOnnxModel(encodeOnnxModel(model), 'again');
  assert.deepEqual(plain(again), plain(model));
  assert.equal(encodeOnnxModel(model).length, bytes.length);
  const zoo = encodeOnnxModel(zooModel('mobilenet', { inputSize: 32, widthDivisor: 8 }));
  assert.deepEqual(encodeOnnxModel(decodeOnnxModel(zoo, 'zoo')), zoo);
});

test('empty, truncated, non-ONNX and missing files give an InputError naming the file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-onnx-bad-'));
  const bytes = readFileSync(BLAZEFACE_FRONT);
  const cases: [string, Uint8Array][] = [
    ['empty.onnx', new Uint8Array()],
    ['truncated.onnx', bytes.subarray(0, Math.floor(bytes.length / 2))],
    ['text.onnx', new TextEncoder().encode('{"this": "is json, not onnx"}\n')],
    ['random.onnx', Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff)],
  ];
  for (const [name, content] of cases) {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    assert.throws(
      () => readOnnxModel(file),
      (error: unknown) => error instanceof InputError && error.file === file && /ONNX|protobuf/.test(error.message),
      name,
    );
  }
  assert.throws(() => readOnnxModel(path.join(dir, 'missing.onnx')), InputError);
});

test('external data is refused with the reason', () => {
  const model = diamondModel();
  model.graph!.initializer![0] = {
    name: 'w',
    dims: [4],
    dataType: 1,
    dataLocation: 1,
    externalData: [{ key: 'location', value: 'w.bin' }],
  };
  assert.throws(() => decodeOnnxModel(encodeOnnxModel(model), 'ext.onnx'), /external data are not supported/);
});

test('cut analysis: live tensor sets between consecutive nodes', () => {
  const analysis = analyzeGraph(diamondModel(), 'diamond.onnx');
  assert.deepEqual(
    analysis.nodes.map((node) => node.name),
    ['A', 'B', 'C', 'D'],
  );
  assert.deepEqual(cutEntries(analysis), [
    { node: '$input$', cut: ['x'] },
    { node: 'A', cut: ['a'] },
    { node: 'B', cut: ['a', 'b'] },
    { node: 'C', cut: ['c'] },
    { node: 'D', cut: ['y'] },
    { node: '$output$', cut: [] },
  ]);
});

test('cut analysis sorts an out-of-order graph, names unnamed nodes and keeps Constant nodes off the cuts', () => {
  const model = diamondModel();
  const nodes = model.graph!.node!;
  model.graph!.node = [nodes[2]!, nodes[0]!, nodes[3]!, nodes[1]!];
  model.graph!.node[1]!.name = '';
  model.graph!.node.push({ name: 'K', opType: 'Constant', output: ['k'], attribute: [] });
  model.graph!.node[2]!.input = ['c', 'k'];
  const analysis = analyzeGraph(model, 'shuffled.onnx');
  assert.deepEqual(
    analysis.nodes.map((node) => node.name),
    ['Relu_0', 'B', 'C', 'D'],
  );
  assert.ok(analysis.liveAfter.every((cut) => !cut.includes('k')));
});

test('shapes come from a probe run where value_info is missing; report counts and per-sample sizes', async () => {
  const loaded = await loadModel('diamond.onnx', encodeOnnxModel(diamondModel()));
  const report = modelReport(loaded);
  assert.equal(report.nodeCount, 4);
  assert.equal(report.parameters, 4);
  assert.equal(report.batchDynamic, true);
  assert.deepEqual(loaded.shapeInfo.shapes.get('b'), { dtype: '<f4', shape: [-1, 4] });
  // float32 counted as 2 bytes per element (reference §B.4): cut after B holds a and b.
  assert.deepEqual(report.cutBytes, [8, 16, 8]);
  assert.equal(report.inputBytesPerSample, 8);
});

test('BlazeFace: fixed batch 1 is reported with a warning', async () => {
  const loaded = await loadModel(BLAZEFACE_FRONT);
  const report = modelReport(loaded);
  assert.equal(report.batchDynamic, false);
  assert.equal(report.fixedBatch, 1);
  assert.match(report.warnings.join(' '), /fixed at 1/);
  assert.equal(report.cutBytes.length, report.nodeCount - 1);
});

test('unsupported cases are refused clearly: control flow, symbolic spatial dims', async () => {
  assert.throws(
    () => analyzeGraph(ifModel(), 'if.onnx'),
    (error: unknown) => error instanceof InputError && /control flow/.test(error.message) && error.file === 'if.onnx',
  );
  const model = diamondModel();
  model.graph!.input![0]!.type!.tensorType!.shape!.dim![1] = { dimParam: 'width' };
  await assert.rejects(
    loadModel('symbolic.onnx', encodeOnnxModel(model)),
    /only the leading batch dimension may be dynamic/,
  );
});
