// CenterNet converted to ONNX against the original: the TF.js graph model run by TensorFlow.js (wasm backend) and
// the converted model run by onnxruntime on the test photographs, with the original's pre-processing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ort from 'onnxruntime-node';
import { convertTfjsGraphModel, encodeOnnxModel, readTfjsGraphModel } from '../../src/models/index.ts';
import { createSession } from '../../src/models/ortSupport.ts';
import { CENTERNET, CENTERNET_INPUT_PX, TEST_PHOTOS, photoTensor } from './tfjsTestSupport.ts';
import type { TfjsReference } from './tfjsReference.ts';
import { loadTfjsReference } from './tfjsReference.ts';

const INPUT = 'tower_0/images';
const HEADS = ['tower_0/keypoints', 'tower_0/wh'];
const DETECTIONS = 'tower_0/detections';
/** Elementwise bound on the heads: absolute 1e-4 plus 1e-3 of the reference value. */
const ABS_TOLERANCE = 1e-4;
const REL_TOLERANCE = 1e-3;
/** The decode's detections compared: those the original scores above this. */
const MIN_SCORE = 0.3;
const MIN_IOU = 0.99;

const side = CENTERNET_INPUT_PX;
let reference: TfjsReference;
let images: Float32Array[];
const onnx: { heads?: ort.InferenceSession; whole?: ort.InferenceSession } = {};

before(async () => {
  const model = readTfjsGraphModel(CENTERNET);
  onnx.heads = await createSession(encodeOnnxModel(convertTfjsGraphModel(model, { outputs: HEADS })), {
    device: { kind: 'cpu', threads: 1 },
  });
  onnx.whole = await createSession(encodeOnnxModel(convertTfjsGraphModel(model)), {
    device: { kind: 'cpu', threads: 1 },
  });
  reference = await loadTfjsReference(CENTERNET);
  images = TEST_PHOTOS.map(photoTensor);
});

after(async () => {
  reference?.dispose();
  await onnx.heads?.release();
  await onnx.whole?.release();
});

type Box = [number, number, number, number];
function iou(a: Box, b: Box): number {
  const overlapX = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const overlapY = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const intersection = overlapX * overlapY;
  const area = (box: Box) => (box[2] - box[0]) * (box[3] - box[1]);
  return intersection / (area(a) + area(b) - intersection);
}

/** Rows [x1, y1, x2, y2, score, label] of the graph's decode scoring above MIN_SCORE. */
function confident(detections: Float32Array): { box: Box; score: number; label: number }[] {
  const rows = [];
  for (let offset = 0; offset < detections.length; offset += 6) {
    const [x1, y1, x2, y2, score, label] = detections.subarray(offset, offset + 6);
    if (score! > MIN_SCORE) rows.push({ box: [x1!, y1!, x2!, y2!] as Box, score: score!, label: label! });
  }
  return rows;
}

describe('CenterNet converted from TF.js, against TensorFlow.js running the original', () => {
  it('heads (batch 3 in onnxruntime) agree with TF.js within 1e-4 + 1e-3 × |value| on every element', async (t) => {
    const batch = new Float32Array(images.length * side * side * 3);
    images.forEach((image, index) => batch.set(image, index * image.length));
    const converted = await onnx.heads!.run({
      [INPUT]: new ort.Tensor('float32', batch, [images.length, side, side, 3]),
    });
    for (const [index, image] of images.entries()) {
      const original = await reference.run(image, [1, side, side, 3], HEADS);
      for (const name of HEADS) {
        const expected = original[name]!;
        const all = converted[name]!;
        assert.deepEqual([...all.dims], [images.length, ...expected.dims.slice(1)], `${name}: dims`);
        const actual = (all.data as Float32Array).subarray(
          index * expected.data.length,
          (index + 1) * expected.data.length,
        );
        let maxAbsError = 0;
        let worstRatio = 0;
        let outside = 0;
        let firstOutside = '';
        for (let i = 0; i < expected.data.length; i++) {
          const want = expected.data[i]!;
          const error = Math.abs(actual[i]! - want);
          const bound = ABS_TOLERANCE + REL_TOLERANCE * Math.abs(want);
          maxAbsError = Math.max(maxAbsError, error);
          worstRatio = Math.max(worstRatio, error / bound);
          if (!(error <= bound) && outside++ === 0) firstOutside = `[${i}] got ${actual[i]}, TF.js ${want}`;
        }
        t.diagnostic(
          `${TEST_PHOTOS[index]} ${name}: max abs error ${maxAbsError.toExponential(2)}, ` +
            `worst error / tolerance ${worstRatio.toFixed(3)}`,
        );
        assert.equal(
          outside,
          0,
          `${TEST_PHOTOS[index]} ${name}: ${outside} elements out of tolerance, first ${firstOutside}`,
        );
      }
    }
  });

  it('the whole converted graph’s decode: the original’s labels, boxes at IoU ≥ 0.99, above score 0.3', async (t) => {
    for (const [index, image] of images.entries()) {
      const photo = TEST_PHOTOS[index]!;
      const original = confident((await reference.run(image, [1, side, side, 3], [DETECTIONS]))[DETECTIONS]!.data);
      const outputs = await onnx.whole!.run({ [INPUT]: new ort.Tensor('float32', image, [1, side, side, 3]) });
      const converted = confident(outputs[DETECTIONS]!.data as Float32Array);
      assert.ok(original.length > 0, `${photo}: the original finds nothing above ${MIN_SCORE}`);
      assert.equal(converted.length, original.length, `${photo}: detections above ${MIN_SCORE}`);
      let worstIou = 1;
      let worstScoreError = 0;
      const unmatched = [...converted];
      for (const want of original) {
        const at = unmatched.findIndex((got) => got.label === want.label && iou(got.box, want.box) >= MIN_IOU);
        assert.ok(
          at >= 0,
          `${photo}: no converted detection matches ${JSON.stringify(want)} in ${JSON.stringify(converted)}`,
        );
        const [got] = unmatched.splice(at, 1);
        worstIou = Math.min(worstIou, iou(got!.box, want.box));
        worstScoreError = Math.max(worstScoreError, Math.abs(got!.score - want.score));
      }
      t.diagnostic(
        `${photo}: ${original.length} detections above ${MIN_SCORE} (labels ${original.map((d) => d.label)}), ` +
          `lowest IoU ${worstIou.toFixed(6)}, max score error ${worstScoreError.toExponential(2)}`,
      );
    }
  });
});
