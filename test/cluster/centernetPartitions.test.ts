// CenterNet split in two partitions on two `ppipe worker` processes (a forced plan, float32 tensor links):
// the product's detection path through the cluster (pre-processing, both partitions, the decode) gives the
// in-process detector's detections on the test photographs, exactly.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { ClusterDetector } from '../../src/cluster/index.ts';
import { LocalDetector, servedModelFile } from '../../src/detect/index.ts';
import { readImageRgb } from '../../src/ingest/index.ts';
import { REPO_ROOT, detectOnTime, splitInTwo, startTwoPartitionCluster } from './support.ts';
import { testPhoto } from '../helpers.ts';

const CENTERNET_JSON = path.join(REPO_ROOT, 'models', 'centernet', 'centernet.json');

it(
  'CenterNet in two partitions on two workers detects what the in-process detector does',
  { timeout: 90_000 },
  async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ppipe-centernet-split-'));
    const heads = servedModelFile({ id: 'centernet', kind: 'centernet', file: CENTERNET_JSON }, dir);
    const { partitions, first } = await splitInTwo('centernet', new Uint8Array(readFileSync(heads)));
    const decode = { kind: 'centernet' as const, threshold: 0.3, iouThreshold: 0.3 };
    const local = new LocalDetector({ id: 'centernet', path: heads, intraOpThreads: 1, ...decode });
    const cluster = await startTwoPartitionCluster('centernet', partitions, ['cn-a', 'cn-b']);
    try {
      await local.start();
      const hops = await cluster.serving();
      assert.deepEqual(new Set(hops), new Set(['cn-a', 'cn-b']), 'the two partitions run on two different workers');
      const detector = new ClusterDetector({
        id: 'centernet',
        decode,
        dnn: 'centernet',
        inputName: first.inputs[0]!.name,
        sloMs: 10_000,
        frontend: () => cluster.frontend,
      });
      for (const photo of ['astronaut.png', 'coffee.png'] as const) {
        const frame = await readImageRgb(testPhoto(photo));
        const served = await detectOnTime(detector, frame);
        assert.equal(served.outcome?.status, 'ok', `${photo}: ${served.outcome?.reason ?? ''}`);
        const expected = (await local.detect(frame)).detections;
        assert.ok(expected.length > 0, `${photo}: the in-process detector finds something`);
        // Float32 links and the same optimised graph on both sides of the cut: the same numbers, bit for bit.
        assert.deepEqual(served.detections, expected, photo);
      }
    } finally {
      await cluster.stop();
      await local.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
