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
import type { DetectionsResponse } from '../src/server/api.ts';
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
    const nodes = await json<{ items: Array<{ id: string; info: { up: boolean; deviceClass: string } }> }>(
      '/api/nodes',
    );
    assert.deepEqual(
      nodes.items.map((n) => [n.id, n.info.up, n.info.deviceClass]),
      [['local-0', true, 'cpu-1t']],
    );
    const plan = await json<{ plan: { plan: { nodes: string[]; plan: { dnns: Array<{ name: string }> } } } | null }>(
      '/api/plan',
    );
    assert.deepEqual(plan.plan?.plan.nodes, ['local-0']);
    assert.deepEqual(
      plan.plan?.plan.plan.dnns.map((d) => d.name),
      ['face_detection_front_128x128_barracuda'],
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
