// The appliance with a cluster section (what `npm start` runs): frames of a camera go through the embedded
// broker, the controller's plan and a real `ppipe worker` process, and come back as detections in the log
// with latency and SLO; the API shows the cluster's node and plan; a crashed worker is restarted and the
// cluster serves again.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { Appliance } from '../src/appliance.ts';
import type { DetectionsResponse, NodesResponse, PlanResponse } from '../src/server/api.ts';
import { ASTRONAUT, MODEL, runDuringSuite } from './applianceSupport.ts';
import { waitFor } from './helpers.ts';

describe('appliance on the cluster', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-appliance-cluster-'));
  const configFile = path.join(dir, 'config.yaml');
  writeFileSync(
    configFile,
    `version: 1
models:
  - { id: blazeface, kind: blazeface, path: ${MODEL}, threshold: 0.75 }
cameras:
  - { id: astro, url: "image:${ASTRONAUT}", fps: 4, width: 256, height: 256 }
store:
  dataDir: data
server:
  port: 0
cluster:
  localWorkers: 1
  workerThreads: 1
`,
  );
  const appliance = new Appliance({ configFile, logger: pino({ level: 'silent' }) });
  const baseUrl = runDuringSuite(appliance, dir);
  const json = async <T>(route: string): Promise<T> => (await (await fetch(baseUrl() + route)).json()) as T;
  const latestFaceId = async (): Promise<number | undefined> =>
    (await json<DetectionsResponse>('/api/detections?camera=astro&limit=1')).items[0]?.id;

  it("logs the camera's face detections served by the local worker, and shows its node and plan", async () => {
    const page = await waitFor(
      'a detection',
      async () => {
        const r = await json<DetectionsResponse>('/api/detections?camera=astro&limit=5');
        return r.items.length > 0 ? r : undefined;
      },
      30_000,
    );
    const face = page.items[0]!;
    assert.equal(face.label, 'face');
    assert.equal(face.model, 'blazeface');
    assert.ok(face.score > 0.9 && face.latencyMs >= 0 && typeof face.sloMet === 'boolean');
    // decoded at 256x256, reported in the photograph's own 512x512 pixels
    const inSource = face.box[0] > 150 && face.box[2] < 300 && face.box[1] > 50 && face.box[3] < 200;
    assert.ok(inSource, `box in 512x512 source pixels: ${face.box.join(',')}`);
    assert.deepEqual([face.sourceWidth, face.sourceHeight], [512, 512]);
    // Without maxBatch the plan serves every frame on its own: the metric counts batches of one frame only.
    const metrics = await (await fetch(baseUrl() + '/metrics')).text();
    const batches = [...metrics.matchAll(/^ppipe_cluster_batches_total\{size="(\d+)"\} (\d+)$/gm)];
    assert.deepEqual(
      batches.map((m) => m[1]),
      ['1'],
      metrics
        .split('\n')
        .filter((l) => l.startsWith('ppipe_cluster'))
        .join('\n'),
    );
    assert.ok(Number(batches[0]![2]) >= 1);
    const { plan } = await json<PlanResponse>('/api/plan');
    assert.ok(plan, 'a plan');
    assert.deepEqual(plan.nodes, ['local-0']);
    assert.equal(plan.planId, appliance.clusterHead!.controller.current?.planId);
    const dnn = plan.dnns[0]!;
    assert.deepEqual(
      [plan.dnns.length, dnn.name, dnn.pipelines.length > 0],
      [1, 'face_detection_front_128x128_barracuda', true],
    );
    const pools = dnn.pipelines.flatMap((p) => p.pools);
    assert.ok(
      pools.every((pool) => pool.gpuType === 'cpu-1t' && pool.blocks[1] < dnn.blockCount),
      JSON.stringify(pools),
    );
    const { items } = await json<NodesResponse>('/api/nodes');
    assert.deepEqual(
      items.map((n) => [n.id, n.up, n.deviceClass, n.planId]),
      [['local-0', true, 'cpu-1t', plan.planId]],
    );
    const node = items[0]!;
    assert.ok(Math.abs(node.lastSeenMs - Date.now()) < 30_000, `last heard at ${node.lastSeenMs}`);
    // The node runs every instance of every pool: the plan's instances, one run each.
    assert.equal(
      node.runs.length,
      pools.reduce((sum, pool) => sum + pool.instances, 0),
    );
    assert.deepEqual(
      node.runs.map((run) => run.blocks).sort(),
      pools.flatMap((pool) => Array.from({ length: pool.instances }, () => pool.blocks)).sort(),
    );
  });

  it('restarts a crashed worker; the cluster re-plans and detections resume', async () => {
    const head = appliance.clusterHead!;
    const planBefore = head.placedPlan!.planId;
    const pidBefore = head.workers()[0]!.pid;
    assert.ok(head.killWorker('local-0'));
    await waitFor('the worker restarted', () => (head.workers()[0]!.restarts === 1 ? true : undefined));
    assert.notEqual(head.workers()[0]!.pid, pidBefore);
    // The controller sees the node leave (its will message) and join again, and re-plans each time.
    await waitFor(
      'the cluster serving a new plan on the restarted worker',
      () =>
        head.placedPlan &&
        head.placedPlan.planId !== planBefore &&
        head.controller.current?.reason === 'node local-0 joined'
          ? true
          : undefined,
      30_000,
    );
    const before = (await latestFaceId()) ?? 0;
    await waitFor('a new detection', async () => (((await latestFaceId()) ?? 0) > before ? true : undefined));
  });
});
