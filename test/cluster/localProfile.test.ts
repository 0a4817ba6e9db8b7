// This machine's profile: only an unlucky measurement (no balanced split into that many blocks) is measured again
// with fewer blocks; a failure that would only repeat is reported once.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ensureLocalProfile, prepareProfilesFolder } from '../../src/cluster/index.ts';

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
