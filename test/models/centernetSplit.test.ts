// `ppipe split` of the served CenterNet model (the converted heads) at 3 partitions: the files it writes, run in
// sequence on two test photographs, equal the whole model bit for bit under the split check's default
// optimisations ('extended') and with them off.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import ort from 'onnxruntime-node';
import { runSplitCommand } from '../../src/commands/split.ts';
import type { SplitManifest } from '../../src/commands/split.ts';
import { convertTfjsGraphModel, encodeOnnxModel, loadModel, readTfjsGraphModel } from '../../src/models/index.ts';
import { splitModel } from '../../src/models/splitModel.ts';
import { assertPartitionsMatchWhole } from './onnxTestSupport.ts';
import { CENTERNET, CENTERNET_INPUT_PX, photoTensor } from './tfjsTestSupport.ts';

const work = mkdtempSync(path.join(tmpdir(), 'ppipe-centernet-split-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('ppipe split of CenterNet heads, 3 partitions: bit-identical optimised and unoptimised', async () => {
  const headsFile = path.join(work, 'centernet-heads.onnx');
  const outputs = ['tower_0/keypoints', 'tower_0/wh'];
  writeFileSync(headsFile, encodeOnnxModel(convertTfjsGraphModel(readTfjsGraphModel(CENTERNET), { outputs })));
  const partsDir = path.join(work, 'parts');
  const err: string[] = [];
  const io = { stdout: () => {}, stderr: (text: string) => err.push(text) };
  assert.equal(await runSplitCommand([headsFile, '--partitions', '3', '--out', partsDir], io), 0, err.join(''));

  const manifest = JSON.parse(readFileSync(path.join(partsDir, 'manifest.json'), 'utf8')) as SplitManifest;
  assert.equal(manifest.partitions.length, 3);
  const partitions = manifest.partitions.map((part) => readFileSync(path.join(partsDir, part.file)));
  // The partitions' run plans come from the split builder at the manifest's cuts; the files must be its output.
  const headsBytes = readFileSync(headsFile);
  const loaded = await loadModel(headsFile, headsBytes);
  const cuts = manifest.partitions.slice(0, -1).map((part) => part.nodes[1]);
  const split = splitModel(loaded.model, loaded.analysis, loaded.shapeInfo, cuts);
  split.models.forEach((model, index) =>
    assert.ok(Buffer.from(encodeOnnxModel(model)).equals(partitions[index]!), `part-${index}.onnx differs`),
  );
  assert.deepEqual(
    manifest.partitions.map((part) => part.link),
    split.plans.map((plan) => plan.link.map((spec) => spec.name)),
  );

  const side = CENTERNET_INPUT_PX;
  const batch = new Float32Array(2 * side * side * 3);
  batch.set(photoTensor('astronaut.png'));
  batch.set(photoTensor('coffee.png'), side * side * 3);
  const run = {
    plans: split.plans,
    feeds: { 'tower_0/images': new ort.Tensor('float32', batch, [2, side, side, 3]) },
    outputs,
  };
  // The converter keeps the graph NCHW inside (see tfjsOps.ts): with NHWC links, onnxruntime's transpose optimiser
  // rewrote the whole graph differently from its partitions and the heads differed in the last bits.
  await assertPartitionsMatchWhole('centernet heads, 3 partitions', headsBytes, partitions, run);
  await assertPartitionsMatchWhole(
    'centernet heads, 3 partitions, unoptimised',
    headsBytes,
    partitions,
    run,
    'disabled',
  );
});
