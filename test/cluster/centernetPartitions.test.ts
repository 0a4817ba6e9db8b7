// CenterNet split in two partitions on two `ppipe worker` processes (a forced plan, float32 tensor links):
// the product's detection path through the cluster (pre-processing, both partitions, the decode) gives the
// in-process detector's detections on the test photographs, exactly.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import {
  Bus,
  ClusterDetector,
  Controller,
  EmbeddedBroker,
  Frontend,
  ModelServer,
  ReservationDispatcher,
} from '../../src/cluster/index.ts';
import type { PlacedPlan } from '../../src/cluster/index.ts';
import { LocalDetector, servedModelFile } from '../../src/detect/index.ts';
import { readImageRgb } from '../../src/ingest/index.ts';
import {
  BROKER_ACCOUNT,
  REPO_ROOT,
  TOKEN,
  memoryLogger,
  spawnWorker,
  splitInTwo,
  twoPartitionPlan,
} from './support.ts';
import { testPhoto, waitFor } from '../helpers.ts';

it(
  'CenterNet in two partitions on two workers detects what the in-process detector does',
  { timeout: 90_000 },
  async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ppipe-centernet-split-'));
    const heads = servedModelFile(
      { id: 'centernet', kind: 'centernet', file: path.join(REPO_ROOT, 'models', 'centernet', 'centernet.json') },
      dir,
    );
    const { partitions, first } = await splitInTwo('centernet', new Uint8Array(readFileSync(heads)));
    const decode = { kind: 'centernet' as const, threshold: 0.3, iouThreshold: 0.3 };
    const local = new LocalDetector({ id: 'centernet', path: heads, intraOpThreads: 1, ...decode });

    const { log } = memoryLogger();
    const broker = new EmbeddedBroker({ accounts: [BROKER_ACCOUNT] });
    await broker.start();
    const bus = new Bus({ url: broker.url, prefix: 'ppipe', clientId: 'controller', ...BROKER_ACCOUNT }, log);
    const models = new ModelServer();
    await models.start();
    const frontend = new Frontend(new ReservationDispatcher(), { token: TOKEN, linkDtype: 'float32' }, log);
    let placedPlan: PlacedPlan | undefined;
    const controller = new Controller(
      bus,
      models,
      {
        profiles: '',
        models: [{ name: 'centernet', partitions }],
        algorithm: 'ppipe',
        bandwidthGbps: 10,
        paceLinks: false,
        linkDtype: 'float32',
        debounceMs: 100,
        planOverride: (nodes) => (nodes.length === 2 ? twoPartitionPlan('centernet') : undefined),
      },
      {
        onPlacedPlan: (plan) => {
          placedPlan = plan;
          frontend.setPlacedPlan(plan);
        },
      },
      log,
    );
    const workerArgs = ['--device-class', 'cpu-1t', '--mps-levels', '1', '--device', 'cpu:1'];
    const workers = ['cn-a', 'cn-b'].map((id) =>
      spawnWorker(broker.url, id, [...workerArgs, '--model-origin', models.baseUrl, '--cache', path.join(dir, id)]),
    );
    try {
      await local.start();
      await bus.start();
      await frontend.start();
      await controller.start();
      await waitFor('both workers serving', () => placedPlan !== undefined, 60_000);
      const hops = placedPlan!.dnns[0]!.pipelines[0]!.partitions.map((p) => p.instances[0]!.nodeId);
      assert.deepEqual(new Set(hops), new Set(['cn-a', 'cn-b']), 'the two partitions run on two different workers');

      const detector = new ClusterDetector({
        id: 'centernet',
        decode,
        dnn: 'centernet',
        inputName: first.inputs[0]!.name,
        sloMs: 10_000,
        frontend: () => frontend,
      });
      for (const photo of ['astronaut.png', 'coffee.png'] as const) {
        const frame = await readImageRgb(testPhoto(photo));
        const served = await detector.detect(frame);
        assert.equal(served.outcome?.status, 'ok', `${photo}: ${served.outcome?.reason ?? ''}`);
        const expected = (await local.detect(frame)).detections;
        assert.ok(expected.length > 0, `${photo}: the in-process detector finds something`);
        // Float32 links and the same optimised graph on both sides of the cut: the same numbers, bit for bit.
        assert.deepEqual(served.detections, expected, photo);
      }
    } finally {
      for (const worker of workers) await worker.stop();
      await controller.stop();
      await frontend.stop();
      await models.stop();
      await bus.stop();
      await broker.stop();
      await local.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
