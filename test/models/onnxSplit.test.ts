// Partitioned execution equals the whole model bit for bit with float32 links (onnxruntime 'extended');
// float16 links stay within a measured bound (reference §B.4: feature maps sent as float16).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { float16ToFloat32, float32ToFloat16 } from '../../src/models/float16.ts';
import { loadModel } from '../../src/models/modelReport.ts';
import type { ZooName } from './modelZoo.ts';
import { zooModel } from './modelZoo.ts';
import { encodeOnnxModel } from '../../src/models/onnxModel.ts';
import { randomFeeds } from '../../src/models/ortSupport.ts';
import { runSplitCommand } from '../../src/commands/split.ts';
import { splitModel } from '../../src/models/splitModel.ts';
import { BLAZEFACE_FRONT, assertPartitionsMatchWhole, ifModel } from './onnxTestSupport.ts';

// Small variants keep the suite fast on two cores; the bench runs the full sizes.
const SMALL: Record<ZooName, Parameters<typeof zooModel>[1]> = {
  resnet50: { inputSize: 64, widthDivisor: 4 },
  mobilenet: { inputSize: 64, widthDivisor: 2 },
  yolo: { inputSize: 128, widthDivisor: 4 },
};

async function checkEquivalence(name: string, bytes: Uint8Array): Promise<void> {
  const loaded = await loadModel(name, bytes);
  const count = loaded.analysis.nodes.length;
  const feeds = randomFeeds(loaded.analysis.inputs, loaded.shapeInfo.shapes, loaded.shapeInfo.batch.dynamic ? 2 : 1, 7);
  for (const cuts of [[Math.floor(count / 2)], [Math.floor(count / 3), Math.floor((2 * count) / 3)]]) {
    const split = splitModel(loaded.model, loaded.analysis, loaded.shapeInfo, cuts);
    assert.equal(split.models.length, cuts.length + 1);
    await assertPartitionsMatchWhole(`${name} cuts ${cuts.join(',')}`, bytes, split.models.map(encodeOnnxModel), {
      plans: split.plans,
      feeds,
      outputs: loaded.analysis.outputs,
    });
  }
}

test('BlazeFace front: 2 and 3 partitions are bit-identical to the whole model', async () => {
  await checkEquivalence(BLAZEFACE_FRONT, readFileSync(BLAZEFACE_FRONT));
});

for (const name of ['resnet50', 'mobilenet', 'yolo'] as const) {
  test(`generated ${name}: 2 and 3 partitions are bit-identical to the whole model`, async () => {
    await checkEquivalence(name, encodeOnnxModel(zooModel(name, SMALL[name])));
  });
}

test('float16 codec: round-to-nearest-even, subnormals, overflow, and exact round trip of all halves', () => {
  const cases: [number, number][] = [
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [65520, 0x7c00],
    [1e9, 0x7c00],
    [2 ** -24, 0x0001],
    [2 ** -25, 0x0000],
    [1.5 * 2 ** -25, 0x0001],
    [2 ** -14, 0x0400],
    [1 + 2 ** -11, 0x3c00],
    [1 + 3 * 2 ** -11, 0x3c02],
    [1 + 2 ** -11 + 2 ** -20, 0x3c01],
    [Infinity, 0x7c00],
  ];
  const encoded = float32ToFloat16(new Float32Array(cases.map(([value]) => value)));
  cases.forEach(([value, half], index) => assert.equal(encoded[index], half, `${value}`));
  assert.ok(Number.isNaN(float16ToFloat32(float32ToFloat16(new Float32Array([NaN])))[0]));
  const all = Uint16Array.from({ length: 65536 }, (_, h) => h);
  const back = float32ToFloat16(float16ToFloat32(all));
  for (let h = 0; h < 65536; h++) {
    const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
    if (!isNaN) assert.equal(back[h], h);
  }
});

test('ppipe split writes partitions and a manifest; empty partitions and control flow are refused', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-split-'));
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: (text: string) => out.push(text), stderr: (text: string) => err.push(text) };
  assert.equal(await runSplitCommand([BLAZEFACE_FRONT, '--partitions', '3', '--out', dir], io), 0);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
    sha256: string;
    partitions: { file: string; nodes: [number, number]; inputs: { name: string }[] }[];
  };
  assert.equal(manifest.partitions.length, 3);
  assert.deepEqual(
    manifest.partitions.map((part) => part.file),
    ['part-0.onnx', 'part-1.onnx', 'part-2.onnx'],
  );
  assert.equal(manifest.partitions[0]!.nodes[0], 0);
  assert.equal(manifest.partitions[1]!.nodes[0], manifest.partitions[0]!.nodes[1] + 1);
  assert.deepEqual(
    manifest.partitions[0]!.inputs.map((input) => input.name),
    ['input:0'],
  );
  assert.match(err.join(''), /fixed at 1/);

  err.length = 0;
  assert.equal(await runSplitCommand([BLAZEFACE_FRONT, '--cuts', '5,5', '--out', dir], io), 1);
  assert.match(err.join(''), /partition empty/);
  err.length = 0;
  assert.equal(await runSplitCommand([BLAZEFACE_FRONT, '--cuts', '103', '--out', dir], io), 1);
  assert.match(err.join(''), /partition empty/);
  err.length = 0;
  assert.equal(await runSplitCommand([BLAZEFACE_FRONT, '--out', dir], io), 2);
  assert.match(err.join(''), /--cuts or --partitions/);

  const ifFile = path.join(dir, 'if.onnx');
  (await import('node:fs')).writeFileSync(ifFile, encodeOnnxModel(ifModel()));
  err.length = 0;
  assert.equal(await runSplitCommand([ifFile, '--cuts', '1', '--out', dir], io), 1);
  assert.match(err.join(''), /if\.onnx.*control flow/);
});
